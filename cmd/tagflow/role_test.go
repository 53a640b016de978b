package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRoleAndGrantCommands: custom roles made, shown, edited and deleted with the CLI;
// grants made, listed and revoked; refusals exit 2 with the server's code and mistakes in
// --rule exit 1; roles and grants survive a restart of the server.
func TestRoleAndGrantCommands(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data, "--org", "acme")
	env := s.env()
	mustRun(t, 0, env, "", "user", "create", "jane@acme")
	mustRun(t, 0, env, "", "team", "create", "data", "--member", "user:jane@acme")

	r := mustRun(t, 0, env, "", "role", "create", "analyst", "--rule", "modes=read_definitions", "--rule", "modes=READ_DATA,READ_DEFINITIONS; branches=main,dev/*; tags=!PII&&!secret")
	mustEqual(t, "role create", r.stdout, "Created role analyst with 2 rules:\n"+
		"  1. READ_DEFINITIONS on branches * where true\n"+
		"  2. READ_DEFINITIONS, READ_DATA on branches main, dev/* where !PII && !secret\n")
	r = mustRun(t, 0, env, "", "role", "update", "analyst", "--rule", "modes=READ_DATA;tags=!PII", "-o", "json")
	var ri roleInfo
	if err := json.Unmarshal([]byte(r.stdout), &ri); err != nil || ri.Name != "analyst" || ri.BuiltIn || len(ri.Rules) != 1 ||
		ri.Rules[0].Tags != "!PII" || strings.Join(ri.Rules[0].Branches, ",") != "*" {
		t.Errorf("role update -o json = %s (%v)", r.stdout, err)
	}
	r = mustRun(t, 0, env, "", "role", "show", "analyst")
	mustEqual(t, "role show", r.stdout, "role analyst (custom), 1 rule:\n  1. READ_DATA on branches * where !PII\n")
	r = mustRun(t, 0, env, "", "role", "list")
	mustMatchLines(t, "role list", r.stdout, `NAME\s+TYPE\s+RULES`, `admin\s+built-in\s+READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA, MANAGE on branches \* where true`,
		`viewer\s+built-in\s+READ_DEFINITIONS, READ_DATA on branches \* where true`, `analyst\s+custom\s+READ_DATA on branches \* where !PII`)

	r = mustRun(t, 0, env, "", "grant", "team:data", "analyst", "data/**")
	mustEqual(t, "grant", r.stdout, "Granted analyst on data/** to team:data.\n")
	mustRun(t, 0, env, "", "grant", "user:jane@acme", "viewer", "${user}/**")
	r = mustRun(t, 0, env, "", "grants")
	mustMatchLines(t, "grants", r.stdout, `PRINCIPAL\s+ROLE\s+SCOPE\s+CREATED`, `team:data\s+analyst\s+data/\*\*\s+\S+`, `user:admin\s+admin\s+\*\s+\S+`, `user:jane@acme\s+viewer\s+\$\{user\}/\*\*\s+\S+`)
	r = mustRun(t, 0, env, "", "grants", "--principal", "team:data", "-o", "json")
	var gs []grantInfo
	if err := json.Unmarshal([]byte(r.stdout), &gs); err != nil || len(gs) != 1 || gs[0].Role != "analyst" || gs[0].Scope != "data/**" {
		t.Errorf("grants --principal -o json = %s (%v)", r.stdout, err)
	}

	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"role", "create", "viewer", "--rule", "modes=READ_DATA"}, []string{"CONFLICT", "built-in"}},
		{[]string{"role", "create", "x", "--rule", "modes=READ_DATA;tags=PII && ("}, []string{"INVALID_ARGUMENT", `rules[0].tags: "PII && (" — column 8`}},
		{[]string{"role", "update", "nobody", "--rule", "modes=READ_DATA"}, []string{"NOT_FOUND"}},
		{[]string{"role", "delete", "analyst"}, []string{"CONFLICT", "team:data on data/**", "revoke them first"}},
		{[]string{"role", "delete", "admin"}, []string{"CONFLICT"}},
		{[]string{"role", "show", "nobody"}, []string{"NOT_FOUND", `role "nobody" does not exist`}},
		{[]string{"grant", "jane@acme", "viewer", "*"}, []string{"INVALID_ARGUMENT", "write user:jane@acme"}},
		{[]string{"grant", "user:nobody", "viewer", "*"}, []string{"NOT_FOUND", "user:nobody does not exist"}},
		{[]string{"grant", "team:data", "boss", "*"}, []string{"NOT_FOUND", `role "boss" does not exist`}},
		{[]string{"grant", "team:data", "viewer", "data/**/x"}, []string{"INVALID_ARGUMENT", `scope "data/**/x"`}},
		{[]string{"revoke", "team:data", "viewer", "*"}, []string{"NOT_FOUND", "nothing was revoked"}},
		{[]string{"revoke", "user:admin", "admin", "*"}, []string{"CONFLICT", "without an administrator"}},
	} {
		r := mustRun(t, 2, env, "", tc.args...)
		mustContain(t, strings.Join(tc.args, " "), r.stderr, tc.wants...)
	}
	for _, args := range [][]string{
		{"role", "create", "x"},
		{"role", "create", "x", "--rule", "branches=main"},
		{"role", "create", "x", "--rule", "modes=READ_DATA;colour=red"},
		{"role", "create", "x", "--rule", "modes"},
		{"role", "create", "x", "--rule", "modes=READ"},
		{"grant", "team:data", "viewer"},
		{"grants", "extra"},
	} {
		mustRun(t, 1, env, "", args...)
	}

	// A restart keeps the roles and grants.
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("server exit %d", code)
	}
	s = startServer(t, data, "--org", "acme")
	env = s.env()
	r = mustRun(t, 0, env, "", "role", "show", "analyst")
	mustEqual(t, "role show after restart", r.stdout, "role analyst (custom), 1 rule:\n  1. READ_DATA on branches * where !PII\n")
	r = mustRun(t, 0, env, "", "grants", "--scope", "data/**")
	mustMatchLines(t, "grants after restart", r.stdout, `PRINCIPAL\s+ROLE\s+SCOPE\s+CREATED`, `team:data\s+analyst\s+data/\*\*\s+\S+`)
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("grants --scope data/**: %d lines, want 2", n)
	}

	r = mustRun(t, 0, env, "", "revoke", "team:data", "analyst", "data/**")
	mustEqual(t, "revoke", r.stdout, "Revoked analyst on data/** from team:data.\n")
	r = mustRun(t, 0, env, "", "role", "delete", "analyst")
	mustEqual(t, "role delete", r.stdout, "Deleted role analyst.\n")
	mustRun(t, 2, env, "", "role", "show", "analyst")
}
