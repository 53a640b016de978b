package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var fennelAssets = []string{"Transaction", "TxnByCity", "User", "UserFeatures"}

func TestDeployFennelTwice(t *testing.T) {
	s := startServer(t, t.TempDir())

	r := mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	mustContain(t, "first deploy", r.stdout, "Deployed to main: 4 added, 0 changed, 0 removed (version 1).")
	for _, a := range fennelAssets {
		mustContain(t, "first deploy", r.stdout, "\n  + "+a+"\n")
	}
	if r.stderr != "" {
		t.Errorf("first deploy wrote to stderr: %s", r.stderr)
	}

	r = mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	mustContain(t, "second deploy", r.stdout, "Deployed to main: no changes (branch at version 1).")
	mustNotContain(t, "second deploy", r.stdout, "+ ")

	if got := s.branches(t)["main"]; got.Version != 1 || got.AssetCount != 4 {
		t.Errorf("after deploying twice main is %+v; want version 1 with 4 assets", got)
	}
}

func TestDeployDryRun(t *testing.T) {
	s := startServer(t, t.TempDir())

	r := mustRun(t, 0, s.env(), "", "deploy", "--dry-run", "-f", fennel)
	mustContain(t, "plan", r.stdout, "Plan for main: 4 added, 0 changed, 0 removed.")
	for _, a := range fennelAssets {
		mustContain(t, "plan", r.stdout, "  + "+a+"\n")
	}
	if got := s.branches(t)["main"]; got.Version != 0 || got.AssetCount != 0 {
		t.Errorf("a dry run wrote: main is %+v", got)
	}

	// A plan of an invalid document shows the problems on stdout and exits 2.
	r = mustRun(t, 2, s.env(), "", "deploy", "--dry-run", "-f", "testdata/bad_type.yaml")
	mustContain(t, "plan of a bad document", r.stdout, "nothing would be deployed", "line 5: Orders.amount:", "flaot")
	mustContain(t, "plan of a bad document", r.stderr, "1 problem")

	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	r = mustRun(t, 0, s.env(), "", "deploy", "--dry-run", "-f", "testdata/fennel_dev.yaml")
	mustContain(t, "plan of a change", r.stdout, "Plan for main: 1 added, 1 changed, 0 removed.", "  + Session\n", "  ~ User\n")
	if got := s.branches(t)["main"]; got.Version != 1 || got.AssetCount != 4 {
		t.Errorf("a dry run wrote: main is %+v", got)
	}
}

// deployJSONResult is the DeployResult as `deploy -o json` prints it.
type deployJSONResult struct {
	Changed       bool       `json:"changed"`
	Added         []string   `json:"added"`
	ChangedAssets []string   `json:"changedAssets"`
	Removed       []string   `json:"removed"`
	TagChanges    []struct{} `json:"tagChanges"`
	Errors        []struct {
		Asset   *string `json:"asset"`
		Message string  `json:"message"`
		Line    *int    `json:"line"`
	} `json:"errors"`
	Version int `json:"version"`
}

// parseDeployJSON decodes the output of deploy -o json, fails the test unless it has every
// field of DeployResult, and returns the fields that are null (the schema makes every
// list non-null: [] when empty).
func parseDeployJSON(t *testing.T, out string) (deployJSONResult, []string) {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &fields); err != nil {
		t.Fatalf("deploy -o json printed what is not a JSON object: %v\n%s", err, out)
	}
	var nulls []string
	for _, k := range []string{"changed", "added", "changedAssets", "removed", "tagChanges", "errors", "version"} {
		v, ok := fields[k]
		if !ok {
			t.Errorf("deploy -o json lacks %q:\n%s", k, out)
		} else if string(v) == "null" {
			nulls = append(nulls, k)
		}
	}
	var r deployJSONResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("decode deploy -o json: %v\n%s", err, out)
	}
	return r, nulls
}

