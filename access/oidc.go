package access

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tagflow/tagflow/catalog"
)

// OIDC token exchange (RFC 8693; DESIGN §5). A trusted issuer of an org is an issuer URL,
// the audience its JWTs must carry, and its public keys as a JSON Web Key Set, given inline
// or in a file at start: tagflow never fetches keys. A workload policy maps the JWTs of one
// issuer whose claims all match its conditions ("key=value") to one workload.
//
// Verification (VerifyJWT) allows only asymmetric signatures (AllowedAlgorithms); alg
// "none" and every HMAC are refused before a key is looked at, so a public key can never
// serve as an HMAC secret. A JWKS of several keys needs the JWT's kid to name one; with one
// key a kid is optional, but a kid that names another key is refused. A key with an alg
// member verifies that alg only. exp is required; exp, nbf and iat are checked with
// ClockLeeway; iss must equal the issuer and aud contain the audience. A JWT is at most
// MaxJWTBytes.
//
// A condition "key=value" matches a top-level claim: a string claim equal to value, or a
// boolean claim when value is "true" or "false". A number, array, object or null claim
// never matches (numbers have several spellings; a list's "contains" is not equality).

// AllowedAlgorithms are the JWS algorithms a subject token may be signed with.
var AllowedAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// Limits of the token exchange.
const (
	MaxJWTBytes        = 16 << 10 // a subject token
	MaxJWKSBytes       = 64 << 10 // a trusted issuer's key set
	MaxJWKSKeys        = 20
	MaxIssuersPerOrg   = 50
	MaxPoliciesPerOrg  = 1000
	MaxClaimConditions = 20
	MaxClaimBytes      = 1000 // a condition's key or value
	ClockLeeway        = 30 * time.Second
	minRSABits         = 2048
)

const (
	keyIssuer = "ac\x00is\x00" // + org \0 issuer URL -> TrustedIssuer (JSON)
	keyPolicy = "ac\x00wp\x00" // + id -> WorkloadPolicy (JSON)
)

// TrustedIssuer is an OIDC issuer whose JWTs an org exchanges for tokens.
type TrustedIssuer struct {
	Org       string          `json:"org"`
	Issuer    string          `json:"issuer"`
	Audience  string          `json:"audience"`
	JWKS      json.RawMessage `json:"jwks"`
	CreatedAt time.Time       `json:"createdAt"`
	// FromFile marks an issuer of the server's --trusted-issuers file: kept in memory only,
	// read again at every start, and not removable through the API.
	FromFile bool `json:"-"`

	keys []jose.JSONWebKey
}

// KeyIDs returns the kids of the issuer's keys ("" for a key without one).
func (t TrustedIssuer) KeyIDs() []string {
	out := make([]string, len(t.keys))
	for i, k := range t.keys {
		out[i] = k.KeyID
	}
	return out
}

// WorkloadPolicy maps the JWTs of Issuer whose claims match every condition to Workload.
type WorkloadPolicy struct {
	ID        string           `json:"id"`
	Org       string           `json:"org"`
	Workload  string           `json:"workload"` // workload:NAME
	Issuer    string           `json:"issuer"`
	Claims    []ClaimCondition `json:"claims"` // sorted by key
	CreatedAt time.Time        `json:"createdAt"`
}

// ClaimCondition is one "key=value" condition of a workload policy.
type ClaimCondition struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (c ClaimCondition) String() string { return c.Key + "=" + c.Value }

func (c *credentials) addIssuer(is *TrustedIssuer) {
	m := c.issuers[is.Org]
	if m == nil {
		m = map[string]*TrustedIssuer{}
		c.issuers[is.Org] = m
	}
	m[is.Issuer] = is
}

