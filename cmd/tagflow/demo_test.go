package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func newTestHTTPClient() *http.Client {
	return &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
}

// userWithEmail is a change a demo user makes: User gains email, and a new featureset
// reads it, so that the fixture's User (without email) can no longer be deployed.
const userWithEmail = `datasets:
  - name: User
    description: Users of the app, one row per user.
    tags: [PII]
    fields:
      - {name: uid, type: int, key: true}
      - {name: city, type: str}
      - {name: email, type: str}
      - {name: updated_at, type: datetime}
featuresets:
  - name: Contact
    features:
      - {name: email, type: str, from: [User.email]}
`

// TestDemoKeepsChangesAcrossRestarts: the demo loads its fixtures on the first start
// only; a later start keeps what users changed, also a change that the fixtures would
// refuse to overwrite.
func TestDemoKeepsChangesAcrossRestarts(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data, "--demo")
	mustContain(t, "log of the first demo start", readFile(t, s.log), `"demo fixture loaded"`)
	before := s.branches(t)["main"]
	mustRun(t, 0, s.env(), userWithEmail, "deploy", "-f", "-")
	changed := s.branches(t)["main"]
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}

	for i := 0; i < 2; i++ {
		s = startServer(t, data, "--demo")
		log := readFile(t, s.log)
		mustNotContain(t, "log of a later demo start", log, `"demo fixture loaded"`, "created the org's admin")
		r := mustRun(t, 0, s.env(), "", "get", "User")
		mustContain(t, "get User after a restart of the demo", r.stdout, "email")
		mustRun(t, 0, s.env(), "", "get", "Contact.email")
		if got := s.branches(t)["main"]; got != changed || got.AssetCount != before.AssetCount+1 {
			t.Errorf("after restart %d main is %+v; want %+v as the change left it", i+1, got, changed)
		}
		if code, _ := s.terminate(t); code != 0 {
			t.Fatalf("SIGTERM: exit %d", code)
		}
	}
}

// TestDemoWithoutDataIsTemporary: serve --demo without --data runs on a temporary
// directory, says so, and removes it at shutdown.
func TestDemoWithoutDataIsTemporary(t *testing.T) {
	tmp := t.TempDir()
	s := startWithoutData(t, []string{"TMPDIR=" + tmp}, "serve", "--demo", "--log-format", "json")
	dirs, _ := filepath.Glob(filepath.Join(tmp, "tagflow-demo-*"))
	if len(dirs) != 1 {
		t.Fatalf("the running demo has %d temporary directories in TMPDIR: %v", len(dirs), dirs)
	}
	tok, err := os.ReadFile(filepath.Join(dirs[0], "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	s.token = strings.TrimSpace(string(tok))
	mustRun(t, 0, s.env(), "", "get", "User")
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
	log := readFile(t, s.log)
	mustContain(t, "log of a temporary demo", log, "the data is temporary", "removed the temporary demo data")
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the demo left %d entries in TMPDIR: %v", len(left), left)
	}
}

// startWithoutData starts the binary with args and --addr on a free port, without the
// --data that startServer adds, and waits until it is ready.
func startWithoutData(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	for attempt := 0; ; attempt++ {
		port := strconv.Itoa(freePort(t))
		logf, err := os.CreateTemp(t.TempDir(), "serve-*.log")
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, append(args, "--addr", "127.0.0.1:"+port)...)
		cmd.Env = append(baseEnv(), env...)
		cmd.Stdout, cmd.Stderr = logf, logf
		s := &server{t: t, url: "http://127.0.0.1:" + port, log: logf.Name(), cmd: cmd, exited: make(chan struct{}),
			http: newTestHTTPClient()}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", bin, err)
		}
		logf.Close()
		go func() {
			s.waitErr = cmd.Wait()
			close(s.exited)
		}()
		t.Cleanup(s.stop)
		err = s.waitReady()
		if err == nil {
			return s
		}
		s.stop()
		if log := readFile(t, s.log); attempt == 2 || !strings.Contains(log, "address already in use") {
			t.Fatalf("start %v: %v\nserver log:\n%s", args, err, log)
		}
	}
}

