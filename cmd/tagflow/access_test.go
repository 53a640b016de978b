package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// tagflow can-i and tagflow columns against a real server: the admin may, a user without
// grants may not (exit 1, the reason printed), and asking for another principal needs
// MANAGE on the org (exit 2).
func TestCanIAndColumns(t *testing.T) {
	s := startServer(t, t.TempDir(), "--org", "acme")
	env := s.env()
	mustRun(t, 0, env, "", "deploy", "-f", fennel)
	mustRun(t, 0, env, "", "user", "create", "jane@acme")
	r := mustRun(t, 0, env, "", "token", "create", "laptop", "--for", "user:jane@acme")
	jane := []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + strings.TrimSpace(r.stdout)}

	r = mustRun(t, 0, env, "", "can-i", "write_definitions", "ops/new")
	mustEqual(t, "admin can-i", r.stdout, "yes\nallowed by role admin (granted to user:admin on *)\n")
	const janeNo = "denied: no grant of user:jane@acme or its teams, groups and org covers User.city"
	r = mustRun(t, 1, env, "", "can-i", "READ_DATA", "User.city", "--as", "user:jane@acme", "--branch", "main")
	mustEqual(t, "can-i as jane", r.stdout, "no\n"+janeNo+"\n")
	if r.stderr != "" {
		t.Errorf("a no printed to stderr: %s", r.stderr)
	}
	r = mustRun(t, 1, jane, "", "can-i", "READ_DATA", "User.city", "-o", "json")
	var got canIInfo
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Allowed || got.Reason != janeNo || got.Mode != "READ_DATA" || got.Path != "User.city" || got.Branch != "main" || got.As != nil {
		t.Errorf("can-i -o json = %s (%v)", r.stdout, err)
	}
	r = mustRun(t, 2, jane, "", "can-i", "READ_DATA", "User.city", "--as", "user:admin")
	mustContain(t, "can-i --as without MANAGE", r.stderr, "FORBIDDEN", "needs MANAGE on the org")
	r = mustRun(t, 1, env, "", "can-i", "peek", "User.city")
	mustContain(t, "can-i with a bad mode", r.stderr, `mode "peek": the modes are`)
	if r.stdout != "" {
		t.Errorf("a usage mistake printed to stdout: %s", r.stdout)
	}
	mustRun(t, 1, env, "", "can-i", "READ_DATA")

	r = mustRun(t, 0, env, "", "columns", "User")
	mustMatchLines(t, "columns as the admin", r.stdout, `User on main, READ_DATA for you: ALLOW \(\d+ visible, 0 hidden\)`,
		`COLUMN\s+ACCESS\s+REASON`, `uid\s+visible\s*`, `city\s+visible\s*`, `updated_at\s+visible\s*`)
	r = mustRun(t, 0, env, "", "columns", "User", "--as", "user:jane@acme")
	mustMatchLines(t, "columns as jane", r.stdout, `User on main, READ_DATA for user:jane@acme: DENY \(0 visible, 3 hidden\)`,
		`COLUMN\s+ACCESS\s+REASON`, `uid\s+hidden\s+denied: no grant of user:jane@acme or its teams, groups and org covers User\.uid`,
		`city\s+hidden\s+denied: no grant of user:jane@acme or its teams, groups and org covers User\.city`,
		`updated_at\s+hidden\s+denied: no grant of user:jane@acme or its teams, groups and org covers User\.updated_at`)
	r = mustRun(t, 0, env, "", "columns", "User", "--as", "user:jane@acme", "--mode", "write_data", "-o", "json")
	var cols columnsInfo
	if err := json.Unmarshal([]byte(r.stdout), &cols); err != nil || cols.Result != "DENY" || cols.Mode != "WRITE_DATA" || len(cols.Visible) != 0 || len(cols.Hidden) == 0 ||
		!strings.HasPrefix(cols.Hidden[0].Reason, "denied: ") {
		t.Errorf("columns -o json = %s (%v)", r.stdout, err)
	}
	r = mustRun(t, 2, jane, "", "columns", "User")
	mustContain(t, "columns of an unreadable dataset", r.stderr, "FORBIDDEN", "User")
	r = mustRun(t, 2, env, "", "columns", "Nope")
	mustContain(t, "columns of nothing", r.stderr, "NOT_FOUND")
}

// tagflow settings shows and changes the org's settings; a bad value is a usage mistake,
// and a user without MANAGE is refused.
func TestSettingsCommand(t *testing.T) {
	s := startServer(t, t.TempDir(), "--org", "acme")
	env := s.env()
	r := mustRun(t, 0, env, "", "settings")
	mustEqual(t, "settings", r.stdout, "list-names: true\n")
	r = mustRun(t, 0, env, "", "settings", "--list-names=false", "-o", "json")
	var got settingsInfo
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.ListNames {
		t.Errorf("settings -o json = %s (%v)", r.stdout, err)
	}
	r = mustRun(t, 0, env, "", "settings")
	mustEqual(t, "settings after the change", r.stdout, "list-names: false\n")
	r = mustRun(t, 1, env, "", "settings", "--list-names", "maybe")
	mustContain(t, "a bad value", r.stderr, `--list-names must be true or false, not "maybe"`)
	mustRun(t, 0, env, "", "user", "create", "jane@acme")
	r = mustRun(t, 0, env, "", "token", "create", "laptop", "--for", "user:jane@acme")
	jane := []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + strings.TrimSpace(r.stdout)}
	r = mustRun(t, 2, jane, "", "settings")
	mustContain(t, "settings without MANAGE", r.stderr, "FORBIDDEN")
}