// ValidateIssuerURL checks an issuer: an https URL with a host and no query or fragment
// (OIDC Discovery §3), at most 1000 bytes.
func ValidateIssuerURL(s string) error {
	if len(s) > 1000 {
		return fmt.Errorf("an issuer is at most 1000 bytes, not %d", len(s))
	}
	u, err := url.Parse(s)
	switch {
	case s == "":
		return fmt.Errorf("an issuer is needed: the https URL its JWTs name in iss, e.g. https://token.actions.githubusercontent.com")
	case err != nil:
		return fmt.Errorf("issuer %q is not a URL: %v", s, err)
	case u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("issuer %q must be an https URL with a host, e.g. https://token.actions.githubusercontent.com", s)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("issuer %q must have no query, fragment or user info", s)
	}
	return nil
}

func validateAudience(s string) error {
	if s == "" || len(s) > MaxClaimBytes {
		return fmt.Errorf("an audience is 1 to %d bytes, the aud your platform puts in its JWTs for tagflow", MaxClaimBytes)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) {
		return fmt.Errorf("audience %q holds a space or a control character", s)
	}
	return nil
}

// privateMembers are the JWK members that hold private or symmetric key material.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"}

// ParseJWKS parses a JSON Web Key Set of public signing keys. It refuses, naming the key
// and the problem, a set that is not JSON, has no keys or more than MaxJWKSKeys, a
// symmetric ("oct") or private key, a key not for signatures, an alg that is not allowed,
// an RSA key under 2048 bits, and two keys with one kid or, with several keys, a key
// without a kid.
func ParseJWKS(raw []byte) ([]jose.JSONWebKey, error) {
	if len(raw) > MaxJWKSBytes {
		return nil, fmt.Errorf("the JWKS is %d bytes, over the limit of %d", len(raw), MaxJWKSBytes)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("the JWKS is not a JSON object with \"keys\": %v", err)
	}
	switch {
	case len(set.Keys) == 0:
		return nil, fmt.Errorf(`the JWKS has no keys: expected {"keys": [{"kty": "RSA", ...}]}`)
	case len(set.Keys) > MaxJWKSKeys:
		return nil, fmt.Errorf("the JWKS has %d keys, over the limit of %d", len(set.Keys), MaxJWKSKeys)
	}
	keys := make([]jose.JSONWebKey, 0, len(set.Keys))
	kids := map[string]bool{}
	for i, rk := range set.Keys {
		where := fmt.Sprintf("key %d", i+1)
		var members map[string]json.RawMessage
		if err := json.Unmarshal(rk, &members); err != nil {
			return nil, fmt.Errorf("%s of the JWKS is not a JSON object: %v", where, err)
		}
		var kid string
		if v, ok := members["kid"]; ok {
			if err := json.Unmarshal(v, &kid); err != nil {
				return nil, fmt.Errorf("%s: kid is not a string", where)
			}
			where = fmt.Sprintf("key %d (kid %q)", i+1, kid)
		}
		var kty string
		_ = json.Unmarshal(members["kty"], &kty)
		if kty == "oct" {
			return nil, fmt.Errorf("%s is a symmetric (oct) key: only public keys of RSA, EC or OKP are trusted, never a shared secret", where)
		}
		for _, m := range privateMembers {
			if _, ok := members[m]; ok {
				return nil, fmt.Errorf("%s holds private key material (%q): give only the public key; and since it was shared, replace that key", where, m)
			}
		}
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(rk); err != nil {
			return nil, fmt.Errorf("%s is not a valid JWK: %v", where, strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
		}
		if !k.IsPublic() || !k.Valid() {
			return nil, fmt.Errorf("%s is not a valid public key", where)
		}
		switch pk := k.Key.(type) {
		case *rsa.PublicKey:
			if pk.N.BitLen() < minRSABits {
				return nil, fmt.Errorf("%s is an RSA key of %d bits; at least %d are needed", where, pk.N.BitLen(), minRSABits)
			}
		case *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			return nil, fmt.Errorf("%s has a key type tagflow does not verify (%s); use RSA, EC or Ed25519", where, kty)
		}
		if k.Use != "" && k.Use != "sig" {
			return nil, fmt.Errorf("%s is for %q, not for signatures (use \"sig\")", where, k.Use)
		}
		if k.Algorithm != "" && !slices.Contains(AllowedAlgorithms, jose.SignatureAlgorithm(k.Algorithm)) {
			return nil, fmt.Errorf("%s has alg %q; allowed are %s", where, k.Algorithm, algList())
		}
		if kids[kid] {
			if kid == "" {
				return nil, fmt.Errorf("%s has no kid, like another key: with several keys each needs a kid of its own", where)
			}
			return nil, fmt.Errorf("%s: two keys have kid %q; each needs a kid of its own", where, kid)
		}
		kids[kid] = true
		keys = append(keys, k)
	}
	if len(keys) > 1 && kids[""] {
		return nil, fmt.Errorf("the JWKS has %d keys and one without a kid: with several keys each needs a kid, so that a JWT names the key it was signed with", len(keys))
	}
	return keys, nil
}

func algList() string {
	s := make([]string, len(AllowedAlgorithms))
	for i, a := range AllowedAlgorithms {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// AddTrustedIssuer trusts issuer for org: its JWTs carrying audience and signed by a key
// of jwks may be exchanged. Adding an issuer that org trusts already replaces its audience
// and keys (key rotation). An issuer of the --trusted-issuers file is Conflict.
func (r *Registry) AddTrustedIssuer(ctx context.Context, org, issuer, audience string, jwks []byte) (TrustedIssuer, error) {
	const op = "addTrustedIssuer"
	is, err := newIssuer(org, issuer, audience, jwks)
	if err != nil {
		return TrustedIssuer{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: issuer, Msg: err.Error()}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.creds.issuers[org][issuer]
	if old != nil && old.FromFile {
		return TrustedIssuer{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: issuer,
			Msg: fmt.Sprintf("issuer %s is configured by the server's --trusted-issuers file; change it there", issuer)}
	}
	if old == nil && len(r.creds.issuers[org]) >= MaxIssuersPerOrg {
		return TrustedIssuer{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: issuer,
			Msg: fmt.Sprintf("org %q trusts %d issuers, the most it may; remove one first", org, MaxIssuersPerOrg)}
	}
	is.CreatedAt = r.now().UTC()
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, issuerKey(org, issuer), is); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, "issuer:"+issuer,
			map[string]any{"issuer": issuer, "audience": is.Audience, "keyIds": is.KeyIDs(), "replaced": old != nil})
	}); err != nil {
		return TrustedIssuer{}, fmt.Errorf("%s %s: %w", op, issuer, err)
	}
	r.creds.addIssuer(is)
	return *is, nil
}

