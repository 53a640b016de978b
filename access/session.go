package access

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tagflow/tagflow/catalog"
)

// Console sessions (issue 9 item 3): a user signs in with its password and gets a session,
// a random secret (SessionPrefix and 256 bits) that the browser keeps in a cookie and that
// is stored only as its SHA-256, like a token. A session has an absolute lifetime and an
// idle timeout; it ends at logout, when its user is deleted, and when its user's password
// changes (but for the session that changed it). Each session also has a CSRF token, which
// a request authenticated by the cookie must echo in a header (graphql's authenticate).
//
// The last use of a session is kept in memory and written to the store at most once every
// SessionSeenWrite, so that after a restart the idle timeout counts from at most that long
// before the true last use (a session may end that much early, never late).

// SessionPrefix starts every session secret.
const SessionPrefix = "tfs_"

// Session lifetimes: a session ends SessionLifetime after the login whatever happens, and
// earlier once unused for SessionIdleTimeout.
const (
	SessionLifetime    = 12 * time.Hour
	SessionIdleTimeout = 30 * time.Minute
	SessionSeenWrite   = 5 * time.Minute
)

// MaxSessionsPerUser bounds the sessions of one user: a new login beyond it ends the
// oldest, so that the sessions kept stay bounded by the users.
const MaxSessionsPerUser = 10

const (
	keyPassword = "ac\x00w\x00" // + org \x00 ref -> passwordRecord
	keySession  = "ac\x00s\x00" // + hash -> Session
)

// Session is the stored record of a console session; never its secret.
type Session struct {
	ID         string    `json:"id"` // public, for logs and the audit log
	Hash       string    `json:"hash"`
	Org        string    `json:"org"`
	Principal  string    `json:"principal"`
	CSRF       string    `json:"csrf"`
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt"` // absolute
	LastSeenAt time.Time `json:"lastSeenAt"`

	seen *sessionSeen // shared by the copies of the registry's record
}

type sessionSeen struct {
	at      atomic.Int64 // unix ns of the last use
	written atomic.Int64 // the value last written to the store
}

// NewSession is a session as its login sees it, once.
type NewSession struct {
	Session
	Secret string
}

type passwordRecord struct {
	Hash  string    `json:"hash"` // PHC string
	SetAt time.Time `json:"setAt"`
}

// authState is the registry's passwords and sessions; guarded by Registry.mu.
type authState struct {
	passwords map[string]map[string]*passwordRecord // org -> user ref -> record
	sessions  map[string]*Session                   // hash -> session
}

func passwordKey(org, ref string) []byte { return []byte(keyPassword + org + "\x00" + ref) }

// loadAuth reads the passwords and sessions; OpenRegistry calls it.
func (r *Registry) loadAuth(tx catalog.Txn) error {
	r.auth = authState{passwords: map[string]map[string]*passwordRecord{}, sessions: map[string]*Session{}}
	if err := tx.Iterate([]byte(keyPassword), func(k, v []byte) error {
		org, ref, ok := strings.Cut(string(k[len(keyPassword):]), "\x00")
		var p passwordRecord
		if err := json.Unmarshal(v, &p); err != nil || !ok {
			return fmt.Errorf("password record %q: bad record", org)
		}
		r.setPasswordRecord(org, ref, &p)
		return nil
	}); err != nil {
		return err
	}
	return tx.Iterate([]byte(keySession), func(k, v []byte) error {
		var s Session
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("session record: %w", err)
		}
		r.addSession(&s)
		return nil
	})
}

func (r *Registry) setPasswordRecord(org, ref string, p *passwordRecord) {
	m := r.auth.passwords[org]
	if m == nil {
		m = map[string]*passwordRecord{}
		r.auth.passwords[org] = m
	}
	m[ref] = p
}

func (r *Registry) addSession(s *Session) {
	s.seen = &sessionSeen{}
	s.seen.at.Store(s.LastSeenAt.UnixNano())
	s.seen.written.Store(s.LastSeenAt.UnixNano())
	r.auth.sessions[s.Hash] = s
}

// lastSeen is when s was last used.
func (s *Session) lastSeen() time.Time {
	if s.seen == nil {
		return s.LastSeenAt
	}
	return time.Unix(0, s.seen.at.Load())
}

// Expired reports whether s has passed its absolute lifetime or its idle timeout at now.
func (s *Session) Expired(now time.Time) bool {
	return !now.Before(s.ExpiresAt) || now.Sub(s.lastSeen()) >= SessionIdleTimeout
}

