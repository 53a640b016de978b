package access

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tagflow/tagflow/catalog"
)

// Several organizations (issue 9 item 1).
//
// A user lives in its home org, the org it was created in. AddOrgMember makes it a member
// of another org: a principal user:NAME of that org whose Home names the home org. The
// member is a principal of the org like any other (its grants, teams and groups are the
// org's), but it holds no tokens there: its home org's tokens act in every org it is a
// member of (the request names the org, ActingPrincipal finds the member). Only users are
// members of several orgs; workloads, teams and groups belong to one.
//
// Deleting a user in its home org also removes it from every org it is a member of, with
// its grants and tokens there, in the same transaction; RemoveOrgMember removes one
// membership. Neither may leave an org without an administrator (Conflict, as
// DeletePrincipal).

// HomeOf is the org a principal was created in: its Home, or its own org.
func HomeOf(p Principal) string {
	if p.Home != "" {
		return p.Home
	}
	return p.Org
}

// ValidateOrgName checks the name of a new org: the rules of principal names, as the
// server's first start (serve --org) applies them.
func ValidateOrgName(name string) error {
	return catalog.ValidatePrincipalName(name)
}

// ActingPrincipal returns the principal as which p, a token's principal, acts in org: p
// itself in its own org; in another org, the member principal there that is the same user
// (same name, same home). It answers false for an org p is not a member of and for an org
// that does not exist alike.
func (r *Registry) ActingPrincipal(org string, p Principal) (Principal, bool) {
	if org == p.Org {
		return p, true
	}
	if p.Kind != "user" {
		return Principal{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	m := r.principals[org]["user:"+p.Name]
	if m == nil || HomeOf(*m) != HomeOf(p) {
		return Principal{}, false
	}
	return *m, true
}

// OrgsOf returns the orgs that p's user belongs to, sorted: its home org and every org it
// is a member of. A workload belongs to its org only.
func (r *Registry) OrgsOf(p Principal) []string {
	if p.Kind != "user" {
		return []string{p.Org}
	}
	home := HomeOf(p)
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for org, ps := range r.principals {
		if m := ps["user:"+p.Name]; m != nil && HomeOf(*m) == home {
			out = append(out, org)
		}
	}
	sort.Strings(out)
	return out
}

// CreateOrg creates the org name: its org principal, and creator's user as its first
// member holding admin on *. create makes the org in the catalog and must call also in
// the same store transaction (tags.Service.CreateOrg does), so that the org exists whole
// or not at all. A taken name, also one that differs only by case, is Conflict; a creator
// that is not a user is InvalidArgument.
func (r *Registry) CreateOrg(ctx context.Context, name string, creator Principal,
	create func(ctx context.Context, also func(catalog.Txn) error) error) (Principal, error) {
	const op = "createOrg"
	if err := ValidateOrgName(name); err != nil {
		return Principal{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: name, Msg: "org name: " + err.Error()}
	}
	if creator.Kind != "user" {
		return Principal{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: creator.Ref(),
			Msg: fmt.Sprintf("%s cannot create an org: only users are members of several orgs", creator.Ref())}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for org := range r.principals {
		if strings.EqualFold(org, name) {
			// Say nothing of the org that has it, not even how it is written.
			return Principal{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: name,
				Msg: fmt.Sprintf("the org name %q is taken (org names that differ only by case are one name)", name)}
		}
	}
	now := r.now().UTC()
	orgP := &Principal{Org: name, Kind: "org", Name: name, CreatedAt: now}
	member := &Principal{Org: name, Kind: "user", Name: creator.Name, CreatedAt: now, Home: HomeOf(creator)}
	g := &Grant{Org: name, Principal: member.Ref(), Role: RoleAdmin, Scope: "*", CreatedAt: now}
	err := create(ctx, func(tx catalog.Txn) error {
		for _, p := range []*Principal{orgP, member} {
			if err := putJSON(tx, principalKey(name, p.Ref()), p); err != nil {
				return err
			}
		}
		if err := putJSON(tx, grantKey(g), g); err != nil {
			return err
		}
		// One record in the new org's log, one in the creator's current org's.
		details := map[string]string{"org": name, "creator": creator.Ref(), "creatorOrg": creator.Org}
		if err := audit(ctx, tx, name, op, "org:"+name, details); err != nil {
			return err
		}
		return audit(ctx, tx, creator.Org, op, "org:"+name, details)
	})
	if err != nil {
		return Principal{}, fmt.Errorf("%s %s: %w", op, name, err)
	}
	r.addPrincipal(orgP)
	r.addPrincipal(member)
	r.grants[name] = append(r.grants[name], g)
	r.invalidate()
	return *member, nil
}

// AddOrgMember makes user (a reference, resolved in org from: the caller's current org)
// a member of org. It answers the member principal, and whether it was added (false: the
// user is a member already, or org is its home). A name of org taken by another principal,
// also a user of the same name from another home, is Conflict; a non-user is
// InvalidArgument.
func (r *Registry) AddOrgMember(ctx context.Context, org, from, user string) (Principal, bool, error) {
	const op = "addOrgMember"
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.lookup(op, from, user)
	if err != nil {
		return Principal{}, false, err
	}
	if p.Kind != "user" {
		return Principal{}, false, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: user,
			Msg: fmt.Sprintf("%s cannot be a member of another org: only users are; a %s belongs to one org", user, p.Kind)}
	}
	if r.principals[org]["org:"+org] == nil {
		return Principal{}, false, &catalog.Error{Op: op, Kind: catalog.NotFound, Path: org, Msg: fmt.Sprintf("no org %q", org)}
	}
	home := HomeOf(*p)
	if ref, ok := r.orgMembers(org).names[foldName(p.Name)]; ok {
		if q := r.principals[org][ref]; q != nil && q.Kind == "user" && q.Name == p.Name && HomeOf(*q) == home {
			return *q, false, nil
		}
		return Principal{}, false, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: user,
			Msg: fmt.Sprintf("the name %q is taken in org %q by %s, another principal; users, teams, groups and workloads share one name space", p.Name, org, ref)}
	}
	m := &Principal{Org: org, Kind: "user", Name: p.Name, CreatedAt: r.now().UTC(), Home: home}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, principalKey(org, m.Ref()), m); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, m.Ref(), map[string]string{"home": home})
	}); err != nil {
		return Principal{}, false, fmt.Errorf("%s %s to %s: %w", op, user, org, err)
	}
	r.addPrincipal(m)
	r.invalidate()
	return *m, true, nil
}