// mustParseDeployJSON is parseDeployJSON that also fails the test on a null field.
func mustParseDeployJSON(t *testing.T, out string) deployJSONResult {
	t.Helper()
	r, nulls := parseDeployJSON(t, out)
	if len(nulls) > 0 {
		t.Errorf("deploy -o json has null %v; lists are [] when empty:\n%s", nulls, out)
	}
	return r
}

func TestDeployJSONOutput(t *testing.T) {
	s := startServer(t, t.TempDir())

	r := mustRun(t, 0, s.env(), "", "deploy", "-o", "json", "-f", fennel)
	got := mustParseDeployJSON(t, r.stdout)
	if !got.Changed || !reflect.DeepEqual(got.Added, fennelAssets) || len(got.ChangedAssets) != 0 ||
		len(got.Removed) != 0 || len(got.Errors) != 0 || got.Version != 1 {
		t.Errorf("first deploy: got %+v; want changed, added %v, version 1", got, fennelAssets)
	}

	r = mustRun(t, 0, s.env(), "", "deploy", "-o", "json", "-f", "testdata/fennel_dev.yaml")
	got = mustParseDeployJSON(t, r.stdout)
	if !got.Changed || !reflect.DeepEqual(got.Added, []string{"Session"}) ||
		!reflect.DeepEqual(got.ChangedAssets, []string{"User"}) || len(got.Removed) != 0 || got.Version != 2 {
		t.Errorf("changed deploy: got %+v; want added [Session], changedAssets [User], version 2", got)
	}

	r = mustRun(t, 0, s.env(), "", "deploy", "-o", "json", "-f", "testdata/fennel_dev.yaml")
	if got = mustParseDeployJSON(t, r.stdout); got.Changed || len(got.Added)+len(got.ChangedAssets)+len(got.Removed) != 0 || got.Version != 2 {
		t.Errorf("repeated deploy: got %+v; want no change at version 2", got)
	}

	// A plan with problems is refused like the deploy: the refusal as JSON, its problems
	// in errors, and exit 2.
	r = mustRun(t, 2, s.env(), "", "deploy", "-o", "json", "--dry-run", "-f", "testdata/bad_type.yaml")
	var refused struct {
		Code   string         `json:"code"`
		Errors []problemEntry `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &refused); err != nil {
		t.Fatalf("plan of a bad document -o json: %v\n%s", err, r.stdout)
	}
	if refused.Code != "INVALID_DEFINITION" || len(refused.Errors) != 1 || refused.Errors[0].Line == nil || *refused.Errors[0].Line != 5 ||
		refused.Errors[0].Asset == nil || *refused.Errors[0].Asset != "Orders.amount" {
		t.Errorf("plan of a bad document: %s; want INVALID_DEFINITION with one problem at line 5 on Orders.amount", r.stdout)
	}
}

func TestDeployInvalidDocument(t *testing.T) {
	s := startServer(t, t.TempDir())
	for _, tc := range []struct {
		file string
		want []string // each in stderr
	}{
		{"bad_type.yaml", []string{"line 5: Orders.amount:", `"flaot"`}},
		{"unknown_input.yaml", []string{"line 5: Totals:", `"Missing"`}},
		{"not_yaml.yaml", []string{"line 1:", "not valid YAML or JSON"}},
		// Every problem at once (DESIGN §2), each with its line.
		{"bad_type_and_input.yaml", []string{"2 problems", "line 4: Orders.id:", `"integr"`, `line 8: Totals: pipeline input "Missing"`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r := mustRun(t, 2, s.env(), "", "deploy", "-f", filepath.Join("testdata", tc.file))
			mustContain(t, "stderr", r.stderr, append([]string{"INVALID_DEFINITION", "nothing was deployed"}, tc.want...)...)
			if r.stdout != "" {
				t.Errorf("a refused deploy printed to stdout: %s", r.stdout)
			}
		})
	}
	if got := s.branches(t)["main"]; got.Version != 0 || got.AssetCount != 0 {
		t.Errorf("refused deploys wrote: main is %+v", got)
	}
}

// A document with more problems than the server lists says how many there were in all, and
// prints the message once, without the problems the server repeats inline.
func TestDeployManyProblems(t *testing.T) {
	s := startServer(t, t.TempDir())
	var doc strings.Builder
	doc.WriteString("datasets:\n")
	for i := range 1500 {
		fmt.Fprintf(&doc, "  - {name: 'bad//%d', fields: [{name: x, type: int}]}\n", i)
	}
	r := mustRun(t, 2, s.env(), doc.String(), "deploy", "-f", "-")
	mustContain(t, "stderr", r.stderr, "INVALID_DEFINITION, 1500 problems; the first 1000 follow")
	if n := strings.Count(r.stderr, "\n  line "); n != 1000 {
		t.Errorf("%d problem lines, want 1000", n)
	}
	if strings.Contains(r.stderr, "1000 are listed") {
		t.Errorf("the message repeats the problems inline:\n%.400s", r.stderr)
	}
	r = mustRun(t, 2, s.env(), doc.String(), "deploy", "-o", "json", "-f", "-")
	var refused struct {
		Errors       []problemEntry `json:"errors"`
		ProblemCount int            `json:"problemCount"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &refused); err != nil || len(refused.Errors) != 1000 || refused.ProblemCount != 1500 {
		t.Errorf("-o json: %d problems listed, problemCount %d (%v); want 1000 and 1500", len(refused.Errors), refused.ProblemCount, err)
	}
}