// ErrBadLogin is the one answer to a login that fails: an unknown org or user, a user
// without a password and a wrong password look the same from outside.
var ErrBadLogin = &catalog.Error{Op: "login", Kind: catalog.Unauthenticated, Msg: "wrong user or password"}

// ErrBadSession is the one answer to a session cookie that does not authenticate.
var ErrBadSession = &catalog.Error{Op: "authenticate", Kind: catalog.Unauthenticated,
	Msg: "the session is not valid (unknown, expired or ended); sign in again"}

// LoginOrg is the org a login names: org itself, or when it is empty the one org the store
// holds (InvalidArgument asking for it when there are several).
func (r *Registry) LoginOrg(org string) (string, error) {
	if org != "" {
		return org, nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var orgs []string
	for o, ps := range r.principals {
		if ps["org:"+o] != nil {
			orgs = append(orgs, o)
		}
	}
	if len(orgs) == 1 {
		return orgs[0], nil
	}
	return "", catalog.Errorf("login", catalog.InvalidArgument, "this server holds several orgs: name yours with \"org\"")
}

// SetPassword sets the password of user ref of org (a user reference, user:NAME), in one
// write, and ends every session of that user but keep (the hash of the session that made
// the change, or ""). It returns how many sessions it ended.
func (r *Registry) SetPassword(ctx context.Context, org, ref, password, keep string) (int, error) {
	const op = "setPassword"
	if err := ValidatePassword(password); err != nil {
		return 0, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref, Msg: err.Error()}
	}
	r.mu.RLock()
	p, err := r.lookup(op, org, ref)
	r.mu.RUnlock()
	if err != nil {
		return 0, err
	}
	if p.Kind != "user" {
		return 0, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref,
			Msg: fmt.Sprintf("%s cannot have a password: only users sign in with one (workloads use tokens or client credentials)", ref)}
	}
	rec := &passwordRecord{Hash: hashPassword(password), SetAt: r.now().UTC()} // slow: outside the lock
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.lookup(op, org, ref); err != nil { // deleted meanwhile
		return 0, err
	}
	var ended []*Session
	for _, s := range r.auth.sessions {
		if s.Org == org && s.Principal == ref && s.Hash != keep {
			ended = append(ended, s)
		}
	}
	err = r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, passwordKey(org, ref), rec); err != nil {
			return err
		}
		for _, s := range ended {
			if err := tx.Delete([]byte(keySession + s.Hash)); err != nil {
				return err
			}
		}
		return audit(ctx, tx, org, op, ref, map[string]int{"sessionsEnded": len(ended)})
	})
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", op, ref, err)
	}
	r.setPasswordRecord(org, ref, rec)
	for _, s := range ended {
		delete(r.auth.sessions, s.Hash)
	}
	return len(ended), nil
}

// HasPassword reports whether user ref of org has a password.
func (r *Registry) HasPassword(org, ref string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.auth.passwords[org][ref] != nil
}

// Login checks user's password in org and opens a session. Every failure is ErrBadLogin,
// and costs one password hash whether the user exists or not. A login also collects the
// expired sessions, and ends the user's oldest one beyond MaxSessionsPerUser.
func (r *Registry) Login(ctx context.Context, org, user, password string) (NewSession, error) {
	const op = "login"
	if len(password) > 4*MaxPasswordLength {
		return NewSession{}, catalog.Errorf(op, catalog.InvalidArgument, "a password has at most %d characters", MaxPasswordLength)
	}
	stored, ref := dummyHash(), ""
	r.mu.RLock()
	if om := r.members[org]; om != nil {
		if cand, ok := om.names[foldName(user)]; ok && strings.HasPrefix(cand, "user:") {
			if rec := r.auth.passwords[org][cand]; rec != nil {
				stored, ref = rec.Hash, cand
			}
		}
	}
	r.mu.RUnlock()
	if !verifyPassword(stored, password) || ref == "" {
		return NewSession{}, ErrBadLogin
	}
	now := r.now().UTC()
	secret, hash := newSessionSecret()
	s := &Session{ID: newID("ses_"), Hash: hash, Org: org, Principal: ref, CSRF: newCSRF(),
		CreatedAt: now, ExpiresAt: now.Add(SessionLifetime), LastSeenAt: now}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec := r.auth.passwords[org][ref]; rec == nil || rec.Hash != stored { // changed or deleted meanwhile
		return NewSession{}, ErrBadLogin
	}
	var ended, mine []*Session
	for _, o := range r.auth.sessions {
		switch {
		case o.Expired(now):
			ended = append(ended, o)
		case o.Org == org && o.Principal == ref:
			mine = append(mine, o)
		}
	}
	if len(mine) >= MaxSessionsPerUser {
		sort.Slice(mine, func(i, j int) bool { return mine[i].CreatedAt.Before(mine[j].CreatedAt) })
		ended = append(ended, mine[:len(mine)-MaxSessionsPerUser+1]...)
	}
	err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, []byte(keySession+hash), s); err != nil {
			return err
		}
		for _, o := range ended {
			if err := tx.Delete([]byte(keySession + o.Hash)); err != nil {
				return err
			}
		}
		// Nobody is signed in yet: the user acts. The session's id, never its secret.
		return auditAs(ctx, tx, org, ref, op, ref, map[string]any{"session": s.ID, "expiresAt": s.ExpiresAt})
	})
	if err != nil {
		return NewSession{}, fmt.Errorf("%s %s: %w", op, ref, err)
	}
	for _, o := range ended {
		delete(r.auth.sessions, o.Hash)
	}
	r.addSession(s)
	return NewSession{Session: *s, Secret: secret}, nil
}