// RemoveOrgMember removes the membership ref of org (a user whose home is another org),
// with its grants and tokens there and its place in the org's teams and groups, in one
// write. A user of org itself is InvalidArgument (DeletePrincipal deletes it); the last
// administrator of org is Conflict.
func (r *Registry) RemoveOrgMember(ctx context.Context, org, ref string) error {
	const op = "removeOrgMember"
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.lookup(op, org, ref)
	if err != nil {
		return err
	}
	if p.Home == "" {
		return &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref,
			Msg: fmt.Sprintf("%s is a principal of org %q itself, not a member from another org: deletePrincipal deletes it", ref, org)}
	}
	if r.wouldLoseAdmins(org, ref, "", nil) {
		return &catalog.Error{Op: op, Kind: catalog.Conflict, Path: ref,
			Msg: fmt.Sprintf("%s is the last user or workload holding the admin role on * in org %q; grant admin on * to another user first", ref, org)}
	}
	rm := r.planRemoval(org, ref)
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := rm.write(tx); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, ref, map[string]any{"home": p.Home, "grants": len(rm.grants), "tokens": len(rm.tokens)})
	}); err != nil {
		return fmt.Errorf("%s %s: %w", op, ref, err)
	}
	r.applyRemoval(rm)
	r.invalidate()
	return nil
}

// memberships are the removals of user ref of its home org from every other org it is a
// member of; Conflict (naming no org: the caller need not know them) when one would leave
// its org without an administrator. Called with r.mu held.
func (r *Registry) memberships(op, home, ref string) ([]*removal, error) {
	var out []*removal
	for org, ps := range r.principals {
		m := ps[ref]
		if org == home || m == nil || m.Home != home {
			continue
		}
		if r.wouldLoseAdmins(org, ref, "", nil) {
			return nil, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: ref,
				Msg: fmt.Sprintf("%s cannot be deleted: it is the last administrator of another org it is a member of; make another user an admin there, or remove it from that org, first", ref)}
		}
		out = append(out, r.planRemoval(org, ref))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].org < out[j].org })
	return out, nil
}

// removal is what taking principal ref out of org takes with it.
type removal struct {
	org, ref string
	p        *Principal
	grants   []*Grant     // ref's grants, deleted
	kept     []*Grant     // the org's other grants
	tokens   []*Token     // ref's tokens in org, deleted
	groups   []*Principal // the teams and groups of ref, without it
}

// planRemoval collects what removing ref (which exists) from org changes. Called with
// r.mu held.
func (r *Registry) planRemoval(org, ref string) *removal {
	rm := &removal{org: org, ref: ref, p: r.principals[org][ref], kept: make([]*Grant, 0, len(r.grants[org]))}
	for _, g := range r.grants[org] {
		if g.Principal == ref {
			rm.grants = append(rm.grants, g)
		} else {
			rm.kept = append(rm.kept, g)
		}
	}
	for _, t := range r.tokens {
		if t.Org == org && t.Principal == ref {
			rm.tokens = append(rm.tokens, t)
		}
	}
	for _, g := range r.orgMembers(org).memberOf[ref] {
		old := r.principals[org][g]
		np := *old
		np.Members = slices.DeleteFunc(slices.Clone(old.Members), func(m string) bool { return m == ref })
		rm.groups = append(rm.groups, &np)
	}
	return rm
}

// write deletes the removal's records and rewrites its groups, in tx.
func (rm *removal) write(tx catalog.Txn) error {
	if err := tx.Delete(principalKey(rm.org, rm.ref)); err != nil {
		return err
	}
	for _, g := range rm.grants {
		if err := tx.Delete(grantKey(g)); err != nil {
			return err
		}
	}
	for _, t := range rm.tokens {
		if err := tx.Delete([]byte(keyToken + t.Hash)); err != nil {
			return err
		}
		if err := tx.Delete([]byte(keyTokenID + t.ID)); err != nil {
			return err
		}
	}
	for _, g := range rm.groups {
		if err := putJSON(tx, principalKey(rm.org, g.Ref()), g); err != nil {
			return err
		}
	}
	return nil
}

// applyRemoval applies a written removal in memory. Called with r.mu held.
func (r *Registry) applyRemoval(rm *removal) {
	r.grants[rm.org] = rm.kept
	for _, t := range rm.tokens {
		delete(r.tokens, t.Hash)
		delete(r.tokenIDs, t.ID)
	}
	om := r.orgMembers(rm.org)
	for _, g := range rm.groups {
		om.remove(r.principals[rm.org][g.Ref()])
		r.principals[rm.org][g.Ref()] = g
		om.add(g)
	}
	om.remove(rm.p)
	delete(r.principals[rm.org], rm.ref)
}

// OrgExists reports whether org exists (its org principal does).
func (r *Registry) OrgExists(org string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.principals[org]["org:"+org] != nil
}
