package graphql_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// Every identity operation leaves one record, through the real HTTP API, and no record
// holds a client secret, a JWT or a password.
func TestAuditRecordsIdentityOperations(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{}, nil) // setPassword of jane by the admin
	s := newRSASigner(t, "k1")
	ciSetup(t, a.api, jwks(t, s)) // createWorkload, grant, addTrustedIssuer, createWorkloadPolicy
	d := a.mustGQL(t, `mutation { createClientSecret(workload: "workload:ci", name: "deploy") { id clientId secret } }`, nil)
	cs := d["createClientSecret"].(map[string]any)
	id, clientID, secret := cs["id"].(string), cs["clientId"].(string), cs["secret"].(string)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}.Encode()
	if r := a.oauth(t, formCT, form, nil); r.status != 200 {
		t.Fatalf("client credentials: %d %v", r.status, r.body)
	}
	jwt := s.sign(t, "k1", ciClaims())
	if r := a.exchange(t, jwt); r.status != 200 {
		t.Fatalf("exchange: %d %v", r.status, r.body)
	}
	ck, csrf := a.login(t, janePassword)
	if ans := send(t, http.DefaultClient, "POST", a.url, "/auth/logout", "", map[string]string{"Cookie": ck.Name + "=" + ck.Value, graphql.CSRFHeader: csrf}); ans.status != 200 || ans.body["loggedOut"] != true {
		t.Fatalf("logout: %d %s", ans.status, ans.raw)
	}
	if ans := send(t, http.DefaultClient, "POST", a.url, "/auth/login", loginBody("jane@acme", "wrong password!"), nil); ans.status != 401 {
		t.Fatalf("bad login: %d %s", ans.status, ans.raw)
	}
	a.mustGQL(t, `mutation { createOrg(name: "beta") }`, nil)
	a.mustGQL(t, `mutation { addOrgMember(org: "beta", user: "user:jane@acme") }`, nil)
	a.mustGQL(t, `mutation { addOrgMember(org: "beta", user: "user:jane@acme") }`, nil) // no-op: no record
	if ans := send(t, http.DefaultClient, "POST", a.url, "/graphql", gqlBody(`{ orgs }`),
		map[string]string{"Authorization": "Bearer " + a.token, graphql.OrgHeader: "gamma"}); ans.status != 403 {
		t.Fatalf("org switch: %d %s", ans.status, ans.raw)
	}
	a.mustGQL(t, `mutation($id: ID!) { revokeClientSecret(id: $id) }`, map[string]any{"id": id})

	rows, _, _ := a.audit(t, map[string]any{"f": 1000})
	raw, _ := json.Marshal(rows)
	for _, bad := range []string{secret, jwt, janePassword, "wrong password!"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("the audit log holds a secret %.12s…", bad)
		}
	}
	admin := ""
	for _, r := range rows {
		if r.Action == "createWorkload" {
			admin = r.Principal
		}
	}
	if admin == "" || admin == "system" {
		t.Fatalf("no admin principal in %s", raw)
	}
	type want struct{ action, principal, target, result string }
	for _, w := range []want{
		{"setPassword", admin, "user:jane@acme", "ok"},
		{"addTrustedIssuer", admin, "issuer:" + testIssuer, "ok"},
		{"createWorkloadPolicy", admin, "workload:ci", "ok"},
		{"createClientSecret", admin, "workload:ci", "ok"},
		{"clientCredentials", "workload:ci", "workload:ci", "ok"},
		{"exchangeToken", "workload:ci", "workload:ci", "ok"},
		{"logout", "user:jane@acme", "user:jane@acme", "ok"},
		{"createOrg", admin, "org:beta", "ok"},
		{"switchOrg", admin, "org:gamma", "denied"},
		{"revokeClientSecret", admin, "workload:ci", "ok"},
	} {
		var got []auditRow
		for _, r := range rows {
			if r.Action == w.action {
				got = append(got, r)
			}
		}
		if len(got) != 1 || got[0].Principal != w.principal || got[0].Target != w.target || got[0].Result != w.result {
			t.Errorf("%s: want one record %+v, got %+v", w.action, w, got)
		}
	}
	// login: one success and one refusal, both naming jane.
	var ok, denied int
	for _, r := range rows {
		if r.Action == "login" && r.Principal == "user:jane@acme" && r.Target == "user:jane@acme" {
			switch r.Result {
			case "ok":
				ok++
			case "denied":
				denied++
			}
		}
	}
	if ok != 1 || denied != 1 {
		t.Errorf("login records: %d ok, %d denied", ok, denied)
	}
	for _, r := range rows {
		if r.Action == "revokeClientSecret" && !strings.Contains(str(r.Details), `"tokensRevoked":1`) {
			t.Errorf("revokeClientSecret details %s", str(r.Details))
		}
	}
	// The new org's own log and the member's record.
	beta := send(t, http.DefaultClient, "POST", a.url, "/graphql", gqlBody(`{ auditLog(first: 100) { nodes { principal action target result } } }`),
		map[string]string{"Authorization": "Bearer " + a.token, graphql.OrgHeader: "beta"})
	var created, added int
	for _, n := range field(beta.body, "data", "auditLog", "nodes").([]any) {
		m := n.(map[string]any)
		if m["action"] == "createOrg" && m["target"] == "org:beta" {
			created++
		}
		if m["action"] == "addOrgMember" && m["target"] == "user:jane@acme" && m["principal"] == admin {
			added++
		}
	}
	if created != 1 || added != 1 {
		t.Errorf("beta's log: %d createOrg, %d addOrgMember: %s", created, added, beta.raw)
	}
}