func newSessionSecret() (secret, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("access: no randomness: " + err.Error())
	}
	secret = SessionPrefix + strings.ToLower(b32.EncodeToString(b[:]))
	return secret, hashToken(secret)
}

func newCSRF() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("access: no randomness: " + err.Error())
	}
	return b64.EncodeToString(b[:])
}

// AuthenticateSession returns the principal and session of a session secret and notes its
// use. Sessions are found by the SHA-256 of the secret, a map look-up: the secret is never
// compared by value, so no comparison's timing tells anything about it.
func (r *Registry) AuthenticateSession(secret string) (Principal, Session, error) {
	if len(secret) > 200 || !strings.HasPrefix(secret, SessionPrefix) {
		return Principal{}, Session{}, ErrBadSession
	}
	hash := hashToken(secret)
	now := r.now()
	r.mu.RLock()
	s := r.auth.sessions[hash]
	if s == nil || s.Expired(now) {
		r.mu.RUnlock()
		return Principal{}, Session{}, ErrBadSession
	}
	p := r.principals[s.Org][s.Principal]
	if p == nil {
		r.mu.RUnlock()
		return Principal{}, Session{}, ErrBadSession
	}
	ns := now.UnixNano()
	s.seen.at.Store(ns) // racing requests store nearly the same time
	write := ns-s.seen.written.Load() >= int64(SessionSeenWrite)
	pc, sc := *p, *s
	sc.LastSeenAt = now.UTC()
	if write {
		// Best effort, under the read lock so that a session ended meanwhile (which takes
		// the lock for writing) is never written back; a failure is tried again next time.
		rec := sc
		if err := r.store.Update(context.Background(), func(tx catalog.Txn) error {
			return putJSON(tx, []byte(keySession+hash), &rec)
		}); err == nil {
			s.seen.written.Store(ns)
		}
	}
	r.mu.RUnlock()
	return pc, sc, nil
}

// Logout ends the session of secret; it reports whether there was one.
func (r *Registry) Logout(ctx context.Context, secret string) (Session, bool, error) {
	hash := hashToken(secret)
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.auth.sessions[hash]
	if s == nil {
		return Session{}, false, nil
	}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Delete([]byte(keySession + hash)); err != nil {
			return err
		}
		return auditAs(ctx, tx, s.Org, s.Principal, "logout", s.Principal, map[string]string{"session": s.ID})
	}); err != nil {
		return Session{}, false, fmt.Errorf("logout: %w", err)
	}
	delete(r.auth.sessions, hash)
	return *s, true, nil
}

// Sessions returns the live sessions of principal ref of org, oldest first.
func (r *Registry) Sessions(org, ref string) []Session {
	now := r.now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Session
	for _, s := range r.auth.sessions {
		if s.Org == org && s.Principal == ref && !s.Expired(now) {
			out = append(out, *s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}

// deleteAuthOf deletes, in tx, the password and sessions of principal ref of org, which
// DeletePrincipal is deleting; forgetAuthOf then drops them from memory. Both are called
// with r.mu held.
func (r *Registry) deleteAuthOf(tx catalog.Txn, org, ref string) error {
	if r.auth.passwords[org][ref] != nil {
		if err := tx.Delete(passwordKey(org, ref)); err != nil {
			return err
		}
	}
	for _, s := range r.auth.sessions {
		if s.Org == org && s.Principal == ref {
			if err := tx.Delete([]byte(keySession + s.Hash)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *Registry) forgetAuthOf(org, ref string) {
	delete(r.auth.passwords[org], ref)
	for h, s := range r.auth.sessions {
		if s.Org == org && s.Principal == ref {
			delete(r.auth.sessions, h)
		}
	}
}
