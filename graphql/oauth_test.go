package graphql_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tagflow/tagflow/graphql"
)

// Workload credentials over the real HTTP API (issue 9 item 2): client secrets and the
// client_credentials grant, trusted issuers, workload policies and the token exchange.
// The tests sign their own JWTs with keys they make (RS256 and ES256).

const (
	testIssuer   = "https://ci.example.test"
	testAudience = "tagflow-test"
)

// signer is a key a test signs JWTs with, and its public JWK.
type signer struct {
	alg jose.SignatureAlgorithm
	kid string
	key any
	pub jose.JSONWebKey
}

func newRSASigner(t *testing.T, kid string) *signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{alg: jose.RS256, kid: kid, key: k, pub: jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Use: "sig"}}
}

func newECSigner(t *testing.T, kid string) *signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{alg: jose.ES256, kid: kid, key: k, pub: jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Use: "sig"}}
}

func jwks(t *testing.T, ss ...*signer) string {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for _, s := range ss {
		set.Keys = append(set.Keys, s.pub)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sign makes a JWT of claims; kid "" leaves the header's kid out, "-" uses the signer's.
func (s *signer) sign(t *testing.T, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid == "-" {
		kid = s.kid
	}
	if kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: s.alg, Key: s.key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sg).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// ciClaims are the claims of a CI job of acme/pipelines on main, valid for 5 minutes.
func ciClaims(mods ...func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": testIssuer, "aud": testAudience, "sub": "repo:acme/pipelines:ref:refs/heads/main",
		"repository": "acme/pipelines", "ref": "refs/heads/main", "run_attempt": 1.0, "protected": true,
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

// tokenReply is an answer of POST /oauth/token.
type tokenReply struct {
	status int
	header http.Header
	body   map[string]any
}

func (r tokenReply) token() string { s, _ := r.body["access_token"].(string); return s }

// oauth posts body to /oauth/token with Content-Type ct and, if basic is not nil, HTTP
// Basic credentials.
func (a *api) oauth(t *testing.T, ct, body string, basic *[2]string) tokenReply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.url+"/oauth/token", strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if basic != nil {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := tokenReply{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		t.Fatalf("/oauth/token answered %d with non-JSON %q", resp.StatusCode, raw)
	}
	return out
}

const formCT = "application/x-www-form-urlencoded"

func (a *api) exchange(t *testing.T, jwtText string) tokenReply {
	t.Helper()
	return a.oauth(t, formCT, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token": {jwtText}, "subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"}}.Encode(), nil)
}

func (a *api) mustGQL(t *testing.T, query string, vars map[string]any) map[string]any {
	t.Helper()
	out := a.gql(t, query, vars)
	if out["errors"] != nil {
		t.Fatalf("%s: %v", query, out["errors"])
	}
	return out["data"].(map[string]any)
}

// meAs answers the principal a token authenticates as, or "" with the status.
func (a *api) meAs(t *testing.T, token string) (int, string) {
	t.Helper()
	status, out := a.as(t, token, `{ me { principal { ref } } }`, nil)
	if status != 200 || out["errors"] != nil {
		return status, ""
	}
	ref, _ := field(out, "data", "me", "principal", "ref").(string)
	return status, ref
}

// ciSetup makes workload ci with an editor grant, trusts testIssuer with keys, and maps
// JWTs of acme/pipelines on main to ci.
func ciSetup(t *testing.T, a *api, keys string) (policy string) {
	t.Helper()
	a.mustGQL(t, `mutation { createWorkload(name: "ci") { ref } grant(principal: "workload:ci", role: "editor", scope: "*") { role } }`, nil)
	a.mustGQL(t, `mutation($i: String!, $a: String!, $k: String!) { addTrustedIssuer(issuer: $i, audience: $a, jwks: $k) }`,
		map[string]any{"i": testIssuer, "a": testAudience, "k": keys})
	d := a.mustGQL(t, `mutation($i: String!) { createWorkloadPolicy(workload: "workload:ci", issuer: $i, claims: ["repository=acme/pipelines", "ref=refs/heads/main"]) }`,
		map[string]any{"i": testIssuer})
	return d["createWorkloadPolicy"].(string)
}

// The "done when": a CI job deploys definitions with nothing but an OIDC token from
// its platform, exchanged at /oauth/token; the token works for GraphQL too.
func TestExchangedOIDCTokenDeploys(t *testing.T) {
	for _, mk := range []func(*testing.T, string) *signer{newRSASigner, newECSigner} {
		s := mk(t, "k1")
		t.Run(string(s.alg), func(t *testing.T) {
			a := newAPI(t, graphql.Config{})
			ciSetup(t, a, jwks(t, s))
			r := a.exchange(t, s.sign(t, "-", ciClaims()))
			if r.status != 200 || r.body["token_type"] != "Bearer" || r.body["issued_token_type"] != "urn:ietf:params:oauth:token-type:access_token" {
				t.Fatalf("exchange: %d %v", r.status, r.body)
			}
			if exp, _ := r.body["expires_in"].(float64); exp < 3590 || exp > 3600 {
				t.Errorf("expires_in %v, want an hour", r.body["expires_in"])
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
			}
			if len(r.body) != 4 {
				t.Errorf("answer has other members: %v", r.body)
			}
			doc := []byte("datasets:\n  - name: Orders\n    tags: [PII]\n    fields:\n      - {name: id, type: int, key: true}\n")
			status, out := a.post(t, "/api/v1/deploy", r.token(), "application/yaml", doc)
			if status != 200 || out["changed"] != true {
				t.Fatalf("deploy with the exchanged token: %d %v", status, out)
			}
			if got := a.mustGQL(t, `{ asset(path: "Orders") { path } }`, nil); field(got, "asset", "path") != "Orders" {
				t.Fatalf("the deploy did not land: %v", got)
			}
			if _, who := a.meAs(t, r.token()); who != "workload:ci" {
				t.Fatalf("the exchanged token acts as %q", who)
			}
		})
	}
}

// Every way a subject token must be refused is invalid_grant, with a description a person
// can act on.
func TestTokenExchangeRefusals(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	k1, k2 := newRSASigner(t, "k1"), newECSigner(t, "k2")
	ciSetup(t, a, jwks(t, k1, k2))
	other := newRSASigner(t, "k1") // same kid, another key

	hs := func(key []byte, kid string) string {
		h, _ := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid})
		p, _ := json.Marshal(ciClaims())
		in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(in))
		return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	der, _ := x509.MarshalPKIXPublicKey(k1.pub.Key)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	none := func() string {
		h, _ := json.Marshal(map[string]any{"alg": "none", "typ": "JWT"})
		p, _ := json.Marshal(ciClaims())
		return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	}
	embedded := func() string { // the attacker's own key in the header: never used
		sg, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: other.key}, (&jose.SignerOptions{EmbedJWK: true}).WithHeader("kid", "k1"))
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := jwt.Signed(sg).Claims(ciClaims()).Serialize()
		return tok
	}
	for _, c := range []struct {
		name, jwt, says string
	}{
		{"alg none", none(), "alg none"},
		{"a key embedded in the header", embedded(), "does not verify"},
		{"HMAC with the public key's PEM", hs(pemKey, "k1"), "HS256"},
		{"HMAC with the public key's DER", hs(der, "k1"), "HS256"},
		{"unknown kid", k1.sign(t, "k9", ciClaims()), `names key "k9"`},
		{"no kid with several keys", k1.sign(t, "", ciClaims()), "no kid"},
		{"signed by another key", other.sign(t, "k1", ciClaims()), "does not verify"},
		{"key of another type for the kid", k2.sign(t, "k1", ciClaims()), "does not verify"},
		{"no exp", k1.sign(t, "-", ciClaims(func(c map[string]any) { delete(c, "exp") })), "no exp"},
		{"expired", k1.sign(t, "-", ciClaims(func(c map[string]any) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() })), "expired"},
		{"not yet valid", k1.sign(t, "-", ciClaims(func(c map[string]any) { c["nbf"] = time.Now().Add(5 * time.Minute).Unix() })), "not valid before"},
		{"issued in the future", k1.sign(t, "-", ciClaims(func(c map[string]any) { c["iat"] = time.Now().Add(5 * time.Minute).Unix() })), "iat"},
		{"untrusted issuer", k1.sign(t, "-", ciClaims(func(c map[string]any) { c["iss"] = "https://evil.example.test" })), "not trusted"},
		{"no issuer", k1.sign(t, "-", ciClaims(func(c map[string]any) { delete(c, "iss") })), "no iss"},
		{"wrong audience", k1.sign(t, "-", ciClaims(func(c map[string]any) { c["aud"] = "someone-else" })), "aud"},
		{"no policy matches", k1.sign(t, "-", ciClaims(func(c map[string]any) { c["ref"] = "refs/heads/dev" })), "no workload policy"},
		{"a claim of another type", k1.sign(t, "-", ciClaims(func(c map[string]any) { c["ref"] = []string{"refs/heads/main"} })), "no workload policy"},
		{"not a JWT", "abc.def", "not a JWT"},
		{"too large", k1.sign(t, "-", ciClaims(func(c map[string]any) { c["pad"] = strings.Repeat("x", 20000) })), "over the limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := a.exchange(t, c.jwt)
			desc, _ := r.body["error_description"].(string)
			if r.status != 400 || r.body["error"] != "invalid_grant" || !strings.Contains(desc, c.says) {
				t.Fatalf("%d %v, want 400 invalid_grant saying %q", r.status, r.body, c.says)
			}
			if r.body["access_token"] != nil || r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("a refusal with a token or cacheable: %v %v", r.body, r.header)
			}
		})
	}
	// The same key and claims that are refused above for one thing pass when it is right.
	if r := a.exchange(t, k2.sign(t, "-", ciClaims())); r.status != 200 {
		t.Fatalf("a good ES256 token: %d %v", r.status, r.body)
	}
}

