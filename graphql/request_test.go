package graphql_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// goWords are words of Go's, not of the request: no answer may hold them.
var goWords = regexp.MustCompile(`\bGo\b|float64|int32|\bstring\b.*\binto\b|graphql\.|gqlRequest|interface ?\{|map\[|struct|unmarshal|reflect`)

// Every way a request can be wrong — its body, its variables, its size — answers a code
// about the request (never INTERNAL) and a message in the request's words, never Go's.
func TestRequestErrors(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	deep := `{ __schema { types { fields { type ` + strings.Repeat("{ ofType ", 14) + "{ name }" + strings.Repeat(" }", 14) + ` } } } }`
	// 600 spreads of a fragment of 10 fields: 6,000 selections in 2 KiB of text.
	wide := `{ me { ` + strings.Repeat("...F ", 600) + `} } fragment F on Me { ` + strings.Repeat("org ", 10) + `}`
	asset := `query($p: String!) { asset(path: $p) { path } }`
	for _, c := range []struct {
		name   string
		body   string
		status int
		code   string
		says   string // a part of the message
	}{
		{"not JSON", `{"query": `, 400, "INVALID_ARGUMENT", "JSON object"},
		{"a JSON array", `[]`, 400, "INVALID_ARGUMENT", "JSON object"},
		{"a JSON string", `"{ me { org } }"`, 400, "INVALID_ARGUMENT", "JSON object"},
		{"null", `null`, 400, "INVALID_ARGUMENT", "JSON object"},
		{"query a number", `{"query": 5}`, 400, "INVALID_ARGUMENT", `"query" in the request body must be a string`},
		{"variables a string", `{"query": "{ me { org } }", "variables": "x"}`, 400, "INVALID_ARGUMENT", `"variables" in the request body must be an object`},
		{"operationName a number", `{"query": "{ me { org } }", "operationName": 5}`, 400, "INVALID_ARGUMENT", `"operationName"`},
		{"extensions a list", `{"query": "{ me { org } }", "extensions": []}`, 400, "INVALID_ARGUMENT", `"extensions"`},
		{"a misspelled key", `{"query": "{ me { org } }", "varibles": {}}`, 400, "INVALID_ARGUMENT", `unknown key "varibles"`},
		{"two unknown keys", `{"query": "{ me { org } }", "b": 1, "a": 2}`, 400, "INVALID_ARGUMENT", `unknown key "a", "b"`},
		{"no query", `{}`, 400, "GRAPHQL_PARSE_FAILED", "no query"},
		{"a number for a String", `{"query": "` + asset + `", "variables": {"p": 5}}`, 200, "GRAPHQL_VALIDATION_FAILED", "variable $p must be a String, not the number 5"},
		{"null for a String!", `{"query": "` + asset + `", "variables": {"p": null}}`, 200, "GRAPHQL_VALIDATION_FAILED", `Variable "p" has invalid value null`},
		{"a string for an Int", `{"query": "query($n: Int) { datasets(first: $n) { totalCount } }", "variables": {"n": "x"}}`, 200, "GRAPHQL_VALIDATION_FAILED", `variable $n must be an Int, not the string "x"`},
		{"a fraction for an Int", `{"query": "query($n: Int) { datasets(first: $n) { totalCount } }", "variables": {"n": 1.5}}`, 200, "GRAPHQL_VALIDATION_FAILED", "variable $n must be a 32-bit integer"},
		{"a huge Int", `{"query": "query($n: Int) { datasets(first: $n) { totalCount } }", "variables": {"n": 1e12}}`, 200, "GRAPHQL_VALIDATION_FAILED", "32-bit integer"},
		{"a number in a list of String", `{"query": "mutation($t: [String!]!) { setTags(path: \"User\", tags: $t) { path } }", "variables": {"t": ["PII", 7]}}`, 200, "GRAPHQL_VALIDATION_FAILED", "variable $t[1] must be a String"},
		{"an object for a Boolean", `{"query": "mutation($d: String!, $r: Boolean) { deploy(document: $d, dryRun: $r) { changed } }", "variables": {"d": "datasets: []", "r": {}}}`, 200, "GRAPHQL_VALIDATION_FAILED", "variable $r must be a Boolean, not an object"},
		{"an unknown enum value", `{"query": "query($d: Direction!) { lineage(path: \"User\", direction: $d) { redacted } }", "variables": {"d": "SIDEWAYS"}}`, 200, "GRAPHQL_VALIDATION_FAILED", "SIDEWAYS"},
		{"too many selections", `{"query": "` + wide + `"}`, 200, "GRAPHQL_VALIDATION_FAILED", "more than 5000 selections"},
		{"too deep", `{"query": "` + deep + `"}`, 200, "GRAPHQL_VALIDATION_FAILED", "depth"},
		{"too long", `{"query": "{ me { org } ` + strings.Repeat("#", 64<<10) + `"}`, 200, "GRAPHQL_VALIDATION_FAILED", "length"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := a.post(t, "/graphql", a.token, "application/json", []byte(c.body))
			if status != c.status || errorCode(out) != c.code {
				t.Fatalf("status %d code %q, want %d %q: %v", status, errorCode(out), c.status, c.code, out)
			}
			for _, e := range out["errors"].([]any) {
				msg, _ := e.(map[string]any)["message"].(string)
				if goWords.MatchString(msg) {
					t.Errorf("the message names Go's types: %q", msg)
				}
			}
			msg, _ := out["errors"].([]any)[0].(map[string]any)["message"].(string)
			if !strings.Contains(msg, c.says) {
				t.Errorf("message %q does not say %q", msg, c.says)
			}
		})
	}
}