func issuerKey(org, issuer string) []byte { return []byte(keyIssuer + org + "\x00" + issuer) }

// newIssuer checks and parses a trusted issuer; the JWKS is kept compact.
func newIssuer(org, issuer, audience string, jwks []byte) (*TrustedIssuer, error) {
	if err := ValidateIssuerURL(issuer); err != nil {
		return nil, err
	}
	if err := validateAudience(audience); err != nil {
		return nil, err
	}
	keys, err := ParseJWKS(jwks)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, jwks); err != nil {
		return nil, fmt.Errorf("the JWKS is not JSON: %v", err)
	}
	return &TrustedIssuer{Org: org, Issuer: issuer, Audience: audience, JWKS: buf.Bytes(), keys: keys}, nil
}

// IssuerConfig is a trusted issuer as the server's --trusted-issuers file gives it.
type IssuerConfig struct {
	Org      string
	Issuer   string
	Audience string
	JWKS     []byte
}

// ConfigureIssuers trusts issuers given at start (in memory only; they are read again at
// every start). An issuer that the store holds for the same org, a repeated one, or an org
// that has no principals is an error naming it.
func (r *Registry) ConfigureIssuers(list []IssuerConfig) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	var add []*TrustedIssuer
	for i, c := range list {
		where := fmt.Sprintf("trusted issuer %d (%s)", i+1, c.Issuer)
		if r.principals[c.Org] == nil {
			return fmt.Errorf("%s: org %q does not exist", where, c.Org)
		}
		is, err := newIssuer(c.Org, c.Issuer, c.Audience, c.JWKS)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if seen[c.Org+"\x00"+c.Issuer] {
			return fmt.Errorf("%s: org %q lists this issuer twice", where, c.Org)
		}
		seen[c.Org+"\x00"+c.Issuer] = true
		if old := r.creds.issuers[c.Org][c.Issuer]; old != nil && !old.FromFile {
			return fmt.Errorf("%s: org %q trusts this issuer through the API already; remove it there (tagflow issuer remove) or from the file", where, c.Org)
		}
		is.FromFile = true
		is.CreatedAt = r.now().UTC()
		add = append(add, is)
	}
	for _, is := range add {
		r.creds.addIssuer(is)
	}
	return nil
}