// With one key in the JWKS a kid is optional, but one that names another key is refused;
// a claim that is a boolean matches "true".
func TestTokenExchangeOneKey(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	k := newECSigner(t, "only")
	ciSetup(t, a, jwks(t, k))
	if r := a.exchange(t, k.sign(t, "", ciClaims())); r.status != 200 {
		t.Fatalf("no kid, one key: %d %v", r.status, r.body)
	}
	withType := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {k.sign(t, "-", ciClaims())},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"}, "requested_token_type": {"urn:ietf:params:oauth:token-type:access_token"}}
	if r := a.oauth(t, formCT, withType.Encode(), nil); r.status != 200 || r.body["issued_token_type"] != "urn:ietf:params:oauth:token-type:access_token" {
		t.Fatalf("with requested_token_type: %d %v", r.status, r.body)
	}
	if r := a.exchange(t, k.sign(t, "other", ciClaims())); r.status != 400 || r.body["error"] != "invalid_grant" {
		t.Fatalf("a kid of no key: %d %v", r.status, r.body)
	}
	a.mustGQL(t, `mutation { createWorkload(name: "prot") { ref } }`, nil)
	a.mustGQL(t, `mutation($i: String!) { createWorkloadPolicy(workload: "prot", issuer: $i, claims: ["protected=true", "repository=acme/other"]) }`, map[string]any{"i": testIssuer})
	r := a.exchange(t, k.sign(t, "-", ciClaims(func(c map[string]any) { c["repository"] = "acme/other" })))
	if _, who := a.meAs(t, r.token()); r.status != 200 || who != "workload:prot" {
		t.Fatalf("a boolean claim: %d %v (%s)", r.status, r.body, who)
	}
}

