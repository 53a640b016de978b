package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/graphql"
	"github.com/tagflow/tagflow/tags"
)

// server is a real tagflow GraphQL server on 127.0.0.1 over Badger in a temp dir, with the
// load catalog built through the API: it answers the URL, the admin's and jane's tokens.
func server(t *testing.T) (url, admin, jane string) {
	t.Helper()
	ctx := context.Background()
	store, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	reg, err := access.OpenRegistry(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	svc, err := tags.Open(ctx, repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	srv := graphql.NewServer(graphql.Config{Log: zerolog.Nop()})
	if err := srv.Attach(svc, reg); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	jane, err = setup(hs.URL, tok.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return hs.URL, tok.Secret, jane
}

func loadJSON(t *testing.T, args ...string) (result, int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := realMain(append(args, "-o", "json"), &out, &errOut)
	var r result
	if code == 0 {
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("-o json: %v: %s", err, out.String())
		}
	}
	return r, code, errOut.String()
}

// The loader sends exactly the bounded count, every answer counted and timed, and the
// columnAccess preset as jane (not admin) is answered without errors.
func TestLoadBoundedCount(t *testing.T) {
	url, admin, jane := server(t)
	for _, tc := range []struct{ name, token, preset, vars string }{
		{"columnAccess as jane", jane, "columnAccess", `{"d": "data/wide"}`},
		{"asset as admin", admin, "asset", `{"p": "data/small3"}`},
		{"check as jane", jane, "check", `{"m": "READ_DATA", "p": "data/wide.col003"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, code, stderr := loadJSON(t, "--server", url, "--token", tc.token, "--preset", tc.preset, "--vars", tc.vars,
				"--requests", "300", "--duration", "1m")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if r.Requests != 300 || r.Errors != 0 || r.Concurrency != 16 || r.Preset != tc.preset {
				t.Fatalf("%+v", r)
			}
			if !(r.P50us > 0 && r.P50us <= r.P90us && r.P90us <= r.P99us && r.P99us <= r.MaxUs) || r.PerSecond <= 0 {
				t.Fatalf("percentiles out of order: %+v", r)
			}
		})
	}
	// A query the server answers with errors fails the run on its first request (exit 2),
	// and every later answer with errors would be one: send says so.
	r, code, stderr := loadJSON(t, "--server", url, "--token", jane, "--query", `query { check(mode: READ_DATA, path: "data/wide.col000") { allowed } b: __typename @include(if: $x) }`,
		"--requests", "5")
	if code != 2 || !strings.Contains(stderr, "the first request") || !strings.Contains(stderr, "answer with errors") {
		t.Fatalf("a query with errors: exit %d %+v %s", code, r, stderr)
	}
}

// The time bound stops a run with no count bound.
func TestLoadBoundedDuration(t *testing.T) {
	url, _, jane := server(t)
	start := time.Now()
	r, code, stderr := loadJSON(t, "--server", url, "--token", jane, "--preset", "check", "--vars", `{"m": "READ_DATA", "p": "data/wide.col000"}`,
		"--duration", "300ms", "--concurrency", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if took := time.Since(start); took > 5*time.Second || r.Requests == 0 || r.Errors != 0 || r.Seconds < 0.25 || r.Seconds > 2 {
		t.Fatalf("took %v: %+v", took, r)
	}
}

// A wrong token fails on the first request instead of counting thousands of errors.
func TestLoadFirstRequestFails(t *testing.T) {
	url, _, _ := server(t)
	_, code, stderr := loadJSON(t, "--server", url, "--token", "tfp_wrong", "--preset", "check", "--vars", `{"m": "READ_DATA", "p": "x/y"}`, "--requests", "10")
	if code != 2 || !strings.Contains(stderr, "status 401") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// Only loopback servers are loaded; other hosts are refused before anything is sent.
func TestLoadRefusesNonLoopback(t *testing.T) {
	for _, tc := range []struct {
		server string
		ok     bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.1.2.3:8080", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"https://LOCALHOST", true},
		{"http://10.0.0.1:8080", false},
		{"http://0.0.0.0:8080", false},
		{"http://192.168.1.20", false},
		{"http://[2001:db8::1]:8080", false},
		{"http://example.com", false},
		{"http://localhost.example.com", false},
		{"127.0.0.1:8080", false},
		{"ftp://127.0.0.1", false},
	} {
		err := checkLoopback(tc.server)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.server, err)
		}
		if tc.ok {
			continue
		}
		var out, errOut bytes.Buffer
		code := realMain([]string{"--server", tc.server, "--preset", "check", "--requests", "1"}, &out, &errOut)
		if code != 1 || !strings.Contains(errOut.String(), tc.server) || out.Len() != 0 {
			t.Errorf("%s: exit %d, %q", tc.server, code, errOut.String())
		}
		if code := realMain([]string{"setup", "--server", tc.server, "--token", "x"}, &out, &errOut); code != 1 {
			t.Errorf("setup %s: exit %d", tc.server, code)
		}
	}
}

// Usage mistakes are exit 1 with a message naming the flag.
func TestLoadUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--preset", "nope", "--requests", "1"}, "--preset"},
		{[]string{"--preset", "check", "--query", "{ me { org } }", "--requests", "1"}, "not both"},
		{[]string{"--preset", "check", "--vars", "[1]", "--requests", "1"}, "--vars"},
		{[]string{"--preset", "check"}, "--requests or --duration"},
		{[]string{"--preset", "check", "--requests", "1", "--concurrency", "0"}, "--concurrency"},
		{[]string{"--preset", "check", "--requests", "1", "-o", "yaml"}, "-o"},
	} {
		var out, errOut bytes.Buffer
		if code := realMain(tc.args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut.String())
		}
	}
}
