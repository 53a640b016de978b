package graphql_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tagflow/tagflow/graphql"
)

// getWith sends a request with the given headers; the client neither asks for gzip nor
// decompresses on its own, and does not follow redirects.
func getWith(t *testing.T, url string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	return requestWith(t, http.MethodGet, url, headers)
}

func requestWith(t *testing.T, method, url string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// testConsole is a built console in small: two pages and their hashed assets.
func testConsole() fstest.MapFS {
	js := []byte("console.log(" + strings.Repeat(`"tagflow", `, 400) + "1);\n")
	return fstest.MapFS{
		"index.html":             {Data: []byte(`<!doctype html><title>tagflow</title><script type="module" src="/assets/index-abc.js"></script><div id="root"></div>`)},
		"graphiql.html":          {Data: []byte(`<!doctype html><title>tagflow · GraphiQL</title><script type="module" src="/assets/graphiql-def.js"></script><div id="graphiql"></div>`)},
		"assets/index-abc.js":    {Data: js},
		"assets/graphiql-def.js": {Data: append([]byte("/*graphiql*/"), js...)},
		"assets/tiny-123.css":    {Data: []byte("body{margin:0}")},
	}
}

// The console's pages and GraphiQL's are served with the console's CSP, no framing and no
// caching; their hashed assets as immutable, gzipped to a client that accepts it; HEAD is
// answered like GET without a body; an unknown asset is the JSON 404.
func TestConsoleServesPagesAndAssets(t *testing.T) {
	fsys := testConsole()
	a := newAPI(t, graphql.Config{Console: fsys})
	for _, p := range []struct{ url, file string }{{"/", "index.html"}, {"/graphiql", "graphiql.html"}} {
		resp, body := getWith(t, a.url+p.url, nil)
		if resp.StatusCode != 200 || !bytes.Equal(body, fsys[p.file].Data) {
			t.Fatalf("GET %s: %d %q", p.url, resp.StatusCode, body)
		}
		for k, want := range map[string]string{
			"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
			"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("GET %s: %s = %q, want %q", p.url, k, got, want)
			}
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", p.url, csp, want)
			}
		}
		if strings.Contains(csp, "http") || strings.Contains(csp, "'unsafe-eval'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("GET %s: CSP %q allows another site, eval or inline scripts", p.url, csp)
		}
		head, hb := requestWith(t, http.MethodHead, a.url+p.url, nil)
		if head.StatusCode != 200 || len(hb) != 0 || head.Header.Get("Content-Type") != "text/html; charset=utf-8" || head.Header.Get("ETag") != resp.Header.Get("ETag") {
			t.Errorf("HEAD %s: %d, %d bytes, %v", p.url, head.StatusCode, len(hb), head.Header)
		}
	}
	for _, name := range []string{"assets/index-abc.js", "assets/graphiql-def.js", "assets/tiny-123.css"} {
		url := a.url + "/" + name
		want := "text/javascript; charset=utf-8"
		if strings.HasSuffix(name, ".css") {
			want = "text/css; charset=utf-8"
		}
		plainResp, plain := getWith(t, url, nil)
		if plainResp.StatusCode != 200 || plainResp.Header.Get("Content-Type") != want || plainResp.Header.Get("Content-Encoding") != "" || !bytes.Equal(plain, fsys[name].Data) {
			t.Errorf("%s: %d %q %q, %d bytes", name, plainResp.StatusCode, plainResp.Header.Get("Content-Type"), plainResp.Header.Get("Content-Encoding"), len(plain))
			continue
		}
		if cc := plainResp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q, want immutable", name, cc)
		}
		if plainResp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", name, plainResp.Header)
		}
		gzResp, gz := getWith(t, url, map[string]string{"Accept-Encoding": "gzip, br"})
		big := len(fsys[name].Data) > 1024
		if got := gzResp.Header.Get("Content-Encoding"); (got == "gzip") != big {
			t.Errorf("%s (%d bytes): Content-Encoding %q", name, len(fsys[name].Data), got)
		}
		if gzResp.Header.Get("Content-Encoding") == "gzip" {
			if len(gz) >= len(plain) {
				t.Errorf("%s: gzipped %d bytes, plain %d", name, len(gz), len(plain))
			}
			r, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			gz, _ = io.ReadAll(r)
			if gzResp.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("%s: Vary %q", name, gzResp.Header.Get("Vary"))
			}
		}
		if !bytes.Equal(gz, plain) || gzResp.Header.Get("Content-Type") != want {
			t.Errorf("%s: the gzip answer differs", name)
		}
		if r, _ := getWith(t, url, map[string]string{"Accept-Encoding": "gzip;q=0"}); r.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: gzip;q=0 got %q", name, r.Header.Get("Content-Encoding"))
		}
		if r, _ := getWith(t, url, map[string]string{"If-None-Match": plainResp.Header.Get("ETag")}); r.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match its ETag: %d", name, r.StatusCode)
		}
		if r, b := requestWith(t, http.MethodHead, url, nil); r.StatusCode != 200 || len(b) != 0 || r.Header.Get("Content-Type") != want {
			t.Errorf("HEAD %s: %d, %d bytes", name, r.StatusCode, len(b))
		}
	}
	for _, p := range []string{"/assets/nope.js", "/assets/", "/assets/../index.html", "/graphql/assets/graphiql.min.js"} {
		resp, body := getWith(t, a.url+p, nil)
		var e struct{ Code, Message string }
		if resp.StatusCode != 404 || json.Unmarshal(body, &e) != nil || e.Code != "NOT_FOUND" || e.Message == "" {
			t.Errorf("GET %s: %d %s, want the JSON 404", p, resp.StatusCode, body)
		}
	}
}

// GET /graphql sends a browser to the bundled GraphiQL; a query in a GET is refused.
func TestGraphQLGetRedirectsToGraphiQL(t *testing.T) {
	a := newAPI(t, graphql.Config{Console: testConsole()})
	resp, _ := getWith(t, a.url+"/graphql", map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/graphiql" {
		t.Fatalf("GET /graphql: %d Location %q, want 302 to /graphiql", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("GET /graphql: headers %v", resp.Header)
	}
	resp, body := getWith(t, a.url+"/graphql?query=%7B__typename%7D", nil)
	var ans struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if resp.StatusCode != http.StatusMethodNotAllowed || json.Unmarshal(body, &ans) != nil || len(ans.Errors) != 1 ||
		ans.Errors[0].Extensions.Code != "INVALID_ARGUMENT" || !strings.Contains(ans.Errors[0].Message, "POST") {
		t.Fatalf("GET /graphql?query=: %d %s", resp.StatusCode, body)
	}
}

// A server without a console has no pages: / and /graphiql are the JSON 404.
func TestNoConsoleNoPages(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	for _, p := range []string{"/", "/graphiql", "/assets/index.js"} {
		if r, _ := getWith(t, a.url+p, nil); r.StatusCode != 404 {
			t.Errorf("GET %s without a console: %d", p, r.StatusCode)
		}
	}
}
