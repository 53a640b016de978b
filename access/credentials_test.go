package access_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
)

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ParseJWKS refuses every key set that could let a forged or symmetric JWT through, naming
// the key and the problem.
func TestParseJWKS(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	pub := func(k any, kid string) jose.JSONWebKey { return jose.JSONWebKey{Key: k, KeyID: kid} }
	set := func(keys ...jose.JSONWebKey) string { return mustJSON(t, jose.JSONWebKeySet{Keys: keys}) }
	rsaPub := mustJSON(t, pub(&rk.PublicKey, "r"))
	for _, c := range []struct {
		name, jwks, says string // says "" for a set that parses
	}{
		{"RSA", set(pub(&rk.PublicKey, "r")), ""},
		{"EC and Ed25519", set(pub(&ek.PublicKey, "e"), pub(edPriv.Public(), "d")), ""},
		{"one key without kid", set(pub(&rk.PublicKey, "")), ""},
		{"not JSON", "{", "not a JSON object"},
		{"a list", "[]", "not a JSON object"},
		{"no keys", `{"keys": []}`, "no keys"},
		{"private RSA", set(pub(rk, "p")), `key 1 (kid "p") holds private key material ("d")`},
		{"private EC", set(pub(&ek.PublicKey, "e"), pub(ek, "pe")), `key 2 (kid "pe") holds private key material`},
		{"private Ed25519", set(pub(edPriv, "pd")), "private key material"},
		{"symmetric", `{"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}`, `key 1 (kid "s") is a symmetric (oct) key`},
		{"small RSA", set(pub(&small.PublicKey, "s")), "1024 bits"},
		{"duplicate kid", set(pub(&rk.PublicKey, "x"), pub(&ek.PublicKey, "x")), `two keys have kid "x"`},
		{"several without kid", set(pub(&rk.PublicKey, "r"), pub(&ek.PublicKey, "")), "each needs a kid"},
		{"encryption key", strings.Replace(set(pub(&rk.PublicKey, "r")), `"kty"`, `"use":"enc","kty"`, 1), `for "enc"`},
		{"HMAC alg", strings.Replace(set(pub(&rk.PublicKey, "r")), `"kty"`, `"alg":"HS256","kty"`, 1), `alg "HS256"`},
		{"unknown kty", `{"keys": [{"kty": "XYZ", "kid": "u"}]}`, "not a valid JWK"},
		{"broken RSA", `{"keys": [{"kty": "RSA", "kid": "b", "n": "AQAB"}]}`, "not a valid JWK"},
		{"too many", `{"keys": [` + strings.TrimSuffix(strings.Repeat(rsaPub+",", 21), ",") + `]}`, "over the limit"},
		{"too large", `{"keys": [], "pad": "` + strings.Repeat("x", access.MaxJWKSBytes) + `"}`, "over the limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			keys, err := access.ParseJWKS([]byte(c.jwks))
			if c.says == "" {
				if err != nil || len(keys) == 0 {
					t.Fatalf("%v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %v, want one saying %q", err, c.says)
			}
		})
	}
}

func TestParseClaimConditions(t *testing.T) {
	got, err := access.ParseClaimConditions([]string{"ref=refs/heads/main", "repository=acme/x=y"})
	if err != nil || len(got) != 2 || got[0].String() != "ref=refs/heads/main" || got[1].Value != "acme/x=y" {
		t.Fatalf("%v %v", got, err)
	}
	for _, c := range []struct {
		name  string
		conds []string
		says  string
	}{
		{"none", nil, "at least one"},
		{"no =", []string{"repository"}, "key=value"},
		{"empty key", []string{"=x"}, "both"},
		{"empty value", []string{"ref="}, "both"},
		{"twice", []string{"ref=a", "ref=b"}, "two conditions"},
		{"control", []string{"ref=a\nb"}, "control character"},
		{"spaced key", []string{" ref=a"}, "spaces"},
		{"too many", strings.Split(strings.Repeat("a=b,", 21), ",")[:21], "at most 20"},
		{"too long", []string{"a=" + strings.Repeat("x", 1001)}, "at most 1000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := access.ParseClaimConditions(c.conds); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("error %v, want one saying %q", err, c.says)
			}
		})
	}
}

func TestPolicyMatches(t *testing.T) {
	conds, _ := access.ParseClaimConditions([]string{"ref=refs/heads/main", "protected=true"})
	p := access.WorkloadPolicy{Claims: conds}
	for _, c := range []struct {
		claims map[string]any
		want   bool
	}{
		{map[string]any{"ref": "refs/heads/main", "protected": true}, true},
		{map[string]any{"ref": "refs/heads/main", "protected": "true"}, true},
		{map[string]any{"ref": "refs/heads/main", "protected": false}, false},
		{map[string]any{"ref": "refs/heads/main"}, false},
		{map[string]any{"ref": []any{"refs/heads/main"}, "protected": true}, false},
		{map[string]any{"ref": "refs/heads/mainx", "protected": true}, false},
		{map[string]any{"ref": nil, "protected": true}, false},
	} {
		if got := p.Matches(c.claims); got != c.want {
			t.Errorf("%v: %v, want %v", c.claims, got, c.want)
		}
	}
	n, _ := access.ParseClaimConditions([]string{"run=1"})
	if (&access.WorkloadPolicy{Claims: n}).Matches(map[string]any{"run": 1.0}) {
		t.Error("a number claim matched")
	}
}

