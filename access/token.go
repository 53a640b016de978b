package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tagflow/tagflow/catalog"
)

// Tokens (DESIGN §5, issue 8 item 6): a token is 256 random bits, shown once to its
// creator and stored only as its SHA-256; it may expire; it is revoked at once. A token
// carries no scopes: the caller it authenticates is its principal, so it never has more
// rights than that principal. Users and workloads hold tokens; teams, groups and the org
// do not (they are never a request's caller).

// TokenPrefix starts every token made now, personal access tokens and the admin's alike,
// so that secret scanners can find leaked ones.
const TokenPrefix = "tfp_"

// LegacyTokenPrefix started the tokens made before TokenPrefix; they stay valid.
const LegacyTokenPrefix = "tf_"

// MaxTokenLifetime is the longest lifetime a token may be given; a token may also never
// expire (lifetime 0).
const MaxTokenLifetime = 365 * 24 * time.Hour

// MaxTokenName is the longest token name, in characters.
const MaxTokenName = 100

// MaxTokensPerPrincipal bounds the tokens one principal holds, expired ones included
// (revoke one to make another), so that a listing stays small.
const MaxTokensPerPrincipal = 100

// LastUsedFlush is how often, at most, last-used times are written to the store; in
// memory they are kept to the second (LastUsedPrecision).
const (
	LastUsedFlush     = time.Minute
	LastUsedPrecision = time.Second
)

// Token is the stored record of an access token. The secret itself is never stored: only
// its SHA-256, which is enough for tokens of 256 random bits.
type Token struct {
	ID        string     `json:"id"`
	Hash      string     `json:"hash"`
	Org       string     `json:"org"`
	Principal string     `json:"principal"` // reference, e.g. user:admin
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	// LastUsedAt is when the token last authenticated a request, to LastUsedPrecision;
	// nil if never. In the store it lags by up to LastUsedFlush.
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	// Source is what issued the token through POST /oauth/token ("clientSecret:ID" or
	// "policy:ID", credentials.go): revoking it revokes the token. "" for a token made with
	// createToken.
	Source string `json:"source,omitempty"`

	use *tokenUse // shared by the copies of the registry's record
}

// tokenUse is the in-memory last use of a token.
type tokenUse struct {
	at      atomic.Int64 // unix ns of the last use, 0 if never
	written int64        // the value last written to the store; guarded by Registry.flushMu
}

// Expired reports whether the token has expired at now.
func (t *Token) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// withLastUse is t with LastUsedAt from its in-memory last use.
func (t Token) withLastUse() Token {
	if t.use != nil {
		if ns := t.use.at.Load(); ns != 0 {
			at := time.Unix(0, ns).UTC()
			t.LastUsedAt = &at
		}
	}
	return t
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns a new random token and its hash.
func newSecret() (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("access: no randomness: " + err.Error()) // crypto/rand does not fail on Linux
	}
	token = TokenPrefix + strings.ToLower(b32.EncodeToString(b[:]))
	return token, hashToken(token)
}

func newID(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("access: no randomness: " + err.Error())
	}
	return prefix + hex.EncodeToString(b[:])
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// addToken indexes t, with its last use as stored. Called with r.mu held (or before the
// registry is shared).
func (r *Registry) addToken(t *Token) {
	t.use = &tokenUse{}
	if t.LastUsedAt != nil {
		ns := t.LastUsedAt.UnixNano()
		t.use.at.Store(ns)
		t.use.written = ns
	}
	r.tokens[t.Hash] = t
	r.tokenIDs[t.ID] = t.Hash
}

// NewToken is a token as its creator sees it, once.
type NewToken struct {
	Token
	Secret string
}

// ValidateTokenName checks a token's name: 1 to MaxTokenName printable characters, not
// only spaces.
func ValidateTokenName(name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name):
		return fmt.Errorf("a token's name must be UTF-8 text")
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("a token needs a name (1 to %d characters), e.g. \"laptop\" or \"ci\"", MaxTokenName)
	case n > MaxTokenName:
		return fmt.Errorf("a token's name has at most %d characters, not %d", MaxTokenName, n)
	}
	for i, c := range name {
		if !unicode.IsPrint(c) {
			return fmt.Errorf("a token's name holds printable characters only; it has %q at byte %d", c, i)
		}
	}
	return nil
}

// CreateToken creates a token for principal, a user or workload of org; ttl 0 means it
// does not expire. Names are unique among a principal's tokens (Conflict).
func (r *Registry) CreateToken(ctx context.Context, org, principal, name string, ttl time.Duration) (NewToken, error) {
	const op = "createToken"
	if err := ValidateTokenName(name); err != nil {
		return NewToken{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Msg: err.Error()}
	}
	if ttl < 0 || ttl > MaxTokenLifetime {
		return NewToken{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument,
			Msg: fmt.Sprintf("a token's lifetime must be positive and at most %v (365 days), not %v; leave it out for a token that does not expire", MaxTokenLifetime, ttl)}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.lookup(op, org, principal)
	if err != nil {
		return NewToken{}, err
	}
	if !isMemberKind(p.Kind) {
		return NewToken{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: principal,
			Msg: fmt.Sprintf("%s cannot hold a token: only users and workloads do (a %s's members use their own)", principal, p.Kind)}
	}
	if p.Home != "" {
		return NewToken{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: principal,
			Msg: fmt.Sprintf("%s is a member from another org: its tokens are made in its home org, and act here with the X-Tagflow-Org header", principal)}
	}
	held := 0
	for _, t := range r.tokens {
		if t.Org != org || t.Principal != principal || t.Source != "" {
			continue // tokens issued by POST /oauth/token have their own bound (MaxIssuedTokens)
		}
		held++
		if t.Name == name {
			return NewToken{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: principal,
				Msg: fmt.Sprintf("%s already has a token named %q (%s); choose another name, or revoke that one first", principal, name, t.ID)}
		}
	}
	if held >= MaxTokensPerPrincipal {
		return NewToken{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: principal,
			Msg: fmt.Sprintf("%s holds %d tokens, the most one principal may; revoke some first", principal, held)}
	}
	secret, hash := newSecret()
	t := &Token{ID: newID("tok_"), Hash: hash, Org: org, Principal: principal, Name: name, CreatedAt: r.now().UTC()}
	if ttl > 0 {
		exp := t.CreatedAt.Add(ttl)
		t.ExpiresAt = &exp
	}
	err = r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, []byte(keyToken+hash), t); err != nil {
			return err
		}
		if err := tx.Set([]byte(keyTokenID+t.ID), []byte(hash)); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, principal, tokenDetails(t))
	})
	if err != nil {
		return NewToken{}, fmt.Errorf("%s: %w", op, err)
	}
	r.addToken(t)
	return NewToken{Token: *t, Secret: secret}, nil
}

