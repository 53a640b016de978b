package graphql_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// A setTags dry run (the console's impact preview) reports the tag changes the write then
// reports, changes nothing, and is refused like the write.
func TestSetTagsDryRun(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	const set = `mutation($p: String!, $t: [String!]!, $dry: Boolean) { setTags(path: $p, tags: $t, dryRun: $dry) {
		path tags stewardTags writeReport { tagChanges { path added removed } tagChangeCount warnings } } }`
	const state = `{ b: asset(path: "TxnByCity") { tags cancels stewardTags } t: asset(path: "UserFeatures.total_in_hometown") { tags } branch(name: "main") { version } }`
	const before = `{"b": {"tags": ["stripe"], "cancels": ["PII"], "stewardTags": []}, "t": {"tags": ["stripe"]}, "branch": {"version": 1}}`
	const changes = `[{"path": "TxnByCity", "added": ["PII"], "removed": []}, {"path": "TxnByCity.at", "added": ["PII"], "removed": []},
	  {"path": "TxnByCity.city", "added": ["PII"], "removed": []}, {"path": "TxnByCity.total", "added": ["PII"], "removed": []},
	  {"path": "UserFeatures.total_in_hometown", "added": ["PII"], "removed": []}]`
	vars := map[string]any{"p": "TxnByCity", "t": []string{"PII"}, "dry": true}

	a.expect(t, gqlCase{name: "before", query: state, data: before})
	a.expect(t, gqlCase{name: "dry run", query: set, vars: vars,
		data: `{"setTags": {"path": "TxnByCity", "tags": ["stripe"], "stewardTags": [],
			"writeReport": {"tagChanges": ` + changes + `, "tagChangeCount": 5, "warnings": []}}}`})
	a.expect(t, gqlCase{name: "the dry run changed nothing", query: state, data: before})

	// A viewer may read TxnByCity but not write it: the dry run is refused like the write.
	ctx := context.Background()
	if _, err := a.reg.CreatePrincipal(ctx, "acme", "user", "val@acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.reg.Grant(ctx, "acme", "user:val@acme", "viewer", "*"); err != nil {
		t.Fatal(err)
	}
	nt, err := a.reg.CreateToken(ctx, "acme", "user:val@acme", "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	a.asExpect(t, nt.Secret, gqlCase{name: "a viewer's dry run", query: set, vars: vars, code: "FORBIDDEN", msg: "may not be written"})
	write := map[string]any{"p": "TxnByCity", "t": []string{"PII"}}
	a.asExpect(t, nt.Secret, gqlCase{name: "a viewer's write", query: set, vars: write, code: "FORBIDDEN", msg: "may not be written"})

	for _, bad := range []string{"", "~", "no spaces", "~~PII"} {
		a.expect(t, gqlCase{name: "invalid tag " + bad, query: set, vars: map[string]any{"p": "TxnByCity", "t": []string{bad}, "dry": true},
			code: "INVALID_ARGUMENT"})
	}
	a.expect(t, gqlCase{name: "a missing asset", query: set, vars: map[string]any{"p": "Nope", "t": []string{"PII"}, "dry": true}, code: "NOT_FOUND"})
	a.expect(t, gqlCase{name: "still nothing changed", query: state, data: before})

	// The write reports what the dry run said, and changes the branch.
	out := a.gql(t, set, write)
	if out["errors"] != nil {
		t.Fatalf("setTags: %v", out["errors"])
	}
	got, _ := json.Marshal(field(out["data"], "setTags", "writeReport", "tagChanges"))
	if !jsonEqual(t, field(out["data"], "setTags", "writeReport", "tagChanges"), changes) {
		t.Fatalf("the write reports %s, the dry run %s", got, changes)
	}
	a.expect(t, gqlCase{name: "after the write", query: state,
		data: `{"b": {"tags": ["PII", "stripe"], "cancels": [], "stewardTags": ["PII"]}, "t": {"tags": ["PII", "stripe"]}, "branch": {"version": 2}}`})
	// A dry run of what is set already changes nothing and says so.
	a.expect(t, gqlCase{name: "dry run of the same tags", query: set, vars: vars,
		data: `{"setTags": {"path": "TxnByCity", "tags": ["PII", "stripe"], "stewardTags": ["PII"],
			"writeReport": {"tagChanges": [], "tagChangeCount": 0, "warnings": []}}}`})
}