// Secrets, issuers and policies survive a restart; issued tokens expire after an hour; an
// issuer given at start is kept in memory only and cannot be changed through the API.
func TestCredentialsPersistAndExpire(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reg, closeStore := openRegistry(t, dir)
	now := time.Now()
	access.SetClock(reg, func() time.Time { return now })
	if _, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreatePrincipal(ctx, "acme", "workload", "ci"); err != nil {
		t.Fatal(err)
	}
	s, err := reg.CreateClientSecret(ctx, "acme", "workload:ci", "")
	if err != nil {
		t.Fatal(err)
	}
	if s.ClientID != access.ClientID("acme", "workload:ci") || !strings.HasPrefix(s.Secret, access.ClientSecretPrefix) || strings.Contains(s.Hash, s.Secret) {
		t.Fatalf("%+v", s)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keys := mustJSON(t, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ek.PublicKey, KeyID: "k"}}})
	if _, err := reg.AddTrustedIssuer(ctx, "acme", "https://ci.example.test", "tf", []byte(keys)); err != nil {
		t.Fatal(err)
	}
	pol, err := reg.CreateWorkloadPolicy(ctx, "acme", "ci", "https://ci.example.test", []string{"sub=job"})
	if err != nil {
		t.Fatal(err)
	}
	iss, err := reg.ClientCredentials(ctx, s.ClientID, s.Secret)
	if err != nil {
		t.Fatal(err)
	}
	closeStore()

	reg, closeStore = openRegistry(t, dir)
	defer closeStore()
	access.SetClock(reg, func() time.Time { return now })
	if l, err := reg.ClientSecrets("acme", "workload:ci"); err != nil || len(l) != 1 || l[0].ID != s.ID {
		t.Fatalf("secrets after a restart: %v %v", l, err)
	}
	if l := reg.WorkloadPolicies("acme", "workload:ci"); len(l) != 1 || l[0].ID != pol.ID {
		t.Fatalf("policies after a restart: %v", l)
	}
	if l := reg.TrustedIssuers("acme"); len(l) != 1 || l[0].KeyIDs()[0] != "k" {
		t.Fatalf("issuers after a restart: %v", l)
	}
	if p, _, err := reg.Authenticate(iss.Secret); err != nil || p.Ref() != "workload:ci" {
		t.Fatalf("the issued token after a restart: %v %v", p, err)
	}
	// An hour later the issued token is refused, and the next issue drops it.
	now = now.Add(access.IssuedTokenLifetime)
	if _, _, err := reg.Authenticate(iss.Secret); !errors.Is(err, access.ErrBadToken) {
		t.Fatalf("an expired issued token: %v", err)
	}
	if _, err := reg.ClientCredentials(ctx, s.ClientID, s.Secret); err != nil {
		t.Fatal(err)
	}
	if n := len(reg.Tokens("acme", "workload:ci")); n != 1 {
		t.Fatalf("%d tokens after issuing again, want the expired one dropped", n)
	}
	// A JWT signed now verifies; the exchange issues a token of ci.
	sg, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: ek}, nil)
	raw, _ := jwt.Signed(sg).Claims(jwt.Claims{Issuer: "https://ci.example.test", Audience: jwt.Audience{"tf"}, Subject: "job",
		Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).Serialize()
	if got, err := reg.ExchangeToken(ctx, raw); err != nil || got.Token.Principal != "workload:ci" {
		t.Fatalf("exchange: %v %v", got, err)
	}
	// Within the leeway an expired JWT still passes; past it, not.
	now = now.Add(time.Minute + access.ClockLeeway - time.Second)
	if _, err := reg.ExchangeToken(ctx, raw); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	now = now.Add(2 * time.Second)
	var oe *access.OAuthError
	if _, err := reg.ExchangeToken(ctx, raw); !errors.As(err, &oe) || oe.Code != "invalid_grant" || !strings.Contains(oe.Msg, "expired") {
		t.Fatalf("past the leeway: %v", err)
	}

	// Issuers from the --trusted-issuers file.
	if err := reg.ConfigureIssuers([]access.IssuerConfig{{Org: "acme", Issuer: "https://ci.example.test", Audience: "tf", JWKS: []byte(keys)}}); err == nil || !strings.Contains(err.Error(), "through the API already") {
		t.Fatalf("a file issuer the store holds: %v", err)
	}
	if err := reg.ConfigureIssuers([]access.IssuerConfig{{Org: "nope", Issuer: "https://x.example.test", Audience: "tf", JWKS: []byte(keys)}}); err == nil || !strings.Contains(err.Error(), `org "nope"`) {
		t.Fatalf("a file issuer of no org: %v", err)
	}
	if err := reg.ConfigureIssuers([]access.IssuerConfig{{Org: "acme", Issuer: "https://file.example.test", Audience: "tf", JWKS: []byte(keys)}}); err != nil {
		t.Fatal(err)
	}
	_, err = reg.AddTrustedIssuer(ctx, "acme", "https://file.example.test", "tf", []byte(keys))
	if catalog.KindOf(err) != catalog.Conflict {
		t.Fatalf("changing a file issuer through the API: %v", err)
	}
	if _, err := reg.RemoveTrustedIssuer(ctx, "acme", "https://file.example.test"); catalog.KindOf(err) != catalog.Conflict {
		t.Fatalf("removing a file issuer through the API: %v", err)
	}
}

