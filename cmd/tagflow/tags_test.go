package main

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// mustEqual fails the test unless got is exactly want.
func mustEqual(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n--- got:\n%s--- want:\n%s", what, got, want)
	}
}

// mustMatchLines fails the test unless every pattern matches a whole line of got.
func mustMatchLines(t *testing.T, what, got string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)^` + p + `$`).MatchString(got) {
			t.Errorf("%s has no line matching %q:\n%s", what, p, got)
		}
	}
}

func TestExplainCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"UserFeatures.total_in_hometown", "PII"}, `UserFeatures.total_in_hometown does not have PII (cancelled).
  would arrive from User: User -> User.city -> UserFeatures.city -> UserFeatures.total_in_hometown
  cancelled by TxnByCity's ~PII
`},
		{[]string{"User.city", "PII"}, "User.city has PII.\n  from User: User -> User.city\n"},
		{[]string{"UserFeatures.total_in_hometown", "stripe", "--branch", "main"},
			"UserFeatures.total_in_hometown has stripe.\n  from Transaction: Transaction -> TxnByCity -> TxnByCity.total -> UserFeatures.total_in_hometown\n"},
		{[]string{"UserFeatures.uid", "PII"}, "UserFeatures.uid does not have PII: no source reaches it.\n"},
		{[]string{"TxnByCity", "PII"}, "TxnByCity does not have PII (cancelled).\n  would arrive from User: User -> TxnByCity\n  cancelled by TxnByCity's ~PII\n"},
	} {
		r := mustRun(t, 0, s.env(), "", append([]string{"explain"}, tc.args...)...)
		mustEqual(t, "explain "+strings.Join(tc.args, " "), r.stdout, tc.want)
	}

	r := mustRun(t, 0, s.env(), "", "explain", "UserFeatures.total_in_hometown", "PII", "-o", "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("explain -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	want := map[string]any{
		"path": "UserFeatures.total_in_hometown", "tag": "PII", "branch": "main", "present": false,
		"sources":     []any{map[string]any{"source": "User", "path": []any{"User", "User.city", "UserFeatures.city", "UserFeatures.total_in_hometown"}}},
		"cancelledBy": []any{"TxnByCity"},
		"stopped":     []any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("explain -o json = %s", r.stdout)
	}
	r = mustRun(t, 0, s.env(), "", "explain", "UserFeatures.uid", "PII", "-o", "json")
	mustContain(t, "explain -o json with nothing to say", r.stdout, `"sources": []`, `"cancelledBy": []`)

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"Nope", "PII"}, 2, "NOT_FOUND"},
		{[]string{"User.nope", "PII"}, 2, "NOT_FOUND"},
		{[]string{"User", "PII", "--branch", "nope"}, 2, "NOT_FOUND"},
		{[]string{"User", "~PII"}, 2, "INVALID_ARGUMENT"},
		{[]string{"User", "bad tag!"}, 2, "INVALID_ARGUMENT"},
		{[]string{"User"}, 1, "explain needs PATH TAG"},
		{[]string{"User", "PII", "extra"}, 1, "explain needs PATH TAG"},
		{[]string{"User", "-x"}, 1, "goes after --"},
	} {
		r := mustRun(t, tc.code, s.env(), "", append([]string{"explain"}, tc.args...)...)
		mustContain(t, "explain "+strings.Join(tc.args, " "), r.stderr, tc.want)
		if r.stdout != "" {
			t.Errorf("a refused explain printed to stdout: %s", r.stdout)
		}
	}
	// A tag that starts with "-" is a tag after "--".
	r = mustRun(t, 0, s.env(), "", "explain", "User", "--", "-x")
	mustEqual(t, "explain User -- -x", r.stdout, "User does not have -x: no source reaches it.\n")
}

func TestLineageCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 0, s.env(), "", "lineage", "User.city")
	mustEqual(t, "lineage User.city", r.stdout, `Lineage of User.city on main (downstream, depth 1): 3 nodes, 2 edges.

NODE               KIND     TAGS
TxnByCity          dataset  stripe, ~PII
User.city          field    PII
UserFeatures.city  feature  PII