// TrustedIssuers returns the issuers org trusts, sorted by URL.
func (r *Registry) TrustedIssuers(org string) []TrustedIssuer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []TrustedIssuer
	for _, is := range r.creds.issuers[org] {
		out = append(out, *is)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Issuer < out[j].Issuer })
	return out
}

// RemoveTrustedIssuer stops trusting issuer in org, in one write with its workload
// policies and every token they issued: removing trust is how a leaked signing key is
// answered. It reports whether org trusted the issuer; one of the --trusted-issuers file
// is Conflict.
func (r *Registry) RemoveTrustedIssuer(ctx context.Context, org, issuer string) (bool, error) {
	const op = "removeTrustedIssuer"
	r.mu.Lock()
	defer r.mu.Unlock()
	is := r.creds.issuers[org][issuer]
	if is == nil {
		return false, nil
	}
	if is.FromFile {
		return false, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: issuer,
			Msg: fmt.Sprintf("issuer %s is configured by the server's --trusted-issuers file; remove it there and restart", issuer)}
	}
	var policies []*WorkloadPolicy
	var tokens []*Token
	for _, p := range r.creds.policies {
		if p.Org == org && p.Issuer == issuer {
			policies = append(policies, p)
			tokens = append(tokens, r.tokensFromLocked(sourcePolicy+p.ID)...)
		}
	}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Delete(issuerKey(org, issuer)); err != nil {
			return err
		}
		ids := make([]string, 0, len(policies))
		for _, p := range policies {
			if err := tx.Delete([]byte(keyPolicy + p.ID)); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		if err := deleteTokens(tx, tokens); err != nil {
			return err
		}
		sort.Strings(ids)
		return audit(ctx, tx, org, op, "issuer:"+issuer,
			map[string]any{"issuer": issuer, "policiesDeleted": ids, "tokensRevoked": len(tokens)})
	}); err != nil {
		return false, fmt.Errorf("%s %s: %w", op, issuer, err)
	}
	delete(r.creds.issuers[org], issuer)
	for _, p := range policies {
		delete(r.creds.policies, p.ID)
	}
	r.dropTokensLocked(tokens)
	return true, nil
}

