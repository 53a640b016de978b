package access

import (
	"context"
	"fmt"
	"sort"

	"github.com/tagflow/tagflow/catalog"
)

// Grants (DESIGN §5): principal × role × scope, one transaction per write.
//
// A grant's principal is a reference of a principal of the org (a bare name or an unknown
// one is refused), its role built in or a custom role of the org (NotFound), its scope one
// ParseScope accepts, stored in its canonical form. Granting what is granted already is
// idempotent: it answers the grant that exists. Revoking a grant that does not exist
// answers false. Revoking the last grant by which a user or workload holds admin on * is
// Conflict, as deleting its principal is.

// Grant records a grant of role on scope to principal and answers it (the existing one
// when it is granted already). The change applies to the next decision.
func (r *Registry) Grant(ctx context.Context, org, principal, role, scope string) (Grant, error) {
	const op = "grant"
	r.mu.Lock()
	defer r.mu.Unlock()
	canon, err := r.checkGrant(op, org, principal, role, scope)
	if err != nil {
		return Grant{}, err
	}
	for _, old := range r.grants[org] {
		if old.Principal == principal && old.Role == role && old.Scope == canon {
			return *old, nil
		}
	}
	g := &Grant{Org: org, Principal: principal, Role: role, Scope: canon, CreatedAt: r.now().UTC()}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, grantKey(g), g); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, principal, grantDetails(g))
	}); err != nil {
		return Grant{}, fmt.Errorf("%s %s %s on %s: %w", op, role, principal, canon, err)
	}
	r.grants[org] = append(r.grants[org], g)
	r.invalidate()
	return *g, nil
}

// checkGrant validates a grant's parts and returns its canonical scope. Called with r.mu held.
func (r *Registry) checkGrant(op, org, principal, role, scope string) (string, error) {
	if _, err := r.lookup(op, org, principal); err != nil {
		if ce, ok := err.(*catalog.Error); ok && ce.Kind == catalog.InvalidArgument && catalog.ValidatePrincipalName(principal) == nil {
			ce.Msg = fmt.Sprintf("principal %q is a name, not a reference: write user:%s (or team:, group:, workload:)", principal, principal)
		}
		return "", err
	}
	if !IsBuiltInRole(role) && r.roles[org][role] == nil {
		return "", &catalog.Error{Op: op, Kind: catalog.NotFound, Path: role,
			Msg: fmt.Sprintf("role %q does not exist in org %q (the built-in roles are admin, editor, viewer)", clip(role), org)}
	}
	s, err := ParseScope(scope)
	if err != nil {
		return "", &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: scope, Msg: "scope: " + errMsg(err)}
	}
	return s.String(), nil
}

// Revoke deletes the grant of role on scope to principal; false when there is none. The
// scope is compared in its canonical form; one that does not parse is InvalidArgument.
func (r *Registry) Revoke(ctx context.Context, org, principal, role, scope string) (bool, error) {
	const op = "revoke"
	sc, err := ParseScope(scope)
	if err != nil {
		return false, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: scope, Msg: "scope: " + errMsg(err)}
	}
	canon := sc.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	i := -1
	for j, g := range r.grants[org] {
		if g.Principal == principal && g.Role == role && g.Scope == canon {
			i = j
			break
		}
	}
	if i < 0 {
		return false, nil
	}
	g := r.grants[org][i]
	kept := make([]*Grant, 0, len(r.grants[org])-1)
	kept = append(append(kept, r.grants[org][:i]...), r.grants[org][i+1:]...)
	if g.Role == RoleAdmin && g.Scope == "*" && r.hasAdmin(org, r.grants[org]) && !r.hasAdmin(org, kept) {
		return false, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: principal,
			Msg: fmt.Sprintf("revoking admin on * from %s would leave org %q without an administrator; grant admin on * to another user first", principal, org)}
	}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Delete(grantKey(g)); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, principal, grantDetails(g))
	}); err != nil {
		return false, fmt.Errorf("%s %s %s on %s: %w", op, role, principal, canon, err)
	}
	r.grants[org] = kept
	r.invalidate()
	return true, nil
}

