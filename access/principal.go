package access

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tagflow/tagflow/catalog"
)

// Principal names and members (DESIGN §5).
//
// A name holds Unicode letters and digits and "_ - . @" (catalog.ValidatePrincipalName), is
// 1 to 200 bytes, does not start with "_" (reserved), and is not "." or "..", so that every
// name is a path segment and the grant templates ${user}/** and ${team}/** expand to a
// namespace (jane@acme/**). Users, teams, groups and workloads share one name space per
// org, ignoring case: "Jane" cannot be created beside "jane", since two names that look
// alike would give one principal another's rights by mistake.
//
// Teams and groups hold users and workloads (a CI workload may be in its team), never
// teams, groups or the org: membership is one level, so a member's teams are found in one
// look-up and no cycle can form. Teams are managed in tagflow; a group's members are
// replaced as a whole, as an identity provider's sync job does. The org principal
// (org:NAME) has every user and workload of the org as members; it is created with the
// org and cannot be deleted.

// MaxMembers is the most members a team or group may have.
const MaxMembers = 100_000

// orgMembers indexes the principals of one org: the name space, and for every user and
// workload the teams and groups it is in. Its slices are never changed in place: a change
// replaces them, so that a slice handed out stays valid.
type orgMembers struct {
	org      string
	names    map[string]string   // folded name -> ref, for every kind but org
	memberOf map[string][]string // member ref -> refs of its teams and groups, sorted
	// memberships: member ref -> memberOf plus org:ORG, sorted; what Memberships answers.
	memberships map[string][]string
}

func (r *Registry) orgMembers(org string) *orgMembers {
	om := r.members[org]
	if om == nil {
		om = &orgMembers{org: org, names: map[string]string{}, memberOf: map[string][]string{}, memberships: map[string][]string{}}
		r.members[org] = om
	}
	return om
}

func foldName(name string) string { return strings.ToLower(name) }

func isMemberKind(kind string) bool { return kind == "user" || kind == "workload" }
func isGroupKind(kind string) bool  { return kind == "team" || kind == "group" }

// add indexes p. The members of a team may be added before or after the team.
func (om *orgMembers) add(p *Principal) {
	if p.Kind != "org" {
		om.names[foldName(p.Name)] = p.Ref()
	}
	if isMemberKind(p.Kind) {
		om.refresh(p.Ref())
	}
	for _, m := range p.Members {
		om.join(m, p.Ref())
	}
}

// remove takes p out of the index.
func (om *orgMembers) remove(p *Principal) {
	delete(om.names, foldName(p.Name))
	for _, m := range p.Members {
		om.leave(m, p.Ref())
	}
	delete(om.memberOf, p.Ref())
	delete(om.memberships, p.Ref())
}

func (om *orgMembers) join(member, group string) {
	old := om.memberOf[member]
	i, found := slices.BinarySearch(old, group)
	if found {
		return
	}
	om.memberOf[member] = slices.Insert(slices.Clip(slices.Clone(old)), i, group)
	om.refresh(member)
}

func (om *orgMembers) leave(member, group string) {
	old := om.memberOf[member]
	i, found := slices.BinarySearch(old, group)
	if !found {
		return
	}
	om.memberOf[member] = slices.Delete(slices.Clone(old), i, i+1)
	om.refresh(member)
}

func (om *orgMembers) refresh(member string) {
	all := append(slices.Clone(om.memberOf[member]), "org:"+om.org)
	sort.Strings(all)
	om.memberships[member] = slices.Clip(all)
}

// Memberships returns the references of everything user or workload ref of org belongs
// to, sorted: its teams and groups, and org:ORG. The slice is shared and must not be
// changed; a decision reads it without allocating. A change of members is seen by the next
// call. It is nil for an unknown principal and for other kinds.
func (r *Registry) Memberships(org, ref string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if om := r.members[org]; om != nil {
		return om.memberships[ref]
	}
	return nil
}

// MemberOf returns the references of the teams and groups that user or workload ref of org
// is in, sorted (without the org).
func (r *Registry) MemberOf(org, ref string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if om := r.members[org]; om != nil {
		return slices.Clone(om.memberOf[ref])
	}
	return nil
}

