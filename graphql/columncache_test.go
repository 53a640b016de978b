package graphql_test

import (
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// columnAccess answers are memoized by policy and branch view: a role edit, a membership
// change and a deploy that moves a tag each show in the very next answer.
func TestColumnAccessSeesEveryChange(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	toks := acmeOrg(t, a)
	jane := toks["jane"]
	a.expect(t, gqlCase{name: "a dataset", query: deployQ, vars: map[string]any{"d": `datasets:
  - name: shared/users
    fields: [{name: id, type: int}, {name: email, type: str, tags: [PII]}]
`}})
	a.run(t, []gqlCase{{name: "analyst", query: `mutation {
		createRole(name: "analyst", rules: [{modes: [READ_DEFINITIONS]}, {modes: [READ_DATA], tags: "!PII"}]) { name }
		grant(principal: "team:data", role: "analyst", scope: "shared/**") { scope } }`}})
	q := `{ columnAccess(dataset: "shared/users") { result visible } }`
	partial := `{"columnAccess": {"result": "PARTIAL", "visible": ["id"]}}`
	for i := 0; i < 2; i++ { // the second answer is the memoized one
		a.asExpect(t, jane, gqlCase{name: "partial", query: q, data: partial})
	}
	a.expect(t, gqlCase{name: "role edit", query: `mutation { updateRole(name: "analyst", rules: [{modes: [READ_DEFINITIONS, READ_DATA]}]) { name } }`})
	a.asExpect(t, jane, gqlCase{name: "after the role edit", query: q, data: `{"columnAccess": {"result": "ALLOW", "visible": ["id", "email"]}}`})
	a.expect(t, gqlCase{name: "role back", query: `mutation { updateRole(name: "analyst", rules: [{modes: [READ_DEFINITIONS]}, {modes: [READ_DATA], tags: "!PII"}]) { name } }`})
	a.asExpect(t, jane, gqlCase{name: "after the role is back", query: q, data: partial})
	a.expect(t, gqlCase{name: "PII moves", query: deployQ, vars: map[string]any{"d": `datasets:
  - name: shared/users
    fields: [{name: id, type: int, tags: [PII]}, {name: email, type: str}]
`}})
	a.asExpect(t, jane, gqlCase{name: "after the deploy", query: q, data: `{"columnAccess": {"result": "PARTIAL", "visible": ["email"]}}`})
	a.expect(t, gqlCase{name: "jane leaves data", query: `mutation { setTeamMembers(team: "team:data", members: ["user:samir@acme"]) { ref } }`})
	a.asExpect(t, jane, gqlCase{name: "after leaving the team", query: q, code: "FORBIDDEN"})
}
