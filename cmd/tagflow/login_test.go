package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI's sign-in, end to end with the built binary: an admin sets jane's password,
// jane logs in (the token lands in her config file, mode 0600), later commands use it,
// and logout revokes it.
func TestLoginStoresATokenTheCLIUses(t *testing.T) {
	s := startServer(t, t.TempDir())
	const pw = "correct horse battery"
	mustRun(t, 0, s.env(), "", "user", "create", "jane@acme")
	mustRun(t, 1, s.env(), pw+"\n", "user", "passwd", "jane@acme") // no --password-stdin
	mustRun(t, 0, s.env(), pw+"\n", "user", "passwd", "jane@acme", "--password-stdin")
	short := mustRun(t, 2, s.env(), "short\n", "user", "passwd", "jane@acme", "--password-stdin")
	mustContain(t, "passwd of a short password", short.stderr, "INVALID_ARGUMENT", "at least 12")

	conf := filepath.Join(t.TempDir(), "cfg", "config.json")
	jane := []string{"TAGFLOW_CONFIG=" + conf} // no server, no token: only the config file

	// Wrong password: refused, nothing stored.
	bad := mustRun(t, 2, append(jane, "TAGFLOW_SERVER="+s.url), "wrong password!\n", "login", "--user", "jane@acme", "--password-stdin")
	mustContain(t, "a wrong password", bad.stderr, "wrong user or password", "UNAUTHENTICATED")
	if _, err := os.Stat(conf); err == nil {
		t.Error("a failed login wrote the config file")
	}
	mustRun(t, 1, append(jane, "TAGFLOW_SERVER="+s.url), pw+"\n", "login", "--user", "jane@acme") // no --password-stdin
	mustRun(t, 1, jane, "", "login")                                                              // no --user

	r := mustRun(t, 0, append(jane, "TAGFLOW_SERVER="+s.url), pw+"\n", "login", "--user", "jane@acme", "--password-stdin")
	mustContain(t, "login", r.stderr, "user:jane@acme", "org default")
	mustNotContain(t, "login output", r.stdout+r.stderr, pw, "tfp_")
	info, err := os.Stat(conf)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v, want 0600", info.Mode().Perm())
	}
	var cfg cliConfig
	if err := json.Unmarshal([]byte(readFile(t, conf)), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Server != s.url || cfg.Org != "default" || !strings.HasPrefix(cfg.Token, "tfp_") {
		t.Fatalf("config after login: %+v", cfg)
	}

	// The CLI uses the stored token and server by default.
	list := mustRun(t, 0, jane, "", "token", "list", "-o", "json")
	var toks []tokenInfo
	if err := json.Unmarshal([]byte(list.stdout), &toks); err != nil || len(toks) != 1 ||
		!strings.HasPrefix(toks[0].Name, "cli on ") || toks[0].Principal != "user:jane@acme" || toks[0].ExpiresAt == nil {
		t.Fatalf("jane's tokens after login: %v %s", err, list)
	}
	// Logout revokes the token and removes it from the config file.
	out := mustRun(t, 0, jane, "", "logout")
	mustContain(t, "logout", out.stderr, "Revoked token "+toks[0].ID)
	cfg = cliConfig{}
	if err := json.Unmarshal([]byte(readFile(t, conf)), &cfg); err != nil || cfg.Token != "" || cfg.Server != s.url {
		t.Errorf("config after logout: %+v %v", cfg, err)
	}
	var left struct{ Tokens []tokenInfo }
	s.query(t, `{ tokens(principal: "user:jane@acme") { id } }`, nil, &left)
	if len(left.Tokens) != 0 {
		t.Errorf("the token survives logout: %v", left.Tokens)
	}
	mustRun(t, 1, jane, "", "token", "list") // no token any more
	mustRun(t, 0, jane, "", "logout")        // nothing to do

	// --token-stdin checks the token, then stores it.
	mustRun(t, 2, jane, "tfp_notatoken\n", "login", "--token-stdin")
	cfg = cliConfig{}
	if err := json.Unmarshal([]byte(readFile(t, conf)), &cfg); err != nil || cfg.Token != "" {
		t.Errorf("a refused token was stored: %+v", cfg)
	}
	mustRun(t, 0, jane, s.token+"\n", "login", "--token-stdin")
	who := mustRun(t, 0, jane, "", "token", "list", "-o", "json")
	mustContain(t, "the admin's tokens with the stored token", who.stdout, "bootstrap")
	info, _ = os.Stat(conf)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v after --token-stdin, want 0600", info.Mode().Perm())
	}
}

func TestServeRateLimitFlags(t *testing.T) {
	s := startServer(t, t.TempDir(), "--rate-limit", "0.01", "--rate-burst", "2") // one request a 100 s
	mustRun(t, 0, s.env(), "", "token", "list")
	mustRun(t, 0, s.env(), "", "token", "list")
	r := mustRun(t, 2, s.env(), "", "token", "list")
	mustContain(t, "over the limit", r.stderr, "RATE_LIMITED", "try again in")
	bad := mustRun(t, 1, nil, "", "serve", "--data", t.TempDir(), "--rate-limit", "-1")
	mustContain(t, "a negative limit", bad.stderr, "--rate-limit")
}
