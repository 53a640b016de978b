package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPrincipalCommands: the Acme principals (DESIGN §7) made with the CLI, listed, shown,
// changed and deleted; refusals exit 2 with the server's code; everything survives a
// restart of the server.
func TestPrincipalCommands(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data, "--org", "acme")
	env := s.env()
	for _, u := range []string{"jane@acme", "samir@acme", "alan@acme", "diana@acme"} {
		r := mustRun(t, 0, env, "", "user", "create", u)
		mustEqual(t, "user create "+u, r.stdout, "Created user:"+u+".\n")
	}
	r := mustRun(t, 0, env, "", "team", "create", "data", "--member", "user:jane@acme", "--member", "user:samir@acme")
	mustEqual(t, "team create data", r.stdout, "Created team:data with 2 members: user:jane@acme, user:samir@acme.\n")
	mustRun(t, 0, env, "", "team", "create", "quant")
	r = mustRun(t, 0, env, "", "team", "set-members", "quant", "user:diana@acme", "user:alan@acme")
	mustEqual(t, "team set-members quant", r.stdout, "Set team:quant with 2 members: user:alan@acme, user:diana@acme.\n")
	mustRun(t, 0, env, "", "workload", "create", "ci")
	mustRun(t, 0, env, "", "group", "create", "analysts", "--member", "user:jane@acme")
	r = mustRun(t, 0, env, "", "group", "set-members", "group:analysts", "user:jane@acme", "workload:ci", "-o", "json")
	var p principalInfo
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || p.Ref != "group:analysts" || p.Kind != "GROUP" || p.Members == nil ||
		strings.Join(*p.Members, ",") != "user:jane@acme,workload:ci" {
		t.Errorf("group set-members -o json = %s (%v)", r.stdout, err)
	}

	r = mustRun(t, 0, env, "", "principal", "list", "--kind", "team")
	mustMatchLines(t, "principal list --kind team", r.stdout, `REF\s+KIND\s+MEMBERS\s+MEMBER OF`, `team:data\s+team\s+2\s+-`, `team:quant\s+team\s+2\s+-`)
	if n := strings.Count(r.stdout, "\n"); n != 3 {
		t.Errorf("principal list --kind team: %d lines, want 3:\n%s", n, r.stdout)
	}
	r = mustRun(t, 0, env, "", "principal", "list")
	mustMatchLines(t, "principal list", r.stdout, `org:acme\s+org\s+-\s+-`, `user:jane@acme\s+user\s+-\s+group:analysts, team:data`, `workload:ci\s+workload\s+-\s+group:analysts`)
	r = mustRun(t, 0, env, "", "principal", "list", "--kind", "user", "-o", "json")
	var list struct {
		TotalCount int             `json:"totalCount"`
		Nodes      []principalInfo `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || list.TotalCount != 5 || len(list.Nodes) != 5 || list.Nodes[0].Ref != "user:admin" {
		t.Errorf("principal list --kind user -o json = %s (%v)", r.stdout, err)
	}
	r = mustRun(t, 0, env, "", "principal", "show", "user:jane@acme")
	mustContain(t, "principal show user:jane@acme", r.stdout, "user:jane@acme (user, created ", "Member of: group:analysts, team:data\n")
	r = mustRun(t, 0, env, "", "principal", "show", "team:data")
	mustContain(t, "principal show team:data", r.stdout, "Members (2):\n  user:jane@acme\n  user:samir@acme\n")

	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"team", "create", "jane@acme"}, []string{"CONFLICT", "taken by user:jane@acme"}},
		{[]string{"user", "create", "_root"}, []string{"INVALID_ARGUMENT", `may not start with "_"`}},
		{[]string{"team", "set-members", "data", "jane@acme"}, []string{"INVALID_ARGUMENT", "write user:jane@acme"}},
		{[]string{"group", "create", "x", "--member", "user:bob"}, []string{"NOT_FOUND", "user:bob does not exist"}},
		{[]string{"principal", "delete", "user:admin"}, []string{"CONFLICT", "grant admin on * to another user first"}},
		{[]string{"principal", "show", "user:nobody"}, []string{"NOT_FOUND", "user:nobody does not exist"}},
		{[]string{"principal", "delete", "user:nobody"}, []string{"NOT_FOUND"}},
	} {
		r := mustRun(t, 2, env, "", tc.args...)
		mustContain(t, strings.Join(tc.args, " "), r.stderr, tc.wants...)
	}
	r = mustRun(t, 2, env, "", "principal", "show", "user:nobody", "-o", "json")
	mustContain(t, "principal show -o json of nobody", r.stdout, `"code": "NOT_FOUND"`)
	mustRun(t, 1, env, "", "principal", "list", "--kind", "robot")

	r = mustRun(t, 0, env, "", "principal", "delete", "user:samir@acme")
	mustEqual(t, "principal delete", r.stdout, "Deleted user:samir@acme, its grants and its tokens.\n")

	// A restart keeps every principal and member.
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("server exit %d", code)
	}
	s = startServer(t, data, "--org", "acme")
	r = mustRun(t, 0, s.env(), "", "principal", "show", "team:data", "-o", "json")
	p = principalInfo{}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || p.Members == nil || strings.Join(*p.Members, ",") != "user:jane@acme" {
		t.Errorf("team data after the delete and a restart = %s (%v)", r.stdout, err)
	}
	mustRun(t, 2, s.env(), "", "principal", "show", "user:samir@acme")
}

// TestPrincipalUsage: the principal commands' usage errors, exit 1 before anything is sent
// (the server is a closed port: a request would exit 3).
func TestPrincipalUsage(t *testing.T) {
	env := []string{"TAGFLOW_SERVER=" + closedURL(t), "TAGFLOW_TOKEN=tf_whatever"}
	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"principal"}, []string{"tagflow principal needs a command: delete, list, show"}},
		{[]string{"team"}, []string{"tagflow team needs a command: create, set-members"}},
		{[]string{"user", "create"}, []string{"tagflow user create needs NAME, got none", "e.g. tagflow user create jane@acme"}},
		{[]string{"team", "set-members"}, []string{"tagflow team set-members needs NAME [MEMBER...], got none"}},
		{[]string{"principal", "show", "a", "b"}, []string{"tagflow principal show needs REF, got 2 arguments"}},
		{[]string{"principal", "list", "x"}, []string{"tagflow principal list takes no arguments"}},
		{[]string{"principal", "list", "--kind", "robot"}, []string{"--kind must be one of user, team, group, workload, org"}},
		{[]string{"workload", "create", "ci", "--member", "user:x"}, []string{"unknown flag: --member"}},
	} {
		r := mustRun(t, 1, env, "", tc.args...)
		mustContain(t, strings.Join(tc.args, " "), r.stderr, tc.wants...)
	}
}