func FuzzParseJWKS(f *testing.F) {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f.Add(mustJSON(f, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ek.PublicKey, KeyID: "k"}}}))
	f.Add(`{"keys": [{"kty": "oct", "k": "AA"}]}`)
	f.Add(`{"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := access.ParseJWKS([]byte(s))
		if err == nil {
			for _, k := range keys {
				if !k.IsPublic() {
					t.Fatalf("a non-public key was accepted: %s", s)
				}
			}
		}
	})
}

func FuzzParseClaimConditions(f *testing.F) {
	f.Add("ref=refs/heads/main")
	f.Add("=")
	f.Add("a=b=c")
	f.Fuzz(func(t *testing.T, s string) {
		conds, err := access.ParseClaimConditions([]string{s})
		if err == nil && (len(conds) != 1 || conds[0].String() != s) {
			t.Fatalf("%q parsed to %v", s, conds)
		}
	})
}

// FuzzVerifyJWT feeds arbitrary subject tokens to the verifier: it never panics and never
// accepts one it did not sign.
func FuzzVerifyJWT(f *testing.F) {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keys := mustJSON(f, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &ek.PublicKey, KeyID: "k"}}})
	sg, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: ek}, nil)
	good, _ := jwt.Signed(sg).Claims(jwt.Claims{Issuer: "https://ci.example.test", Audience: jwt.Audience{"tf"},
		Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}).Serialize()
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.")
	f.Add("a.b.c")
	ctx := context.Background()
	store, err := badgerstore.Open(badgerstore.Options{Dir: f.TempDir(), GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	reg, err := access.OpenRegistry(ctx, store)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil }); err != nil {
		f.Fatal(err)
	}
	if _, err := reg.AddTrustedIssuer(ctx, "acme", "https://ci.example.test", "tf", []byte(keys)); err != nil {
		f.Fatal(err)
	}
	is := reg.TrustedIssuers("acme")[0]
	f.Fuzz(func(t *testing.T, s string) {
		claims, err := access.VerifyJWT(s, &is, time.Now())
		// base64 may spell the same bytes twice, so a token that passes must carry the
		// signed claims, not be the same text.
		if err == nil && (claims["iss"] != "https://ci.example.test" || len(claims) != 3) {
			t.Fatalf("accepted a token it did not sign: %q (%v)", s, claims)
		}
	})
}

// Tokens issued while their secret is being revoked: once RevokeClientSecret returns, none
// of them authenticates (run with -race).
func TestRevokeWhileIssuing(t *testing.T) {
	ctx := context.Background()
	reg, closeStore := openRegistry(t, t.TempDir())
	defer closeStore()
	if _, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreatePrincipal(ctx, "acme", "workload", "svc"); err != nil {
		t.Fatal(err)
	}
	s, err := reg.CreateClientSecret(ctx, "acme", "svc", "")
	if err != nil {
		t.Fatal(err)
	}
	issued := make(chan string, 400)
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				if got, err := reg.ClientCredentials(ctx, s.ClientID, s.Secret); err == nil {
					issued <- got.Secret
				}
			}
		}()
	}
	first := <-issued // revoke while the others are still issuing
	if ok, err := reg.RevokeClientSecret(ctx, "acme", s.ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	for range 4 {
		<-done
	}
	close(issued)
	n := 0
	for tok := range func(yield func(string) bool) {
		if yield(first) {
			for tok := range issued {
				if !yield(tok) {
					return
				}
			}
		}
	} {
		n++
		if _, _, err := reg.Authenticate(tok); err == nil {
			t.Fatal("a token of the revoked secret still authenticates")
		}
	}
	if _, err := reg.ClientCredentials(ctx, s.ClientID, s.Secret); err == nil {
		t.Fatal("the revoked secret still works")
	}
	t.Logf("%d tokens issued before the revocation, all refused after it", n)
}
