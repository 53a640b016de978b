package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/graphql"
)

// send posts a GraphQL request with token and X-Request-Id id, and returns the answer.
func (a *api) send(t *testing.T, token, id, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if id != "" {
		req.Header.Set("X-Request-Id", id)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("non-JSON answer %q", raw)
	}
	return out
}

type auditRow struct {
	At, Principal, Action, Target, Result string
	Reason, Details, RequestID            *string
}

const auditQuery = `query($p: String, $t: String, $a: String, $s: String, $u: String, $f: Int, $c: String) {
  auditLog(principal: $p, targetPrefix: $t, action: $a, since: $s, until: $u, first: $f, after: $c) {
    nodes { at principal action target result reason details requestId } pageInfo { hasNextPage endCursor } } }`

// audit reads one page of the log as the admin.
func (a *api) audit(t *testing.T, vars map[string]any) ([]auditRow, bool, string) {
	t.Helper()
	out := a.gql(t, auditQuery, vars)
	if out["errors"] != nil {
		t.Fatalf("auditLog %v: %v", vars, out["errors"])
	}
	var page struct {
		Nodes    []auditRow
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
	raw, _ := json.Marshal(field(out, "data", "auditLog"))
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}
	end := ""
	if page.PageInfo.EndCursor != nil {
		end = *page.PageInfo.EndCursor
	}
	return page.Nodes, page.PageInfo.HasNextPage, end
}

