package graphql_test

import (
	"strings"
	"testing"

	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/graphql"
)

// An unknown or repeated query parameter of POST /api/v1/deploy is 400 INVALID_ARGUMENT
// naming it, and nothing is deployed: a misspelled dryRun must never deploy (issue 7).
func TestRESTDeployParameters(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	if out := a.gql(t, `mutation { createBranch(name: "sem") { name } }`, nil); out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	doc, _ := fixtures.Get("fennel")
	for _, c := range []struct{ query, names string }{
		{"?branch=sem&dryrun=true", `unknown query parameter "dryrun"`},
		{"?brnach=sem&dryRun=true", `unknown query parameter "brnach"`},
		{"?branch=sem&branch=main", `query parameter "branch" is given 2 times`},
		{"?dryRun=true&dryRun=false", `query parameter "dryRun" is given 2 times`},
		{"?prune", ""}, // a bare name is a parameter too: known, so only its value is checked
		{"?Branch=sem", `unknown query parameter "Branch"`},
		{"?branch=%zz", "not valid"},
	} {
		t.Run(c.query, func(t *testing.T) {
			status, out := a.post(t, "/api/v1/deploy"+c.query, a.token, "application/yaml", doc)
			if c.names == "" {
				if status != 200 {
					t.Fatalf("status %d: %v", status, out)
				}
				return
			}
			msg, _ := out["message"].(string)
			if status != 400 || out["code"] != "INVALID_ARGUMENT" || !strings.Contains(msg, c.names) {
				t.Fatalf("status %d %v, want 400 INVALID_ARGUMENT saying %q", status, out, c.names)
			}
		})
	}
	// Only the well-formed "?prune" case above deployed — to main.
	out := a.gql(t, `{ m: branch(name: "main") { version } s: branch(name: "sem") { version assetCount } }`, nil)
	if got := out["data"].(map[string]any); got["m"].(map[string]any)["version"] != 1.0 || got["s"].(map[string]any)["version"] != 0.0 {
		t.Fatalf("a refused deploy wrote: %v", got)
	}
}

// A REST dry run of an invalid document is 400 with {"code", "message", "errors"}, like
// the deploy itself; the GraphQL dry run keeps answering the problems in DeployResult.errors.
func TestRESTDryRunOfAnInvalidDocument(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	bad := []byte("datasets:\n  - name: X\n    fields: [{name: a, type: nope}]\n    pipeline: {inputs: [Missing]}\n")
	for _, q := range []string{"?dryRun=true", ""} {
		status, out := a.post(t, "/api/v1/deploy"+q, a.token, "application/yaml", bad)
		errs, _ := out["errors"].([]any)
		if status != 400 || out["code"] != "INVALID_DEFINITION" || len(errs) != 2 || out["message"] == "" {
			t.Errorf("%q: status %d %v, want 400 INVALID_DEFINITION with 2 problems", q, status, out)
		}
		if _, ok := out["version"]; ok {
			t.Errorf("%q: a refusal in the shape of a result: %v", q, out)
		}
	}
	out := a.gql(t, `mutation($d: String!) { deploy(document: $d, dryRun: true) { changed errors { asset line } } }`, map[string]any{"d": string(bad)})
	if errs := out["data"].(map[string]any)["deploy"].(map[string]any)["errors"].([]any); len(errs) != 2 {
		t.Fatalf("the GraphQL dry run: %v", out)
	}
}
