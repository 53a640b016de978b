package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestImpactCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 0, s.env(), "", "impact", "User.city")
	mustEqual(t, "impact User.city", r.stdout, `6 assets downstream of User.city on main:
  TxnByCity
  TxnByCity.at
  TxnByCity.city
  TxnByCity.total
  UserFeatures.city
  UserFeatures.total_in_hometown
`)
	r = mustRun(t, 0, s.env(), "", "impact", "UserFeatures.total_in_hometown", "--branch", "main")
	mustEqual(t, "impact of a leaf", r.stdout, "Nothing is downstream of UserFeatures.total_in_hometown on main.\n")

	r = mustRun(t, 0, s.env(), "", "impact", "TxnByCity.total", "-o", "json")
	var got impactInfo
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("impact -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	if want := (impactInfo{Path: "TxnByCity.total", Branch: "main", TotalCount: 1, Nodes: []string{"UserFeatures.total_in_hometown"}}); !slices.Equal(got.Nodes, want.Nodes) ||
		got.Path != want.Path || got.Branch != want.Branch || got.TotalCount != want.TotalCount {
		t.Errorf("impact -o json = %s", r.stdout)
	}
	r = mustRun(t, 0, s.env(), "", "impact", "UserFeatures.uid", "-o", "json")
	mustContain(t, "impact -o json of a leaf", r.stdout, `"nodes": []`, `"totalCount": 0`)

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"Nope"}, 2, "NOT_FOUND"},
		{[]string{"User", "--branch", "nope"}, 2, "NOT_FOUND"},
		{[]string{"a//b"}, 2, "INVALID_ARGUMENT"},
		{[]string{}, 1, "tagflow impact needs PATH, got none"},
		{[]string{"User", "TxnByCity"}, 1, "needs PATH, got 2 arguments"},
	} {
		r := mustRun(t, tc.code, s.env(), "", append([]string{"impact"}, tc.args...)...)
		mustContain(t, "impact "+strings.Join(tc.args, " "), r.stderr, tc.want)
		if r.stdout != "" {
			t.Errorf("a refused impact printed to stdout: %s", r.stdout)
		}
	}
	r = mustRun(t, 3, []string{"TAGFLOW_SERVER=" + closedURL(t), "TAGFLOW_TOKEN=" + s.token}, "", "impact", "User")
	mustContain(t, "impact to a closed port", r.stderr, "cannot reach")
}

// tagflow impact pages through the answer: a dataset of 2,500 fields has 2,502 nodes
// downstream, three pages of the server's.
func TestImpactCommandPages(t *testing.T) {
	s := startServer(t, t.TempDir())
	var doc strings.Builder
	doc.WriteString("datasets:\n  - name: Wide\n    fields:\n")
	for i := range 2500 {
		fmt.Fprintf(&doc, "      - {name: f%04d, type: int}\n", i)
	}
	doc.WriteString("  - name: Narrow\n    fields: [{name: x, type: int}]\n    pipeline: {inputs: [Wide]}\n")
	file := filepath.Join(t.TempDir(), "wide.yaml")
	if err := os.WriteFile(file, []byte(doc.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, s.env(), "", "deploy", "-f", file)

	var want []string
	for i := range 2500 {
		want = append(want, fmt.Sprintf("Wide.f%04d", i))
	}
	want = append([]string{"Narrow", "Narrow.x"}, want...)

	r := mustRun(t, 0, s.env(), "", "impact", "Wide", "-o", "json")
	var got impactInfo
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.TotalCount != len(want) || !slices.Equal(got.Nodes, want) {
		t.Errorf("impact Wide -o json: totalCount %d, %d nodes; want %d, in order", got.TotalCount, len(got.Nodes), len(want))
	}
	r = mustRun(t, 0, s.env(), "", "impact", "Wide")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if lines[0] != "2502 assets downstream of Wide on main:" || len(lines) != len(want)+1 {
		t.Fatalf("impact Wide: %d lines, the first %q", len(lines), lines[0])
	}
	for i, l := range lines[1:] {
		if l != "  "+want[i] {
			t.Fatalf("impact Wide: line %d is %q, want %q", i+2, l, "  "+want[i])
		}
	}
}
