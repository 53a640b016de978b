package graphql_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/graphql"
	"github.com/tagflow/tagflow/tags"
)

// clock is a settable time for the server's rate limits.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// signinAPI is a real server like newAPI's, on a settable clock, with user jane@acme
// (password janePassword, no grants) and a TLS twin of the same handler.
type signinAPI struct {
	*api
	clock   *clock
	store   catalog.Store
	handler http.Handler
}

const janePassword = "correct horse battery"

func newSigninAPI(t *testing.T, cfg graphql.Config, beforeOpen func(catalog.Store)) *signinAPI {
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
	if beforeOpen != nil {
		beforeOpen(store)
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
	cfg.Log = zerolog.Nop()
	srv := graphql.NewServer(cfg)
	c := &clock{now: time.Now()}
	graphql.SetClock(srv, c.Now)
	if err := srv.Attach(svc, reg); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	a := &signinAPI{api: &api{url: hs.URL, token: tok.Secret, reg: reg, svc: svc}, clock: c, store: store, handler: srv.Handler()}
	if _, err := reg.CreatePrincipal(ctx, "acme", "user", "jane@acme"); err != nil {
		t.Fatal(err)
	}
	out := a.gql(t, `mutation($p: String!) { setPassword(user: "user:jane@acme", password: $p) }`, map[string]any{"p": janePassword})
	if field(out, "data", "setPassword") != true {
		t.Fatalf("setPassword: %v", out)
	}
	return a
}

// answer is an HTTP answer: status, headers, decoded JSON body.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) cookie(t *testing.T) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == graphql.SessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", graphql.SessionCookie, a.header.Values("Set-Cookie"))
	return nil
}

// send sends a request to url+path with the given headers (Cookie, X-Tagflow-CSRF, ...).
func send(t *testing.T, client *http.Client, method, url, path string, body string, headers map[string]string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return answer{status: resp.StatusCode, header: resp.Header, body: out, raw: string(raw)}
}

func loginBody(user, password string) string {
	b, _ := json.Marshal(map[string]string{"user": user, "password": password})
	return string(b)
}

// login signs jane in and returns the cookie and CSRF token.
func (a *signinAPI) login(t *testing.T, password string) (*http.Cookie, string) {
	t.Helper()
	ans := send(t, http.DefaultClient, "POST", a.url, "/auth/login", loginBody("jane@acme", password), nil)
	if ans.status != 200 {
		t.Fatalf("login: %d %s", ans.status, ans.raw)
	}
	return ans.cookie(t), ans.body["csrfToken"].(string)
}

func gqlBody(q string) string {
	b, _ := json.Marshal(map[string]any{"query": q})
	return string(b)
}

// asSession runs a GraphQL request with the session cookie and the given headers.
func (a *signinAPI) asSession(t *testing.T, ck *http.Cookie, csrf, q string) answer {
	t.Helper()
	h := map[string]string{"Cookie": ck.Name + "=" + ck.Value}
	if csrf != "" {
		h[graphql.CSRFHeader] = csrf
	}
	return send(t, http.DefaultClient, "POST", a.url, "/graphql", gqlBody(q), h)
}

func gqlCode(a answer) string { return errorCode(a.body) }