// TestDemoLoadsAccessFixtures: the demo's first start applies DESIGN §7's access fixtures
// after the admin, so can-i answers for their principals; a later start does not apply
// them again (a revoked grant stays revoked).
func TestDemoLoadsAccessFixtures(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data, "--demo")
	mustContain(t, "log of the first demo start", readFile(t, s.log), `"demo access fixture loaded"`, `"access/acme"`, `"access/jhuapl"`, `"access/fennel_roles"`)
	r := mustRun(t, 0, s.env(), "", "can-i", "WRITE_DEFINITIONS", "data/new", "--as", "user:jane@acme")
	mustContain(t, "jane on her team's", r.stdout, "yes\nallowed by role editor (granted to org:default on ${team}/**)")
	r = mustRun(t, 1, s.env(), "", "can-i", "READ_DATA", "quant/stocks", "--as", "user:jane@acme")
	mustContain(t, "jane on quant's", r.stdout, "no\ndenied: no grant of user:jane@acme or its teams, groups and org covers quant/stocks")
	r = mustRun(t, 0, s.env(), "", "can-i", "MANAGE", "JHUAPL/Mouse 17/EM", "--as", "user:ada@jhuapl")
	mustContain(t, "a Boss admin", r.stdout, "allowed by role admin (granted to group:admins on JHUAPL/**)")
	mustRun(t, 0, s.env(), "", "branch", "create", "prod")
	mustRun(t, 1, s.env(), "", "can-i", "WRITE_DEFINITIONS", "safety/Reports", "--branch", "prod", "--as", "user:dev@fennel")
	mustRun(t, 0, s.env(), "", "can-i", "WRITE_DEFINITIONS", "safety/Reports", "--branch", "prod", "--as", "workload:ci")
	r = mustRun(t, 0, s.env(), "", "columns", "safety/Reports", "--as", "user:sam@fennel")
	mustContain(t, "columns as sam", r.stdout, "PARTIAL", "in_state")
	mustRun(t, 0, s.env(), "", "revoke", "group:admins", "admin", "JHUAPL/**")
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
	s = startServer(t, data, "--demo")
	mustNotContain(t, "log of a later demo start", readFile(t, s.log), `"demo access fixture loaded"`)
	mustRun(t, 1, s.env(), "", "can-i", "MANAGE", "JHUAPL/Mouse 17/EM", "--as", "user:ada@jhuapl")
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
}

// TestDemoUsersHavePrintedPasswords: the demo's first start gives every fixture user a
// random password, keeps them in DATA/demo-passwords.txt (owner-only), prints them at
// every start, and each one signs its user in; a later start keeps them.
func TestDemoUsersHavePrintedPasswords(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data, "--demo")
	file := filepath.Join(data, "demo-passwords.txt")
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v; want 0600", file, st.Mode().Perm())
	}
	passwords := map[string]string{}
	for _, line := range strings.Split(readFile(t, file), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
			passwords[f[0]] = f[1]
		}
	}
	for _, u := range []string{"admin", "jane@acme", "alan@acme"} {
		if len(passwords[u]) < 12 {
			t.Fatalf("no password of at least 12 characters for %s in %s: %v", u, file, passwords)
		}
	}
	printed := func(s *server) string {
		deadline := time.Now().Add(10 * time.Second)
		for {
			log := readFile(t, s.log)
			if strings.Contains(log, "Sign in to the console") || time.Now().After(deadline) {
				return log
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	mustContain(t, "the first demo start's output", printed(s), "Sign in to the console at "+s.url, "jane@acme", passwords["jane@acme"])
	login := func(s *server, user, pw string) int {
		body := `{"user":"` + user + `","password":"` + pw + `"}`
		resp, err := s.http.Post(s.url+"/auth/login", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, u := range []string{"admin", "jane@acme"} {
		if code := login(s, u, passwords[u]); code != http.StatusOK {
			t.Errorf("login of %s with its printed password: HTTP %d", u, code)
		}
	}
	if code := login(s, "jane@acme", passwords["admin"]); code != http.StatusUnauthorized {
		t.Errorf("login of jane@acme with the admin's password: HTTP %d; want 401", code)
	}
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
	s = startServer(t, data, "--demo")
	mustContain(t, "a later demo start's output", printed(s), passwords["alan@acme"])
	if code := login(s, "alan@acme", passwords["alan@acme"]); code != http.StatusOK {
		t.Errorf("login of alan@acme after a restart: HTTP %d", code)
	}
}