EDGES
  User.city -> TxnByCity (fail-closed)
  User.city -> UserFeatures.city (derivation)
`)

	r = mustRun(t, 0, s.env(), "", "lineage", "TxnByCity", "--upstream")
	mustContain(t, "lineage TxnByCity --upstream", r.stdout, "(upstream, depth 1): 9 nodes, 14 edges.\n",
		"  Transaction -> TxnByCity (derivation)\n", "  Transaction.amount -> TxnByCity (fail-closed)\n",
		"  User.updated_at -> TxnByCity (fail-closed)\n", "  User -> User.city (containment)\n")
	mustMatchLines(t, "lineage TxnByCity --upstream", r.stdout, `Transaction\.amount\s+field\s+stripe`, `TxnByCity\s+dataset\s+stripe, ~PII`, `User\s+dataset\s+PII`)

	r = mustRun(t, 0, s.env(), "", "lineage", "User", "--depth", "0")
	mustEqual(t, "lineage User --depth 0", r.stdout, "Lineage of User on main (downstream, depth 0): 1 node, 0 edges.\n\nNODE  KIND     TAGS\nUser  dataset  PII\n\nEDGES\n  none\n")

	r = mustRun(t, 0, s.env(), "", "lineage", "User", "--downstream", "--depth", "2")
	mustContain(t, "lineage User --depth 2", r.stdout, "(downstream, depth 2): 9 nodes, 11 edges.\n", "  User.city -> UserFeatures.city (derivation)\n")
	mustNotContain(t, "lineage User --depth 2", r.stdout, "total_in_hometown")
	r = mustRun(t, 0, s.env(), "", "lineage", "User", "--depth", "3")
	mustContain(t, "lineage User --depth 3", r.stdout, "  UserFeatures.city -> UserFeatures.total_in_hometown (derivation)\n")

	r = mustRun(t, 0, s.env(), "", "lineage", "User", "--datasets", "--depth", "5")
	mustEqual(t, "lineage User --datasets", r.stdout, `Lineage of User on main (downstream, depth 5, datasets): 3 nodes, 3 edges.

NODE          KIND        TAGS
TxnByCity     dataset     stripe, ~PII
User          dataset     PII
UserFeatures  featureset  -

EDGES
  TxnByCity -> UserFeatures (derivation)
  User -> TxnByCity (derivation)
  User -> UserFeatures (derivation)
`)

	r = mustRun(t, 0, s.env(), "", "lineage", "TxnByCity", "--upstream", "-o", "json")
	var l struct {
		Nodes []struct {
			Path string   `json:"path"`
			Kind string   `json:"kind"`
			Tags []string `json:"tags"`
		} `json:"nodes"`
		Edges []struct {
			From, To, Kind string
		} `json:"edges"`
		Redacted []string `json:"redacted"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
		t.Fatalf("lineage -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	if len(l.Nodes) != 9 || len(l.Edges) != 14 || l.Redacted == nil || len(l.Redacted) != 0 {
		t.Errorf("lineage -o json: %d nodes, %d edges, redacted %v; want 9, 14, []\n%s", len(l.Nodes), len(l.Edges), l.Redacted, r.stdout)
	}
	if len(l.Edges) > 4 && (l.Edges[4].From != "Transaction.amount" || l.Edges[4].To != "TxnByCity" || l.Edges[4].Kind != "FAIL_CLOSED") {
		t.Errorf("lineage -o json: edge 4 is %+v; want Transaction.amount -> TxnByCity FAIL_CLOSED", l.Edges[4])
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"Nope"}, 2, "NOT_FOUND"},
		{[]string{"User", "--branch", "nope"}, 2, "NOT_FOUND"},
		{[]string{"a//b"}, 2, "INVALID_ARGUMENT"},
		{[]string{"User", "--depth", "-1"}, 1, "--depth must be 0 or more"},
		{[]string{"User", "--depth", "many"}, 1, `--depth "many": use a whole number`},
		{[]string{"User", "--upstream", "--downstream"}, 1, "upstream"},
		{[]string{}, 1, "lineage needs PATH"},
	} {
		r := mustRun(t, tc.code, s.env(), "", append([]string{"lineage"}, tc.args...)...)
		mustContain(t, "lineage "+strings.Join(tc.args, " "), r.stderr, tc.want)
		if r.stdout != "" {
			t.Errorf("a refused lineage printed to stdout: %s", r.stdout)
		}
	}
}

func TestTagsSetCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 0, s.env(), "", "tags", "set", "User", "gdpr")
	mustEqual(t, "tags set User gdpr", r.stdout, "Set the steward tags of User on main: gdpr.\n  tags:      PII, gdpr\n  declared:  PII\n  stewards:  gdpr\n"+
		"Tag changes (10 assets):\n  TxnByCity: +gdpr\n  TxnByCity.at: +gdpr\n  TxnByCity.city: +gdpr\n  TxnByCity.total: +gdpr\n  User: +gdpr\n"+
		"  User.city: +gdpr\n  User.uid: +gdpr\n  User.updated_at: +gdpr\n  UserFeatures.city: +gdpr\n  UserFeatures.total_in_hometown: +gdpr\n")
	// Read your writes: the next command sees the tag downstream.
	r = mustRun(t, 0, s.env(), "", "explain", "UserFeatures.city", "gdpr")
	mustEqual(t, "explain after tags set", r.stdout, "UserFeatures.city has gdpr.\n  from User: User -> User.city -> UserFeatures.city\n")

	// ~t is an argument like any other.
	r = mustRun(t, 0, s.env(), "", "tags", "set", "User.city", "~PII", "--branch", "main")
	mustEqual(t, "tags set User.city ~PII", r.stdout, "Set the steward tags of User.city on main: ~PII.\n  tags:      gdpr, ~PII\n  declared:  -\n  stewards:  ~PII\n"+
		"Tag changes (2 assets):\n  User.city: -PII\n  UserFeatures.city: -PII\n")
	r = mustRun(t, 0, s.env(), "", "explain", "UserFeatures.city", "PII")
	mustEqual(t, "explain after ~PII", r.stdout, "UserFeatures.city does not have PII (cancelled).\n  cancelled by User.city's ~PII\n")

	// A tag that starts with "-" needs "--"; without it, it is a flag and a usage error.
	r = mustRun(t, 1, s.env(), "", "tags", "set", "User.city", "-x")
	mustContain(t, "tags set User.city -x", r.stderr, "unknown shorthand flag", "goes after --")
	r = mustRun(t, 0, s.env(), "", "tags", "set", "User.city", "--", "-x", "~PII")
	mustContain(t, "tags set User.city -- -x ~PII", r.stdout, "on main: -x, ~PII.\n")

	r = mustRun(t, 0, s.env(), "", "tags", "set", "User.city", "-o", "json")
	var a map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		t.Fatalf("tags set -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	rep, _ := a["writeReport"].(map[string]any)
	delete(a, "writeReport")
	wantAsset := map[string]any{"path": "User.city", "kind": "FIELD", "tags": []any{"PII", "gdpr"}, "cancels": []any{}, "declaredTags": []any{}, "stewardTags": []any{}}
	if !reflect.DeepEqual(a, wantAsset) || rep["tagChangeCount"] != float64(7) || len(rep["tagChanges"].([]any)) != 7 || len(rep["warnings"].([]any)) != 0 {
		t.Errorf("tags set User.city (clear) -o json = %s", r.stdout)
	}
	r = mustRun(t, 0, s.env(), "", "tags", "set", "User.city")
	mustContain(t, "tags set User.city (clear again)", r.stdout, "Cleared the steward tags of User.city on main.\n")

	// A deploy keeps the stewards' tags, and propagates them to what it adds.
	r = mustRun(t, 0, s.env(), "", "deploy", "-f", "testdata/fennel_dev.yaml")
	mustContain(t, "deploy after tags set", r.stdout, "  ~ User\n", "  Session: +PII +gdpr\n")
	r = mustRun(t, 0, s.env(), "", "get", "User")
	mustContain(t, "get User after the deploy", r.stdout, "tags:   PII, gdpr\n")
	mustMatchLines(t, "get User after the deploy", r.stdout, `country\s+str\s+PII, gdpr`)

	// On a branch, main stays as it was.
	mustRun(t, 0, s.env(), "", "branch", "create", "dev")
	mustRun(t, 0, s.env(), "", "tags", "set", "Transaction.amount", "sensitive", "-b", "dev")
	r = mustRun(t, 0, s.env(), "", "explain", "UserFeatures.total_in_hometown", "sensitive", "--branch", "dev")
	mustContain(t, "explain on dev", r.stdout, "has sensitive.\n  from Transaction.amount: Transaction.amount -> TxnByCity -> TxnByCity.total -> UserFeatures.total_in_hometown\n")
	r = mustRun(t, 0, s.env(), "", "explain", "UserFeatures.total_in_hometown", "sensitive")
	mustContain(t, "explain on main", r.stdout, "no source reaches it")

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"Nope", "PII"}, 2, "NOT_FOUND"},
		{[]string{"User.nope", "PII"}, 2, "NOT_FOUND"},
		{[]string{"User", "PII", "--branch", "nope"}, 2, "NOT_FOUND"},
		{[]string{"User", "PII", "~PII"}, 2, "INVALID_ARGUMENT"},
		{[]string{"User", "bad tag!"}, 2, "INVALID_ARGUMENT"},
		{[]string{}, 1, "tags set needs PATH [TAG...]"},
	} {
		r := mustRun(t, tc.code, s.env(), "", append([]string{"tags", "set"}, tc.args...)...)
		mustContain(t, "tags set "+strings.Join(tc.args, " "), r.stderr, tc.want)
	}
	r = mustRun(t, 0, s.env(), "", "get", "User", "-o", "json")
	mustContain(t, "get User after refused tags set", r.stdout, `"tags": [
    "PII",
    "gdpr"
  ]`)
}