// ParseClaimConditions parses "key=value" conditions: 1 to MaxClaimConditions, each key
// and value 1 to MaxClaimBytes printable bytes, the key without "=", no key twice. It
// returns them sorted by key.
func ParseClaimConditions(conds []string) ([]ClaimCondition, error) {
	if len(conds) == 0 {
		return nil, fmt.Errorf("a workload policy needs at least one claim condition (key=value, e.g. repository=acme/pipelines): without one every JWT of the issuer would match")
	}
	if len(conds) > MaxClaimConditions {
		return nil, fmt.Errorf("a workload policy has at most %d claim conditions, not %d", MaxClaimConditions, len(conds))
	}
	out := make([]ClaimCondition, 0, len(conds))
	seen := map[string]bool{}
	for i, s := range conds {
		k, v, ok := strings.Cut(s, "=")
		where := fmt.Sprintf("claims[%d] %q", i, s)
		switch {
		case !ok:
			return nil, fmt.Errorf("%s: a condition is key=value, e.g. ref=refs/heads/main", where)
		case k == "" || v == "":
			return nil, fmt.Errorf("%s: both the claim name and the value are needed (key=value)", where)
		case len(k) > MaxClaimBytes || len(v) > MaxClaimBytes:
			return nil, fmt.Errorf("%s: a claim name or value is at most %d bytes", where, MaxClaimBytes)
		case strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }):
			return nil, fmt.Errorf("%s holds a control character", where)
		case strings.TrimSpace(k) != k:
			return nil, fmt.Errorf("%s: the claim name has spaces around it", where)
		case seen[k]:
			return nil, fmt.Errorf("%s: claim %q has two conditions; a claim has one value", where, k)
		}
		seen[k] = true
		out = append(out, ClaimCondition{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// CreateWorkloadPolicy maps the JWTs of issuer (trusted by org) whose claims match every
// condition to workload ref. A policy that exists already (same workload, issuer and
// conditions) is answered, not made twice.
func (r *Registry) CreateWorkloadPolicy(ctx context.Context, org, ref, issuer string, claims []string) (WorkloadPolicy, error) {
	const op = "createWorkloadPolicy"
	conds, err := ParseClaimConditions(claims)
	if err != nil {
		return WorkloadPolicy{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref, Msg: err.Error()}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.workload(op, org, ref)
	if err != nil {
		return WorkloadPolicy{}, err
	}
	ref = p.Ref()
	if r.creds.issuers[org][issuer] == nil {
		return WorkloadPolicy{}, &catalog.Error{Op: op, Kind: catalog.NotFound, Path: issuer,
			Msg: fmt.Sprintf("org %q does not trust issuer %q; add it first (addTrustedIssuer)", org, issuer)}
	}
	n := 0
	for _, old := range r.creds.policies {
		if old.Org != org {
			continue
		}
		n++
		if old.Workload == ref && old.Issuer == issuer && slices.Equal(old.Claims, conds) {
			return *old, nil
		}
	}
	if n >= MaxPoliciesPerOrg {
		return WorkloadPolicy{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref,
			Msg: fmt.Sprintf("org %q has %d workload policies, the most it may; delete some first", org, n)}
	}
	wp := &WorkloadPolicy{ID: newID("wp_"), Org: org, Workload: ref, Issuer: issuer, Claims: conds, CreatedAt: r.now().UTC()}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, []byte(keyPolicy+wp.ID), wp); err != nil {
			return err
		}
		cs := make([]string, len(conds))
		for i, c := range conds {
			cs[i] = c.String()
		}
		return audit(ctx, tx, org, op, ref, map[string]any{"id": wp.ID, "issuer": issuer, "claims": cs})
	}); err != nil {
		return WorkloadPolicy{}, fmt.Errorf("%s %s: %w", op, ref, err)
	}
	r.creds.policies[wp.ID] = wp
	return *wp, nil
}

// WorkloadPolicies returns the policies of org, of workload ref when it is not "", sorted
// by workload, issuer and id.
func (r *Registry) WorkloadPolicies(org, ref string) []WorkloadPolicy {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []WorkloadPolicy
	for _, p := range r.creds.policies {
		if p.Org == org && (ref == "" || p.Workload == ref) {
			out = append(out, *p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Workload != b.Workload {
			return a.Workload < b.Workload
		}
		if a.Issuer != b.Issuer {
			return a.Issuer < b.Issuer
		}
		return a.ID < b.ID
	})
	return out
}

// DeleteWorkloadPolicy deletes policy id of org and the tokens it issued, in one write. It
// reports whether the policy existed in org.
func (r *Registry) DeleteWorkloadPolicy(ctx context.Context, org, id string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.creds.policies[id]
	if p == nil || p.Org != org {
		return false, nil
	}
	tokens := r.tokensFromLocked(sourcePolicy + id)
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Delete([]byte(keyPolicy + id)); err != nil {
			return err
		}
		if err := deleteTokens(tx, tokens); err != nil {
			return err
		}
		return audit(ctx, tx, org, "deleteWorkloadPolicy", p.Workload,
			map[string]any{"id": id, "issuer": p.Issuer, "tokensRevoked": len(tokens)})
	}); err != nil {
		return false, fmt.Errorf("deleteWorkloadPolicy %s: %w", id, err)
	}
	delete(r.creds.policies, id)
	r.dropTokensLocked(tokens)
	return true, nil
}