// Principals returns the principals of org, sorted by reference; kind "" is every kind.
func (r *Registry) Principals(org, kind string) []Principal {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Principal
	for _, p := range r.principals[org] {
		if kind == "" || p.Kind == kind {
			out = append(out, *p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref() < out[j].Ref() })
	return out
}

// ValidateName checks the name of a new user, team, group or workload (see the rules at
// the top of this file).
func ValidateName(name string) error {
	if strings.Contains(name, ":") {
		if _, n, ok := strings.Cut(name, ":"); ok && catalog.ValidatePrincipalName(n) == nil {
			return fmt.Errorf("%q is a reference; a new principal takes a bare name, e.g. %q", name, n)
		}
	}
	if name == "." || name == ".." {
		return fmt.Errorf("name %q is not allowed: a name must work as a path segment", name)
	}
	return catalog.ValidatePrincipalName(name)
}

// CreatePrincipal creates a user, team, group or workload; a team or group may be given its
// first members (references of users and workloads). Users, teams, groups and workloads
// share one name space per org, so that one name never means two principals: a clash, also
// one that differs only by case, is Conflict naming the principal that has the name.
func (r *Registry) CreatePrincipal(ctx context.Context, org, kind, name string, members ...string) (Principal, error) {
	op := "create" + strings.ToUpper(kind[:min(1, len(kind))]) + kind[min(1, len(kind)):] // createUser, the API's name
	switch {
	case kind == "org":
		return Principal{}, catalog.Errorf(op, catalog.InvalidArgument, "the org principal exists with the org; it cannot be created")
	case !isMemberKind(kind) && !isGroupKind(kind):
		return Principal{}, catalog.Errorf(op, catalog.InvalidArgument, "unknown principal kind %q (expected user, team, group or workload)", kind)
	case !isGroupKind(kind) && len(members) > 0:
		return Principal{}, catalog.Errorf(op, catalog.InvalidArgument, "a %s has no members; teams and groups do", kind)
	}
	if err := ValidateName(name); err != nil {
		return Principal{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: name, Msg: err.Error()}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if ref, ok := r.orgMembers(org).names[foldName(name)]; ok {
		how := ""
		if !strings.HasSuffix(ref, ":"+name) {
			how = " (names that differ only by case are one name)"
		}
		return Principal{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: name,
			Msg: fmt.Sprintf("the name %q is taken by %s%s; users, teams, groups and workloads share one name space", name, ref, how)}
	}
	var refs []string
	if isGroupKind(kind) {
		var err error
		if refs, err = r.checkMembers(op, org, kind+":"+name, members); err != nil {
			return Principal{}, err
		}
	}
	p := &Principal{Org: org, Kind: kind, Name: name, CreatedAt: r.now().UTC(), Members: refs}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, principalKey(org, p.Ref()), p); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, p.Ref(), membersDetails(p.Members))
	}); err != nil {
		return Principal{}, fmt.Errorf("%s %s: %w", op, p.Ref(), err)
	}
	r.addPrincipal(p)
	r.invalidate()
	return *p, nil
}

// checkMembers turns member references into the sorted, deduplicated members of group (a
// team or group reference): every one must be a reference of a user or workload of org.
// Called with r.mu held.
func (r *Registry) checkMembers(op, org, group string, members []string) ([]string, error) {
	if len(members) > MaxMembers {
		return nil, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: group,
			Msg: fmt.Sprintf("%s: %d members, over the limit of %d", group, len(members), MaxMembers)}
	}
	var bad, missing []string
	seen := make(map[string]bool, len(members))
	refs := make([]string, 0, len(members))
	for _, m := range members {
		if seen[m] {
			continue
		}
		seen[m] = true
		kind, name, err := catalog.ParsePrincipalRef(m)
		switch {
		case !strings.Contains(m, ":") && catalog.ValidatePrincipalName(m) == nil:
			bad = append(bad, fmt.Sprintf("%q is a name, not a reference: write user:%s (or workload:%s)", m, m, m))
		case err != nil:
			bad = append(bad, err.Error())
		case !isMemberKind(kind):
			bad = append(bad, fmt.Sprintf("%s cannot be a member: teams and groups hold users and workloads", m))
		case r.principals[org][kind+":"+name] == nil:
			missing = append(missing, m)
		default:
			refs = append(refs, m)
		}
		if len(bad) >= 10 {
			break
		}
	}
	if len(bad) > 0 {
		return nil, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: group,
			Msg: fmt.Sprintf("members of %s: %s", group, strings.Join(bad, "; "))}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, &catalog.Error{Op: op, Kind: catalog.NotFound, Path: group,
			Msg: fmt.Sprintf("members of %s: %s %s not exist in org %q; create them first", group, strings.Join(missing, ", "), doOrDoes(len(missing)), org)}
	}
	sort.Strings(refs)
	return slices.Clip(refs), nil
}

func doOrDoes(n int) string {
	if n == 1 {
		return "does"
	}
	return "do"
}

// SetMembers replaces the members of team or group ref (a reference such as team:data)
// with members, references of users and workloads, in one write. The change is seen by the
// next Memberships call.
func (r *Registry) SetMembers(ctx context.Context, org, ref string, members []string) (Principal, error) {
	op := "setMembers"
	switch k, _, _ := strings.Cut(ref, ":"); k {
	case "team":
		op = "setTeamMembers"
	case "group":
		op = "setGroupMembers"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old, err := r.lookup(op, org, ref)
	if err != nil {
		return Principal{}, err
	}
	if !isGroupKind(old.Kind) {
		return Principal{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref,
			Msg: fmt.Sprintf("%s has no members: only teams and groups do", ref)}
	}
	refs, err := r.checkMembers(op, org, ref, members)
	if err != nil {
		return Principal{}, err
	}
	if r.wouldLoseAdmins(org, "", ref, refs) {
		return Principal{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: ref,
			Msg: fmt.Sprintf("these members of %s would leave org %q without an administrator: nobody else holds the admin role on *; grant it to another user first", ref, org)}
	}
	p := *old
	p.Members = refs
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := putJSON(tx, principalKey(org, ref), &p); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, ref, membersDetails(refs))
	}); err != nil {
		return Principal{}, fmt.Errorf("%s %s: %w", op, ref, err)
	}
	om := r.orgMembers(org)
	om.remove(old)
	r.principals[org][ref] = &p
	om.add(&p)
	r.invalidate()
	return p, nil
}

