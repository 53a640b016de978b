package access

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tagflow/tagflow/catalog"
)

// Workload credentials (DESIGN §5, issue 9 item 2): client secrets for the OAuth2
// client_credentials grant, and (oidc.go) trusted OIDC issuers and workload policies for
// the RFC 8693 token exchange. Both end in an issued token: an ordinary bearer token of the
// workload, short-lived (IssuedTokenLifetime), whose Token.Source names the secret or
// policy it came from, so that revoking that secret or policy revokes it too.
//
// A workload's client id is stable: ClientID(org, ref) derives it from the org and the
// workload's reference, so every secret of a workload shares it (rotation is adding a
// secret, moving the client to it, revoking the old one) and it names neither the org nor
// the workload. A secret is ClientSecretPrefix and 256 random bits, shown once, stored as
// its SHA-256; the client id is compared in constant time.

// ClientSecretPrefix starts every client secret, so that secret scanners can find leaked
// ones (tokens start with TokenPrefix).
const ClientSecretPrefix = "tfs_"

// ClientIDPrefix starts every client id.
const ClientIDPrefix = "tfc_"

// IssuedTokenLifetime is the lifetime of a token issued by POST /oauth/token.
const IssuedTokenLifetime = time.Hour

// MaxClientSecrets bounds the client secrets of one workload.
const MaxClientSecrets = 10

// MaxIssuedTokens bounds the live issued tokens of one workload; expired ones are dropped
// whenever the workload is issued a new one.
const MaxIssuedTokens = 1000

const keyClientSecret = "ac\x00cs\x00" // + id -> ClientSecret (JSON, with the hash)