func TestLoginSetsASessionCookie(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{}, nil)
	ans := send(t, http.DefaultClient, "POST", a.url, "/auth/login", `{"org": "acme", "user": "jane@acme", "password": "`+janePassword+`"}`, nil)
	if ans.status != 200 || ans.body["principal"] != "user:jane@acme" || ans.body["org"] != "acme" || ans.body["csrfToken"] == "" || ans.body["expiresAt"] == nil {
		t.Fatalf("login: %d %s", ans.status, ans.raw)
	}
	if strings.Contains(ans.raw, janePassword) {
		t.Error("the login answer holds the password")
	}
	ck := ans.cookie(t)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure || !strings.HasPrefix(ck.Value, access.SessionPrefix) {
		t.Errorf("cookie over HTTP: %+v (%q)", ck, ans.header.Values("Set-Cookie"))
	}
	if ck.MaxAge != int(access.SessionLifetime/time.Second) {
		t.Errorf("cookie Max-Age %d, want the session's lifetime", ck.MaxAge)
	}
	// The session signs requests in; me.token is null for it.
	me := a.asSession(t, ck, ans.body["csrfToken"].(string), `{ me { principal { ref } token { id } } }`)
	if got := field(me.body, "data", "me", "principal", "ref"); got != "user:jane@acme" || field(me.body, "data", "me", "token") != nil {
		t.Errorf("me with the session: %s", me.raw)
	}

	// Over TLS the cookie is Secure.
	ts := httptest.NewTLSServer(a.handler)
	defer ts.Close()
	client := ts.Client()
	client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	tlsAns := send(t, client, "POST", ts.URL, "/auth/login", loginBody("jane@acme", janePassword), nil)
	if tlsAns.status != 200 || !tlsAns.cookie(t).Secure {
		t.Errorf("cookie over TLS is not Secure: %d %q", tlsAns.status, tlsAns.header.Values("Set-Cookie"))
	}
}

func TestLoginRefusals(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{}, nil)
	wrong := send(t, http.DefaultClient, "POST", a.url, "/auth/login", loginBody("jane@acme", "not the password"), nil)
	unknown := send(t, http.DefaultClient, "POST", a.url, "/auth/login", loginBody("nobody@acme", janePassword), nil)
	if wrong.status != 401 || unknown.status != 401 || wrong.body["message"] != unknown.body["message"] || wrong.body["code"] != "UNAUTHENTICATED" {
		t.Errorf("a wrong password and an unknown user answer differently:\n%d %s\n%d %s", wrong.status, wrong.raw, unknown.status, unknown.raw)
	}
	if len(wrong.header.Values("Set-Cookie")) > 0 {
		t.Error("a failed login sets a cookie")
	}
	for _, tc := range []struct {
		name, path, body string
		headers          map[string]string
		says             string
	}{
		{"unknown key", "/auth/login", `{"user": "jane@acme", "password": "x", "remember": true}`, nil, "remember"},
		{"not JSON", "/auth/login", `user=jane`, nil, "JSON object"},
		{"two objects", "/auth/login", loginBody("jane@acme", "x") + loginBody("jane@acme", "x"), nil, "one JSON object"},
		{"no user", "/auth/login", `{"password": "x"}`, nil, `"user"`},
		{"no password", "/auth/login", `{"user": "jane@acme"}`, nil, `"password"`},
		{"query parameter", "/auth/login?user=jane", loginBody("jane@acme", "x"), nil, "query parameters"},
		{"form content type", "/auth/login", loginBody("jane@acme", "x"), map[string]string{"Content-Type": "text/plain"}, "application/json"},
		{"foreign origin", "/auth/login", loginBody("jane@acme", janePassword), map[string]string{"Origin": "https://evil.example"}, "evil.example"},
		{"password too long", "/auth/login", loginBody("jane@acme", strings.Repeat("a", 2000)), nil, "at most 256"},
	} {
		ans := send(t, http.DefaultClient, "POST", a.url, tc.path, tc.body, tc.headers)
		if ans.status != 400 || ans.body["code"] != "INVALID_ARGUMENT" || !strings.Contains(ans.body["message"].(string), tc.says) {
			t.Errorf("%s: want 400 INVALID_ARGUMENT saying %q, got %d %s", tc.name, tc.says, ans.status, ans.raw)
		}
	}
}