func TestTagsDefineAndList(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	r := mustRun(t, 0, s.env(), "", "tags", "list")
	mustEqual(t, "tags list with nothing defined or in use", r.stdout, "No tags are defined or in use on main.\n")
	r = mustRun(t, 0, s.env(), "", "tags", "list", "-o", "json")
	mustEqual(t, "tags list -o json with nothing defined or in use", r.stdout, "[]\n")
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	// Tags in use are listed with their counts, though nobody defined them.
	r = mustRun(t, 0, s.env(), "", "tags", "list")
	mustEqual(t, "tags list with nothing defined", r.stdout, `TAG     DEFINED  DECLARED  CANCELLED  PRESENT  PROPAGATE  NEGATION    DESCRIPTION
PII     no       1         1          5        yes        DOWNSTREAM  -
stripe  no       1         0          9        yes        DOWNSTREAM  -
`)

	r = mustRun(t, 0, s.env(), "", "tags", "define", "PII", "--negation", "NODE", "--description", "Personal data.")
	mustEqual(t, "tags define PII", r.stdout, "Defined tag PII on every branch.\n  propagate:  yes, down the lineage\n"+
		"  negation:   NODE, a ~PII stops it at that asset only\n  description: Personal data.\n"+
		"Tag changes on main (1 asset):\n  UserFeatures.total_in_hometown: +PII\n")
	r = mustRun(t, 0, s.env(), "", "explain", "UserFeatures.total_in_hometown", "PII")
	mustEqual(t, "explain after negation NODE", r.stdout,
		"UserFeatures.total_in_hometown has PII.\n  from User: User -> User.city -> UserFeatures.city -> UserFeatures.total_in_hometown\n")

	r = mustRun(t, 0, s.env(), "", "tags", "define", "stripe", "--no-propagate", "-o", "json")
	var d map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("tags define -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	changes, _ := d["changes"].([]any)
	delete(d, "changes")
	if !reflect.DeepEqual(d, map[string]any{"name": "stripe", "description": nil, "propagate": false, "negation": "DOWNSTREAM"}) || len(changes) != 1 ||
		changes[0].(map[string]any)["branch"] != "main" || changes[0].(map[string]any)["tagChangeCount"] != float64(5) {
		t.Errorf("tags define stripe --no-propagate -o json = %s", r.stdout)
	}
	r = mustRun(t, 0, s.env(), "", "get", "TxnByCity")
	mustContain(t, "get TxnByCity with stripe not propagating", r.stdout, "tags:   ~PII\n")

	r = mustRun(t, 0, s.env(), "", "tags", "list")
	mustEqual(t, "tags list", r.stdout, `TAG     DEFINED  DECLARED  CANCELLED  PRESENT  PROPAGATE  NEGATION    DESCRIPTION
PII     yes      1         1          6        yes        NODE        Personal data.
stripe  yes      1         0          4        no         DOWNSTREAM  -
`)
	r = mustRun(t, 0, s.env(), "", "tags", "list", "-o", "json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 2 || list[0]["name"] != "PII" || list[0]["negation"] != "NODE" ||
		list[1]["name"] != "stripe" || list[1]["propagate"] != false || list[1]["present"] != float64(4) || list[1]["defined"] != true {
		t.Errorf("tags list -o json (%v) = %s", err, r.stdout)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"define", "bad tag!"}, 2, "INVALID_ARGUMENT"},
		{[]string{"define", "~PII"}, 2, "INVALID_ARGUMENT"},
		{[]string{"define", "PII", "--negation", "sideways"}, 1, "--negation must be NODE or DOWNSTREAM"},
		{[]string{"define"}, 1, "define needs NAME"},
		{[]string{"define", "PII", "--propagate"}, 1, "unknown flag"},
		{[]string{"list", "extra"}, 1, "takes no arguments"},
		{[]string{"frobnicate"}, 1, "unknown command"},
	} {
		r := mustRun(t, tc.code, s.env(), "", append([]string{"tags"}, tc.args...)...)
		mustContain(t, "tags "+strings.Join(tc.args, " "), r.stderr, tc.want)
	}

	// Definitions are durable: after a restart they are listed and applied.
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("the server exited %d on SIGTERM", code)
	}
	s = startServer(t, data)
	r = mustRun(t, 0, s.env(), "", "tags", "list")
	mustMatchLines(t, "tags list after a restart", r.stdout, `PII\s+yes\s+1\s+1\s+6\s+yes\s+NODE\s+Personal data.`)
	r = mustRun(t, 0, s.env(), "", "get", "UserFeatures.total_in_hometown", "-o", "json")
	mustContain(t, "get after a restart", r.stdout, `"tags": [
    "PII"
  ]`)

	// Every setting is set: a define without flags is the defaults again.
	r = mustRun(t, 0, s.env(), "", "tags", "define", "stripe")
	mustContain(t, "tags define stripe", r.stdout, "propagate:  yes", "negation:   DOWNSTREAM")
	r = mustRun(t, 0, s.env(), "", "get", "TxnByCity")
	mustContain(t, "get TxnByCity with stripe propagating", r.stdout, "tags:   stripe, ~PII\n")
}

// TestTagCommandsUsageAndReachability: no token is a usage error before anything is sent;
// a closed port is "unreachable".
func TestTagCommandsUsageAndReachability(t *testing.T) {
	closed := closedURL(t)
	for _, args := range [][]string{
		{"explain", "User", "PII"},
		{"lineage", "User"},
		{"tags", "set", "User", "PII"},
		{"tags", "define", "PII"},
		{"tags", "list"},
	} {
		r := mustRun(t, 1, []string{"TAGFLOW_SERVER=" + closed}, "", args...)
		mustContain(t, strings.Join(args, " ")+" without a token", r.stderr, "no token")
		r = mustRun(t, 3, []string{"TAGFLOW_SERVER=" + closed, "TAGFLOW_TOKEN=tf_whatever"}, "", args...)
		mustContain(t, strings.Join(args, " ")+" to a closed port", r.stderr, "cannot reach")
	}
}
