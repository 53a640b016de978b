package access

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagflow/tagflow/catalog"
)

// Principal is a user, team, group, workload or org of one org.
type Principal struct {
	Org       string    `json:"org"`
	Kind      string    `json:"kind"` // user, team, group, workload, org
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	// Members are the references of a team's or group's members, sorted; nil for other
	// kinds. A Principal's Members are never changed in place (SetMembers replaces them).
	Members []string `json:"members,omitempty"`
	// Home is, for a user that is a member of this org but was created in another
	// (AddOrgMember, CreateOrg), the org it was created in; "" for a principal of its own
	// org (orgs.go).
	Home string `json:"home,omitempty"`
}

// Ref is the principal's reference: kind:name.
func (p Principal) Ref() string { return p.Kind + ":" + p.Name }

// Grant gives one principal one role on one scope.
type Grant struct {
	Org       string    `json:"org"`
	Principal string    `json:"principal"`
	Role      string    `json:"role"`
	Scope     string    `json:"scope"`
	CreatedAt time.Time `json:"createdAt"`
}

// Built-in roles.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
	RoleViewer = "viewer"
)

// Registry holds the principals, grants and tokens of every org in memory and writes them
// through to the store. It is safe for concurrent use.
type Registry struct {
	store catalog.Store
	now   func() time.Time

	mu         sync.RWMutex
	principals map[string]map[string]*Principal  // org -> ref -> principal
	grants     map[string][]*Grant               // org -> grants
	tokens     map[string]*Token                 // hash -> token
	tokenIDs   map[string]string                 // id -> hash
	members    map[string]*orgMembers            // org -> names and memberships (principal.go)
	roles      map[string]map[string]*customRole // org -> custom roles by name (roles_store.go)
	roleMap    map[string]map[string]*Role       // org -> the same roles, as Compile takes them

	// The compiled policies (policy_cache.go): gen is bumped by every change of grants,
	// roles or memberships, and a cached policy of an older generation is compiled anew.
	gen      atomic.Uint64
	policyMu sync.RWMutex
	policies map[policyKey]*cachedPolicy

	// Last-used times of tokens are written at most once per LastUsedFlush (token.go):
	// flushMu is held by the one flush at a time, and taken before mu; flushedAt is when
	// the last one was tried (unix ns), whether its write succeeded or not.
	flushMu   sync.Mutex
	flushedAt atomic.Int64

	// The orgs' settings (settings.go), under a lock of their own.
	settingsMu sync.RWMutex
	settings   map[string]OrgSettings
	creds      *credentials // client secrets, trusted issuers, workload policies (credentials.go); guarded by mu
	auth       authState    // passwords and console sessions (session.go), guarded by mu
}

const (
	keyPrincipal = "ac\x00p\x00"
	keyGrant     = "ac\x00g\x00"
	keyToken     = "ac\x00t\x00"
	keyTokenID   = "ac\x00i\x00"
)