func TestDeployFromStdin(t *testing.T) {
	s := startServer(t, t.TempDir())
	doc, err := os.ReadFile(fennel)
	if err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, 0, s.env(), string(doc), "deploy", "-f", "-")
	mustContain(t, "deploy from stdin", r.stdout, "4 added", "  + UserFeatures\n")

	// A JSON document on stdin is sent as JSON and deploys the same way.
	doc, err = os.ReadFile("testdata/orders.json")
	if err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, 0, s.env(), string(doc), "deploy", "-f", "-")
	mustContain(t, "deploy of JSON from stdin", r.stdout, "1 added", "  + sales/orders\n")
	r = mustRun(t, 0, s.env(), "", "get", "sales/orders")
	mustContain(t, "get sales/orders", r.stdout, "finance")
	if !regexp.MustCompile(`(?m)^amount\s+decimal\s`).MatchString(r.stdout) {
		t.Errorf("get sales/orders does not show amount decimal:\n%s", r.stdout)
	}

	// An empty standard input is refused as an empty document, not waited on.
	r = mustRun(t, 2, s.env(), "", "deploy", "-f", "-")
	mustContain(t, "deploy of an empty stdin", r.stderr, "INVALID_DEFINITION", "empty")
}

func TestGet(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 0, s.env(), "", "get", "User")
	mustContain(t, "get User", r.stdout, "User  (dataset)\n", "Users of the app, one row per user.", "owner:  user:admin", "tags:   PII\n")
	for _, row := range []string{`uid\s+int\s+key\s+PII`, `city\s+str\s+PII`, `updated_at\s+datetime\s+PII`} {
		if !regexp.MustCompile(`(?m)^` + row + `$`).MatchString(r.stdout) {
			t.Errorf("get User has no row matching %q:\n%s", row, r.stdout)
		}
	}
	if i, j := strings.Index(r.stdout, "\nuid "), strings.Index(r.stdout, "\nupdated_at "); i < 0 || j < i {
		t.Errorf("get User does not list fields in declaration order:\n%s", r.stdout)
	}

	r = mustRun(t, 0, s.env(), "", "get", "TxnByCity")
	mustContain(t, "get TxnByCity", r.stdout, "~PII", "inputs: Transaction, User\n")

	r = mustRun(t, 0, s.env(), "", "get", "UserFeatures")
	mustContain(t, "get UserFeatures", r.stdout, "UserFeatures  (featureset)\n")
	if !regexp.MustCompile(`(?m)^total_in_hometown\s+float\s+TxnByCity\.total, UserFeatures\.city\s`).MatchString(r.stdout) {
		t.Errorf("get UserFeatures does not show what total_in_hometown is computed from:\n%s", r.stdout)
	}

	r = mustRun(t, 0, s.env(), "", "get", "User.city", "-o", "json")
	var field map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &field); err != nil {
		t.Fatalf("get -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	for k, want := range map[string]any{"path": "User.city", "kind": "FIELD", "name": "city", "type": "str", "dataset": "User", "owner": "user:admin"} {
		if field[k] != want {
			t.Errorf("get User.city -o json: %s = %v, want %v\n%s", k, field[k], want, r.stdout)
		}
	}

	r = mustRun(t, 2, s.env(), "", "get", "Nope")
	mustContain(t, "get Nope", r.stderr, "NOT_FOUND", "Nope")
	if r.stdout != "" {
		t.Errorf("get Nope printed to stdout: %s", r.stdout)
	}
	r = mustRun(t, 2, s.env(), "", "get", "User", "--branch", "nope")
	mustContain(t, "get on a missing branch", r.stderr, "NOT_FOUND", "nope")
}

