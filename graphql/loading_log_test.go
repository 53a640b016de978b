package graphql_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/graphql"
)

// lockedBuffer is a log sink that request goroutines may write concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLoadingAnswersAreNotErrors: the 503s of a server still loading (readyz, and the
// endpoints that need the catalog) are normal during start-up and are logged at info.
func TestLoadingAnswersAreNotErrors(t *testing.T) {
	var logs lockedBuffer
	srv := graphql.NewServer(graphql.Config{Log: zerolog.New(&logs)})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/readyz", ""},
		{http.MethodPost, "/graphql", `{"query":"{me{org}}"}`},
		{http.MethodPost, "/api/v1/deploy", "datasets: []"},
	} {
		req, _ := http.NewRequest(r.method, hs.URL+r.path, strings.NewReader(r.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("%s %s while loading: %d, want 503", r.method, r.path, resp.StatusCode)
		}
	}
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if m["message"] != "request" {
			continue
		}
		lines++
		if m["level"] != "info" || m["status"] != float64(503) {
			t.Errorf("a loading answer was logged as %v with status %v: %s", m["level"], m["status"], sc.Text())
		}
	}
	if lines != 3 {
		t.Errorf("%d request lines logged, want 3:\n%s", lines, logs.String())
	}
}