// hasAdmin reports whether some user or workload of org holds admin on * through grants,
// directly, through a team or group, or through the org. Called with r.mu held.
func (r *Registry) hasAdmin(org string, grants []*Grant) bool {
	holders := map[string]bool{}
	for _, g := range grants {
		if g.Role == RoleAdmin && g.Scope == "*" {
			holders[g.Principal] = true
		}
	}
	if len(holders) == 0 {
		return false
	}
	om := r.orgMembers(org)
	for ref, p := range r.principals[org] {
		if !isMemberKind(p.Kind) {
			continue
		}
		if holders[ref] || holders["org:"+org] {
			return true
		}
		for _, g := range om.memberOf[ref] {
			if holders[g] {
				return true
			}
		}
	}
	return false
}

// ListGrants returns the grants of org, of principal (a reference; "" for every one) on
// scope (compared in canonical form; "" for every one), sorted by principal, role, scope.
func (r *Registry) ListGrants(org, principal, scope string) []Grant {
	if scope != "" {
		if s, err := ParseScope(scope); err == nil {
			scope = s.String()
		}
	}
	r.mu.RLock()
	out := []Grant{}
	for _, g := range r.grants[org] {
		if (principal == "" || g.Principal == principal) && (scope == "" || g.Scope == scope) {
			out = append(out, *g)
		}
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		return a.Scope < b.Scope
	})
	return out
}

// Grants returns the grants held by principal in org, sorted by scope and role.
func (r *Registry) Grants(org, principal string) []Grant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Grant
	for _, g := range r.grants[org] {
		if g.Principal == principal {
			out = append(out, *g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scope+out[i].Role < out[j].Scope+out[j].Role })
	return out
}

// MayAdminister reports whether the policy's subject may grant or revoke a grant on scope:
// it needs MANAGE on a scope that covers it (Scope.CoversScope, templates of the granter's
// scopes expanded for the subject), from a rule that holds MANAGE on every branch
// ("*") and every asset (tags "true"), since a grant's scope reaches assets of any tags
// and grants are not per branch. Ownership gives no MANAGE. It answers the grant that
// allows, or a reason the subject may not.
func (p *Policy) MayAdminister(scope string) (*Grant, string) {
	inner, err := ParseScope(scope)
	if err != nil {
		return nil, "scope: " + errMsg(err)
	}
	for i := range p.grants {
		pg := &p.grants[i]
		if pg.role == nil || pg.scopeErr != "" || !pg.scope.CoversScope(inner, p.who) {
			continue
		}
		for ri := range pg.role.Rules {
			rule := &pg.role.Rules[ri]
			if rule.Modes.Has(Manage) && allBranches(rule) && rule.Tags.String() == "true" {
				return &pg.g, ""
			}
		}
	}
	return nil, fmt.Sprintf("no grant gives %s MANAGE on a scope covering %s (on every branch and asset)", p.subject.Principal, inner.String())
}

func allBranches(r *Rule) bool {
	for _, g := range r.Branches {
		if g.String() == "*" {
			return true
		}
	}
	return false
}

// HoldsSomewhere reports whether some grant of the policy has a rule with mode m on branch
// ("" for any branch), whatever its scope and tag expression: the test for what belongs to
// no asset but is used with assets, like a branch's name or the tag vocabulary (DESIGN §5
// leaves them open; see the README's "Org-level operations"). A scope that does not parse
// or covers nothing for the subject (a ${team} template for a user in no team), or a role
// that does not exist, holds nothing.
func (p *Policy) HoldsSomewhere(m Mode, branch string) bool {
	for i := range p.grants {
		pg := &p.grants[i]
		if pg.role == nil || pg.scopeErr != "" || !pg.scope.CoversAnything(p.who) {
			continue
		}
		for ri := range pg.role.Rules {
			rule := &pg.role.Rules[ri]
			if !rule.Modes.Has(m) {
				continue
			}
			if branch == "" {
				return true
			}
			for _, g := range rule.Branches {
				if g.Match(branch) {
					return true
				}
			}
		}
	}
	return false
}