// A JWT that matches the policies of workloads of two orgs maps to none, and the refusal
// names neither org.
func TestTokenExchangeAmbiguous(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	k := newRSASigner(t, "k1")
	ciSetup(t, a, jwks(t, k))
	ctx := context.Background()
	if _, err := a.reg.Bootstrap(ctx, "globex", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := a.reg.CreatePrincipal(ctx, "globex", "workload", "deployer"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.reg.AddTrustedIssuer(ctx, "globex", testIssuer, testAudience, []byte(jwks(t, k))); err != nil {
		t.Fatal(err)
	}
	if _, err := a.reg.CreateWorkloadPolicy(ctx, "globex", "workload:deployer", testIssuer, []string{"repository=acme/pipelines"}); err != nil {
		t.Fatal(err)
	}
	r := a.exchange(t, k.sign(t, "-", ciClaims()))
	desc, _ := r.body["error_description"].(string)
	if r.status != 400 || r.body["error"] != "invalid_grant" || !strings.Contains(desc, "more than one workload") {
		t.Fatalf("%d %v", r.status, r.body)
	}
	for _, name := range []string{"globex", "acme", "deployer", "workload:ci"} {
		if strings.Contains(desc, name) {
			t.Errorf("the refusal names %q: %s", name, desc)
		}
	}
	// Narrowed to another branch in globex, the token maps to acme's ci alone.
	for _, p := range a.reg.WorkloadPolicies("globex", "") {
		if ok, err := a.reg.DeleteWorkloadPolicy(ctx, "globex", p.ID); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if r := a.exchange(t, k.sign(t, "-", ciClaims())); r.status != 200 {
		t.Fatalf("after narrowing: %d %v", r.status, r.body)
	}
}

// The token endpoint's request shape: form only, each field once, only the grant's fields,
// and RFC 6749 §5.2 codes.
func TestTokenEndpointRequests(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	cc := "grant_type=client_credentials&client_id=tfc_x&client_secret=tfs_y"
	for _, c := range []struct {
		name, ct, body string
		status         int
		code, says     string
	}{
		{"JSON body", "application/json", `{"grant_type":"client_credentials"}`, 400, "invalid_request", "x-www-form-urlencoded"},
		{"no content type", "", cc, 400, "invalid_request", "x-www-form-urlencoded"},
		{"no grant type", formCT, "client_id=a", 400, "invalid_request", "grant_type is missing"},
		{"unknown grant type", formCT, "grant_type=password&username=a", 400, "unsupported_grant_type", `"password"`},
		{"unknown field", formCT, cc + "&client_secert=z", 400, "invalid_request", `unknown field "client_secert"`},
		{"repeated field", formCT, cc + "&client_id=tfc_z", 400, "invalid_request", `"client_id" is given twice`},
		{"repeated grant type", formCT, cc + "&grant_type=client_credentials", 400, "invalid_request", `"grant_type" is given twice`},
		{"bad escape", formCT, cc + "&x=%zz", 400, "invalid_request", "not a valid form"},
		{"scope", formCT, cc + "&scope=read", 400, "invalid_scope", "no scopes"},
		{"no credentials", formCT, "grant_type=client_credentials", 401, "invalid_client", "missing"},
		{"no secret", formCT, "grant_type=client_credentials&client_id=tfc_x", 400, "invalid_request", "client_secret is missing"},
		{"exchange: actor token", formCT, "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=a.b.c&subject_token_type=urn:ietf:params:oauth:token-type:jwt&actor_token=x", 400, "invalid_request", "actor_token"},
		{"exchange: wrong subject type", formCT, "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=a.b.c&subject_token_type=urn:ietf:params:oauth:token-type:id_token", 400, "invalid_request", "subject_token_type must be"},
		{"exchange: wrong requested type", formCT, "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=a.b.c&subject_token_type=urn:ietf:params:oauth:token-type:jwt&requested_token_type=urn:ietf:params:oauth:token-type:refresh_token", 400, "invalid_request", "requested_token_type"},
		{"exchange: no subject token", formCT, "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token_type=urn:ietf:params:oauth:token-type:jwt", 400, "invalid_request", "subject_token is missing"},
		{"exchange: client fields", formCT, "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=a.b.c&subject_token_type=urn:ietf:params:oauth:token-type:jwt&client_id=x", 400, "invalid_request", `unknown field "client_id"`},
		{"too large", formCT, cc + "&pad=" + strings.Repeat("x", graphql.MaxOAuthBodyBytes), 400, "invalid_request", "larger than the limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := a.oauth(t, c.ct, c.body, nil)
			desc, _ := r.body["error_description"].(string)
			if r.status != c.status || r.body["error"] != c.code || !strings.Contains(desc, c.says) {
				t.Fatalf("%d %v, want %d %s saying %q", r.status, r.body, c.status, c.code, c.says)
			}
			if strings.Contains(desc, "tfs_y") {
				t.Fatalf("the description echoes the secret: %s", desc)
			}
		})
	}
	// Parameters in the URL are refused, so that a secret in a URL (and its logs) never works.
	req, _ := http.NewRequest(http.MethodPost, a.url+"/oauth/token?client_secret=tfs_y", strings.NewReader(cc))
	req.Header.Set("Content-Type", formCT)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !bytes.Contains(raw, []byte("invalid_request")) || bytes.Contains(raw, []byte("tfs_y")) {
		t.Fatalf("a query parameter: %d %s", resp.StatusCode, raw)
	}
}

// Client credentials: a secret (in the form or as HTTP Basic) gives an hour's token of its
// workload; a wrong one is 401 invalid_client; revoking the secret refuses its tokens on
// the next request, while the other secret's keep working (rotation).
func TestClientCredentials(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.mustGQL(t, `mutation { createWorkload(name: "svc") { ref } grant(principal: "workload:svc", role: "viewer", scope: "*") { role } }`, nil)
	d := a.mustGQL(t, `mutation { old: createClientSecret(workload: "workload:svc", name: "old") { id clientId secret name workload }
  new: createClientSecret(workload: "svc") { id clientId secret name } }`, nil)
	old, nw := d["old"].(map[string]any), d["new"].(map[string]any)
	if old["clientId"] != nw["clientId"] || !strings.HasPrefix(old["clientId"].(string), "tfc_") || !strings.HasPrefix(old["secret"].(string), "tfs_") || nw["name"] != "secret 2" || old["workload"] != "workload:svc" {
		t.Fatalf("secrets: %v", d)
	}
	id, oldSecret, newSecret := old["clientId"].(string), old["secret"].(string), nw["secret"].(string)

	form := func(id, secret string) string {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}.Encode()
	}
	r := a.oauth(t, formCT+"; charset=utf-8", form(id, oldSecret), nil)
	if r.status != 200 || r.body["token_type"] != "Bearer" || r.body["issued_token_type"] != nil || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("form credentials: %d %v", r.status, r.body)
	}
	oldToken := r.token()
	if exp, _ := r.body["expires_in"].(float64); exp < 3590 || exp > 3600 {
		t.Errorf("expires_in %v", r.body["expires_in"])
	}
	r = a.oauth(t, formCT, "grant_type=client_credentials", &[2]string{id, newSecret})
	if r.status != 200 {
		t.Fatalf("basic credentials: %d %v", r.status, r.body)
	}
	newToken := r.token()
	for _, tok := range []string{oldToken, newToken} {
		if _, who := a.meAs(t, tok); who != "workload:svc" {
			t.Fatalf("an issued token acts as %q", who)
		}
	}
	// The secret is listed without its value.
	list := a.mustGQL(t, `{ clientSecrets(workload: "workload:svc") { id name clientId createdAt } }`, nil)
	if b, _ := json.Marshal(list); bytes.Contains(b, []byte(oldSecret)) || len(list["clientSecrets"].([]any)) != 2 {
		t.Fatalf("listing: %s", b)
	}

	for _, c := range []struct {
		name   string
		body   string
		basic  *[2]string
		bearer bool
	}{
		{"wrong secret", form(id, "tfs_"+strings.Repeat("a", 52)), nil, false},
		{"secret of no prefix", form(id, "hunter2"), nil, false},
		{"unknown client id", form("tfc_000000000000000000000000", oldSecret), nil, false},
		{"wrong secret, basic", "grant_type=client_credentials", &[2]string{id, "tfs_nope"}, true},
		{"a token as the secret", form(id, a.token), nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := a.oauth(t, formCT, c.body, c.basic)
			if r.status != 401 || r.body["error"] != "invalid_client" || r.body["error_description"] == "" {
				t.Fatalf("%d %v", r.status, r.body)
			}
			if got := r.header.Get("WWW-Authenticate"); c.bearer != (got == `Basic realm="tagflow"`) {
				t.Fatalf("WWW-Authenticate %q", got)
			}
			if strings.Contains(r.body["error_description"].(string), "tfs_") {
				t.Fatalf("the description holds a secret: %v", r.body)
			}
		})
	}
	if r := a.oauth(t, formCT, form(id, oldSecret), &[2]string{id, oldSecret}); r.status != 400 || r.body["error"] != "invalid_request" {
		t.Fatalf("two ways of authenticating: %d %v", r.status, r.body)
	}

	a.mustGQL(t, `mutation($id: ID!) { revokeClientSecret(id: $id) }`, map[string]any{"id": old["id"]})
	if status, _ := a.meAs(t, oldToken); status != 401 {
		t.Fatalf("a token of the revoked secret: status %d, want 401", status)
	}
	if r := a.oauth(t, formCT, form(id, oldSecret), nil); r.status != 401 {
		t.Fatalf("the revoked secret: %d %v", r.status, r.body)
	}
	if _, who := a.meAs(t, newToken); who != "workload:svc" {
		t.Fatalf("the other secret's token after the revocation: %q", who)
	}
	out := a.gql(t, `mutation($id: ID!) { revokeClientSecret(id: $id) }`, map[string]any{"id": old["id"]})
	if errorCode(out) != "NOT_FOUND" {
		t.Fatalf("revoking again: %v", out)
	}
}

