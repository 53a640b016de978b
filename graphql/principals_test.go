package graphql_test

// Tests of the principal API (DESIGN §5): users, teams, groups and workloads created,
// changed, listed and deleted over a real server, and refused with the right codes.

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/graphql"
)

const principalFields = `ref name kind members memberOf`

func TestPrincipalAPI(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.run(t, []gqlCase{
		{name: "create user", query: `mutation { createUser(name: "jane@acme") { ` + principalFields + ` } }`,
			data: `{"createUser": {"ref": "user:jane@acme", "name": "jane@acme", "kind": "USER", "members": null, "memberOf": []}}`},
		{name: "create users", query: `mutation { s: createUser(name: "samir@acme") { ref } a: createUser(name: "alan@acme") { ref } }`,
			data: `{"s": {"ref": "user:samir@acme"}, "a": {"ref": "user:alan@acme"}}`},
		{name: "create workload", query: `mutation { createWorkload(name: "ci") { ref kind members } }`,
			data: `{"createWorkload": {"ref": "workload:ci", "kind": "WORKLOAD", "members": null}}`},
		{name: "create team", query: `mutation { createTeam(name: "data", members: ["user:samir@acme", "user:jane@acme", "workload:ci"]) { ` + principalFields + ` } }`,
			data: `{"createTeam": {"ref": "team:data", "name": "data", "kind": "TEAM", "members": ["user:jane@acme", "user:samir@acme", "workload:ci"], "memberOf": []}}`},
		{name: "create team without members", query: `mutation { createTeam(name: "quant") { ref members } }`,
			data: `{"createTeam": {"ref": "team:quant", "members": []}}`},
		{name: "create group", query: `mutation { createGroup(name: "analysts", members: ["user:jane@acme"]) { ref kind members } }`,
			data: `{"createGroup": {"ref": "group:analysts", "kind": "GROUP", "members": ["user:jane@acme"]}}`},
		{name: "set team members", query: `mutation { setTeamMembers(team: "team:quant", members: ["user:alan@acme"]) { ref members } }`,
			data: `{"setTeamMembers": {"ref": "team:quant", "members": ["user:alan@acme"]}}`},
		{name: "set group members", query: `mutation { setGroupMembers(group: "group:analysts", members: ["user:samir@acme", "user:jane@acme"]) { members } }`,
			data: `{"setGroupMembers": {"members": ["user:jane@acme", "user:samir@acme"]}}`},
		{name: "memberOf", query: `{ principal(ref: "user:jane@acme") { memberOf } w: principal(ref: "workload:ci") { memberOf } }`,
			data: `{"principal": {"memberOf": ["group:analysts", "team:data"]}, "w": {"memberOf": ["team:data"]}}`},
		{name: "absent principal is null", query: `{ principal(ref: "user:nobody") { ref } }`, data: `{"principal": null}`},
		{name: "bad ref", query: `{ principal(ref: "jane") { ref } }`, code: "INVALID_ARGUMENT", msg: "kind:name"},
		{name: "users", query: `{ principals(kind: USER) { totalCount nodes { ref } pageInfo { hasNextPage } } }`,
			data: `{"principals": {"totalCount": 4, "nodes": [{"ref": "user:admin"}, {"ref": "user:alan@acme"}, {"ref": "user:jane@acme"}, {"ref": "user:samir@acme"}], "pageInfo": {"hasNextPage": false}}}`},
		{name: "every kind, a page", query: `{ principals(first: 3) { totalCount nodes { ref kind } pageInfo { hasNextPage endCursor } } }`,
			data: `{"principals": {"totalCount": 9, "nodes": [{"ref": "group:analysts", "kind": "GROUP"}, {"ref": "org:acme", "kind": "ORG"}, {"ref": "team:data", "kind": "TEAM"}],
			  "pageInfo": {"hasNextPage": true, "endCursor": "cDp0ZWFtOmRhdGE"}}}`},
		{name: "next page", query: `{ principals(first: 2, after: "cDp0ZWFtOmRhdGE") { nodes { ref } pageInfo { hasNextPage } } }`,
			data: `{"principals": {"nodes": [{"ref": "team:quant"}, {"ref": "user:admin"}], "pageInfo": {"hasNextPage": true}}}`},
		{name: "page too large", query: `{ principals(first: 1001) { totalCount } }`, code: "INVALID_ARGUMENT"},
		{name: "bad cursor", query: `{ principals(after: "!!") { totalCount } }`, code: "INVALID_ARGUMENT"},

		{name: "team named like a user", query: `mutation { createTeam(name: "jane@acme") { ref } }`, code: "CONFLICT", msg: `createTeam: the name "jane@acme" is taken by user:jane@acme`},
		{name: "user named like a team, by case", query: `mutation { createUser(name: "Data") { ref } }`, code: "CONFLICT", msg: "taken by team:data"},
		{name: "reserved name", query: `mutation { createWorkload(name: "_system") { ref } }`, code: "INVALID_ARGUMENT", msg: `may not start with "_"`},
		{name: "bad name", query: `mutation { createUser(name: "jane doe") { ref } }`, code: "INVALID_ARGUMENT", msg: "letters, digits and _ - . @"},
		{name: "reference as a name", query: `mutation { createUser(name: "user:bob") { ref } }`, code: "INVALID_ARGUMENT", msg: `e.g. "bob"`},
		{name: "bare member", query: `mutation { createTeam(name: "x", members: ["jane@acme"]) { ref } }`, code: "INVALID_ARGUMENT", msg: "write user:jane@acme"},
		{name: "team as member", query: `mutation { setTeamMembers(team: "team:data", members: ["team:quant"]) { ref } }`, code: "INVALID_ARGUMENT", msg: "team:quant cannot be a member"},
		{name: "missing members", query: `mutation { createGroup(name: "x", members: ["user:diana@acme", "user:bob"]) { ref } }`, code: "NOT_FOUND", msg: "user:bob, user:diana@acme do not exist"},
		{name: "bare team", query: `mutation { setTeamMembers(team: "data", members: []) { ref } }`, code: "INVALID_ARGUMENT", msg: "write team:data"},
		{name: "group as team", query: `mutation { setTeamMembers(team: "group:analysts", members: []) { ref } }`, code: "INVALID_ARGUMENT", msg: "not a team reference"},
		{name: "unknown team", query: `mutation { setTeamMembers(team: "team:nope", members: []) { ref } }`, code: "NOT_FOUND", msg: "team:nope does not exist"},
		{name: "refused writes changed nothing", query: `{ principal(ref: "team:data") { members } x: principal(ref: "team:x") { ref } }`,
			data: `{"principal": {"members": ["user:jane@acme", "user:samir@acme", "workload:ci"]}, "x": null}`},

		{name: "delete the only admin", query: `mutation { deletePrincipal(ref: "user:admin") }`, code: "CONFLICT", msg: "grant admin on * to another user first"},
		{name: "delete the org", query: `mutation { deletePrincipal(ref: "org:acme") }`, code: "INVALID_ARGUMENT"},
		{name: "delete unknown", query: `mutation { deletePrincipal(ref: "user:nobody") }`, code: "NOT_FOUND"},
		{name: "delete by bare name", query: `mutation { deletePrincipal(ref: "jane@acme") }`, code: "INVALID_ARGUMENT", msg: "write user:jane@acme"},
	})

	// jane, with a token and a grant, is deleted: her token stops at once, her grant goes,
	// and she leaves her team and group.
	ctx := context.Background()
	if _, err := a.reg.Grant(ctx, "acme", "user:jane@acme", access.RoleViewer, "*"); err != nil {
		t.Fatal(err)
	}
	tok, err := a.reg.CreateToken(ctx, "acme", "user:jane@acme", "laptop", 0)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": `{ me { principal { ref memberOf } } }`})
	if _, out := a.post(t, "/graphql", tok.Secret, "application/json", body); errorCode(out) != "" {
		t.Fatalf("jane before the delete: %v", out)
	} else if got, _ := json.Marshal(out["data"]); string(got) != `{"me":{"principal":{"memberOf":["group:analysts","team:data"],"ref":"user:jane@acme"}}}` {
		t.Errorf("jane's me = %s", got)
	}
	// Without MANAGE on the org, jane may not create or delete principals, nor list them.
	for _, q := range []string{`mutation { createUser(name: "bob") { ref } }`, `mutation { deletePrincipal(ref: "user:samir@acme") }`,
		`mutation { setGroupMembers(group: "group:analysts", members: []) { ref } }`} {
		b, _ := json.Marshal(map[string]any{"query": q})
		if _, out := a.post(t, "/graphql", tok.Secret, "application/json", b); errorCode(out) != "FORBIDDEN" {
			t.Errorf("jane: %s answered %v, want FORBIDDEN", q, out)
		}
	}
	a.run(t, []gqlCase{
		{name: "delete jane", query: `mutation { deletePrincipal(ref: "user:jane@acme") }`, data: `{"deletePrincipal": true}`},
		{name: "jane is gone everywhere", query: `{ principal(ref: "user:jane@acme") { ref } t: principal(ref: "team:data") { members } g: principal(ref: "group:analysts") { members } }`,
			data: `{"principal": null, "t": {"members": ["user:samir@acme", "workload:ci"]}, "g": {"members": ["user:samir@acme"]}}`},
		{name: "the name is free", query: `mutation { createTeam(name: "jane@acme") { ref } }`, data: `{"createTeam": {"ref": "team:jane@acme"}}`},
	})
	if g := a.reg.Grants("acme", "user:jane@acme"); len(g) != 0 {
		t.Errorf("jane's grants stayed: %v", g)
	}
	if status, out := a.post(t, "/graphql", tok.Secret, "application/json", body); status != 401 || errorCode(out) != "UNAUTHENTICATED" {
		t.Errorf("jane's token after the delete: %d %v", status, out)
	}
}
