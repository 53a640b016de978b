package graphql_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// getWith sends a GET with the given headers; the client neither asks for gzip nor
// decompresses on its own.
func getWith(t *testing.T, url string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// GraphiQL is served from the binary: the page names no other site, loads no inline
// script, forbids framing; every file it loads is served with its content type.
func TestGraphiQLIsSelfContained(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	resp, page := getWith(t, a.url+"/graphql", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(page), "GraphiQL") {
		t.Fatalf("GET /graphql: %d", resp.StatusCode)
	}
	for k, want := range map[string]string{
		"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		"Content-Type": "text/html; charset=utf-8",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("page: %s = %q, want %q", k, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "http") || strings.Contains(csp, "unpkg") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("CSP %q allows another site or inline scripts", csp)
	}
	if regexp.MustCompile(`(?i)https?:|//[a-z]`).Match(page) {
		t.Errorf("the page names another site:\n%s", page)
	}
	if regexp.MustCompile(`<script>`).Match(page) {
		t.Errorf("the page has an inline script:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllSubmatch(page, -1)
	if len(refs) != 5 {
		t.Fatalf("the page loads %d files, want 5 (css, react, react-dom, graphiql, its start)", len(refs))
	}
	for _, m := range refs {
		ref := string(m[1])
		want := "text/javascript; charset=utf-8"
		if strings.HasSuffix(ref, ".css") {
			want = "text/css; charset=utf-8"
		}
		plainResp, plain := getWith(t, a.url+ref, nil)
		if plainResp.StatusCode != 200 || plainResp.Header.Get("Content-Type") != want || plainResp.Header.Get("Content-Encoding") != "" || len(plain) < 100 {
			t.Errorf("%s: %d %q %q, %d bytes", ref, plainResp.StatusCode, plainResp.Header.Get("Content-Type"), plainResp.Header.Get("Content-Encoding"), len(plain))
			continue
		}
		if plainResp.Header.Get("X-Content-Type-Options") != "nosniff" || plainResp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", ref, plainResp.Header)
		}
		if bytes.Contains(plain, []byte("sourceMappingURL")) {
			t.Errorf("%s names a source map the server does not have", ref)
		}
		// A client that accepts gzip may get it; the content is the same.
		gzResp, gz := getWith(t, a.url+ref, map[string]string{"Accept-Encoding": "gzip, br"})
		if gzResp.Header.Get("Content-Encoding") == "gzip" {
			r, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatalf("%s: %v", ref, err)
			}
			gz, _ = io.ReadAll(r)
		}
		if !bytes.Equal(gz, plain) || gzResp.Header.Get("Content-Type") != want {
			t.Errorf("%s: the gzip answer differs", ref)
		}
		if r, _ := getWith(t, a.url+ref, map[string]string{"If-None-Match": plainResp.Header.Get("ETag")}); r.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match its ETag: %d", ref, r.StatusCode)
		}
	}
	if r, _ := getWith(t, a.url+"/graphql/assets/NOTICE", nil); r.StatusCode != 404 {
		t.Errorf("GET /graphql/assets/NOTICE: %d", r.StatusCode)
	}
	if r, _ := getWith(t, a.url+"/graphql/assets/nope.js", nil); r.StatusCode != 404 {
		t.Errorf("GET an unknown asset: %d", r.StatusCode)
	}
}
