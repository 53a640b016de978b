package main

import (
	"encoding/json"
	"testing"
)

// With -o json, a refusal is JSON on stdout too: code, message and every problem.
func TestRefusalsAsJSON(t *testing.T) {
	s := startServer(t, t.TempDir())
	cases := []struct {
		name     string
		args     []string
		code     string
		problems int
	}{
		{"invalid document", []string{"deploy", "-f", "testdata/bad_type_and_input.yaml", "-o", "json"}, "INVALID_DEFINITION", 2},
		{"missing asset", []string{"get", "Nope", "-o", "json"}, "NOT_FOUND", 0},
		{"unknown branch", []string{"branch", "delete", "nope", "-o", "json"}, "NOT_FOUND", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustRun(t, 2, s.env(), "", c.args...)
			var out struct {
				Code    string            `json:"code"`
				Message string            `json:"message"`
				Errors  []json.RawMessage `json:"errors"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, r)
			}
			if out.Code != c.code || out.Message == "" || len(out.Errors) != c.problems {
				t.Fatalf("got %+v, want code %s with %d problems\n%s", out, c.code, c.problems, r)
			}
		})
	}
}

// A deploy's human output lists at most 50 tag changes and says how many more there are.
func TestDeployTagChangesAreCapped(t *testing.T) {
	s := startServer(t, t.TempDir())
	doc := "datasets:\n  - name: Src\n    tags: [PII]\n    fields:\n"
	for i := 0; i < 60; i++ {
		doc += "      - {name: f" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + ", type: int}\n"
	}
	r := mustRun(t, 0, s.env(), doc, "deploy", "-f", "-")
	mustContain(t, "deploy output", r.stdout, "Tag changes (61 assets):", "  Src: +PII", "... and 11 more (-o json lists them all)")
}
