package main

// The tests of cmd/tagflow run the real binary: TestMain builds it once, each test starts
// its own `tagflow serve` on a fresh data directory and a free port, and the CLI is run as
// a subprocess against it, so that flags, exit codes, signals and crashes are tested the way
// users and init systems meet them.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bin is the tagflow binary built by TestMain.
var bin string

const (
	readyTimeout = 20 * time.Second // from start to GET /readyz = 200
	stopTimeout  = 15 * time.Second // from SIGTERM to exit, before the cleanup kills
	cliTimeout   = 60 * time.Second // one CLI run
)

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "tagflow-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make a directory for the binary:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "tagflow")
	noConfig = filepath.Join(dir, "no-config.json")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "go build:", err)
		return 1
	}
	return m.Run()
}

// noConfig is a config file that does not exist: the CLI's default (TAGFLOW_CONFIG) in
// every test, so that a developer's own `tagflow login` cannot change what a test does.
// A test of the config file appends its own TAGFLOW_CONFIG (the last one wins).
var noConfig string

// baseEnv is the test's environment without any TAGFLOW_ variable, so that a developer's
// own settings cannot change what the binary does.
func baseEnv() []string {
	env := []string{"TAGFLOW_CONFIG=" + noConfig}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TAGFLOW_") {
			env = append(env, kv)
		}
	}
	return env
}

// freePort returns a TCP port on 127.0.0.1 that nothing listened on a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// closedURL is the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	return "http://127.0.0.1:" + strconv.Itoa(freePort(t))
}

// server is one `tagflow serve` process.
type server struct {
	t       *testing.T
	url     string // http://127.0.0.1:PORT
	token   string // the admin's, from DATA/admin.token
	log     string // file holding the process's stderr and stdout
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited; then waitErr is set
	waitErr error
	http    *http.Client
}

// startServer starts `tagflow serve` on data, waits until it is ready and registers its
// stop at cleanup.
func startServer(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	var lastLog string
	for attempt := 0; attempt < 3; attempt++ {
		s, err := tryStart(t, data, extra)
		if err == nil {
			return s
		}
		lastLog = readFile(t, s.log)
		// Another process may have taken the free port between freePort and listen.
		if !strings.Contains(lastLog, "address already in use") {
			t.Fatalf("start server: %v\nserver log:\n%s", err, lastLog)
		}
	}
	t.Fatalf("start server: no free port after 3 attempts\nserver log:\n%s", lastLog)
	return nil
}

func tryStart(t *testing.T, data string, extra []string) (*server, error) {
	t.Helper()
	port := strconv.Itoa(freePort(t))
	logf, err := os.CreateTemp(t.TempDir(), "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close() // the child has its own descriptor
	args := append([]string{"serve", "--data", data, "--addr", "127.0.0.1:" + port, "--log-format", "json"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = baseEnv()
	cmd.Stderr = logf
	cmd.Stdout = logf
	s := &server{t: t, url: "http://127.0.0.1:" + port, log: logf.Name(), cmd: cmd,
		exited: make(chan struct{}),
		http:   &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(s.stop)
	if err := s.waitReady(); err != nil {
		s.stop()
		return s, err
	}
	tok, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		s.stop()
		t.Fatalf("read the admin token: %v", err)
	}
	s.token = strings.TrimSpace(string(tok))
	return s, nil
}

// waitReady polls GET /readyz until it answers 200, the process exits or readyTimeout
// passes.
func (s *server) waitReady() error {
	deadline := time.Now().Add(readyTimeout)
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("the server exited before it was ready: %v", s.waitErr)
		default:
		}
		resp, err := probe.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("GET /readyz was not 200 within %v", readyTimeout)
}

// stop ends the process if it still runs: SIGTERM, then SIGKILL after stopTimeout.
func (s *server) stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		s.t.Errorf("the server did not stop within %v of SIGTERM; killing it", stopTimeout)
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// terminate sends SIGTERM and waits for the exit; it returns the exit code and how long
// the exit took.
func (s *server) terminate(t *testing.T) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		t.Fatalf("the server did not exit within %v of SIGTERM\nserver log:\n%s", stopTimeout, readFile(t, s.log))
	}
	return s.cmd.ProcessState.ExitCode(), time.Since(start)
}

// kill ends the process with SIGKILL, as a crash would.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-s.exited
}

// env is the environment of a CLI run against this server as its admin.
func (s *server) env() []string {
	return []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + s.token}
}

// gqlResponse is a GraphQL answer.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// query runs a GraphQL operation as the admin and decodes its data into out; any error is
// fatal.
func (s *server) query(t *testing.T, q string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("POST /graphql answered %s: %.300s", resp.Status, raw)
	}
	if resp.StatusCode != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("POST /graphql answered %s: %.500s", resp.Status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("decode %s: %v", r.Data, err)
		}
	}
}

// deploy posts a document to POST /api/v1/deploy and returns the status and body.
func (s *server) deploy(doc []byte, branch string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, s.url+"/api/v1/deploy?branch="+branch, bytes.NewReader(doc))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// mustDeploy deploys and fails the test unless the server answers 200.
func (s *server) mustDeploy(t *testing.T, doc []byte, branch string) {
	t.Helper()
	status, body, err := s.deploy(doc, branch)
	if err != nil || status != http.StatusOK {
		t.Fatalf("deploy to %s: %d %v %.500s", branch, status, err, body)
	}
}

// branchState is what GraphQL says about a branch.
type branchState struct {
	Name       string `json:"name"`
	Version    int    `json:"version"`
	AssetCount int    `json:"assetCount"`
}

// branches returns the server's branches by name.
func (s *server) branches(t *testing.T) map[string]branchState {
	t.Helper()
	var out struct{ Branches []branchState }
	s.query(t, `{ branches { name version assetCount } }`, nil, &out)
	m := map[string]branchState{}
	for _, b := range out.Branches {
		m[b.Name] = b
	}
	return m
}

// cliResult is what one CLI run printed and how it exited.
type cliResult struct {
	stdout, stderr string
	code           int
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// tagflow runs the binary with args, the given environment (added to baseEnv) and stdin.
func tagflow(t *testing.T, env []string, stdin string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(baseEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run tagflow %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("tagflow %v did not finish within %v", args, cliTimeout)
	}
	return cliResult{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

// mustRun runs the CLI and fails the test unless it exits with want.
func mustRun(t *testing.T, want int, env []string, stdin string, args ...string) cliResult {
	t.Helper()
	r := tagflow(t, env, stdin, args...)
	if r.code != want {
		t.Fatalf("tagflow %s: want exit %d, got %s", strings.Join(args, " "), want, r)
	}
	return r
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(b)
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}

func mustNotContain(t *testing.T, what, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Errorf("%s contains %q:\n%s", what, w, got)
		}
	}
}

// fennel is the path of the Fennel fixture (DESIGN §7).
var fennel = filepath.Join("..", "..", "fixtures", "fennel.yaml")
