package graphql_test

// Tests of the role and grant API (DESIGN §5, issue 8 items 2 and 3) over a real server:
// custom roles created, shown, edited and deleted; grants made, listed and revoked; every
// refusal with its code; the next decision sees each change; MANAGE is needed.

import (
	"context"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/graphql"
)

const roleFields = `name builtIn rules { modes branches tags }`

func TestRoleAndGrantAPI(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	readPII := &access.Request{Mode: access.ReadData, Path: "data/x", Branch: "dev/a", Tags: []string{"PII"}}
	readPlain := &access.Request{Mode: access.ReadData, Path: "data/x", Branch: "dev/a"}
	jane := func() *access.Policy { return a.reg.Policy("acme", "user:jane@acme") }
	a.run(t, []gqlCase{
		{name: "principals", query: `mutation { createUser(name: "jane@acme") { ref } t: createTeam(name: "data", members: ["user:jane@acme"]) { ref } }`,
			data: `{"createUser": {"ref": "user:jane@acme"}, "t": {"ref": "team:data"}}`},
		{name: "built-in roles", query: `{ roles { ` + roleFields + ` } }`,
			data: `{"roles": [
			  {"name": "admin", "builtIn": true, "rules": [{"modes": ["READ_DEFINITIONS", "WRITE_DEFINITIONS", "READ_DATA", "WRITE_DATA", "MANAGE"], "branches": ["*"], "tags": "true"}]},
			  {"name": "editor", "builtIn": true, "rules": [{"modes": ["READ_DEFINITIONS", "WRITE_DEFINITIONS", "READ_DATA", "WRITE_DATA"], "branches": ["*"], "tags": "true"}]},
			  {"name": "viewer", "builtIn": true, "rules": [{"modes": ["READ_DEFINITIONS", "READ_DATA"], "branches": ["*"], "tags": "true"}]}]}`},
		{name: "create role", query: `mutation { createRole(name: "analyst", rules: [{modes: [READ_DEFINITIONS]}, {modes: [READ_DATA, READ_DEFINITIONS], branches: ["main", "dev/*"], tags: "!PII&&(!secret)"}]) { ` + roleFields + ` } }`,
			data: `{"createRole": {"name": "analyst", "builtIn": false, "rules": [
			  {"modes": ["READ_DEFINITIONS"], "branches": ["*"], "tags": "true"},
			  {"modes": ["READ_DEFINITIONS", "READ_DATA"], "branches": ["main", "dev/*"], "tags": "!PII && !secret"}]}}`},
		{name: "role", query: `{ role(name: "analyst") { name rules { tags } } v: role(name: "viewer") { builtIn } n: role(name: "nobody") { name } }`,
			data: `{"role": {"name": "analyst", "rules": [{"tags": "true"}, {"tags": "!PII && !secret"}]}, "v": {"builtIn": true}, "n": null}`},
		{name: "create a built-in name", query: `mutation { createRole(name: "viewer", rules: [{modes: [READ_DATA]}]) { name } }`, code: "CONFLICT", msg: "built-in role"},
		{name: "create twice", query: `mutation { createRole(name: "analyst", rules: [{modes: [READ_DATA]}]) { name } }`, code: "CONFLICT", msg: "exists"},
		{name: "bad expression", query: `mutation { createRole(name: "x", rules: [{modes: [READ_DATA]}, {modes: [READ_DATA], tags: "PII && ("}]) { name } }`,
			code: "INVALID_ARGUMENT", msg: `rules[1].tags: "PII && (" — column 8`},
		{name: "bad branch", query: `mutation { createRole(name: "x", rules: [{modes: [READ_DATA], branches: ["dev/**/x"]}]) { name } }`,
			code: "INVALID_ARGUMENT", msg: "rules[0].branches[0]"},
		{name: "no rules", query: `mutation { createRole(name: "x", rules: []) { name } }`, code: "INVALID_ARGUMENT", msg: "rules: empty"},
		{name: "bad name", query: `mutation { createRole(name: "_x", rules: [{modes: [READ_DATA]}]) { name } }`, code: "INVALID_ARGUMENT", msg: "reserved"},
		{name: "update a built-in", query: `mutation { updateRole(name: "admin", rules: [{modes: [READ_DATA]}]) { name } }`, code: "CONFLICT"},
		{name: "update unknown", query: `mutation { updateRole(name: "nobody", rules: [{modes: [READ_DATA]}]) { name } }`, code: "NOT_FOUND"},
		{name: "delete a built-in", query: `mutation { deleteRole(name: "viewer") }`, code: "CONFLICT"},
		{name: "delete unknown", query: `mutation { deleteRole(name: "nobody") }`, code: "NOT_FOUND"},

		{name: "grant", query: `mutation { grant(principal: "team:data", role: "analyst", scope: "data/**") { principal role scope } }`,
			data: `{"grant": {"principal": "team:data", "role": "analyst", "scope": "data/**"}}`},
		{name: "grant again", query: `mutation { grant(principal: "team:data", role: "analyst", scope: "data/**") { scope } }`, data: `{"grant": {"scope": "data/**"}}`},
		{name: "grant a template", query: `mutation { grant(principal: "user:jane@acme", role: "viewer", scope: "${user}/**") { scope } }`, data: `{"grant": {"scope": "${user}/**"}}`},
		{name: "grant to a name", query: `mutation { grant(principal: "jane@acme", role: "viewer", scope: "*") { scope } }`, code: "INVALID_ARGUMENT", msg: "write user:jane@acme"},
		{name: "grant to nobody", query: `mutation { grant(principal: "user:nobody", role: "viewer", scope: "*") { scope } }`, code: "NOT_FOUND", msg: "user:nobody does not exist"},
		{name: "grant an unknown role", query: `mutation { grant(principal: "user:jane@acme", role: "boss", scope: "*") { scope } }`, code: "NOT_FOUND", msg: `role "boss" does not exist`},
		{name: "grant a bad scope", query: `mutation { grant(principal: "user:jane@acme", role: "viewer", scope: "data/**/x") { scope } }`, code: "INVALID_ARGUMENT", msg: `scope "data/**/x"`},
		{name: "grants", query: `{ grants { principal role scope } }`,
			data: `{"grants": [{"principal": "team:data", "role": "analyst", "scope": "data/**"}, {"principal": "user:admin", "role": "admin", "scope": "*"},
			  {"principal": "user:jane@acme", "role": "viewer", "scope": "${user}/**"}]}`},
		{name: "grants of a principal", query: `{ grants(principal: "team:data") { role } }`, data: `{"grants": [{"role": "analyst"}]}`},
		{name: "grants on a scope", query: `{ grants(scope: "*") { principal } }`, data: `{"grants": [{"principal": "user:admin"}]}`},
		{name: "delete a role in use", query: `mutation { deleteRole(name: "analyst") }`, code: "CONFLICT", msg: "team:data on data/**"},
	})
	if !jane().Check(readPlain).Allowed || jane().Check(readPII).Allowed {
		t.Fatal("jane's policy does not follow the analyst grant")
	}
	a.run(t, []gqlCase{
		{name: "update role", query: `mutation { updateRole(name: "analyst", rules: [{modes: [READ_DATA], tags: "PII"}]) { rules { modes tags } } }`,
			data: `{"updateRole": {"rules": [{"modes": ["READ_DATA"], "tags": "PII"}]}}`},
	})
	if jane().Check(readPlain).Allowed || !jane().Check(readPII).Allowed {
		t.Fatal("jane's policy does not follow the role edit")
	}
	a.run(t, []gqlCase{
		{name: "revoke", query: `mutation { revoke(principal: "team:data", role: "analyst", scope: "data/**") }`, data: `{"revoke": true}`},
		{name: "revoke again", query: `mutation { revoke(principal: "team:data", role: "analyst", scope: "data/**") }`, data: `{"revoke": false}`},
		{name: "revoke a bad scope", query: `mutation { revoke(principal: "team:data", role: "analyst", scope: "a/**/b") }`, code: "INVALID_ARGUMENT"},
		{name: "revoke the last admin", query: `mutation { revoke(principal: "user:admin", role: "admin", scope: "*") }`, code: "CONFLICT", msg: "without an administrator"},
		{name: "delete role", query: `mutation { deleteRole(name: "analyst") }`, data: `{"deleteRole": true}`},
		{name: "deleted", query: `{ role(name: "analyst") { name } }`, data: `{"role": null}`},
	})
	if jane().Check(readPII).Allowed {
		t.Fatal("jane's policy does not follow the revoke")
	}

	// Without MANAGE on the org, every field is FORBIDDEN.
	tok, err := a.reg.CreateToken(context.Background(), "acme", "user:jane@acme", "t", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`{ roles { name } }`, `{ role(name: "viewer") { name } }`, `{ grants { scope } }`,
		`mutation { createRole(name: "y", rules: [{modes: [MANAGE]}]) { name } }`,
		`mutation { updateRole(name: "y", rules: [{modes: [MANAGE]}]) { name } }`,
		`mutation { deleteRole(name: "y") }`,
		`mutation { grant(principal: "user:jane@acme", role: "admin", scope: "*") { scope } }`,
		`mutation { revoke(principal: "user:admin", role: "admin", scope: "*") }`,
	} {
		_, out := a.as(t, tok.Secret, q, nil)
		if errorCode(out) != "FORBIDDEN" {
			t.Errorf("%s as jane: %v, want FORBIDDEN", q, out)
		}
	}
}