func TestSessionCSRF(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{}, nil)
	ck, csrf := a.login(t, janePassword)
	const q = `mutation { createToken(name: "x") { id } }`
	for _, tc := range []struct {
		name    string
		headers map[string]string
		says    string
	}{
		{"no header", nil, graphql.CSRFHeader},
		{"wrong header", map[string]string{graphql.CSRFHeader: csrf[:len(csrf)-1] + "A"}, "not this session's CSRF token"},
		{"foreign origin", map[string]string{graphql.CSRFHeader: csrf, "Origin": "https://evil.example"}, "evil.example"},
		{"null origin", map[string]string{graphql.CSRFHeader: csrf, "Origin": "null"}, "origin"},
	} {
		h := map[string]string{"Cookie": ck.Name + "=" + ck.Value}
		for k, v := range tc.headers {
			h[k] = v
		}
		for _, path := range []string{"/graphql", "/api/v1/deploy"} {
			ans := send(t, http.DefaultClient, "POST", a.url, path, gqlBody(q), h)
			msg, code := "", ""
			if path == "/graphql" {
				code = gqlCode(ans)
				msg, _ = field(ans.body["errors"].([]any)[0], "message").(string)
			} else {
				code, _ = ans.body["code"].(string)
				msg, _ = ans.body["message"].(string)
			}
			if ans.status != 403 || code != "FORBIDDEN" || !strings.Contains(msg, tc.says) {
				t.Errorf("%s on %s: want 403 FORBIDDEN saying %q, got %d %s", tc.name, path, tc.says, ans.status, ans.raw)
			}
		}
	}
	if toks := a.reg.Tokens("acme", "user:jane@acme"); len(toks) != 0 {
		t.Errorf("a refused request made %d token(s)", len(toks))
	}
	// With the header, and an Origin of this server, it works.
	ok := send(t, http.DefaultClient, "POST", a.url, "/graphql", gqlBody(q), map[string]string{
		"Cookie": ck.Name + "=" + ck.Value, graphql.CSRFHeader: csrf, "Origin": a.url})
	if ok.status != 200 || gqlCode(ok) != "" {
		t.Errorf("a request with the CSRF header: %d %s", ok.status, ok.raw)
	}
	// A GET needs no CSRF header (GET /metrics signed in by the cookie).
	if m := send(t, http.DefaultClient, "GET", a.url, "/metrics", "", map[string]string{"Cookie": ck.Name + "=" + ck.Value}); m.status != 200 {
		t.Errorf("GET /metrics with the session: %d", m.status)
	}
	// A bearer token wins over the cookie: the admin's token and jane's cookie act as admin.
	both := send(t, http.DefaultClient, "POST", a.url, "/graphql", gqlBody(`{ me { principal { ref } } }`), map[string]string{
		"Cookie": ck.Name + "=" + ck.Value, "Authorization": "Bearer " + a.token})
	if got := field(both.body, "data", "me", "principal", "ref"); got != "user:admin" {
		t.Errorf("bearer and cookie: acted as %v (%s)", got, both.raw)
	}
}

func TestLogout(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{}, nil)
	ck, csrf := a.login(t, janePassword)
	cookie := map[string]string{"Cookie": ck.Name + "=" + ck.Value}
	if ans := send(t, http.DefaultClient, "POST", a.url, "/auth/logout", "", cookie); ans.status != 403 || ans.body["code"] != "FORBIDDEN" {
		t.Errorf("logout without the CSRF header: %d %s", ans.status, ans.raw)
	}
	cookie[graphql.CSRFHeader] = csrf
	ans := send(t, http.DefaultClient, "POST", a.url, "/auth/logout", "", cookie)
	if ans.status != 200 || ans.body["loggedOut"] != true {
		t.Fatalf("logout: %d %s", ans.status, ans.raw)
	}
	if c := ans.cookie(t); c.Value != "" || c.MaxAge >= 0 {
		t.Errorf("logout does not clear the cookie: %+v", c)
	}
	if me := a.asSession(t, ck, csrf, `{ me { org } }`); me.status != 401 || gqlCode(me) != "UNAUTHENTICATED" {
		t.Errorf("the session works after logout: %d %s", me.status, me.raw)
	}
	if again := send(t, http.DefaultClient, "POST", a.url, "/auth/logout", "", cookie); again.status != 200 || again.body["loggedOut"] != false {
		t.Errorf("a second logout: %d %s", again.status, again.raw)
	}
}

