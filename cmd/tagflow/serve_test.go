package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSIGTERMShutsDownCleanly checks that SIGTERM lets an in-flight deploy finish, exits
// 0 within a few seconds, and that a restart on the same data sees everything.
func TestSIGTERMShutsDownCleanly(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	token := readFile(t, filepath.Join(data, "admin.token"))
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	mustRun(t, 0, s.env(), "", "branch", "create", "dev")
	mustRun(t, 0, s.env(), "", "deploy", "-b", "dev", "-f", "testdata/fennel_dev.yaml")

	// A deploy large enough to be in flight when the signal comes.
	const n = 2000
	type answer struct {
		status int
		body   []byte
		err    error
		at     time.Time
	}
	big := crashDocument(n, 4, "big/", "int")
	done := make(chan answer, 1)
	go func() {
		status, body, err := s.deploy(big, "main")
		done <- answer{status, body, err, time.Now()}
	}()
	time.Sleep(30 * time.Millisecond)
	signalled := time.Now()
	code, took := s.terminate(t)
	log := readFile(t, s.log)
	if code != 0 {
		t.Errorf("SIGTERM: exit %d, want 0\nserver log:\n%s", code, log)
	}
	if took > 10*time.Second {
		t.Errorf("SIGTERM: the server took %v to exit", took)
	}
	t.Logf("SIGTERM to exit: %v", took)
	mustContain(t, "server log", log, `"shutting down"`)
	inFlight := <-done
	if inFlight.err != nil || inFlight.status != http.StatusOK {
		t.Errorf("the deploy in flight at SIGTERM did not finish: %d %v %.300s", inFlight.status, inFlight.err, inFlight.body)
	}
	t.Logf("the deploy was answered %v after SIGTERM", inFlight.at.Sub(signalled))

	s = startServer(t, data)
	if got := readFile(t, filepath.Join(data, "admin.token")); got != token {
		t.Errorf("a restart rewrote admin.token")
	}
	b := s.branches(t)
	if b["main"].Version != 2 || b["main"].AssetCount != 4+n || b["dev"].Version != 1 || b["dev"].AssetCount != 5 {
		t.Errorf("after the restart the branches are %+v; want main v2 with %d assets, dev v1 with 5", b, 4+n)
	}
	r := mustRun(t, 0, s.env(), "", "get", "User", "-b", "dev")
	mustContain(t, "get User on dev after the restart", r.stdout, "country")
	r = mustRun(t, 0, s.env(), "", "get", "User")
	mustNotContain(t, "get User on main after the restart", r.stdout, "country")
	mustRun(t, 0, s.env(), "", "get", "big/ds0999.f3")
	r = mustRun(t, 0, s.env(), "", "deploy", "-f", "testdata/fennel_dev.yaml")
	mustContain(t, "deploy after the restart", r.stdout, "(version 3)")
}

// TestAdminTokenIsSecret checks DATA/admin.token's mode and that the server never logs the
// token, neither the admin's nor a wrong one a client sent.
func TestAdminTokenIsSecret(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	path := filepath.Join(data, "admin.token")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode(); mode.Perm() != 0o600 || !mode.IsRegular() {
		t.Errorf("admin.token has mode %v, want -rw-------", mode)
	}
	if !strings.HasPrefix(s.token, "tfp_") || len(s.token) != 4+52 {
		t.Errorf("admin.token holds %d bytes that do not look like a token", len(s.token))
	}

	const wrong = "tf_thisisnottherighttokenbutasecretall"
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	mustRun(t, 2, s.env(), "", "deploy", "-f", "testdata/bad_type.yaml")
	mustRun(t, 0, s.env(), "", "get", "User")
	mustRun(t, 2, []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + wrong}, "", "get", "User")
	mustRun(t, 2, []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + wrong}, "", "deploy", "-f", fennel)
	for _, p := range []string{"/metrics", "/graphql?token=" + s.token, "/nope"} {
		req, _ := http.NewRequest(http.MethodGet, s.url+p, nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := s.http.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		resp.Body.Close()
	}
	if code, _ := s.terminate(t); code != 0 {
		t.Errorf("SIGTERM: exit %d", code)
	}

	log := readFile(t, s.log)
	mustNotContain(t, "server log", log, s.token, strings.TrimPrefix(s.token, "tfp_"), wrong)
	mustContain(t, "server log", log, `"token_file"`, `"request"`)
	// --log-format json: every line is one JSON object.
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Errorf("log line %d is not JSON: %v: %s", lines, err, sc.Text())
		}
	}
	if lines < 8 {
		t.Errorf("the server logged %d lines; want at least one per request", lines)
	}
}

func TestServeFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string // after serve --addr
		want string
	}{
		{"unknown log level", []string{"--data", "DATA", "--log-level", "nope"}, "--log-level"},
		{"unknown log format", []string{"--data", "DATA", "--log-format", "xml"}, "--log-format"},
		{"no data and no demo", nil, "needs --data"},
		{"an argument", []string{"--data", "DATA", "extra"}, "serve takes no arguments"},
		{"negative deploy limit", []string{"--data", "DATA", "--max-deploy-bytes", "-1"}, "--max-deploy-bytes -1: a limit must be a positive number"},
		{"zero deploy limit", []string{"--data", "DATA", "--max-deploy-bytes", "0"}, "--max-deploy-bytes 0"},
		{"zero graphql limit", []string{"--data", "DATA", "--max-graphql-bytes", "0"}, "--max-graphql-bytes 0"},
		{"negative graphql limit", []string{"--demo", "--max-graphql-bytes", "-5"}, "--max-graphql-bytes -5"},
		{"negative gc interval", []string{"--data", "DATA", "--gc-interval", "-1s"}, "--gc-interval -1s"},
		{"a limit that is no number", []string{"--data", "DATA", "--max-deploy-bytes", "1MB"}, `--max-deploy-bytes "1MB": use a whole number`},
		{"unknown flag", []string{"--data", "DATA", "--port", "1"}, "unknown flag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			args := []string{"serve", "--addr", "127.0.0.1:" + strconv.Itoa(freePort(t))}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "DATA", data))
			}
			r := tagflow(t, nil, "", args...)
			if r.code != 1 {
				t.Fatalf("want exit 1, got %s", r)
			}
			mustContain(t, "stderr", r.stderr, tc.want)
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				t.Errorf("serve refused its flags but made the data directory (%v)", err)
			}
		})
	}
}

// TestServeFlagsReachTheServer checks that serve's limits and metrics flags are passed on.
func TestServeFlagsReachTheServer(t *testing.T) {
	s := startServer(t, t.TempDir(), "--max-deploy-bytes", "1000", "--public-metrics")
	st, err := os.Stat(fennel)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() <= 1000 {
		t.Fatalf("the fixture is %d bytes; this test needs more than 1000", st.Size())
	}
	r := mustRun(t, 2, s.env(), "", "deploy", "-f", fennel)
	mustContain(t, "deploy over --max-deploy-bytes", r.stderr, "PAYLOAD_TOO_LARGE", "1000 bytes")
	mustRun(t, 0, s.env(), "", "deploy", "-f", "testdata/orders.json")

	resp, err := s.http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /metrics without a token with --public-metrics: %s", resp.Status)
	}

	private := startServer(t, t.TempDir())
	resp, err = private.http.Get(private.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /metrics without a token: %s, want 401", resp.Status)
	}
}