// userToken makes user:NAME with a token, and returns the token.
func (a *api) userToken(t *testing.T, name string) string {
	t.Helper()
	out := a.gql(t, `mutation($n: String!, $r: String!) { createUser(name: $n) { ref } createToken(principal: $r, name: "t") { token } }`,
		map[string]any{"n": name, "r": "user:" + name})
	if out["errors"] != nil {
		t.Fatalf("user %s: %v", name, out["errors"])
	}
	return field(out, "data", "createToken", "token").(string)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func TestAuditRecordsEveryKindOfChange(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	doc, _ := fixtures.Get("fennel")
	start := time.Now().UTC()
	steps := []struct {
		query  string
		vars   map[string]any
		action string
		target string
		detail string // a substring of details, "" for none expected
	}{
		{`mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": string(doc)}, "deploy", "branch:main", `"User"`},
		{`mutation { createBranch(name: "dev") { name } }`, nil, "createBranch", "branch:dev", `"from":"main"`},
		{`mutation { setTags(path: "User.city", tags: ["geo"], branch: "dev") { path } }`, nil, "setTags", "User.city", `"tags":["geo"]`},
		{`mutation { defineTag(name: "geo", propagate: false) { name } }`, nil, "defineTag", "tag:geo", `"propagate":false`},
		{`mutation { deleteAssets(paths: ["UserFeatures"], branch: "dev") { changed } }`, nil, "deleteAssets", "branch:dev", `"removed":["UserFeatures"]`},
		{`mutation { deleteBranch(name: "dev") }`, nil, "deleteBranch", "branch:dev", ""},
		{`mutation { createUser(name: "jane@acme") { ref } }`, nil, "createUser", "user:jane@acme", ""},
		{`mutation { createTeam(name: "data") { ref } }`, nil, "createTeam", "team:data", ""},
		{`mutation { setTeamMembers(team: "team:data", members: ["user:jane@acme"]) { ref } }`, nil, "setTeamMembers", "team:data", `"members":["user:jane@acme"]`},
		{`mutation { createWorkload(name: "ci") { ref } }`, nil, "createWorkload", "workload:ci", ""},
		{`mutation { createGroup(name: "analysts", members: ["workload:ci"]) { ref } }`, nil, "createGroup", "group:analysts", `"members":["workload:ci"]`},
		{`mutation { setGroupMembers(group: "group:analysts", members: []) { ref } }`, nil, "setGroupMembers", "group:analysts", `"members":[]`},
		{`mutation { createRole(name: "reader", rules: [{modes: [READ_DATA]}]) { name } }`, nil, "createRole", "role:reader", `READ_DATA`},
		{`mutation { updateRole(name: "reader", rules: [{modes: [READ_DEFINITIONS]}]) { name } }`, nil, "updateRole", "role:reader", `READ_DEFINITIONS`},
		{`mutation { grant(principal: "team:data", role: "reader", scope: "quant/**") { role } }`, nil, "grant", "team:data", `"scope":"quant/**"`},
		{`mutation { revoke(principal: "team:data", role: "reader", scope: "quant/**") }`, nil, "revoke", "team:data", `"role":"reader"`},
		{`mutation { deleteRole(name: "reader") }`, nil, "deleteRole", "role:reader", ""},
		{`mutation { createToken(principal: "user:jane@acme", name: "laptop") { id } }`, nil, "createToken", "user:jane@acme", `"name":"laptop"`},
		{`mutation { deletePrincipal(ref: "user:jane@acme") }`, nil, "deletePrincipal", "user:jane@acme", `"tokens":1`},
	}
	for i, s := range steps {
		out := a.send(t, a.token, fmt.Sprintf("req-%02d", i), s.query, s.vars)
		if out["errors"] != nil {
			t.Fatalf("%s: %v", s.action, out["errors"])
		}
	}
	// A token revoked: its own record, with the token's id.
	out := a.gql(t, `mutation { createToken(name: "spare") { id } }`, nil)
	id := field(out, "data", "createToken", "id").(string)
	a.send(t, a.token, "req-revoke", `mutation($id: ID!) { revokeToken(id: $id) }`, map[string]any{"id": id})
	end := time.Now().UTC()

	rows, more, _ := a.audit(t, map[string]any{"f": 1000})
	if more {
		t.Fatalf("one page holds the whole log")
	}
	// Newest first: revokeToken, createToken (spare), then the steps backwards, then the bootstrap.
	if len(rows) != len(steps)+3 {
		t.Fatalf("%d records, want %d: %+v", len(rows), len(steps)+3, rows)
	}
	if rows[0].Action != "revokeToken" || str(rows[0].RequestID) != "req-revoke" || !strings.Contains(str(rows[0].Details), id) {
		t.Errorf("revokeToken record: %+v %s", rows[0], str(rows[0].Details))
	}
	if rows[len(rows)-1].Action != "bootstrap" || rows[len(rows)-1].Principal != "system" {
		t.Errorf("the oldest record is the bootstrap's, by system: %+v", rows[len(rows)-1])
	}
	for i, s := range steps {
		r := rows[len(steps)+1-i]
		if r.Action != s.action || r.Target != s.target || r.Principal != "user:admin" || r.Result != "ok" ||
			str(r.RequestID) != fmt.Sprintf("req-%02d", i) || r.Reason != nil {
			t.Errorf("record of %s: got %+v, want target %s by user:admin, ok, request req-%02d", s.action, r, s.target, i)
		}
		if s.detail != "" && !strings.Contains(str(r.Details), s.detail) {
			t.Errorf("record of %s: details %s lack %s", s.action, str(r.Details), s.detail)
		}
		at, err := time.Parse(time.RFC3339Nano, r.At)
		if err != nil || at.Before(start) || at.After(end) {
			t.Errorf("record of %s: at %q is not an RFC 3339 time of the test (%v)", s.action, r.At, err)
		}
	}
	for i := 1; i < len(rows); i++ {
		if rows[i-1].At < rows[i].At {
			t.Errorf("not newest first: %s before %s", rows[i-1].At, rows[i].At)
		}
	}
	// Deleting jane kept her records.
	if got, _, _ := a.audit(t, map[string]any{"t": "user:jane@acme"}); len(got) != 3 {
		t.Errorf("records about user:jane@acme after its deletion: %d, want 3 (create, token, delete)", len(got))
	}
}

func TestAuditDeployNamesItsPaths(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	doc, _ := fixtures.Get("fennel")
	out := a.gql(t, `mutation($d: String!) { deploy(document: $d) { added } }`, map[string]any{"d": string(doc)})
	var added []string
	for _, p := range field(out, "data", "deploy", "added").([]any) {
		added = append(added, p.(string))
	}
	// The same document again changes nothing, and records nothing.
	a.gql(t, `mutation($d: String!) { deploy(document: $d) { added } }`, map[string]any{"d": string(doc)})
	// A dry run changes nothing either.
	a.gql(t, `mutation($d: String!) { deploy(document: $d, dryRun: true, prune: true) { added } }`, map[string]any{"d": "datasets: []\n"})
	rows, _, _ := a.audit(t, map[string]any{"a": "deploy"})
	if len(rows) != 1 {
		t.Fatalf("deploy records: %d, want 1 (one per deploy that changed something): %+v", len(rows), rows)
	}
	var d struct {
		Added, Changed, Removed []string
		Count                   int
	}
	if err := json.Unmarshal([]byte(str(rows[0].Details)), &d); err != nil {
		t.Fatalf("details %q: %v", str(rows[0].Details), err)
	}
	if !slices.Equal(d.Added, added) || len(d.Changed)+len(d.Removed) != 0 || d.Count != len(added) || len(added) < 4 {
		t.Errorf("details %+v, want added %v", d, added)
	}
	if rows[0].Target != "branch:main" {
		t.Errorf("target %q", rows[0].Target)
	}
}

func TestAuditBoundsALargeDeploy(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	var b strings.Builder
	b.WriteString("datasets:\n")
	for i := range 1500 {
		fmt.Fprintf(&b, "  - name: big/d%04d\n    fields: [{name: x, type: int}]\n", i)
	}
	out := a.gql(t, `mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": b.String()})
	if out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	rows, _, _ := a.audit(t, map[string]any{"a": "deploy"})
	var d struct {
		Added          []string
		Count, Omitted int
	}
	if len(rows) != 1 || json.Unmarshal([]byte(str(rows[0].Details)), &d) != nil {
		t.Fatalf("records %+v", rows)
	}
	if len(d.Added) != 1000 || d.Count != 1500 || d.Omitted != 500 || d.Added[0] != "big/d0000" {
		t.Errorf("a deploy of 1500 datasets names the first 1000 and counts all: %d named, count %d, omitted %d", len(d.Added), d.Count, d.Omitted)
	}
}

func TestAuditDeniedRequests(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	bob := a.userToken(t, "bob")
	before, _, _ := a.audit(t, map[string]any{"f": 1000})

	// One refused mutation: one denied record with the deny reason and request id.
	out := a.send(t, bob, "bob-1", `mutation { createUser(name: "mallory") { ref } }`, nil)
	if errorCode(out) != "FORBIDDEN" {
		t.Fatalf("bob creating a user: %v", out)
	}
	msg := field(out["errors"].([]any)[0], "message").(string)
	// Many refusals in one request (aliases) are one record, named by the field, not the alias.
	var q strings.Builder
	q.WriteString("mutation {")
	for i := range 20 {
		fmt.Fprintf(&q, " a%d: deleteBranch(name: \"x%d\")", i, i)
	}
	q.WriteString(" }")
	a.send(t, bob, "bob-2", q.String(), nil)
	// Questions are not attempts: the answers of check are not logged, whatever they are (a
	// columnAccess refused FORBIDDEN, because the caller may not read the dataset, is).
	if out := a.send(t, bob, "bob-3", `{ check(mode: MANAGE, path: "User") { allowed } n: check(mode: READ_DATA, path: "") { allowed } }`, nil); out["errors"] != nil {
		t.Fatalf("check: %v", out["errors"])
	}
	// A refused deploy over REST: one record, action deploy, target the branch, the denied paths.
	doc, _ := fixtures.Get("acme")
	req, _ := http.NewRequest(http.MethodPost, a.url+"/api/v1/deploy?branch=main", bytes.NewReader(doc))
	req.Header.Set("Authorization", "Bearer "+bob)
	req.Header.Set("X-Request-Id", "bob-4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("bob's REST deploy: %d", resp.StatusCode)
	}
	// A refused read: a denied record too.
	a.send(t, bob, "bob-5", `{ auditLog { nodes { at } } }`, nil)

	rows, _, _ := a.audit(t, map[string]any{"f": 1000})
	rows = rows[:len(rows)-len(before)]
	if len(rows) != 4 {
		t.Fatalf("%d new records, want 4 (createUser, deleteBranch, deploy, auditLog): %+v", len(rows), rows)
	}
	want := []struct{ action, target, id string }{
		{"auditLog", "org:acme", "bob-5"}, {"deploy", "branch:main", "bob-4"},
		{"deleteBranch", "branch:x", "bob-2"}, {"createUser", "org:acme", "bob-1"},
	}
	for i, w := range want {
		r := rows[i]
		if r.Action != w.action || !strings.HasPrefix(r.Target, w.target) || r.Result != "denied" || r.Principal != "user:bob" ||
			str(r.RequestID) != w.id || str(r.Reason) == "" {
			t.Errorf("denied record %d: %+v (reason %q), want %s on %s by user:bob, request %s", i, r, str(r.Reason), w.action, w.target, w.id)
		}
	}
	if str(rows[3].Reason) != msg {
		t.Errorf("the reason is the deny reason answered: %q, want %q", str(rows[3].Reason), msg)
	}
	if !strings.Contains(str(rows[1].Details), `"denied"`) {
		t.Errorf("a refused deploy names its denied paths: %s", str(rows[1].Details))
	}
}

func TestAuditLogNeedsManage(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	bob := a.userToken(t, "bob")
	if out := a.send(t, bob, "", `{ auditLog { nodes { at } } }`, nil); errorCode(out) != "FORBIDDEN" {
		t.Errorf("a user without grants reads the audit log: %v", out)
	}
	a.gql(t, `mutation { grant(principal: "user:bob", role: "editor", scope: "*") { role } }`, nil)
	if out := a.send(t, bob, "", `{ auditLog { nodes { at } } }`, nil); errorCode(out) != "FORBIDDEN" {
		t.Errorf("an editor reads the audit log: %v", out)
	}
	a.gql(t, `mutation { grant(principal: "user:bob", role: "admin", scope: "*") { role } }`, nil)
	if out := a.send(t, bob, "", `{ auditLog { nodes { at } } }`, nil); out["errors"] != nil {
		t.Errorf("an admin is refused the audit log: %v", out)
	}
}

func TestAuditLogFiltersAndPages(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	for i := range 7 {
		a.gql(t, `mutation($n: String!) { createUser(name: $n) { ref } }`, map[string]any{"n": fmt.Sprintf("u%d", i)})
	}
	mid := time.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	for i := range 3 {
		a.gql(t, `mutation($n: String!) { createTeam(name: $n) { ref } }`, map[string]any{"n": fmt.Sprintf("t%d", i)})
	}
	bob := a.userToken(t, "bob") // createUser and createToken
	a.send(t, bob, "", `mutation { createTeam(name: "x") { ref } }`, nil)

	count := func(vars map[string]any) int {
		rows, _, _ := a.audit(t, vars)
		return len(rows)
	}
	for _, c := range []struct {
		vars map[string]any
		want int
	}{
		{map[string]any{}, 1 + 7 + 3 + 2 + 1},
		{map[string]any{"a": "createUser"}, 8},
		{map[string]any{"a": "createTeam"}, 4},
		{map[string]any{"t": "user:u"}, 7},
		{map[string]any{"t": "team:"}, 3},
		{map[string]any{"p": "user:bob"}, 1},
		{map[string]any{"p": "user:bob", "a": "createUser"}, 0},
		{map[string]any{"s": mid.Format(time.RFC3339Nano)}, 3 + 2 + 1},
		{map[string]any{"u": mid.Format(time.RFC3339Nano)}, 1 + 7},
		{map[string]any{"s": mid.Add(-time.Hour).Format(time.RFC3339), "u": mid.Format(time.RFC3339Nano), "t": "user:"}, 1 + 7},
		{map[string]any{"f": 0}, 0},
	} {
		if got := count(c.vars); got != c.want {
			t.Errorf("auditLog %v: %d entries, want %d", c.vars, got, c.want)
		}
	}
	// Pages of 3 go through the whole log once, newest first.
	all, _, _ := a.audit(t, map[string]any{})
	var paged []auditRow
	after := ""
	for range 20 {
		vars := map[string]any{"f": 3}
		if after != "" {
			vars["c"] = after
		}
		rows, more, end := a.audit(t, vars)
		paged = append(paged, rows...)
		if !more {
			break
		}
		after = end
	}
	if len(paged) != len(all) {
		t.Fatalf("paging gives %d entries, one page %d", len(paged), len(all))
	}
	for i := range all {
		if paged[i] != all[i] && (paged[i].At != all[i].At || paged[i].Action != all[i].Action) {
			t.Errorf("paged entry %d: %+v, want %+v", i, paged[i], all[i])
		}
	}
	// Filters and a cursor together.
	rows, more, end := a.audit(t, map[string]any{"a": "createUser", "f": 5})
	rest, more2, _ := a.audit(t, map[string]any{"a": "createUser", "f": 5, "c": end})
	if len(rows) != 5 || !more || len(rest) != 3 || more2 {
		t.Errorf("createUser in pages of 5: %d (more %v), then %d (more %v)", len(rows), more, len(rest), more2)
	}

	for _, c := range []struct {
		vars map[string]any
		word string
	}{
		{map[string]any{"s": "yesterday"}, "since"},
		{map[string]any{"u": "2026-13-01T00:00:00Z"}, "until"},
		{map[string]any{"s": "2026-01-02"}, "since"},
		{map[string]any{"s": "2026-01-02T00:00:00Z", "u": "2026-01-01T00:00:00Z"}, "since"},
		{map[string]any{"f": 1001}, "first"},
		{map[string]any{"f": -1}, "first"},
		{map[string]any{"c": "not a cursor"}, "cursor"},
		{map[string]any{"c": "YWJj"}, "after"},
	} {
		out := a.gql(t, auditQuery, c.vars)
		msg, _ := field(out["errors"], "message").(string)
		if errs, ok := out["errors"].([]any); ok && len(errs) > 0 {
			msg, _ = field(errs[0], "message").(string)
		}
		if errorCode(out) != "INVALID_ARGUMENT" || !strings.Contains(msg, c.word) {
			t.Errorf("auditLog %v: %v, want INVALID_ARGUMENT naming %s", c.vars, out["errors"], c.word)
		}
	}
}

func TestAuditHoldsNoSecret(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	out := a.gql(t, `mutation { createUser(name: "jane@acme") { ref } createToken(principal: "user:jane@acme", name: "laptop") { id token } }`, nil)
	secret := field(out, "data", "createToken", "token").(string)
	id := field(out, "data", "createToken", "id").(string)
	a.gql(t, `mutation($id: ID!) { revokeToken(id: $id) }`, map[string]any{"id": id})
	// The secret as a bearer token, refused, and as arguments of a refused request.
	a.send(t, secret, "", `{ me { org } }`, nil)
	jane := a.userToken(t, "jim")
	a.send(t, jane, "", `mutation($s: String!) { createUser(name: $s) { ref } }`, map[string]any{"s": secret})

	records, found := 0, false
	store := a.svc.Repo().Store()
	err := store.View(context.Background(), func(tx catalog.Txn) error {
		return tx.Iterate(nil, func(k, v []byte) error {
			if bytes.Contains(k, []byte("audit")) {
				records++
			}
			if bytes.Contains(k, []byte(secret)) || bytes.Contains(v, []byte(secret)) ||
				bytes.Contains(v, []byte(strings.TrimPrefix(secret, "tfp_"))) {
				found = true
				t.Errorf("the secret is in the store under %q", k)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if records < 5 || found {
		t.Errorf("%d audit records searched; secret found: %v", records, found)
	}
}
