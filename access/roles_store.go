package access

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/tagflow/tagflow/catalog"
)

// Custom roles (DESIGN §5), kept per org in the store under keyRole+org+"\x00"+name, one
// transaction per write. A role's rules are stored as their canonical input (mode names,
// branch globs, the expression's canonical form) and parsed again on open. The built-in
// roles are not stored: they are immutable, and a custom role may not take their names.
// A role in use by a grant cannot be deleted (Conflict naming the grants): revoke them
// first, so that deleting a role never silently takes rights away.

const keyRole = "ac\x00r\x00"

// storedRole is a custom role as kept in the store.
type storedRole struct {
	Org       string       `json:"org"`
	Name      string       `json:"name"`
	Rules     []storedRule `json:"rules"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
}

type storedRule struct {
	Modes    []string `json:"modes"`
	Branches []string `json:"branches"`
	Tags     string   `json:"tags"`
}

// Input is the rule in its canonical input form: mode names in the order of Modes, the
// branch globs as written, the tag expression's canonical form.
func (r *Rule) Input() RuleInput {
	in := RuleInput{Branches: make([]string, len(r.Branches)), Tags: "true"}
	for _, m := range r.Modes.List() {
		in.Modes = append(in.Modes, string(m))
	}
	for i, g := range r.Branches {
		in.Branches[i] = g.String()
	}
	if r.Tags != nil {
		in.Tags = r.Tags.String()
	}
	return in
}

func roleKey(org, name string) []byte { return []byte(keyRole + org + "\x00" + name) }

func toStored(org string, role *Role, created, updated time.Time) *storedRole {
	s := &storedRole{Org: org, Name: role.Name, CreatedAt: created, UpdatedAt: updated}
	for i := range role.Rules {
		in := role.Rules[i].Input()
		s.Rules = append(s.Rules, storedRule{Modes: in.Modes, Branches: in.Branches, Tags: in.Tags})
	}
	return s
}

// loadRole parses a stored role.
func loadRole(s *storedRole) (*Role, error) {
	in := make([]RuleInput, len(s.Rules))
	for i, r := range s.Rules {
		in[i] = RuleInput{Modes: r.Modes, Branches: r.Branches, Tags: r.Tags}
	}
	rules, err := ParseRules("loadRole", in)
	if err != nil {
		return nil, err
	}
	return &Role{Name: s.Name, Rules: rules}, nil
}

// RoleInfo is a role as listed: built-in or custom, with its rules and, for a custom one,
// when it was created and last changed.
type RoleInfo struct {
	Role
	CreatedAt, UpdatedAt time.Time
}

// customRole is a custom role of an org, with its times.
type customRole struct {
	role             *Role
	created, updated time.Time
}

// CreateRole stores a new custom role of org. The name must pass ValidateRoleName and be
// neither a built-in's nor an existing role's (Conflict); the rules are ParseRules'.
func (r *Registry) CreateRole(ctx context.Context, org, name string, rules []RuleInput) (RoleInfo, error) {
	return r.putRole(ctx, "createRole", org, name, rules, true)
}

// UpdateRole replaces the rules of custom role name of org; the next decision sees them.
// A built-in role is Conflict, an unknown one NotFound.
func (r *Registry) UpdateRole(ctx context.Context, org, name string, rules []RuleInput) (RoleInfo, error) {
	return r.putRole(ctx, "updateRole", org, name, rules, false)
}

func (r *Registry) putRole(ctx context.Context, op, org, name string, in []RuleInput, create bool) (RoleInfo, error) {
	if IsBuiltInRole(name) {
		verb := "is taken by"
		if !create {
			verb = "is"
		}
		return RoleInfo{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: name,
			Msg: fmt.Sprintf("role name %q %s a built-in role (admin, editor, viewer), which cannot be changed", name, verb)}
	}
	if err := ValidateRoleName(name); err != nil {
		if ce, ok := err.(*catalog.Error); ok {
			ce.Op = op
		}
		return RoleInfo{}, err
	}
	rules, err := ParseRules(op, in)
	if err != nil {
		return RoleInfo{}, err
	}
	role := &Role{Name: name, Rules: rules}
	now := r.now().UTC()
	r.mu.Lock()
	defer r.mu.Unlock()
	old, exists := r.roles[org][name]
	switch {
	case create && exists:
		return RoleInfo{}, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: name,
			Msg: fmt.Sprintf("role %q exists in org %q; change it with updateRole", name, org)}
	case !create && !exists:
		return RoleInfo{}, &catalog.Error{Op: op, Kind: catalog.NotFound, Path: name,
			Msg: fmt.Sprintf("role %q does not exist in org %q", name, org)}
	}
	created := now
	if exists {
		created = old.created
	}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		st := toStored(org, role, created, now)
		if err := putJSON(tx, roleKey(org, name), st); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, "role:"+name, map[string]any{"rules": st.Rules})
	}); err != nil {
		return RoleInfo{}, fmt.Errorf("%s %s: %w", op, name, err)
	}
	r.setRoleLocked(org, &customRole{role: role, created: created, updated: now})
	return RoleInfo{Role: *role, CreatedAt: created, UpdatedAt: now}, nil
}

// setRoleLocked replaces org's role maps (never changed in place: a compiled Policy keeps
// the one it was given) with role set. Called with r.mu held.
func (r *Registry) setRoleLocked(org string, c *customRole) {
	m := maps.Clone(r.roles[org])
	rm := maps.Clone(r.roleMap[org])
	if m == nil {
		m, rm = map[string]*customRole{}, map[string]*Role{}
	}
	m[c.role.Name] = c
	rm[c.role.Name] = c.role
	r.roles[org], r.roleMap[org] = m, rm
	r.invalidate()
}

// DeleteRole deletes custom role name of org. A role some grant uses is Conflict naming
// up to five of those grants; a built-in role is Conflict, an unknown one NotFound.
func (r *Registry) DeleteRole(ctx context.Context, org, name string) error {
	const op = "deleteRole"
	if IsBuiltInRole(name) {
		return &catalog.Error{Op: op, Kind: catalog.Conflict, Path: name,
			Msg: fmt.Sprintf("role %q is built in; built-in roles cannot be deleted", name)}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.roles[org][name]; !ok {
		return &catalog.Error{Op: op, Kind: catalog.NotFound, Path: name,
			Msg: fmt.Sprintf("role %q does not exist in org %q", name, org)}
	}
	var users []string
	for _, g := range r.grants[org] {
		if g.Role == name {
			users = append(users, g.Principal+" on "+g.Scope)
		}
	}
	if len(users) > 0 {
		sort.Strings(users)
		some := users
		more := ""
		if len(some) > 5 {
			some, more = some[:5], fmt.Sprintf(" and %d more", len(users)-5)
		}
		return &catalog.Error{Op: op, Kind: catalog.Conflict, Path: name,
			Msg: fmt.Sprintf("role %q is used by %d grant(s) (%s%s); revoke them first", name, len(users), strings.Join(some, ", "), more)}
	}
	if err := r.store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Delete(roleKey(org, name)); err != nil {
			return err
		}
		return audit(ctx, tx, org, op, "role:"+name, nil)
	}); err != nil {
		return fmt.Errorf("%s %s: %w", op, name, err)
	}
	m := maps.Clone(r.roles[org])
	rm := maps.Clone(r.roleMap[org])
	delete(m, name)
	delete(rm, name)
	r.roles[org], r.roleMap[org] = m, rm
	r.invalidate()
	return nil
}

// RoleByName returns role name of org, built-in or custom.
func (r *Registry) RoleByName(org, name string) (RoleInfo, bool) {
	if b, ok := BuiltInRole(name); ok {
		return RoleInfo{Role: *b}, true
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := r.roles[org][name]
	if c == nil {
		return RoleInfo{}, false
	}
	return RoleInfo{Role: *c.role, CreatedAt: c.created, UpdatedAt: c.updated}, true
}

// Roles returns the roles of org: the built-ins (admin, editor, viewer), then the custom
// roles sorted by name.
func (r *Registry) Roles(org string) []RoleInfo {
	var out []RoleInfo
	for _, b := range BuiltInRoles() {
		out = append(out, RoleInfo{Role: *b})
	}
	r.mu.RLock()
	var custom []RoleInfo
	for _, c := range r.roles[org] {
		custom = append(custom, RoleInfo{Role: *c.role, CreatedAt: c.created, UpdatedAt: c.updated})
	}
	r.mu.RUnlock()
	sort.Slice(custom, func(i, j int) bool { return custom[i].Name < custom[j].Name })
	return append(out, custom...)
}

// loadRoles reads every stored role; called by OpenRegistry.
func (r *Registry) loadRoles(tx catalog.Txn) error {
	return tx.Iterate([]byte(keyRole), func(k, v []byte) error {
		var s storedRole
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("role %q: %w", k, err)
		}
		role, err := loadRole(&s)
		if err != nil {
			return fmt.Errorf("role %s of org %s: %w", s.Name, s.Org, err)
		}
		if r.roles[s.Org] == nil {
			r.roles[s.Org], r.roleMap[s.Org] = map[string]*customRole{}, map[string]*Role{}
		}
		r.roles[s.Org][s.Name] = &customRole{role: role, created: s.CreatedAt, updated: s.UpdatedAt}
		r.roleMap[s.Org][s.Name] = role
		return nil
	})
}
