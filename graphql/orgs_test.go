package graphql_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// asOrg sends a request to path with token and, when org is not nil, X-Tagflow-Org: *org.
func (a *api) asOrg(t testing.TB, path, token string, org *string, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.url+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	if org != nil {
		req.Header.Set(graphql.OrgHeader, *org)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s answered %d with non-JSON %q", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// in runs a GraphQL request with token in org ("" for the token's own) and fails on an error.
func (a *api) in(t testing.TB, token, org, query string, vars map[string]any) map[string]any {
	t.Helper()
	_, out := a.gqlIn(t, token, org, query, vars)
	if out["errors"] != nil {
		t.Fatalf("%s in %q: %v", query, org, out["errors"])
	}
	return out
}

func (a *api) gqlIn(t testing.TB, token, org, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var h *string
	if org != "" {
		h = &org
	}
	return a.asOrg(t, "/graphql", token, h, "application/json", body)
}

func errorMessage(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	m, _ := errs[0].(map[string]any)["message"].(string)
	return m
}

// TestOrgHeader: a value that can be no org's name is INVALID_ARGUMENT (400); an org the
// caller is not a member of and one that does not exist get the same FORBIDDEN (403), on
// /graphql and on /api/v1/deploy alike; the token's own org in the header is the default.
func TestOrgHeader(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.in(t, a.token, "", `mutation { createOrg(name: "beta") }`, nil)
	// Another org the admin is not a member of: made by beta's own user.
	a.in(t, a.token, "beta", `mutation { createUser(name: "b-admin") { ref } grant(principal: "user:b-admin", role: "admin", scope: "*") { role } }`, nil)
	out := a.in(t, a.token, "beta", `mutation { createToken(principal: "user:b-admin", name: "t") { token } }`, nil)
	bAdmin := field(out, "data", "createToken", "token").(string)
	a.in(t, bAdmin, "", `mutation { createOrg(name: "gamma") }`, nil)

	meQ := []byte(`{"query": "{ me { org } }"}`)
	for _, c := range []struct {
		name, org string
		status    int
		code      string
	}{
		{"empty", "", 400, "INVALID_ARGUMENT"},
		{"too long", strings.Repeat("a", 201), 400, "INVALID_ARGUMENT"},
		{"a tab", "be\tta", 400, "INVALID_ARGUMENT"},
		{"a space", "be ta", 400, "INVALID_ARGUMENT"},
		{"reserved start", "_beta", 400, "INVALID_ARGUMENT"},
		{"not a member", "gamma", 403, "FORBIDDEN"},
		{"no such org", "delta", 403, "FORBIDDEN"},
	} {
		org := c.org
		for _, path := range []string{"/graphql", "/api/v1/deploy"} {
			ct, body := "application/json", meQ
			if path != "/graphql" {
				ct, body = "application/yaml", []byte("datasets: []\n")
			}
			status, out := a.asOrg(t, path, a.token, &org, ct, body)
			code, msg := errorCode(out), errorMessage(out)
			if path != "/graphql" {
				code, _ = out["code"].(string)
				msg, _ = out["message"].(string)
			}
			if status != c.status || code != c.code || msg == "" {
				t.Errorf("%s on %s: %d %q %q, want %d %s", c.name, path, status, code, msg, c.status, c.code)
			}
			if c.code == "FORBIDDEN" {
				if want := fmt.Sprintf("you are not a member of org %q (or there is no such org)", c.org); msg != want {
					t.Errorf("%s on %s: message %q, want %q (the same whether the org exists or not)", c.name, path, msg, want)
				}
			}
		}
	}
	two, _ := http.NewRequest(http.MethodPost, a.url+"/graphql", bytes.NewReader(meQ))
	two.Header.Set("Authorization", "Bearer "+a.token)
	two.Header.Add(graphql.OrgHeader, "acme")
	two.Header.Add(graphql.OrgHeader, "beta")
	resp, err := http.DefaultClient.Do(two)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("two %s headers: %d, want 400", graphql.OrgHeader, resp.StatusCode)
	}
	for org, want := range map[string]string{"": "acme", "acme": "acme", "beta": "beta"} {
		if got := field(a.in(t, a.token, org, `{ me { org } }`, nil), "data", "me", "org"); got != want {
			t.Errorf("me.org with header %q = %v, want %s", org, got, want)
		}
	}
	// The REST deploy acts in the header's org.
	beta := "beta"
	if status, out := a.asOrg(t, "/api/v1/deploy", a.token, &beta, "application/yaml", []byte("datasets:\n  - name: b/one\n    fields: [{name: id, type: int, key: true}]\n")); status != 200 {
		t.Fatalf("REST deploy in beta: %d %v", status, out)
	}
	if got := field(a.in(t, a.token, "", `{ asset(path: "b/one") { path } }`, nil), "data", "asset"); got != nil {
		t.Errorf("beta's deploy is seen in acme: %v", got)
	}
	if got := field(a.in(t, a.token, "beta", `{ asset(path: "b/one") { path } }`, nil), "data", "asset", "path"); got != "b/one" {
		t.Errorf("beta's deploy is not in beta: %v", got)
	}
}

// TestMemberSwitchesOrgs: a user of acme made a member of beta acts in each org with its
// own token, sees each org's assets only, and holds each org's rights only; orgs lists
// both; removing the membership or deleting the user ends it.
func TestMemberSwitchesOrgs(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	admin := a.token
	a.in(t, admin, "", `mutation($d: String!) { deploy(document: $d) { added } }`, map[string]any{"d": "datasets:\n  - name: acme/only\n    fields: [{name: id, type: int, key: true}]\n"})
	a.in(t, admin, "", `mutation { createUser(name: "alice") { ref } grant(principal: "user:alice", role: "viewer", scope: "*") { role } }`, nil)
	alice := field(a.in(t, admin, "", `mutation { createToken(principal: "user:alice", name: "t") { token } }`, nil), "data", "createToken", "token").(string)
	if got := field(a.in(t, admin, "", `mutation { createOrg(name: "beta") }`, nil), "data", "createOrg"); got != "beta" {
		t.Fatalf("createOrg = %v", got)
	}
	_, out := a.gqlIn(t, alice, "beta", `{ me { org } }`, nil)
	if errorCode(out) != "FORBIDDEN" {
		t.Fatalf("alice in beta before she is a member: %v", out)
	}
	// Viewer in acme: alice may not add members or create orgs.
	for _, q := range []string{`mutation { addOrgMember(org: "beta", user: "user:alice") }`, `mutation { createOrg(name: "mine") }`} {
		if _, out := a.gqlIn(t, alice, "", q, nil); errorCode(out) != "FORBIDDEN" {
			t.Errorf("alice: %s = %v, want FORBIDDEN", q, out)
		}
	}
	a.in(t, admin, "", `mutation { addOrgMember(org: "beta", user: "user:alice") }`, nil)
	a.in(t, admin, "beta", `mutation { grant(principal: "user:alice", role: "editor", scope: "*") { role } }`, nil)
	if got := field(a.in(t, alice, "", `{ orgs }`, nil), "data", "orgs"); !reflect.DeepEqual(got, []any{"acme", "beta"}) {
		t.Errorf("alice's orgs = %v", got)
	}
	if got := field(a.in(t, alice, "beta", `{ orgs me { org principal { ref } } }`, nil), "data"); !reflect.DeepEqual(got, js(t, `{"orgs": ["acme", "beta"], "me": {"org": "beta", "principal": {"ref": "user:alice"}}}`)) {
		t.Errorf("alice in beta: %v", got)
	}
	deploy := `mutation($d: String!) { deploy(document: $d) { added } }`
	betaDoc := map[string]any{"d": "datasets:\n  - name: beta/only\n    fields: [{name: id, type: int, key: true}]\n"}
	if _, out := a.gqlIn(t, alice, "", deploy, betaDoc); errorCode(out) != "FORBIDDEN" {
		t.Errorf("alice deploys in acme as a viewer: %v", out)
	}
	a.in(t, alice, "beta", deploy, betaDoc)
	list := `{ datasets { nodes { path } } }`
	if got := field(a.in(t, alice, "", list, nil), "data"); !reflect.DeepEqual(got, js(t, `{"datasets": {"nodes": [{"path": "acme/only"}]}}`)) {
		t.Errorf("alice's datasets in acme: %v", got)
	}
	if got := field(a.in(t, alice, "beta", list, nil), "data"); !reflect.DeepEqual(got, js(t, `{"datasets": {"nodes": [{"path": "beta/only"}]}}`)) {
		t.Errorf("alice's datasets in beta: %v", got)
	}
	check := `{ check(mode: WRITE_DEFINITIONS, path: "x/y") { allowed } }`
	if got := field(a.in(t, alice, "", check, nil), "data", "check", "allowed"); got != false {
		t.Errorf("alice may write in acme: %v", got)
	}
	if got := field(a.in(t, alice, "beta", check, nil), "data", "check", "allowed"); got != true {
		t.Errorf("alice may not write in beta: %v", got)
	}
	// Her tokens are made at home; her acme token does not show among beta's.
	if _, out := a.gqlIn(t, alice, "beta", `mutation { createToken(name: "b") { id } }`, nil); errorCode(out) != "INVALID_ARGUMENT" {
		t.Errorf("a token made in beta for a member: %v", out)
	}
	// Name clashes: beta's own bob, and a bob in acme.
	a.in(t, admin, "beta", `mutation { createUser(name: "bob") { ref } }`, nil)
	a.in(t, admin, "", `mutation { createUser(name: "bob") { ref } }`, nil)
	if _, out := a.gqlIn(t, admin, "", `mutation { addOrgMember(org: "beta", user: "user:bob") }`, nil); errorCode(out) != "CONFLICT" {
		t.Errorf("acme's bob into beta: %v, want CONFLICT", out)
	}
	for _, c := range []struct{ user, code string }{{"bob", "INVALID_ARGUMENT"}, {"team:x", "INVALID_ARGUMENT"}, {"user:nobody", "NOT_FOUND"}} {
		if _, out := a.gqlIn(t, admin, "", `mutation($u: String!) { addOrgMember(org: "beta", user: $u) }`, map[string]any{"u": c.user}); errorCode(out) != c.code {
			t.Errorf("addOrgMember(user: %q) = %v, want %s", c.user, out, c.code)
		}
	}
	if _, out := a.gqlIn(t, admin, "", `mutation { createOrg(name: "beta") }`, nil); errorCode(out) != "CONFLICT" {
		t.Errorf("createOrg of a taken name: %v", out)
	}
	// Removing her membership: beta refuses her at once; acme still knows her.
	a.in(t, admin, "", `mutation { removeOrgMember(org: "beta", user: "user:alice") }`, nil)
	if _, out := a.gqlIn(t, alice, "beta", `{ me { org } }`, nil); errorCode(out) != "FORBIDDEN" {
		t.Errorf("alice in beta after her removal: %v", out)
	}
	if got := field(a.in(t, alice, "", `{ orgs }`, nil), "data", "orgs"); !reflect.DeepEqual(got, []any{"acme"}) {
		t.Errorf("alice's orgs after her removal = %v", got)
	}
	if got := field(a.in(t, admin, "beta", `{ grants(principal: "user:alice") { role } }`, nil), "data", "grants"); !reflect.DeepEqual(got, []any{}) {
		t.Errorf("alice's grants in beta after her removal = %v", got)
	}
	// Deleting her at home takes her from beta too, and her token with her.
	a.in(t, admin, "", `mutation { addOrgMember(org: "beta", user: "user:alice") }`, nil)
	a.in(t, admin, "", `mutation { deletePrincipal(ref: "user:alice") }`, nil)
	if got := field(a.in(t, admin, "beta", `{ principal(ref: "user:alice") { ref } }`, nil), "data", "principal"); got != nil {
		t.Errorf("alice is left in beta: %v", got)
	}
	if status, _ := a.gqlIn(t, alice, "", `{ me { org } }`, nil); status != 401 {
		t.Errorf("alice's token after her deletion: %d", status)
	}
}

// Org A's distinctive names: nothing of them may reach a principal of another org unless
// that principal typed it itself.
var alphaNames = []string{"qqalpha/ledger", "qqalpha/derived", "qqsecretcol", "QQALPHATAG", "qqdescription", "qqjane",
	"qqteam", "qqbot", "qqgroup", "qqauditor", "qqbranch", "qqtok", "acme"}

const alphaDoc = `datasets:
  - name: qqalpha/ledger
    description: qqdescription of the ledger
    fields: [{name: qqsecretcol, type: str, key: true}, {name: amount, type: float}]
  - name: qqalpha/derived
    fields: [{name: qqsecretcol, type: str, key: true}]
    pipeline:
      inputs: [qqalpha/ledger]
      columns: {qqsecretcol: [qqalpha/ledger.qqsecretcol]}
`

const zetaDoc = `datasets:
  - name: zz/orders
    fields: [{name: id, type: int, key: true}, {name: total, type: float}]
`

// TestNothingOfOneOrgIsSeenFromAnother (issue 9 item 1): org acme holds distinctively
// named assets, tags, branches, principals, roles, grants and tokens; zeta's admin (a user
// of zeta) runs every query and mutation of the schema twice (required arguments only, and
// with every optional argument too and branch "qqbranch"; and once more with branch
// "QQBRANCH", a case twin of acme's branch, where a branch argument is taken), naming acme's paths, branches,
// principals, role and token. No answer, data or error, holds a name of acme's that zeta's
// caller did not type itself; acting in acme is FORBIDDEN; and acme is unchanged.
func TestNothingOfOneOrgIsSeenFromAnother(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	admin := a.token
	a.in(t, admin, "", `mutation($d: String!) { deploy(document: $d) { added } }`, map[string]any{"d": alphaDoc})
	a.in(t, admin, "", `mutation { defineTag(name: "QQALPHATAG", description: "qqdescription") { name } }`, nil)
	a.in(t, admin, "", `mutation { setTags(path: "qqalpha/ledger", tags: ["QQALPHATAG"]) { path } }`, nil)
	a.in(t, admin, "", `mutation { createBranch(name: "qqbranch") { name } }`, nil)
	a.in(t, admin, "", `mutation { createUser(name: "qqjane") { ref } createWorkload(name: "qqbot") { ref }
		createTeam(name: "qqteam", members: ["user:qqjane"]) { ref } createGroup(name: "qqgroup", members: ["user:qqjane"]) { ref }
		createRole(name: "qqauditor", rules: [{modes: [READ_DEFINITIONS], tags: "QQALPHATAG"}]) { name }
		grant(principal: "team:qqteam", role: "qqauditor", scope: "qqalpha/**") { role } }`, nil)
	tok := field(a.in(t, admin, "", `mutation { createToken(principal: "user:qqjane", name: "qqtok") { id token } }`, nil), "data", "createToken").(map[string]any)
	names := append(append([]string(nil), alphaNames...), tok["id"].(string))

	a.in(t, admin, "", `mutation { createOrg(name: "zeta") }`, nil)
	a.in(t, admin, "zeta", `mutation { createUser(name: "zeta-boss") { ref } grant(principal: "user:zeta-boss", role: "admin", scope: "*") { role } }`, nil)
	boss := field(a.in(t, admin, "zeta", `mutation { createToken(principal: "user:zeta-boss", name: "boss") { token } }`, nil), "data", "createToken", "token").(string)
	a.in(t, admin, "zeta", `mutation { removeOrgMember(org: "zeta", user: "user:admin") }`, nil) // zeta is zeta-boss's alone
	a.in(t, boss, "", `mutation($d: String!) { deploy(document: $d) { added } }`, map[string]any{"d": zetaDoc})
	a.in(t, boss, "", `mutation { defineTag(name: "ZZTAG") { name } setTags(path: "zz/orders", tags: ["ZZTAG"]) { path } createBranch(name: "zzdev") { name } }`, nil)

	acmeState := `{ datasets(branch: "main") { nodes { path tags fields { name } } } b: datasets(branch: "qqbranch") { nodes { path } }
		branches { name version } principals { nodes { ref members } } roles { name rules { modes tags } } grants { principal role scope }
		tagDefinitions { name description } tokens(principal: "user:qqjane") { id name } }`
	before := a.in(t, admin, "", acmeState, nil)

	// zeta's admin may not act in acme, as if it did not exist.
	if _, out := a.gqlIn(t, boss, "acme", `{ me { org } }`, nil); errorMessage(out) != `you are not a member of org "acme" (or there is no such org)` {
		t.Errorf("zeta's admin acting in acme: %v", out)
	}
	if got := field(a.in(t, boss, "", `{ orgs }`, nil), "data", "orgs"); !reflect.DeepEqual(got, []any{"zeta"}) {
		t.Errorf("zeta-boss's orgs = %v", got)
	}

	schema := introspectFull(t, a)
	byName := map[string]any{
		"path": "qqalpha/ledger", "paths": []string{"qqalpha/ledger"}, "dataset": "qqalpha/ledger", "tag": "QQALPHATAG",
		"tags": []string{"QQALPHATAG"}, "document": alphaDoc, "ref": "user:qqjane", "team": "team:qqteam",
		"group": "group:qqgroup", "members": []string{"user:qqjane"}, "text": "qq", "id": tok["id"], "from": "qqbranch",
		"rules": []any{map[string]any{"modes": []string{"READ_DATA"}, "tags": "QQALPHATAG"}}, "principal": "user:qqjane",
		"role": "qqauditor", "scope": "qqalpha/**", "name": "qqbranch", "org": "acme", "user": "user:qqjane",
		"as": "user:qqjane", "owner": "user:qqjane", "prefix": "qqalpha", "after": "", "description": "qqdescription",
	}
	// A name of acme's may be in an answer only when the request typed it, or when an
	// earlier mutation of the walk put it into zeta. Every query runs before any mutation,
	// so queries are held to their own request alone.
	nameOf := map[string]string{"createUser": "qqjane", "createTeam": "qqteam", "createGroup": "qqgroup",
		"createWorkload": "qqbot", "createRole": "qqauditor", "updateRole": "qqauditor", "deleteRole": "qqauditor",
		"role": "qqauditor", "defineTag": "QQALPHATAG", "createOrg": "acme", "createToken": "qqtok"}
	// zeta's admin typed "acme" itself in the header it was refused with, and its own org's
	// audit log records that refusal (target org:acme): its own words, not acme's.
	typedByWrites := map[string]bool{"acme": true}
	walked := 0
	for _, root := range []struct {
		op     string
		fields []walkField
	}{{"query", schema.query}, {"mutation", schema.mutation}} {
		for pass := 0; pass < 3; pass++ {
			for _, f := range root.fields {
				hasBranch := false
				for _, arg := range f.Args {
					hasBranch = hasBranch || arg.Name == "branch"
				}
				if pass == 2 && !hasBranch {
					continue
				}
				var decl, use []string
				vars := map[string]any{}
				for _, arg := range f.Args {
					required := arg.Type.Kind == "NON_NULL" && arg.DefaultValue == nil
					v, known := byName[arg.Name]
					if n, ok := nameOf[f.Name]; ok && arg.Name == "name" {
						v = n
					}
					switch {
					case pass == 1 && arg.Name == "branch":
						v = "qqbranch"
					case pass == 2 && arg.Name == "branch":
						v = "QQBRANCH" // a case twin of acme's: no "did you mean" of another org's
					case !required && (pass != 1 || !known):
						continue
					case !known:
						v = plausible(arg.Type, schema.enums)
					}
					vars[arg.Name] = v
					decl = append(decl, fmt.Sprintf("$%s: %s", arg.Name, typeString(arg.Type)))
					use = append(use, fmt.Sprintf("%s: $%s", arg.Name, arg.Name))
				}
				q := root.op
				if len(decl) > 0 {
					q += "(" + strings.Join(decl, ", ") + ")"
				}
				q += " { " + f.Name
				if len(use) > 0 {
					q += "(" + strings.Join(use, ", ") + ")"
				}
				q += schema.selection(f.Type, 3) + " }"
				rawVars, _ := json.Marshal(vars)
				typed := map[string]bool{}
				for _, n := range names {
					if strings.Contains(q, n) || strings.Contains(string(rawVars), n) {
						typed[n] = true
					}
				}
				status, ans := a.gqlIn(t, boss, "", q, vars)
				walked++
				raw, _ := json.Marshal(ans)
				if os.Getenv("WALKDEBUG") != "" {
					t.Logf("%s %s => %.300s", q, rawVars, raw)
				}
				if code := errorCode(ans); code == "GRAPHQL_VALIDATION_FAILED" || code == "INTERNAL" || status >= 500 {
					t.Errorf("pass %d %s.%s: %d %v: %s", pass, root.op, f.Name, status, ans["errors"], q)
				}
				for _, n := range names {
					if !typed[n] && !typedByWrites[n] && strings.Contains(string(raw), n) {
						t.Errorf("pass %d %s.%s: the answer holds acme's %q, which zeta's caller did not type: %s\nquery: %s %s", pass, root.op, f.Name, n, raw, q, rawVars)
					}
				}
				if root.op == "mutation" {
					for n := range typed {
						typedByWrites[n] = true
					}
				}
			}
		}
	}
	if walked < 80 {
		t.Errorf("walked %d fields only", walked)
	}
	after := a.in(t, admin, "", acmeState, nil)
	if !reflect.DeepEqual(before, after) {
		b, _ := json.Marshal(before)
		c, _ := json.Marshal(after)
		t.Errorf("zeta's walk changed acme:\nbefore %s\nafter  %s", b, c)
	}
	if status, _ := a.gqlIn(t, tok["token"].(string), "", `{ me { org } }`, nil); status != 200 {
		t.Errorf("qqjane's token was revoked from zeta: %d", status)
	}
}

// fullSchema is the introspected schema with what a deep selection needs.
type fullSchema struct {
	query, mutation []walkField
	enums           map[string]string
	types           map[string]fullType
}

type fullType struct {
	Kind          string      `json:"kind"`
	Name          string      `json:"name"`
	Fields        []walkField `json:"fields"`
	PossibleTypes []struct {
		Name string `json:"name"`
	} `json:"possibleTypes"`
	EnumValues []struct{ Name string } `json:"enumValues"`
}

func introspectFull(t *testing.T, a *api) *fullSchema {
	t.Helper()
	out := a.gql(t, `{ __schema { queryType { name } mutationType { name } types { kind name possibleTypes { name } enumValues { name }
		fields { name args { name defaultValue type { ...T } } type { ...T } } } } } `+walkTypeFrag, nil)
	raw, _ := json.Marshal(field(out, "data", "__schema", "types"))
	var types []fullType
	if err := json.Unmarshal(raw, &types); err != nil || len(types) == 0 {
		t.Fatalf("introspection: %v %v", err, out)
	}
	s := &fullSchema{enums: map[string]string{}, types: map[string]fullType{}}
	for _, ty := range types {
		s.types[ty.Name] = ty
		if ty.Kind == "ENUM" && len(ty.EnumValues) > 0 {
			s.enums[ty.Name] = ty.EnumValues[0].Name
		}
	}
	s.query, s.mutation = s.types["Query"].Fields, s.types["Mutation"].Fields
	for _, fs := range [][]walkField{s.query, s.mutation} {
		sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	}
	return s
}

// selection asks for every field without required arguments, depth levels deep, and
// every possible type of an interface.
func (s *fullSchema) selection(ty walkType, depth int) string {
	for ty.OfType != nil {
		ty = *ty.OfType
	}
	if ty.Kind != "OBJECT" && ty.Kind != "INTERFACE" && ty.Kind != "UNION" {
		return ""
	}
	var parts []string
	parts = append(parts, "__typename")
	full := s.types[*ty.Name]
	for _, f := range full.Fields {
		skip := false
		for _, arg := range f.Args {
			skip = skip || arg.Type.Kind == "NON_NULL" && arg.DefaultValue == nil
		}
		inner := f.Type
		for inner.OfType != nil {
			inner = *inner.OfType
		}
		object := inner.Kind == "OBJECT" || inner.Kind == "INTERFACE"
		if skip || object && depth == 0 {
			continue
		}
		parts = append(parts, f.Name+s.selection(f.Type, depth-1))
	}
	for _, p := range full.PossibleTypes {
		sub := s.selection(walkType{Kind: "OBJECT", Name: &p.Name}, depth)
		parts = append(parts, "... on "+p.Name+sub)
	}
	return " { " + strings.Join(parts, " ") + " }"
}