// Deleting a workload revokes everything of it: its secrets, its policies, and the tokens
// they issued, at once.
func TestDeletingAWorkloadRevokesItsCredentials(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	k := newRSASigner(t, "k1")
	ciSetup(t, a, jwks(t, k))
	d := a.mustGQL(t, `mutation { createClientSecret(workload: "ci") { clientId secret } }`, nil)["createClientSecret"].(map[string]any)
	byOIDC := a.exchange(t, k.sign(t, "-", ciClaims())).token()
	bySecret := a.oauth(t, formCT, "grant_type=client_credentials", &[2]string{d["clientId"].(string), d["secret"].(string)}).token()
	for _, tok := range []string{byOIDC, bySecret} {
		if _, who := a.meAs(t, tok); who != "workload:ci" {
			t.Fatalf("before: %q", who)
		}
	}
	a.mustGQL(t, `mutation { deletePrincipal(ref: "workload:ci") }`, nil)
	for _, tok := range []string{byOIDC, bySecret} {
		if status, _ := a.meAs(t, tok); status != 401 {
			t.Fatalf("a token of the deleted workload: %d", status)
		}
	}
	if r := a.exchange(t, k.sign(t, "-", ciClaims())); r.status != 400 || r.body["error"] != "invalid_grant" {
		t.Fatalf("exchange after the delete: %d %v", r.status, r.body)
	}
	if r := a.oauth(t, formCT, "grant_type=client_credentials", &[2]string{d["clientId"].(string), d["secret"].(string)}); r.status != 401 {
		t.Fatalf("secret after the delete: %d %v", r.status, r.body)
	}
	// A new workload of the same name inherits nothing.
	a.mustGQL(t, `mutation { createWorkload(name: "ci") { ref } }`, nil)
	if got := a.mustGQL(t, `{ clientSecrets(workload: "ci") { id } workloadPolicies(workload: "ci") { id } }`, nil); len(got["clientSecrets"].([]any))+len(got["workloadPolicies"].([]any)) != 0 {
		t.Fatalf("left over: %v", got)
	}
	if r := a.oauth(t, formCT, "grant_type=client_credentials", &[2]string{d["clientId"].(string), d["secret"].(string)}); r.status != 401 {
		t.Fatalf("the old secret works for the new workload: %d %v", r.status, r.body)
	}
}