// ClientSecret is the stored record of a client secret: never the secret, only its hash.
type ClientSecret struct {
	ID        string    `json:"id"`
	ClientID  string    `json:"clientId"`
	Name      string    `json:"name"`
	Org       string    `json:"org"`
	Workload  string    `json:"workload"` // reference, workload:NAME
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"createdAt"`
}

// NewClientSecret is a client secret as its creator sees it, once.
type NewClientSecret struct {
	ClientSecret
	Secret string
}

// Token sources: Token.Source of an issued token.
const (
	sourceSecret = "clientSecret:" // + secret id
	sourcePolicy = "policy:"       // + policy id
)

// credentials is the in-memory state of workload credentials, guarded by Registry.mu.
type credentials struct {
	secrets      map[string]*ClientSecret             // id -> secret
	secretHashes map[string]string                    // hash -> id
	issuers      map[string]map[string]*TrustedIssuer // org -> issuer URL -> issuer
	policies     map[string]*WorkloadPolicy           // id -> policy
}

// ClientID is the client id of workload ref of org: ClientIDPrefix and 24 hex digits of a
// SHA-256 of the two, the same for every secret of the workload.
func ClientID(org, ref string) string {
	h := sha256.Sum256([]byte("tagflow client id\x00" + org + "\x00" + ref))
	return ClientIDPrefix + hex.EncodeToString(h[:12])
}

// loadCredentials reads the client secrets, issuers and policies; OpenRegistry calls it.
func (r *Registry) loadCredentials(tx catalog.Txn) error {
	r.creds = &credentials{secrets: map[string]*ClientSecret{}, secretHashes: map[string]string{},
		issuers: map[string]map[string]*TrustedIssuer{}, policies: map[string]*WorkloadPolicy{}}
	if err := tx.Iterate([]byte(keyClientSecret), func(k, v []byte) error {
		var s ClientSecret
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("client secret %q: %w", k, err)
		}
		r.creds.secrets[s.ID] = &s
		r.creds.secretHashes[s.Hash] = s.ID
		return nil
	}); err != nil {
		return err
	}
	if err := tx.Iterate([]byte(keyIssuer), func(k, v []byte) error {
		var is TrustedIssuer
		if err := json.Unmarshal(v, &is); err != nil {
			return fmt.Errorf("trusted issuer %q: %w", k, err)
		}
		keys, err := ParseJWKS(is.JWKS)
		if err != nil {
			return fmt.Errorf("trusted issuer %s of org %q: %w", is.Issuer, is.Org, err)
		}
		is.keys = keys
		r.creds.addIssuer(&is)
		return nil
	}); err != nil {
		return err
	}
	return tx.Iterate([]byte(keyPolicy), func(k, v []byte) error {
		var p WorkloadPolicy
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("workload policy %q: %w", k, err)
		}
		r.creds.policies[p.ID] = &p
		return nil
	})
}

// workload finds workload ref of org, or says why not. Called with r.mu held.
func (r *Registry) workload(op, org, ref string) (*Principal, error) {
	if !strings.Contains(ref, ":") && catalog.ValidatePrincipalName(ref) == nil {
		ref = "workload:" + ref
	}
	p, err := r.lookup(op, org, ref)
	if err != nil {
		return nil, err
	}
	if p.Kind != "workload" {
		return nil, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref,
			Msg: fmt.Sprintf("%s is a %s; only workloads hold client secrets and workload policies", ref, p.Kind)}
	}
	return p, nil
}

// CreateClientSecret makes a client secret for workload ref of org (a reference, or a bare
// workload name); name is optional (default "secret N"), unique among the workload's
// secrets. The secret is in the answer only.
func (r *Registry) CreateClientSecret(ctx context.Context, org, ref, name string) (NewClientSecret, error) {
	const op = "createClientSecret"
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.workload(op, org, ref)
	if err != nil {
		return NewClientSecret{}, err
	}
	ref = p.Ref()
	held := r.clientSecretsLocked(org, ref)
	if len(held) >= MaxClientSecrets {
		return NewClientSecret{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref,
			Msg: fmt.Sprintf("%s holds %d client secrets, the most a workload may; revoke an old one first", ref, len(held))}
	}
	if name == "" {
		name = fmt.Sprintf("secret %d", len(held)+1)
	}
	if err := ValidateTokenName(name); err != nil {
		return NewClientSecret{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref,
			Msg: strings.Replace(err.Error(), "token", "client secret", 1)}
	}
	for _, s := range held {
		if s.Name == name {
			return NewClientSecret{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: ref,
				Msg: fmt.Sprintf("%s already has a client secret named %q (%s); choose another name", ref, name, s.ID)}
		}
	}
	token, _ := newSecret()
	secret := ClientSecretPrefix + strings.TrimPrefix(token, TokenPrefix)
	s := &ClientSecret{ID: newID("cs_"), ClientID: ClientID(org, ref), Name: name, Org: org, Workload: ref,
		Hash: hashToken(secret), CreatedAt: r.now().UTC()}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, []byte(keyClientSecret+s.ID), s); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, ref, map[string]string{"id": s.ID, "clientId": s.ClientID, "name": s.Name, "workload": ref})
	}); err != nil {
		return NewClientSecret{}, fmt.Errorf("%s %s: %w", op, ref, err)
	}
	r.creds.secrets[s.ID] = s
	r.creds.secretHashes[s.Hash] = s.ID
	return NewClientSecret{ClientSecret: *s, Secret: secret}, nil
}

// clientSecretsLocked returns the secrets of workload ref of org, sorted by creation.
func (r *Registry) clientSecretsLocked(org, ref string) []*ClientSecret {
	var out []*ClientSecret
	for _, s := range r.creds.secrets {
		if s.Org == org && s.Workload == ref {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ClientSecrets returns the client secrets of workload ref of org (without the secrets),
// oldest first; NotFound for an unknown workload.
func (r *Registry) ClientSecrets(org, ref string) ([]ClientSecret, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, err := r.workload("clientSecrets", org, ref)
	if err != nil {
		return nil, err
	}
	list := r.clientSecretsLocked(org, p.Ref())
	out := make([]ClientSecret, len(list))
	for i, s := range list {
		out[i] = *s
	}
	return out, nil
}

// ClientSecretByID returns client secret id.
func (r *Registry) ClientSecretByID(id string) (ClientSecret, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := r.creds.secrets[id]
	if s == nil {
		return ClientSecret{}, false
	}
	return *s, true
}

// RevokeClientSecret deletes client secret id of org and every token issued with it, in
// one write: the next request with one of those tokens is refused. It reports whether the
// secret existed in org.
func (r *Registry) RevokeClientSecret(ctx context.Context, org, id string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.creds.secrets[id]
	if s == nil || s.Org != org {
		return false, nil
	}
	tokens := r.tokensFromLocked(sourceSecret + id)
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Delete([]byte(keyClientSecret + id)); err != nil {
			return err
		}
		if err := deleteTokens(tx, tokens); err != nil {
			return err
		}
		return audit(ctx, tx, org, "revokeClientSecret", s.Workload,
			map[string]any{"id": id, "clientId": s.ClientID, "name": s.Name, "tokensRevoked": len(tokens)})
	}); err != nil {
		return false, fmt.Errorf("revokeClientSecret %s: %w", id, err)
	}
	delete(r.creds.secrets, id)
	delete(r.creds.secretHashes, s.Hash)
	r.dropTokensLocked(tokens)
	return true, nil
}

// tokensFromLocked returns the tokens whose Source is source. Called with r.mu held.
func (r *Registry) tokensFromLocked(source string) []*Token {
	var out []*Token
	for _, t := range r.tokens {
		if t.Source == source {
			out = append(out, t)
		}
	}
	return out
}

func deleteTokens(tx catalog.Txn, tokens []*Token) error {
	for _, t := range tokens {
		if err := tx.Delete([]byte(keyToken + t.Hash)); err != nil {
			return err
		}
		if err := tx.Delete([]byte(keyTokenID + t.ID)); err != nil {
			return err
		}
	}
	return nil
}

func (r *Registry) dropTokensLocked(tokens []*Token) {
	for _, t := range tokens {
		delete(r.tokens, t.Hash)
		delete(r.tokenIDs, t.ID)
	}
}

// credentialKeysLocked returns the store keys of the client secrets and workload policies
// of workload ref of org, which DeletePrincipal deletes with it (its tokens, issued ones
// included, go as every principal's do). Called with r.mu held.
func (r *Registry) credentialKeysLocked(org, ref string) [][]byte {
	var keys [][]byte
	for _, s := range r.creds.secrets {
		if s.Org == org && s.Workload == ref {
			keys = append(keys, []byte(keyClientSecret+s.ID))
		}
	}
	for _, p := range r.creds.policies {
		if p.Org == org && p.Workload == ref {
			keys = append(keys, []byte(keyPolicy+p.ID))
		}
	}
	return keys
}

// dropCredentialsLocked forgets what credentialKeysLocked named, once it is deleted.
func (r *Registry) dropCredentialsLocked(org, ref string) {
	for id, s := range r.creds.secrets {
		if s.Org == org && s.Workload == ref {
			delete(r.creds.secrets, id)
			delete(r.creds.secretHashes, s.Hash)
		}
	}
	for id, p := range r.creds.policies {
		if p.Org == org && p.Workload == ref {
			delete(r.creds.policies, id)
		}
	}
}

// ClientCredentials authenticates a client (RFC 6749 §4.4) and issues a token for its
// workload. A failure is an *OAuthError: invalid_client for an unknown client id, a wrong
// secret or a secret of another client, all alike from outside.
func (r *Registry) ClientCredentials(ctx context.Context, clientID, secret string) (Issued, error) {
	bad := &OAuthError{Code: "invalid_client", Msg: "client authentication failed: unknown client_id or wrong client_secret (a revoked secret, or one of a deleted workload, fails too)"}
	if len(secret) > 200 || len(clientID) > 200 || !strings.HasPrefix(secret, ClientSecretPrefix) {
		return Issued{}, bad
	}
	hash := hashToken(secret)
	r.mu.RLock()
	id, ok := r.creds.secretHashes[hash]
	var s ClientSecret
	if ok {
		s = *r.creds.secrets[id]
	}
	r.mu.RUnlock()
	if !ok || subtle.ConstantTimeCompare([]byte(s.ClientID), []byte(clientID)) != 1 {
		return Issued{}, bad
	}
	return r.issue(ctx, "clientCredentials", s.Org, s.Workload, sourceSecret+s.ID)
}

// Issued is a token issued by POST /oauth/token, as its client sees it once.
type Issued struct {
	Token  Token
	Secret string
}

// OAuthError is a refusal of POST /oauth/token with its RFC 6749 §5.2 error code; Msg is
// the error_description, which never holds a secret.
type OAuthError struct {
	Code string // invalid_request, invalid_client, invalid_grant, unsupported_grant_type, ...
	Msg  string
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Msg }

// issue makes a token of IssuedTokenLifetime for principal ref of org from source, in one
// write that also drops the workload's expired issued tokens.
func (r *Registry) issue(ctx context.Context, op, org, ref, source string) (Issued, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.principals[org][ref] == nil { // deleted meanwhile
		return Issued{}, &OAuthError{Code: "invalid_client", Msg: "the workload of these credentials no longer exists"}
	}
	// The source was checked under the read lock; it may have been revoked since, and a
	// token must never outlive the revocation of its source.
	if id, ok := strings.CutPrefix(source, sourceSecret); ok && r.creds.secrets[id] == nil {
		return Issued{}, &OAuthError{Code: "invalid_client", Msg: "client authentication failed: the secret was revoked"}
	}
	if id, ok := strings.CutPrefix(source, sourcePolicy); ok && r.creds.policies[id] == nil {
		return Issued{}, &OAuthError{Code: "invalid_grant", Msg: "the workload policy that matched was deleted meanwhile"}
	}
	now := r.now().UTC()
	var expired []*Token
	live := 0
	for _, t := range r.tokens {
		if t.Org != org || t.Principal != ref || t.Source == "" {
			continue
		}
		if t.Expired(now) {
			expired = append(expired, t)
		} else {
			live++
		}
	}
	if live >= MaxIssuedTokens {
		return Issued{}, &OAuthError{Code: "invalid_grant", Msg: fmt.Sprintf("this workload holds %d live issued tokens, the most it may; reuse a token until it expires (each lasts %v)", live, IssuedTokenLifetime)}
	}
	secret, hash := newSecret()
	exp := now.Add(IssuedTokenLifetime)
	id := newID("tok_")
	t := &Token{ID: id, Hash: hash, Org: org, Principal: ref, Name: "oauth " + source + " " + id,
		CreatedAt: now, ExpiresAt: &exp, Source: source}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := deleteTokens(tx, expired); err != nil {
			return err
		}
		if err := putJSON(tx, []byte(keyToken+hash), t); err != nil {
			return err
		}
		if err := tx.Set([]byte(keyTokenID+t.ID), []byte(hash)); err != nil {
			return err
		}
		// No caller is signed in on POST /oauth/token: the workload acts.
		return auditAs(ctx, tx, org, ref, op, ref,
			map[string]any{"tokenId": t.ID, "source": source, "expiresAt": exp, "expiredDropped": len(expired)})
	}); err != nil {
		return Issued{}, fmt.Errorf("%s: issue a token for %s: %w", op, ref, err)
	}
	r.dropTokensLocked(expired)
	r.addToken(t)
	return Issued{Token: *t, Secret: secret}, nil
}