// The removals and the CSRF refusal leave their records too.
func TestAuditRecordsIdentityRemovals(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{}, nil)
	s := newRSASigner(t, "k1")
	policy := ciSetup(t, a.api, jwks(t, s))
	if r := a.exchange(t, s.sign(t, "k1", ciClaims())); r.status != 200 {
		t.Fatalf("exchange: %d %v", r.status, r.body)
	}
	a.mustGQL(t, `mutation($id: ID!) { deleteWorkloadPolicy(id: $id) }`, map[string]any{"id": policy})
	a.mustGQL(t, `mutation($i: String!) { removeTrustedIssuer(issuer: $i) }`, map[string]any{"i": testIssuer})
	ck, _ := a.login(t, janePassword)
	if ans := a.asSession(t, ck, "", `mutation { createOrg(name: "x") }`); ans.status != 403 {
		t.Fatalf("no CSRF token: %d %s", ans.status, ans.raw)
	}
	a.mustGQL(t, `mutation { createOrg(name: "beta") }`, nil)
	a.mustGQL(t, `mutation { addOrgMember(org: "beta", user: "user:jane@acme") }`, nil)
	a.mustGQL(t, `mutation { removeOrgMember(org: "beta", user: "user:jane@acme") }`, nil)
	rows, _, _ := a.audit(t, map[string]any{"f": 1000})
	for _, w := range []struct{ action, target, result, details string }{
		{"deleteWorkloadPolicy", "workload:ci", "ok", `"tokensRevoked":1`},
		{"removeTrustedIssuer", "issuer:" + testIssuer, "ok", `"tokensRevoked":0`},
		{"csrf", "org:acme", "denied", ""},
	} {
		var got []auditRow
		for _, r := range rows {
			if r.Action == w.action {
				got = append(got, r)
			}
		}
		if len(got) != 1 || got[0].Target != w.target || got[0].Result != w.result || !strings.Contains(str(got[0].Details), w.details) {
			t.Errorf("%s: want one record %+v, got %+v", w.action, w, got)
		} else if w.action == "csrf" && (got[0].Principal != "user:jane@acme" || !strings.Contains(str(got[0].Reason), graphql.CSRFHeader)) {
			t.Errorf("csrf record %+v", got[0])
		}
	}
	beta := send(t, http.DefaultClient, "POST", a.url, "/graphql", gqlBody(`{ auditLog(action: "removeOrgMember") { nodes { target result } } }`),
		map[string]string{"Authorization": "Bearer " + a.token, graphql.OrgHeader: "beta"})
	if n := field(beta.body, "data", "auditLog", "nodes").([]any); len(n) != 1 || n[0].(map[string]any)["target"] != "user:jane@acme" {
		t.Errorf("beta's removeOrgMember: %s", beta.raw)
	}
}