// Deleting a policy, or removing its issuer, refuses the tokens it issued.
func TestRemovingTrustRevokesTokens(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	k := newRSASigner(t, "k1")
	policy := ciSetup(t, a, jwks(t, k))
	tok := a.exchange(t, k.sign(t, "-", ciClaims())).token()
	a.mustGQL(t, `mutation($id: ID!) { deleteWorkloadPolicy(id: $id) }`, map[string]any{"id": policy})
	if status, _ := a.meAs(t, tok); status != 401 {
		t.Fatalf("a token of a deleted policy: %d", status)
	}
	a.mustGQL(t, `mutation($i: String!) { createWorkloadPolicy(workload: "ci", issuer: $i, claims: ["repository=acme/pipelines"]) }`, map[string]any{"i": testIssuer})
	tok = a.exchange(t, k.sign(t, "-", ciClaims())).token()
	d := a.mustGQL(t, `mutation($i: String!) { removeTrustedIssuer(issuer: $i) }`, map[string]any{"i": testIssuer})
	if d["removeTrustedIssuer"] != true {
		t.Fatal(d)
	}
	if status, _ := a.meAs(t, tok); status != 401 {
		t.Fatalf("a token of a removed issuer: %d", status)
	}
	if got := a.mustGQL(t, `{ trustedIssuers { issuer } workloadPolicies { id } }`, nil); len(got["trustedIssuers"].([]any))+len(got["workloadPolicies"].([]any)) != 0 {
		t.Fatalf("left over: %v", got)
	}
}