// RevokeToken deletes a token at once: the next request that carries it is refused. It
// reports whether the token existed.
func (r *Registry) RevokeToken(ctx context.Context, id string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hash, ok := r.tokenIDs[id]
	if !ok {
		return false, nil
	}
	t := r.tokens[hash]
	err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Delete([]byte(keyToken + hash)); err != nil {
			return err
		}
		if err := tx.Delete([]byte(keyTokenID + id)); err != nil {
			return err
		}
		return audit(ctx, tx, t.Org, "revokeToken", t.Principal, tokenDetails(t))
	})
	if err != nil {
		return false, fmt.Errorf("revoke token %s: %w", id, err)
	}
	delete(r.tokens, hash)
	delete(r.tokenIDs, id)
	return true, nil
}

// Token returns the token with id, with its last use.
func (r *Registry) Token(id string) (Token, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t := r.tokens[r.tokenIDs[id]]
	if t == nil {
		return Token{}, false
	}
	return t.withLastUse(), true
}

// Tokens returns the tokens of principal in org, expired ones included, sorted by name,
// each with its last use.
func (r *Registry) Tokens(org, principal string) []Token {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Token
	for _, t := range r.tokens {
		if t.Org == org && t.Principal == principal {
			out = append(out, t.withLastUse())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ErrBadToken is the one answer to every token that does not authenticate: unknown,
// malformed, expired or revoked look the same from outside.
var ErrBadToken = &catalog.Error{Op: "authenticate", Kind: catalog.Unauthenticated, Msg: "the token is not valid (unknown, expired or revoked)"}

// Authenticate returns the principal and token of a bearer token (TokenPrefix, or
// LegacyTokenPrefix for tokens made before it), and notes the token's use: in memory, and
// in the store at most once per LastUsedFlush, by the request that finds the last write
// that old.
func (r *Registry) Authenticate(token string) (Principal, Token, error) {
	if len(token) > 200 || !(strings.HasPrefix(token, TokenPrefix) || strings.HasPrefix(token, LegacyTokenPrefix)) {
		return Principal{}, Token{}, ErrBadToken
	}
	// The token is found by its SHA-256, a map look-up, never compared by value: what a
	// look-up's timing could tell is about the hash of what the caller sent, not the secret.
	hash := hashToken(token)
	now := r.now()
	r.mu.RLock()
	t := r.tokens[hash]
	if t == nil || t.Expired(now) {
		r.mu.RUnlock()
		return Principal{}, Token{}, ErrBadToken
	}
	p := r.principals[t.Org][t.Principal]
	if p == nil {
		r.mu.RUnlock()
		return Principal{}, Token{}, ErrBadToken
	}
	pc, tc := *p, *t
	if u := t.use; u != nil {
		ns := now.UnixNano()
		if ns-u.at.Load() >= int64(LastUsedPrecision) { // one write a second, not one a request
			u.at.Store(ns)
		}
	}
	r.mu.RUnlock()
	if ns := now.UnixNano(); ns-r.flushedAt.Load() >= int64(LastUsedFlush) && r.flushMu.TryLock() {
		// Best effort: a failed write is tried again a minute later.
		_ = r.flushLocked(context.Background(), now)
		r.flushMu.Unlock()
	}
	return pc, tc, nil
}

// FlushLastUsed writes the last-used times not yet in the store; the server calls it at
// shutdown, after the last request.
func (r *Registry) FlushLastUsed(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	return r.flushLocked(ctx, r.now())
}

// flushLocked writes the tokens whose last use changed since their last write, in one
// transaction. Called with r.flushMu held. It holds r.mu for reading across the write, so
// that a token revoked meanwhile (which takes r.mu for writing) is never written back.
func (r *Registry) flushLocked(ctx context.Context, now time.Time) error {
	defer r.flushedAt.Store(now.UnixNano()) // also after a failure: one try a minute
	r.mu.RLock()
	defer r.mu.RUnlock()
	type change struct {
		t  *Token
		at int64
	}
	var changes []change
	for _, t := range r.tokens {
		if at := t.use.at.Load(); at != t.use.written {
			changes = append(changes, change{t, at})
		}
	}
	if len(changes) > 0 {
		err := r.store.Update(ctx, func(tx catalog.Txn) error {
			for _, c := range changes {
				rec := *c.t
				at := time.Unix(0, c.at).UTC()
				rec.LastUsedAt = &at
				if err := putJSON(tx, []byte(keyToken+rec.Hash), &rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("write the last use of %d token(s): %w", len(changes), err)
		}
		for _, c := range changes {
			c.t.use.written = c.at
		}
	}
	return nil
}