// OpenRegistry loads the registry from the store.
func OpenRegistry(ctx context.Context, store catalog.Store) (*Registry, error) {
	r := &Registry{store: store, now: time.Now,
		principals: map[string]map[string]*Principal{}, grants: map[string][]*Grant{},
		tokens: map[string]*Token{}, tokenIDs: map[string]string{}, members: map[string]*orgMembers{},
		roles: map[string]map[string]*customRole{}, roleMap: map[string]map[string]*Role{}, policies: map[policyKey]*cachedPolicy{},
		settings: map[string]OrgSettings{}}
	err := store.View(ctx, func(tx catalog.Txn) error {
		if err := tx.Iterate([]byte(keyPrincipal), func(k, v []byte) error {
			var p Principal
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("principal %q: %w", k, err)
			}
			r.addPrincipal(&p)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.Iterate([]byte(keyGrant), func(k, v []byte) error {
			var g Grant
			if err := json.Unmarshal(v, &g); err != nil {
				return fmt.Errorf("grant %q: %w", k, err)
			}
			r.grants[g.Org] = append(r.grants[g.Org], &g)
			return nil
		}); err != nil {
			return err
		}
		if err := r.loadRoles(tx); err != nil {
			return err
		}
		if err := r.loadSettings(tx); err != nil {
			return err
		}
		if err := r.loadCredentials(tx); err != nil {
			return err
		}
		if err := r.loadAuth(tx); err != nil {
			return err
		}
		return tx.Iterate([]byte(keyToken), func(k, v []byte) error {
			var t Token
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("token record: %w", err)
			}
			r.addToken(&t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("open access registry: %w", err)
	}
	r.flushedAt.Store(r.now().UnixNano())
	return r, nil
}

func (r *Registry) addPrincipal(p *Principal) {
	m := r.principals[p.Org]
	if m == nil {
		m = map[string]*Principal{}
		r.principals[p.Org] = m
	}
	m[p.Ref()] = p
	r.orgMembers(p.Org).add(p)
}

// Principal returns the principal of org with reference ref.
func (r *Registry) Principal(org, ref string) (Principal, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p := r.principals[org][ref]
	if p == nil {
		return Principal{}, false
	}
	return *p, true
}

// Bootstrap makes a new org usable: the org principal, a user admin holding the admin role
// on the whole org, and a first token for it. The token's secret is handed to keep (which
// writes it where the operator finds it) before anything is stored, and everything is then
// stored in one transaction: a crash or a failure at any point leaves either a usable
// admin whose token was kept, or nothing, and the next start bootstraps again. It fails
// with Conflict if the org already has an admin user.
func (r *Registry) Bootstrap(ctx context.Context, org string, keep func(secret string) error) (NewToken, error) {
	const op = "bootstrap"
	if _, ok := r.Principal(org, "user:admin"); ok {
		return NewToken{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Msg: fmt.Sprintf("org %q already has an admin", org)}
	}
	now := r.now().UTC()
	orgP := &Principal{Org: org, Kind: "org", Name: org, CreatedAt: now}
	admin := &Principal{Org: org, Kind: "user", Name: "admin", CreatedAt: now}
	g := &Grant{Org: org, Principal: admin.Ref(), Role: RoleAdmin, Scope: "*", CreatedAt: now}
	secret, hash := newSecret()
	t := &Token{ID: newID("tok_"), Hash: hash, Org: org, Principal: admin.Ref(), Name: "bootstrap", CreatedAt: now}
	if err := keep(secret); err != nil {
		return NewToken{}, fmt.Errorf("%s %s: keep the admin token: %w", op, org, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.store.Update(ctx, func(tx catalog.Txn) error {
		for _, p := range []*Principal{orgP, admin} {
			if err := putJSON(tx, principalKey(org, p.Ref()), p); err != nil {
				return err
			}
		}
		if err := putJSON(tx, grantKey(g), g); err != nil {
			return err
		}
		if err := putJSON(tx, []byte(keyToken+hash), t); err != nil {
			return err
		}
		if err := tx.Set([]byte(keyTokenID+t.ID), []byte(hash)); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, admin.Ref(), tokenDetails(t))
	})
	if err != nil {
		return NewToken{}, fmt.Errorf("%s %s: %w", op, org, err)
	}
	r.addPrincipal(orgP)
	r.addPrincipal(admin)
	r.grants[org] = append(r.grants[org], g)
	r.addToken(t)
	r.invalidate()
	return NewToken{Token: *t, Secret: secret}, nil
}

func principalKey(org, ref string) []byte {
	return []byte(keyPrincipal + org + "\x00" + ref)
}

func grantKey(g *Grant) []byte {
	return []byte(keyGrant + g.Org + "\x00" + g.Principal + "\x00" + g.Role + "\x00" + g.Scope)
}

func putJSON(tx catalog.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Set(key, b)
}

// ResetAdminToken replaces a lost admin token of org: it makes a new token for user:admin,
// hands its secret to keep (which writes it where the operator finds it) before anything is
// stored, and then in one transaction stores it and revokes every other token of
// user:admin, since the lost one may have leaked. It returns the new token and how many
// were revoked. It fails with NotFound if the org has no admin.
func (r *Registry) ResetAdminToken(ctx context.Context, org string, keep func(secret string) error) (NewToken, int, error) {
	const op = "resetAdminToken"
	admin := "user:admin"
	if _, ok := r.Principal(org, admin); !ok {
		return NewToken{}, 0, &catalog.Error{Op: op, Kind: catalog.NotFound, Path: admin,
			Msg: fmt.Sprintf("org %q has no admin; the first start of the server creates it", org)}
	}
	if p, _ := r.Principal(org, admin); p.Home != "" {
		return NewToken{}, 0, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: admin,
			Msg: fmt.Sprintf("user:admin of org %q is a member from org %q: reset its token there", org, p.Home)}
	}
	secret, hash := newSecret()
	t := &Token{ID: newID("tok_"), Hash: hash, Org: org, Principal: admin, Name: "reset", CreatedAt: r.now().UTC()}
	if err := keep(secret); err != nil {
		return NewToken{}, 0, fmt.Errorf("%s %s: keep the admin token: %w", op, org, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var old []*Token
	for _, o := range r.tokens {
		if o.Org == org && o.Principal == admin {
			old = append(old, o)
		}
	}
	err := r.store.Update(ctx, func(tx catalog.Txn) error {
		for _, o := range old {
			if err := tx.Delete([]byte(keyToken + o.Hash)); err != nil {
				return err
			}
			if err := tx.Delete([]byte(keyTokenID + o.ID)); err != nil {
				return err
			}
		}
		if err := putJSON(tx, []byte(keyToken+hash), t); err != nil {
			return err
		}
		if err := tx.Set([]byte(keyTokenID+t.ID), []byte(hash)); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, admin, map[string]any{"id": t.ID, "name": t.Name, "revoked": len(old)})
	})
	if err != nil {
		return NewToken{}, 0, fmt.Errorf("%s %s: %w", op, org, err)
	}
	for _, o := range old {
		delete(r.tokens, o.Hash)
		delete(r.tokenIDs, o.ID)
	}
	r.addToken(t)
	return NewToken{Token: *t, Secret: secret}, len(old), nil
}