// The credential mutations: MANAGE on the org, and clear INVALID_ARGUMENT / NOT_FOUND.
func TestCredentialMutations(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	k := newRSASigner(t, "k1")
	ciSetup(t, a, jwks(t, k))
	priv, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.key, KeyID: "p"}}})
	for _, c := range []struct {
		name, query string
		vars        map[string]any
		code, says  string
	}{
		{"private key", `mutation($k: String!) { addTrustedIssuer(issuer: "https://x.example.test", audience: "a", jwks: $k) }`, map[string]any{"k": string(priv)}, "INVALID_ARGUMENT", "private key material"},
		{"symmetric key", `mutation { addTrustedIssuer(issuer: "https://x.example.test", audience: "a", jwks: "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}") }`, nil, "INVALID_ARGUMENT", "symmetric"},
		{"not JSON", `mutation { addTrustedIssuer(issuer: "https://x.example.test", audience: "a", jwks: "nope") }`, nil, "INVALID_ARGUMENT", "not a JSON object"},
		{"http issuer", `mutation($k: String!) { addTrustedIssuer(issuer: "http://x.example.test", audience: "a", jwks: $k) }`, map[string]any{"k": jwks(t, k)}, "INVALID_ARGUMENT", "https"},
		{"policy of an untrusted issuer", `mutation { createWorkloadPolicy(workload: "ci", issuer: "https://x.example.test", claims: ["a=b"]) }`, nil, "NOT_FOUND", "does not trust"},
		{"policy without claims", `mutation($i: String!) { createWorkloadPolicy(workload: "ci", issuer: $i, claims: []) }`, map[string]any{"i": testIssuer}, "INVALID_ARGUMENT", "at least one"},
		{"bad claim", `mutation($i: String!) { createWorkloadPolicy(workload: "ci", issuer: $i, claims: ["repository"]) }`, map[string]any{"i": testIssuer}, "INVALID_ARGUMENT", "key=value"},
		{"policy of a user", `mutation($i: String!) { createWorkloadPolicy(workload: "user:admin", issuer: $i, claims: ["a=b"]) }`, map[string]any{"i": testIssuer}, "INVALID_ARGUMENT", "only workloads"},
		{"secret of nobody", `mutation { createClientSecret(workload: "ghost") { id } }`, nil, "NOT_FOUND", "workload:ghost"},
		{"unknown policy", `mutation { deleteWorkloadPolicy(id: "wp_0") }`, nil, "NOT_FOUND", "wp_0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := a.gql(t, c.query, c.vars)
			msg, _ := field(out, "errors").([]any)
			if errorCode(out) != c.code || len(msg) == 0 || !strings.Contains(msg[0].(map[string]any)["message"].(string), c.says) {
				t.Fatalf("%v, want %s saying %q", out["errors"], c.code, c.says)
			}
		})
	}
	// The same policy again answers its id; the listing shows it once.
	again := a.mustGQL(t, `mutation($i: String!) { createWorkloadPolicy(workload: "ci", issuer: $i, claims: ["ref=refs/heads/main", "repository=acme/pipelines"]) }`, map[string]any{"i": testIssuer})
	list := a.mustGQL(t, `{ workloadPolicies { id workload issuer claims } trustedIssuers { issuer audience keyIds fromFile } }`, nil)
	if !jsonEqual(t, list, `{"workloadPolicies": [{"id": "`+again["createWorkloadPolicy"].(string)+`", "workload": "workload:ci", "issuer": "`+testIssuer+`", "claims": ["ref=refs/heads/main", "repository=acme/pipelines"]}],
  "trustedIssuers": [{"issuer": "`+testIssuer+`", "audience": "`+testAudience+`", "keyIds": ["k1"], "fromFile": false}]}`) {
		t.Fatal(list)
	}
	// Without MANAGE: FORBIDDEN for every one of them.
	viewer := a.mustGQL(t, `mutation { createToken(principal: "workload:ci", name: "t") { token } }`, nil)["createToken"].(map[string]any)["token"].(string)
	for _, q := range []string{
		`mutation { createClientSecret(workload: "ci") { id } }`,
		`mutation { revokeClientSecret(id: "cs_0") }`,
		`mutation { addTrustedIssuer(issuer: "https://x.example.test", audience: "a", jwks: "{}") }`,
		`mutation { createWorkloadPolicy(workload: "ci", issuer: "https://x.example.test", claims: ["a=b"]) }`,
		`{ clientSecrets(workload: "ci") { id } }`, `{ trustedIssuers { issuer } }`, `{ workloadPolicies { id } }`,
	} {
		if _, out := a.as(t, viewer, q, nil); errorCode(out) != "FORBIDDEN" {
			t.Errorf("%s as an editor: %v", q, out)
		}
	}
}
