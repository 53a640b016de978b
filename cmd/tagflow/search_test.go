package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/fixtures/synth"
)

func TestSearchCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 0, s.env(), "", "search", "--tag", "PII", "--kind", "FIELD")
	mustMatchLines(t, "every PII column", r.stdout, `PATH\s+KIND\s+TAGS\s+OWNER`,
		`User\.city\s+field\s+PII\s+user:admin`, `User\.uid\s+field\s+PII\s+user:admin`, `User\.updated_at\s+field\s+PII\s+user:admin`)
	if n := strings.Count(r.stdout, "\n"); n != 4 {
		t.Errorf("every PII column: %d lines, want 4:\n%s", n, r.stdout)
	}

	r = mustRun(t, 0, s.env(), "", "search", "city", "--kind", "dataset")
	mustMatchLines(t, "search city --kind dataset", r.stdout, `TxnByCity\s+dataset\s+stripe, ~PII\s+user:admin`)
	r = mustRun(t, 0, s.env(), "", "search", "--tag", "PII", "--tag", "stripe")
	mustEqual(t, "two tags", r.stdout, "No assets on main match.\n")
	r = mustRun(t, 0, s.env(), "", "search", "--owner", "user:admin", "--kind", "FEATURESET")
	mustMatchLines(t, "--owner", r.stdout, `UserFeatures\s+featureset\s+-\s+user:admin`)

	r = mustRun(t, 0, s.env(), "", "search", "--limit", "2")
	mustMatchLines(t, "--limit 2", r.stdout, `Transaction\s+dataset\s+stripe\s+user:admin`, `Transaction\.amount\s+field\s+stripe\s+user:admin`,
		`\.\.\. 2 of 16 shown \(--limit 0 shows all\)`)
	r = mustRun(t, 0, s.env(), "", "search", "--limit", "0")
	if n := strings.Count(r.stdout, "\n"); n != 17 {
		t.Errorf("--limit 0: %d lines, want 17:\n%s", n, r.stdout)
	}

	r = mustRun(t, 0, s.env(), "", "search", "--tag", "PII", "-o", "json")
	var got struct {
		TotalCount int           `json:"totalCount"`
		Nodes      []listedAsset `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("search -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	var paths []string
	for _, n := range got.Nodes {
		paths = append(paths, n.Path+":"+n.Kind)
	}
	if got.TotalCount != 5 || strings.Join(paths, ",") != "User:DATASET,User.city:FIELD,User.uid:FIELD,User.updated_at:FIELD,UserFeatures.city:FEATURE" {
		t.Errorf("search --tag PII -o json = %s", r.stdout)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--kind", "TABLE"}, 1, "--kind must be one of DATASET, FIELD, FEATURESET, FEATURE"},
		{[]string{"--limit", "-1"}, 1, "--limit must be 0"},
		{[]string{"a", "b"}, 1, "at most one TEXT"},
		{[]string{"--tag", "~PII"}, 2, "INVALID_ARGUMENT"},
		{[]string{"--owner", "admin"}, 2, "INVALID_ARGUMENT"},
		{[]string{"--branch", "nope"}, 2, "NOT_FOUND"},
	} {
		r := mustRun(t, tc.code, s.env(), "", append([]string{"search"}, tc.args...)...)
		mustContain(t, "search "+strings.Join(tc.args, " "), r.stderr, tc.want)
	}
}

func TestLsCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 0, s.env(), "", "ls")
	mustMatchLines(t, "ls", r.stdout, `PATH\s+KIND\s+TAGS`, `Transaction\s+dataset\s+stripe`, `TxnByCity\s+dataset\s+stripe, ~PII`,
		`User\s+dataset\s+PII`, `UserFeatures\s+featureset\s+-`)
	if n := strings.Count(r.stdout, "\n"); n != 5 {
		t.Errorf("ls: %d lines, want 5:\n%s", n, r.stdout)
	}
	r = mustRun(t, 0, s.env(), "", "ls", "Us", "-o", "json")
	var got []listedAsset
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("ls -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	if len(got) != 2 || got[0].Path != "User" || got[0].Kind != "DATASET" || got[1].Path != "UserFeatures" || got[1].Kind != "FEATURESET" {
		t.Errorf("ls Us -o json = %s", r.stdout)
	}
	r = mustRun(t, 0, s.env(), "", "ls", "zzz")
	mustEqual(t, "ls zzz", r.stdout, "No datasets or featuresets on main start with \"zzz\".\n")
	r = mustRun(t, 2, s.env(), "", "ls", "--branch", "nope")
	mustContain(t, "ls --branch nope", r.stderr, "NOT_FOUND")
	mustRun(t, 1, s.env(), "", "ls", "a", "b")
}

// ls and search page through more than one page of the API (1,000 a page).
func TestLsAndSearchPageThrough(t *testing.T) {
	s := startServer(t, t.TempDir())
	s.mustDeploy(t, synth.YAML(synth.Options{Datasets: 1100, Fields: 1, Featuresets: 2, Seed: 7, NoDescription: true}), "main")

	r := mustRun(t, 0, s.env(), "", "ls", "gen")
	if n := strings.Count(r.stdout, "\n"); n != 1+1100+2 {
		t.Errorf("ls gen: %d lines, want %d", n, 1+1100+2)
	}
	r = mustRun(t, 0, s.env(), "", "ls", "-o", "json")
	var listed []listedAsset
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 1102 {
		t.Fatalf("ls -o json: %d assets, %v", len(listed), err)
	}
	for i := 1; i < len(listed); i++ {
		if listed[i-1].Path >= listed[i].Path {
			t.Fatalf("ls out of order at %d: %s, %s", i, listed[i-1].Path, listed[i].Path)
		}
	}
	r = mustRun(t, 0, s.env(), "", "search", "--kind", "FIELD", "--limit", "0", "-o", "json")
	var found struct {
		TotalCount int           `json:"totalCount"`
		Nodes      []listedAsset `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &found); err != nil || found.TotalCount != 1100 || len(found.Nodes) != 1100 {
		t.Fatalf("search --kind FIELD --limit 0: %d of %d, %v", len(found.Nodes), found.TotalCount, err)
	}
	r = mustRun(t, 0, s.env(), "", "search", "--kind", "FIELD", "--limit", "1050", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &found); err != nil || len(found.Nodes) != 1050 {
		t.Fatalf("search --limit 1050: %d, %v", len(found.Nodes), err)
	}
}