// lookup finds principal ref of org, or says why not. Called with r.mu held.
func (r *Registry) lookup(op, org, ref string) (*Principal, error) {
	if _, _, err := catalog.ParsePrincipalRef(ref); err != nil {
		return nil, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref, Msg: err.Error()}
	}
	p := r.principals[org][ref]
	if p == nil {
		return nil, &catalog.Error{Op: op, Kind: catalog.NotFound, Path: ref, Msg: fmt.Sprintf("principal %s does not exist in org %q", ref, org)}
	}
	return p, nil
}

// DeletePrincipal deletes user, team, group or workload ref of org, in one write, with what
// hangs on it: its grants, its tokens, a workload's client secrets and workload policies,
// and its place in every team and group; a user of its home org also goes from every org
// it is a member of (orgs.go). The org principal cannot be deleted, nor a principal whose
// going would leave the org without a user or workload holding the admin role on *
// (directly or through a team, group or the org), such as the bootstrap user:admin while
// it is the only admin: that is Conflict.
func (r *Registry) DeletePrincipal(ctx context.Context, org, ref string) error {
	const op = "deletePrincipal"
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.lookup(op, org, ref)
	if err != nil {
		return err
	}
	if p.Kind == "org" {
		return &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: ref, Msg: fmt.Sprintf("%s is the org itself; it goes only with the org", ref)}
	}
	if r.wouldLoseAdmins(org, ref, "", nil) {
		why := fmt.Sprintf("it is the last user or workload holding the admin role on * in org %q (directly or through a team, group or the org)", org)
		if isGroupKind(p.Kind) {
			why = fmt.Sprintf("it gives the admin role on * to the last administrators of org %q", org)
		}
		return &catalog.Error{Op: op, Kind: catalog.Conflict, Path: ref,
			Msg: fmt.Sprintf("%s cannot be deleted: %s, and deleting it would leave nobody able to manage the org; grant admin on * to another user first", ref, why)}
	}
	// A user of its home org goes from every org it is a member of too (orgs.go).
	var others []*removal
	if p.Kind == "user" && p.Home == "" {
		if others, err = r.memberships(op, org, ref); err != nil {
			return err
		}
	}
	rm := r.planRemoval(org, ref)
	creds := r.credentialKeysLocked(org, ref) // a workload's client secrets and policies
	err = r.store.Update(ctx, func(tx catalog.Txn) error {
		for _, k := range creds {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		for _, o := range append(others, rm) {
			if err := o.write(tx); err != nil {
				return err
			}
		}
		// One record in each org the user leaves with it, named in that org's log.
		for _, o := range others {
			if err := audit(ctx, tx, o.org, "removeOrgMember", o.ref, map[string]any{"grants": len(o.grants), "tokens": len(o.tokens), "groups": len(o.groups), "because": "deleted in its home org"}); err != nil {
				return err
			}
		}
		if err := r.deleteAuthOf(tx, org, ref); err != nil { // its password and sessions (session.go)
			return err
		}
		return audit(ctx, tx, org, op, ref, map[string]int{"grants": len(rm.grants), "tokens": len(rm.tokens), "groups": len(rm.groups), "credentials": len(creds)})
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, ref, err)
	}
	for _, o := range append(others, rm) {
		r.applyRemoval(o)
	}
	r.dropCredentialsLocked(org, ref)
	r.forgetAuthOf(org, ref)
	r.invalidate()
	return nil
}

// wouldLoseAdmins reports whether org has a user or workload holding the admin role on *
// now and would have none once principal gone is deleted, or once team or group group has
// the members members. Called with r.mu held.
func (r *Registry) wouldLoseAdmins(org, gone, group string, members []string) bool {
	holders := map[string]bool{}
	for _, g := range r.grants[org] {
		if g.Role == RoleAdmin && g.Scope == "*" {
			holders[g.Principal] = true
		}
	}
	if len(holders) == 0 {
		return false
	}
	om := r.orgMembers(org)
	before := false
	for ref, p := range r.principals[org] {
		if !isMemberKind(p.Kind) {
			continue
		}
		direct := holders[ref] || holders["org:"+org]
		was, is := direct, direct && ref != gone
		for _, g := range om.memberOf[ref] {
			was = was || holders[g]
			is = is || (holders[g] && ref != gone && g != gone && g != group)
		}
		if group != "" && holders[group] && ref != gone {
			_, in := slices.BinarySearch(members, ref)
			is = is || in
		}
		if is {
			return false
		}
		before = before || was
	}
	return before
}
