package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

var tokenIDPattern = regexp.MustCompile(`tok_[0-9a-f]{16}`)

// TestTokenCommands: the admin makes a token for jane, who uses it to list and make her
// own but not the admin's; the listing never shows a secret; a revoked token is refused
// on the next command; tokens and their last use survive a restart.
func TestTokenCommands(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data, "--org", "acme")
	env := s.env()
	mustRun(t, 0, env, "", "user", "create", "jane@acme")

	r := mustRun(t, 0, env, "", "token", "create", "laptop", "--for", "user:jane@acme", "--expires", "720h")
	laptop := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(laptop, "tfp_") || strings.Count(r.stdout, "\n") != 1 || len(laptop) != 4+52 {
		t.Fatalf("token create printed %q, want the token alone on one line", r.stdout)
	}
	mustContain(t, "token create's stderr", r.stderr, `("laptop") for user:jane@acme; it expires at `, "shown only this once")
	mustNotContain(t, "token create's stderr", r.stderr, laptop)
	laptopID := tokenIDPattern.FindString(r.stderr)
	if laptopID == "" {
		t.Fatalf("token create's stderr names no id: %s", r.stderr)
	}

	jane := []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + laptop}
	r = mustRun(t, 0, jane, "", "token", "list")
	mustMatchLines(t, "jane's token list", r.stdout, `ID\s+NAME\s+PRINCIPAL\s+CREATED\s+EXPIRES\s+LAST USED`,
		laptopID+`\s+laptop\s+user:jane@acme\s+\S+\s+\S+Z\s+\S+Z`)
	r = mustRun(t, 0, jane, "", "token", "create", "second", "-o", "json")
	var second tokenInfo
	if err := json.Unmarshal([]byte(r.stdout), &second); err != nil || !strings.HasPrefix(second.Token, "tfp_") ||
		second.Principal != "user:jane@acme" || second.Name != "second" || second.ExpiresAt == nil {
		t.Fatalf("token create -o json = %s (%v)", r.stdout, err)
	}
	// Made with the expiring laptop token, it expires when that one does, not never.
	mustContain(t, "token create -o json's stderr", r.stderr, "it expires at", "shown only this once")
	r = mustRun(t, 2, jane, "", "token", "create", "x", "--for", "user:admin")
	mustContain(t, "jane's token for the admin", r.stderr, "FORBIDDEN")
	r = mustRun(t, 2, jane, "", "token", "list", "--for", "user:admin")
	mustContain(t, "jane's listing of the admin's tokens", r.stderr, "FORBIDDEN")
	r = mustRun(t, 2, env, "", "token", "create", "laptop", "--for", "user:jane@acme")
	mustContain(t, "a second laptop", r.stderr, "CONFLICT", `already has a token named "laptop"`)

	r = mustRun(t, 0, env, "", "token", "list", "--for", "user:jane@acme", "-o", "json")
	var list []tokenInfo
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 2 || list[0].Name != "laptop" || list[1].Name != "second" ||
		list[0].LastUsedAt == nil || strings.Contains(r.stdout, "tfp_") {
		t.Errorf("token list --for jane -o json = %s (%v)", r.stdout, err)
	}

	r = mustRun(t, 0, env, "", "token", "revoke", laptopID)
	mustEqual(t, "token revoke", r.stdout, "Revoked token "+laptopID+".\n")
	r = mustRun(t, 2, jane, "", "token", "list")
	mustContain(t, "the revoked token", r.stderr, "UNAUTHENTICATED")
	r = mustRun(t, 2, env, "", "token", "revoke", laptopID, "-o", "json")
	mustContain(t, "revoke again -o json", r.stdout, `"code": "NOT_FOUND"`)

	// jane's second token is used, then the server restarts: it still works, and its last
	// use (written at shutdown) is kept.
	janeSecond := []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + second.Token}
	mustRun(t, 0, janeSecond, "", "token", "list")
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("server exit %d", code)
	}
	mustNotContain(t, "server log", readFile(t, s.log), laptop, second.Token)
	s = startServer(t, data, "--org", "acme")
	r = mustRun(t, 0, s.env(), "", "token", "list", "--for", "user:jane@acme", "-o", "json")
	list = nil
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 1 || list[0].ID != second.ID || list[0].LastUsedAt == nil {
		t.Errorf("jane's tokens after a restart = %s (%v)", r.stdout, err)
	}
	mustRun(t, 0, []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + second.Token}, "", "token", "list")
}

// TestTokenUsage: the token commands' usage errors, exit 1 before anything is sent.
func TestTokenUsage(t *testing.T) {
	env := []string{"TAGFLOW_SERVER=" + closedURL(t), "TAGFLOW_TOKEN=tfp_whatever"}
	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"token"}, []string{"tagflow token needs a command: create, list, revoke"}},
		{[]string{"token", "create"}, []string{"tagflow token create needs NAME, got none", "e.g. tagflow token create laptop"}},
		{[]string{"token", "create", "x", "--expires", "0"}, []string{"--expires 0s: give a lifetime from 1s to 8760h"}},
		{[]string{"token", "create", "x", "--expires", "-1h"}, []string{"--expires -1h0m0s"}},
		{[]string{"token", "create", "x", "--expires", "9000h"}, []string{"--expires 9000h0m0s"}},
		{[]string{"token", "create", "x", "--expires", "30d"}, []string{`--expires "30d": use a duration`}},
		{[]string{"token", "revoke"}, []string{"tagflow token revoke needs ID, got none"}},
		{[]string{"token", "list", "x"}, []string{"tagflow token list takes no arguments"}},
	} {
		r := mustRun(t, 1, env, "", tc.args...)
		mustContain(t, strings.Join(tc.args, " "), r.stderr, tc.wants...)
		if r.stdout != "" {
			t.Errorf("%v: a usage error printed to stdout: %s", tc.args, r.stdout)
		}
	}
}
