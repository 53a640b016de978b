package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// serveExit runs a serve that must refuse to start, and returns how it exited.
func serveExit(t *testing.T, data string, extra ...string) cliResult {
	t.Helper()
	args := append([]string{"serve", "--data", data, "--addr", "127.0.0.1:" + strconv.Itoa(freePort(t)), "--log-format", "json"}, extra...)
	return tagflow(t, nil, "", args...)
}

// me answers which org the server's admin token acts in.
func (s *server) me(t *testing.T) string {
	t.Helper()
	var out struct{ Me struct{ Org string } }
	s.query(t, `{ me { org } }`, nil, &out)
	return out.Me.Org
}

// TestBootstrapOnlyOnFirstStart: the first start creates the org named by --org; a later
// start without --org serves that org with the same admin and leaves the token file as it
// was; a later --org naming another org is refused, exit 1, naming the org the store holds.
func TestBootstrapOnlyOnFirstStart(t *testing.T) {
	data := t.TempDir()
	tokenFile := filepath.Join(data, "admin.token")
	s := startServer(t, data, "--org", "other")
	if org := s.me(t); org != "other" {
		t.Fatalf("first start with --org other serves org %q", org)
	}
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	first := readFile(t, tokenFile)
	st1, err := os.Stat(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}

	for _, extra := range [][]string{nil, {"--org", "other"}} {
		s = startServer(t, data, extra...)
		if got := readFile(t, tokenFile); got != first {
			t.Fatalf("a start with %v rewrote admin.token", extra)
		}
		st2, err := os.Stat(tokenFile)
		if err != nil || !st2.ModTime().Equal(st1.ModTime()) || st2.Mode() != st1.Mode() {
			t.Fatalf("a start with %v touched admin.token: %v %v", extra, st2, err)
		}
		if org := s.me(t); org != "other" {
			t.Errorf("a start with %v serves org %q, want other", extra, org)
		}
		r := mustRun(t, 0, s.env(), "", "get", "User")
		mustContain(t, "get User after a restart", r.stdout, "User  (dataset)")
		if code, _ := s.terminate(t); code != 0 {
			t.Fatalf("SIGTERM: exit %d", code)
		}
		mustNotContain(t, "log of a later start", readFile(t, s.log), "created the org's admin")
	}

	r := serveExit(t, data, "--org", "third")
	if r.code != 1 {
		t.Fatalf("a start with another --org: want exit 1, got %s", r)
	}
	mustContain(t, "stderr of a start with another --org", r.stderr, `holds org "other", not "third"`, "leave it out")
	if got := readFile(t, tokenFile); got != first {
		t.Fatalf("the refused start rewrote admin.token")
	}
	s = startServer(t, data)
	if org := s.me(t); org != "other" {
		t.Errorf("after the refused start the server serves org %q", org)
	}
}

// TestFirstStartDefaultOrg: without --org the first start creates the org "default".
func TestFirstStartDefaultOrg(t *testing.T) {
	s := startServer(t, t.TempDir())
	if org := s.me(t); org != "default" {
		t.Errorf("first start without --org serves org %q, want default", org)
	}
}

// TestResetToken: reset-token refuses while the server runs, and with the server stopped
// writes a working token (never printed) and revokes the old one.
func TestResetToken(t *testing.T) {
	data := t.TempDir()
	tokenFile := filepath.Join(data, "admin.token")
	s := startServer(t, data, "--org", "acme")
	old := s.token
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 1, nil, "", "admin", "reset-token", "--data", data)
	mustContain(t, "reset-token while the server runs", r.stderr, "in use", "stop the server first")
	r = serveExit(t, data)
	if r.code != 1 {
		t.Fatalf("a second server on the same data: want exit 1, got %s", r)
	}
	mustContain(t, "a second server on the same data", r.stderr, "in use: a tagflow server runs on it")
	if got := readFile(t, tokenFile); got != old+"\n" {
		t.Fatalf("a refused reset-token changed admin.token")
	}
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}

	r = mustRun(t, 0, nil, "", "admin", "reset-token", "--data", data)
	mustContain(t, "reset-token", r.stdout, tokenFile, "org acme", "revoked 1")
	st, err := os.Stat(tokenFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("admin.token after reset-token: %v %v, want mode 0600", st, err)
	}
	s = startServer(t, data) // reads the new token from the file
	if s.token == old || len(s.token) < 32 {
		t.Fatalf("reset-token wrote no new token")
	}
	mustNotContain(t, "reset-token's output", r.stdout+r.stderr, s.token, old)
	if org := s.me(t); org != "acme" {
		t.Errorf("the new token acts in org %q", org)
	}
	mustRun(t, 0, s.env(), "", "get", "User")
	r = mustRun(t, 2, []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + old}, "", "get", "User")
	mustContain(t, "the old token after reset-token", r.stderr, "UNAUTHENTICATED")
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}

	r = mustRun(t, 0, nil, "", "admin", "reset-token", "--data", data, "-o", "json")
	mustContain(t, "reset-token -o json", r.stdout, `"org": "acme"`, `"revoked": 1`, `"tokenFile"`)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no --data", []string{"admin", "reset-token"}, "needs --data"},
		{"an empty directory", []string{"admin", "reset-token", "--data", t.TempDir()}, "holds no tagflow store"},
		{"another org", []string{"admin", "reset-token", "--data", data, "--org", "nope"}, `holds org "acme", not "nope"`},
	} {
		r := mustRun(t, 1, nil, "", tc.args...)
		mustContain(t, "reset-token with "+tc.name, r.stderr, tc.want)
	}
}