// TestBranchIsolation is the "done when": branch it, change the branch, main is
// unchanged.
func TestBranchIsolation(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 0, s.env(), "", "branch", "create", "dev")
	mustContain(t, "branch create", r.stdout, "Created branch dev from main (4 assets).")
	r = mustRun(t, 2, s.env(), "", "branch", "create", "dev")
	mustContain(t, "second branch create", r.stderr, "CONFLICT")

	r = mustRun(t, 0, s.env(), "", "deploy", "--branch", "dev", "-f", "testdata/fennel_dev.yaml")
	mustContain(t, "deploy to dev", r.stdout, "Deployed to dev: 1 added, 1 changed, 0 removed (version 1).", "  + Session\n", "  ~ User\n")

	countryRow := regexp.MustCompile(`(?m)^country\s+str\s`)
	r = mustRun(t, 0, s.env(), "", "get", "User", "--branch", "dev")
	if !countryRow.MatchString(r.stdout) {
		t.Errorf("get User on dev does not show the new field:\n%s", r.stdout)
	}
	r = mustRun(t, 0, s.env(), "", "get", "User")
	if countryRow.MatchString(r.stdout) || !strings.Contains(r.stdout, "updated_at") {
		t.Errorf("get User on main shows dev's change (or lost its fields):\n%s", r.stdout)
	}
	mustRun(t, 0, s.env(), "", "get", "Session", "-b", "dev")
	mustRun(t, 2, s.env(), "", "get", "Session")

	r = mustRun(t, 0, s.env(), "", "branch", "list")
	for _, row := range []string{`dev\s+main\s+1\s+5\s+\S+`, `main\s+-\s+1\s+4\s+\S+`} {
		if !regexp.MustCompile(`(?m)^` + row + `$`).MatchString(r.stdout) {
			t.Errorf("branch list has no row matching %q:\n%s", row, r.stdout)
		}
	}
	r = mustRun(t, 0, s.env(), "", "branch", "list", "-o", "json")
	var list []struct {
		Name       string  `json:"name"`
		From       *string `json:"from"`
		Version    int     `json:"version"`
		AssetCount int     `json:"assetCount"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("branch list -o json: %v\n%s", err, r.stdout)
	}
	if len(list) != 2 || list[0].Name != "dev" || list[0].From == nil || *list[0].From != "main" ||
		list[0].AssetCount != 5 || list[1].Name != "main" || list[1].From != nil || list[1].AssetCount != 4 {
		t.Errorf("branch list -o json: %s", r.stdout)
	}

	r = mustRun(t, 0, s.env(), "", "branch", "delete", "dev")
	mustContain(t, "branch delete", r.stdout, "Deleted branch dev.")
	r = mustRun(t, 0, s.env(), "", "branch", "list")
	if strings.Contains(r.stdout, "dev") {
		t.Errorf("branch list after deleting dev:\n%s", r.stdout)
	}
	r = mustRun(t, 2, s.env(), "", "get", "User", "-b", "dev")
	mustContain(t, "get on a deleted branch", r.stderr, "NOT_FOUND")
	r = mustRun(t, 2, s.env(), "", "branch", "delete", "dev")
	mustContain(t, "deleting a deleted branch", r.stderr, "NOT_FOUND")

	r = mustRun(t, 2, s.env(), "", "branch", "delete", "main")
	mustContain(t, "branch delete main", r.stderr, "main")
	if got := s.branches(t)["main"]; got.Version != 1 || got.AssetCount != 4 {
		t.Errorf("main after the branch's life: %+v", got)
	}
}

// TestUsageErrors checks that mistakes in the command line exit 1 before anything is sent:
// the server is a closed port, so a request would exit 3.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("tf_whatever\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	server := "TAGFLOW_SERVER=" + closedURL(t)
	withToken := []string{server, "TAGFLOW_TOKEN=tf_whatever"}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"deploy without -f", withToken, []string{"deploy"}, "needs -f"},
		{"unknown flag", withToken, []string{"deploy", "-f", fennel, "--bogus"}, "unknown flag: --bogus"},
		{"unknown output format", withToken, []string{"get", "User", "-o", "yaml"}, `--output must be text or json, not "yaml"`},
		{"output format on deploy", withToken, []string{"deploy", "-f", fennel, "-o", "yaml"}, "--output"},
		{"get without a path", withToken, []string{"get"}, "get needs PATH, got none"},
		{"unknown command", withToken, []string{"frobnicate"}, "unknown command"},
		{"missing document", withToken, []string{"deploy", "-f", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
		{"no token", []string{server}, []string{"get", "User"}, "no token"},
		{"empty token", []string{server, "TAGFLOW_TOKEN="}, []string{"branch", "list"}, "no token"},
		{"missing token file", []string{server}, []string{"get", "User", "--token", "@" + filepath.Join(dir, "missing")}, "read token file"},
		{"bad server URL", []string{"TAGFLOW_TOKEN=@" + tokenFile}, []string{"get", "User", "--server", "127.0.0.1:1"}, "must be an http:// or https:// URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tagflow(t, tc.env, "", tc.args...)
			if r.code != 1 {
				t.Fatalf("want exit 1, got %s", r)
			}
			mustContain(t, "stderr", r.stderr, "tagflow: ", tc.want)
		})
	}
}

func TestAuthAndReachability(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	bad := []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=tf_notarealtokenatall"}
	for _, args := range [][]string{
		{"get", "User"},              // GraphQL
		{"deploy", "-f", fennel},     // REST
		{"branch", "create", "evil"}, // a mutation
	} {
		r := mustRun(t, 2, bad, "", args...)
		mustContain(t, strings.Join(args, " ")+" with a bad token", r.stderr, "UNAUTHENTICATED")
	}
	if _, ok := s.branches(t)["evil"]; ok {
		t.Errorf("a bad token created a branch")
	}

	// The token from a file; the flag wins over the environment.
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(s.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, 0, bad, "", "get", "User", "--token", "@"+tokenFile)
	mustContain(t, "get with --token @file", r.stdout, "User  (dataset)")
	mustRun(t, 0, []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=@" + tokenFile}, "", "branch", "list")
	mustRun(t, 0, []string{"TAGFLOW_TOKEN=" + s.token}, "", "get", "User", "--server", s.url+"/")

	// A closed port is "unreachable", for reads and deploys alike.
	down := []string{"TAGFLOW_SERVER=" + closedURL(t), "TAGFLOW_TOKEN=" + s.token}
	for _, args := range [][]string{{"get", "User"}, {"deploy", "-f", fennel}, {"branch", "list"}} {
		r := mustRun(t, 3, down, "", args...)
		mustContain(t, strings.Join(args, " ")+" to a closed port", r.stderr, "cannot reach")
		mustNotContain(t, "stderr", r.stderr, s.token)
	}
}
