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