// VerifyJWT verifies raw, a compact JWS, against issuer is at now (see the rules at the
// top of this file) and returns its claims. The error says, for a person, what is wrong;
// it holds no key material and no claim of another org.
func VerifyJWT(raw string, is *TrustedIssuer, now time.Time) (map[string]any, error) {
	if len(raw) > MaxJWTBytes {
		return nil, fmt.Errorf("the subject token is %d bytes, over the limit of %d", len(raw), MaxJWTBytes)
	}
	tok, err := jwt.ParseSigned(raw, AllowedAlgorithms)
	if err != nil {
		return nil, describeParseError(raw, err)
	}
	if len(tok.Headers) != 1 {
		return nil, fmt.Errorf("the subject token must have exactly one signature")
	}
	h := tok.Headers[0]
	key, err := pickKey(is.keys, h.KeyID)
	if err != nil {
		return nil, err
	}
	if key.Algorithm != "" && key.Algorithm != h.Algorithm {
		return nil, fmt.Errorf("the subject token is signed with %s, but key %q is for %s only", h.Algorithm, key.KeyID, key.Algorithm)
	}
	var std jwt.Claims
	claims := map[string]any{}
	if err := tok.Claims(key.Key, &std, &claims); err != nil {
		if errors.Is(err, jose.ErrCryptoFailure) {
			return nil, fmt.Errorf("the subject token's signature does not verify with the issuer's key %q", key.KeyID)
		}
		return nil, fmt.Errorf("the subject token's signature or claims are not valid: %v", strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
	}
	if std.Expiry == nil {
		return nil, fmt.Errorf("the subject token has no exp claim; only tokens that expire are exchanged")
	}
	err = std.ValidateWithLeeway(jwt.Expected{Issuer: is.Issuer, AnyAudience: jwt.Audience{is.Audience}, Time: now}, ClockLeeway)
	switch {
	case err == nil:
		return claims, nil
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return nil, fmt.Errorf("the subject token's iss is %q, not %q", std.Issuer, is.Issuer)
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, fmt.Errorf("the subject token's aud does not contain the audience the issuer is trusted for; have the platform issue the token for that audience")
	case errors.Is(err, jwt.ErrExpired):
		return nil, fmt.Errorf("the subject token expired at %s (now %s); get a fresh one", std.Expiry.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrNotValidYet):
		return nil, fmt.Errorf("the subject token is not valid before %s (now %s)", std.NotBefore.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, fmt.Errorf("the subject token's iat is in the future (%s); check the clocks", std.IssuedAt.Time().UTC().Format(time.RFC3339))
	}
	return nil, fmt.Errorf("the subject token's claims are not valid: %v", err)
}

// describeParseError says why jwt.ParseSigned refused raw, naming a refused alg.
func describeParseError(raw string, err error) error {
	if strings.Count(raw, ".") != 2 {
		return fmt.Errorf("the subject token is not a JWT (three base64url parts separated by dots)")
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if first, _, ok := strings.Cut(raw, "."); ok {
		if dec, derr := decodeSegment(first); derr == nil {
			_ = json.Unmarshal(dec, &hdr)
		}
	}
	switch {
	case strings.EqualFold(hdr.Alg, "none"):
		return fmt.Errorf("the subject token is unsigned (alg none); only signed tokens are exchanged")
	case strings.HasPrefix(strings.ToUpper(hdr.Alg), "HS"):
		return fmt.Errorf("the subject token is signed with %s, a shared-secret algorithm; only %s are allowed", hdr.Alg, algList())
	case hdr.Alg != "":
		return fmt.Errorf("the subject token's alg %q is not allowed; allowed are %s", hdr.Alg, algList())
	}
	return fmt.Errorf("the subject token is not a valid signed JWT: %v", strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
}

// pickKey finds the key a JWT with kid names.
func pickKey(keys []jose.JSONWebKey, kid string) (jose.JSONWebKey, error) {
	if len(keys) == 1 {
		if kid == "" || kid == keys[0].KeyID {
			return keys[0], nil
		}
		return jose.JSONWebKey{}, fmt.Errorf("the subject token names key %q, which the issuer's JWKS does not hold", kid)
	}
	if kid == "" {
		return jose.JSONWebKey{}, fmt.Errorf("the subject token has no kid, and the issuer's JWKS has %d keys: the token's header must name its key", len(keys))
	}
	for _, k := range keys {
		if k.KeyID == kid {
			return k, nil
		}
	}
	return jose.JSONWebKey{}, fmt.Errorf("the subject token names key %q, which the issuer's JWKS does not hold", kid)
}

// Matches reports whether claims satisfy every condition of p.
func (p *WorkloadPolicy) Matches(claims map[string]any) bool {
	for _, c := range p.Claims {
		switch v := claims[c.Key].(type) {
		case string:
			if v != c.Value {
				return false
			}
		case bool:
			if (c.Value == "true") != v || (c.Value != "true" && c.Value != "false") {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// ExchangeToken exchanges an OIDC JWT for a token of the one workload whose policy it
// matches (RFC 8693). Every org that trusts the JWT's iss is tried; a JWT that verifies and
// matches policies of more than one workload is refused, without naming them. A failure is
// an *OAuthError with code invalid_grant.
func (r *Registry) ExchangeToken(ctx context.Context, raw string) (Issued, error) {
	fail := func(format string, args ...any) (Issued, error) {
		return Issued{}, &OAuthError{Code: "invalid_grant", Msg: fmt.Sprintf(format, args...)}
	}
	if len(raw) > MaxJWTBytes {
		return fail("the subject token is %d bytes, over the limit of %d", len(raw), MaxJWTBytes)
	}
	iss, err := unverifiedIssuer(raw)
	if err != nil {
		return fail("%v", err)
	}
	r.mu.RLock()
	var candidates []*TrustedIssuer
	for _, m := range r.creds.issuers {
		if is := m[iss]; is != nil {
			candidates = append(candidates, is)
		}
	}
	r.mu.RUnlock()
	if len(candidates) == 0 {
		return fail("the subject token's issuer %q is not trusted; an admin adds it with addTrustedIssuer", iss)
	}
	sort.Slice(candidates, func(i, j int) bool { return candidates[i].Org < candidates[j].Org })
	now := r.now()
	var firstErr error
	type match struct{ org, workload, policy string }
	var matches []match
	for _, is := range candidates {
		claims, err := VerifyJWT(raw, is, now)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		r.mu.RLock()
		for _, p := range r.creds.policies {
			if p.Org == is.Org && p.Issuer == iss && p.Matches(claims) {
				matches = append(matches, match{p.Org, p.Workload, p.ID})
			}
		}
		r.mu.RUnlock()
	}
	if len(matches) == 0 {
		if firstErr != nil {
			return fail("%v", firstErr)
		}
		return fail("the subject token verifies, but no workload policy of issuer %q matches its claims; an admin maps it with createWorkloadPolicy", iss)
	}
	sort.Slice(matches, func(i, j int) bool { return matches[i].policy < matches[j].policy })
	for _, m := range matches[1:] {
		if m.org != matches[0].org || m.workload != matches[0].workload {
			return fail("the subject token matches the policies of more than one workload, so it maps to none; make the policies' claim conditions narrower")
		}
	}
	iss2, err := r.issue(ctx, "exchangeToken", matches[0].org, matches[0].workload, sourcePolicy+matches[0].policy)
	if err != nil {
		var oe *OAuthError
		if errors.As(err, &oe) {
			oe.Code = "invalid_grant"
		}
		return Issued{}, err
	}
	return iss2, nil
}

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// unverifiedIssuer reads iss from a JWT before it is verified, only to find the keys to
// verify it with.
func unverifiedIssuer(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("the subject token is not a JWT (three base64url parts separated by dots)")
	}
	b, err := decodeSegment(parts[1])
	if err != nil {
		return "", fmt.Errorf("the subject token's payload is not base64url: %v", err)
	}
	var c struct {
		Issuer any `json:"iss"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return "", fmt.Errorf("the subject token's payload is not a JSON object")
	}
	s, ok := c.Issuer.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("the subject token has no iss claim naming its issuer")
	}
	return s, nil
}