// A steward with MANAGE on data/** grants and revokes under data/ and nowhere else; a
// principal without MANAGE grants nothing, and a bad scope is INVALID_ARGUMENT for anyone.
func TestGrantNeedsManageOnACoveringScope(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	ctx := context.Background()
	a.run(t, []gqlCase{
		{name: "principals and a steward role", query: `mutation { s: createUser(name: "sam") { ref } b: createUser(name: "bob") { ref }
			createRole(name: "steward", rules: [{modes: [MANAGE, READ_DEFINITIONS]}]) { name } }`},
		{name: "sam stewards data/**", query: `mutation { grant(principal: "user:sam", role: "steward", scope: "data/**") { scope } }`,
			data: `{"grant": {"scope": "data/**"}}`},
	})
	tok := map[string]string{}
	for _, u := range []string{"sam", "bob"} {
		nt, err := a.reg.CreateToken(ctx, "acme", "user:"+u, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		tok[u] = nt.Secret
	}
	for _, c := range []struct {
		who string
		gqlCase
	}{
		{"sam", gqlCase{name: "under data/", query: `mutation { grant(principal: "user:bob", role: "viewer", scope: "data/x/**") { scope } }`, data: `{"grant": {"scope": "data/x/**"}}`}},
		{"sam", gqlCase{name: "one asset under data/", query: `mutation { grant(principal: "user:bob", role: "editor", scope: "data/forecast") { scope } }`, data: `{"grant": {"scope": "data/forecast"}}`}},
		{"sam", gqlCase{name: "revoke under data/", query: `mutation { revoke(principal: "user:bob", role: "viewer", scope: "data/x/**") }`, data: `{"revoke": true}`}},
		{"sam", gqlCase{name: "outside data/", query: `mutation { grant(principal: "user:bob", role: "viewer", scope: "quant/**") { scope } }`, code: "FORBIDDEN", msg: "MANAGE on a scope covering quant/**"}},
		{"sam", gqlCase{name: "the whole org", query: `mutation { grant(principal: "user:bob", role: "viewer", scope: "*") { scope } }`, code: "FORBIDDEN"}},
		{"sam", gqlCase{name: "data itself", query: `mutation { grant(principal: "user:bob", role: "viewer", scope: "data") { scope } }`, code: "FORBIDDEN"}},
		{"bob", gqlCase{name: "without MANAGE", query: `mutation { grant(principal: "user:bob", role: "admin", scope: "data/forecast") { scope } }`, code: "FORBIDDEN"}},
		{"bob", gqlCase{name: "a bad scope", query: `mutation { grant(principal: "user:bob", role: "viewer", scope: "data/*") { scope } }`, code: "INVALID_ARGUMENT", msg: `one "*" is not a scope`}},
	} {
		a.asExpect(t, tok[c.who], c.gqlCase)
	}
	if gs := a.reg.ListGrants("acme", "user:bob", ""); len(gs) != 1 || gs[0].Scope != "data/forecast" {
		t.Errorf("bob's grants: %+v; want the one on data/forecast", gs)
	}
}
