package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/graphql"
)

// TestProblemListsAreCapped checks DESIGN §6: problem lists stop at 1,000 entries and say
// how many there were in all, in GraphQL's error, in a dry run's DeployResult and in REST.
func TestProblemListsAreCapped(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	const n = catalog.MaxProblems + 500
	var b strings.Builder
	b.WriteString("datasets:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {name: \"A%d/\"}\n", i) // a bad name each
	}
	doc := b.String()
	const m = `mutation($d: String!, $dry: Boolean) { deploy(document: $d, dryRun: $dry) { errors { line } problemCount } }`

	out := a.gql(t, m, map[string]any{"d": doc})
	if errorCode(out) != "INVALID_DEFINITION" {
		t.Fatalf("deploy = %v", out)
	}
	e := out["errors"].([]any)[0].(map[string]any)
	ext := e["extensions"].(map[string]any)
	if got := len(ext["problems"].([]any)); got != catalog.MaxProblems || ext["problemCount"] != float64(n) {
		t.Fatalf("%d problems listed, problemCount %v; want %d and %d", got, ext["problemCount"], catalog.MaxProblems, n)
	}
	// The message does not repeat the problems: they are in extensions.problems, and
	// clients read them there (STYLE §9).
	if msg := e["message"].(string); msg != "deploy main: the document is invalid; nothing was deployed" {
		t.Errorf("message %.200q", msg)
	}

	out = a.gql(t, m, map[string]any{"d": doc, "dry": true})
	res := out["data"].(map[string]any)["deploy"].(map[string]any)
	errs := res["errors"].([]any)
	if len(errs) != catalog.MaxProblems || res["problemCount"] != float64(n) {
		t.Fatalf("dry run: %d errors, problemCount %v", len(errs), res["problemCount"])
	}
	if last := errs[len(errs)-1].(map[string]any)["line"]; last != float64(catalog.MaxProblems+1) {
		t.Errorf("the last problem listed is on line %v; want the first problems by line", last)
	}

	status, body := a.post(t, "/api/v1/deploy", a.token, "application/yaml", []byte(doc))
	if status != 400 || len(body["errors"].([]any)) != catalog.MaxProblems || body["problemCount"] != float64(n) {
		t.Fatalf("REST: %d, %d errors, problemCount %v", status, len(body["errors"].([]any)), body["problemCount"])
	}

	// A few problems: all listed, and counted.
	out = a.gql(t, m, map[string]any{"d": "datasets:\n  - {name: A, colour: red}\n  - {name: \"B/\"}\n"})
	ext = out["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)
	if len(ext["problems"].([]any)) != 2 || ext["problemCount"] != float64(2) {
		t.Fatalf("small deploy: %v", ext)
	}
	out = a.gql(t, m, map[string]any{"d": "datasets:\n  - {name: A}\n", "dry": true})
	if got := out["data"].(map[string]any)["deploy"].(map[string]any)["problemCount"]; got != float64(0) {
		t.Fatalf("valid dry run: problemCount %v", got)
	}
}