func TestSessionsEndWithUserAndPassword(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{}, nil)
	ck1, csrf1 := a.login(t, janePassword)
	ck2, csrf2 := a.login(t, janePassword)
	// jane changes her own password through session 1: session 2 ends, 1 goes on.
	ans := a.asSession(t, ck1, csrf1, `mutation { setPassword(password: "another long password") }`)
	if field(ans.body, "data", "setPassword") != true {
		t.Fatalf("setPassword as jane: %s", ans.raw)
	}
	if me := a.asSession(t, ck2, csrf2, `{ me { org } }`); me.status != 401 {
		t.Errorf("another session survives a password change: %d %s", me.status, me.raw)
	}
	if me := a.asSession(t, ck1, csrf1, `{ me { org } }`); me.status != 200 {
		t.Errorf("the session that changed the password ended: %d %s", me.status, me.raw)
	}
	if old := send(t, http.DefaultClient, "POST", a.url, "/auth/login", loginBody("jane@acme", janePassword), nil); old.status != 401 {
		t.Errorf("the old password logs in: %d", old.status)
	}
	// jane (no grants) may not set the admin's password; nothing says more.
	if ans := a.asSession(t, ck1, csrf1, `mutation { setPassword(user: "user:admin", password: "a long enough password") }`); gqlCode(ans) != "FORBIDDEN" {
		t.Errorf("jane sets the admin's password: %s", ans.raw)
	}
	// The admin sets it: every session of jane ends.
	out := a.gql(t, `mutation { setPassword(user: "user:jane@acme", password: "the admin's choice!") }`, nil)
	if field(out, "data", "setPassword") != true {
		t.Fatal(out)
	}
	if me := a.asSession(t, ck1, csrf1, `{ me { org } }`); me.status != 401 {
		t.Errorf("a session survives a password set by the admin: %d", me.status)
	}
	// Deleting jane ends her sessions.
	ck3, csrf3 := a.login(t, "the admin's choice!")
	if out := a.gql(t, `mutation { deletePrincipal(ref: "user:jane@acme") }`, nil); field(out, "data", "deletePrincipal") != true {
		t.Fatal(out)
	}
	if me := a.asSession(t, ck3, csrf3, `{ me { org } }`); me.status != 401 || gqlCode(me) != "UNAUTHENTICATED" {
		t.Errorf("a session survives its user: %d %s", me.status, me.raw)
	}
	for name, q := range map[string]string{
		"short":    `mutation { setPassword(password: "short") }`,
		"workload": `mutation { w: createWorkload(name: "ci") { ref } p: setPassword(user: "workload:ci", password: "a long enough password") }`,
		"bare":     `mutation { setPassword(user: "jane", password: "a long enough password") }`,
	} {
		if out := a.gql(t, q, nil); errorCode(out) != "INVALID_ARGUMENT" {
			t.Errorf("setPassword %s: %v", name, out)
		}
	}
}

// The one table of tokens that do not authenticate (issue 9 item 7): each is 401
// UNAUTHENTICATED in the shape of its endpoint, with one message for every bad token.
func TestBadTokens(t *testing.T) {
	expired := "tfp_" + strings.Repeat("e", 52)
	a := newSigninAPI(t, graphql.Config{}, func(store catalog.Store) {
		// A token that expired yesterday, written as the registry stores it.
		sum := sha256Hex(expired)
		rec := `{"id":"tok_expired","hash":"` + sum + `","org":"acme","principal":"user:admin","name":"old","createdAt":"2026-01-01T00:00:00Z","expiresAt":"` +
			time.Now().Add(-24*time.Hour).UTC().Format(time.RFC3339) + `"}`
		if err := store.Update(context.Background(), func(tx catalog.Txn) error {
			if err := tx.Set([]byte("ac\x00t\x00"+sum), []byte(rec)); err != nil {
				return err
			}
			return tx.Set([]byte("ac\x00i\x00tok_expired"), []byte(sum))
		}); err != nil {
			t.Fatal(err)
		}
	})
	ctx := context.Background()
	revoked, _ := a.reg.CreateToken(ctx, "acme", "user:jane@acme", "revoked", 0)
	if _, err := a.reg.RevokeToken(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	_, _ = a.reg.CreatePrincipal(ctx, "acme", "user", "gone")
	gone, _ := a.reg.CreateToken(ctx, "acme", "user:gone", "t", 0)
	if err := a.reg.DeletePrincipal(ctx, "acme", "user:gone"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.reg.Authenticate(expired); err != access.ErrBadToken {
		t.Fatalf("the expired token is not refused as such: %v", err)
	}
	valid := a.token
	for _, tc := range []struct{ name, header string }{
		{"expired", "Bearer " + expired},
		{"revoked", "Bearer " + revoked.Secret},
		{"of a deleted user", "Bearer " + gone.Secret},
		{"unknown", "Bearer tfp_" + strings.Repeat("a", 52)},
		{"no prefix", "Bearer " + strings.TrimPrefix(valid, "tfp_")},
		{"one character off", "Bearer " + valid[:len(valid)-1] + string(rune(valid[len(valid)-1])^1)},
		{"too long", "Bearer " + valid + strings.Repeat("a", 300)},
		{"session secret as a token", "Bearer " + access.SessionPrefix + strings.Repeat("a", 52)},
		{"empty bearer", "Bearer "},
		{"basic scheme", "Basic " + valid},
		{"no scheme", valid},
	} {
		for _, path := range []string{"/graphql", "/api/v1/deploy"} {
			ans := send(t, http.DefaultClient, "POST", a.url, path, gqlBody(`{ me { org } }`), map[string]string{"Authorization": tc.header})
			code, _ := ans.body["code"].(string)
			if path == "/graphql" {
				code = gqlCode(ans)
			}
			if ans.status != 401 || code != "UNAUTHENTICATED" {
				t.Errorf("%s on %s: want 401 UNAUTHENTICATED, got %d %s", tc.name, path, ans.status, ans.raw)
			}
		}
	}
	// A bad session cookie is refused the same way.
	ans := send(t, http.DefaultClient, "POST", a.url, "/graphql", gqlBody(`{ me { org } }`), map[string]string{"Cookie": graphql.SessionCookie + "=" + access.SessionPrefix + "nope"})
	if ans.status != 401 || gqlCode(ans) != "UNAUTHENTICATED" {
		t.Errorf("bad session cookie: %d %s", ans.status, ans.raw)
	}
}

// A brute force is slowed down (issue 9 item 5): after loginFree failures every wrong
// password makes the user wait, doubling, and during the wait even the right password is
// refused with 429 RATE_LIMITED and Retry-After.
func TestLoginBruteForceIsSlowed(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{}, nil)
	try := func(pw string) answer {
		return send(t, http.DefaultClient, "POST", a.url, "/auth/login", loginBody("jane@acme", pw), nil)
	}
	for i := 0; i < 5; i++ {
		if ans := try("guess"); ans.status != 401 {
			t.Fatalf("failure %d: %d %s", i+1, ans.status, ans.raw)
		}
	}
	for i, wait := range []int{1, 2, 4, 8} {
		if ans := try("guess"); ans.status != 401 {
			t.Fatalf("guess %d after the free ones: %d %s", i+1, ans.status, ans.raw)
		}
		ans := try(janePassword) // right, but too soon
		if ans.status != 429 || ans.body["code"] != "RATE_LIMITED" || ans.header.Get("Retry-After") != itoa(wait) ||
			!strings.Contains(ans.body["message"].(string), "try again in "+itoa(wait)+"s") {
			t.Fatalf("right password during the wait %d: %d %q %s", wait, ans.status, ans.header.Get("Retry-After"), ans.raw)
		}
		a.clock.Add(time.Duration(wait)*time.Second - time.Millisecond)
		if ans := try(janePassword); ans.status != 429 {
			t.Fatalf("the wait of %ds is over early: %d", wait, ans.status)
		}
		a.clock.Add(time.Millisecond)
	}
	if ans := try(janePassword); ans.status != 200 {
		t.Fatalf("the right password after the wait: %d %s", ans.status, ans.raw)
	}
	// A success clears the user's count: the next failure is free again.
	if ans := try("guess"); ans.status != 401 {
		t.Fatal(ans.raw)
	}
	if ans := try(janePassword); ans.status != 200 {
		t.Errorf("a failure after a success makes jane wait: %d", ans.status)
	}

	// One address trying many users is slowed too.
	a.clock.Add(2 * time.Hour) // everything above forgotten
	for i := 0; i < 20; i++ {
		if ans := send(t, http.DefaultClient, "POST", a.url, "/auth/login", loginBody("user"+itoa(i), "guess"), nil); ans.status != 401 {
			t.Fatalf("address failure %d: %d", i, ans.status)
		}
	}
	send(t, http.DefaultClient, "POST", a.url, "/auth/login", loginBody("user20", "guess"), nil)
	ans := try(janePassword)
	if ans.status != 429 || !strings.Contains(ans.body["message"].(string), "from this address") || ans.header.Get("Retry-After") == "" {
		t.Errorf("many users from one address: %d %s", ans.status, ans.raw)
	}
}

func TestRequestRateLimit(t *testing.T) {
	a := newSigninAPI(t, graphql.Config{RateLimit: 1, RateBurst: 3}, nil)
	jane, _ := a.reg.CreateToken(context.Background(), "acme", "user:jane@acme", "t", 0)
	for i := 0; i < 2; i++ { // one request went to setPassword
		if _, out := a.as(t, a.token, `{ me { org } }`, nil); errorCode(out) != "" {
			t.Fatalf("request %d: %v", i, out)
		}
	}
	ans := send(t, http.DefaultClient, "POST", a.url, "/graphql", gqlBody(`{ me { org } }`), map[string]string{"Authorization": "Bearer " + a.token})
	if ans.status != 429 || gqlCode(ans) != "RATE_LIMITED" || ans.header.Get("Retry-After") != "1" {
		t.Fatalf("over the limit on /graphql: %d %q %s", ans.status, ans.header.Get("Retry-After"), ans.raw)
	}
	if msg := field(ans.body["errors"].([]any)[0], "message").(string); !strings.Contains(msg, "user:admin") || !strings.Contains(msg, "try again in 1s") {
		t.Errorf("the message does not say who and when: %q", msg)
	}
	rest := send(t, http.DefaultClient, "POST", a.url, "/api/v1/deploy", "datasets: []", map[string]string{"Authorization": "Bearer " + a.token, "Content-Type": "application/yaml"})
	if rest.status != 429 || rest.body["code"] != "RATE_LIMITED" || rest.header.Get("Retry-After") == "" {
		t.Errorf("over the limit on the REST deploy: %d %s", rest.status, rest.raw)
	}
	// Another principal has its own bucket; the admin's refills with time.
	if _, out := a.as(t, jane.Secret, `{ me { org } }`, nil); errorCode(out) != "" {
		t.Errorf("jane is limited by the admin's requests: %v", out)
	}
	a.clock.Add(time.Second)
	if _, out := a.as(t, a.token, `{ me { org } }`, nil); errorCode(out) != "" {
		t.Errorf("after a second: %v", out)
	}

	off := newSigninAPI(t, graphql.Config{RateLimit: -1}, nil)
	for i := 0; i < 50; i++ {
		if _, out := off.as(t, off.token, `{ me { org } }`, nil); errorCode(out) != "" {
			t.Fatalf("no limit, request %d: %v", i, out)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
