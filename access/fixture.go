package access

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tagflow/tagflow/catalog"
	"go.yaml.in/yaml/v3"
)

// An access fixture (fixtures/access/*.yaml) declares principals, custom roles and grants:
//
//	users: [jane@acme, samir@acme]
//	workloads: [ci]
//	teams:  [{name: data, members: [user:jane@acme, user:samir@acme]}]
//	groups: [{name: analysts, members: [user:samir@acme]}]
//	roles:  [{name: analyst, rules: [{modes: [READ_DATA], branches: [main], tags: "!PII"}]}]
//	grants: [{principal: team:data, role: analyst, scope: "data/**"}]
//
// A grant's principal "org" is the org being loaded (org:NAME). Every key is optional.

type fixtureSet struct {
	name    string
	members []string
	line    int
}

type fixtureRole struct {
	name  string
	rules []RuleInput
	line  int
}

type fixtureGrant struct {
	principal, role, scope string
	line                   int
}

type fixtureDoc struct {
	users, workloads []fixtureSet // members unused
	teams, groups    []fixtureSet
	roles            []fixtureRole
	grants           []fixtureGrant
}

// ApplyFixture applies an access fixture to org through reg. It is validated whole before
// anything is written (a mistake is INVALID_ARGUMENT naming the entry and its line, and
// nothing is written), and applying it again changes nothing: a principal that exists
// with the same kind is kept (a team's or group's members are set to the fixture's), a
// custom role that exists gets the fixture's rules, and a grant that exists is kept.
func ApplyFixture(ctx context.Context, reg *Registry, org string, data []byte) error {
	const op = "applyFixture"
	doc, err := parseFixture(data)
	if err != nil {
		return &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Msg: err.Error()}
	}
	if err := doc.validate(reg, org); err != nil {
		return &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Msg: err.Error()}
	}
	at := func(what string, line int, err error) error {
		return fmt.Errorf("line %d: %s: %w", line, what, err)
	}
	for _, s := range []struct {
		kind string
		list []fixtureSet
	}{{"user", doc.users}, {"workload", doc.workloads}, {"team", doc.teams}, {"group", doc.groups}} {
		for _, e := range s.list {
			ref := s.kind + ":" + e.name
			if p, ok := reg.Principal(org, ref); ok {
				if (s.kind == "team" || s.kind == "group") && !slices.Equal(p.Members, sortedSet(e.members)) {
					if _, err := reg.SetMembers(ctx, org, ref, e.members); err != nil {
						return at(ref, e.line, err)
					}
				}
				continue
			}
			if _, err := reg.CreatePrincipal(ctx, org, s.kind, e.name, e.members...); err != nil {
				return at(ref, e.line, err)
			}
		}
	}
	for _, r := range doc.roles {
		var err error
		if old, ok := reg.RoleByName(org, r.name); ok && !old.BuiltIn {
			_, err = reg.UpdateRole(ctx, org, r.name, r.rules)
		} else {
			_, err = reg.CreateRole(ctx, org, r.name, r.rules)
		}
		if err != nil {
			return at("role "+r.name, r.line, err)
		}
	}
	for _, g := range doc.grants {
		if _, err := reg.Grant(ctx, org, g.principal, g.role, g.scope); err != nil {
			return at(fmt.Sprintf("grant of %s on %s to %s", g.role, g.scope, g.principal), g.line, err)
		}
	}
	return nil
}

func sortedSet(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

// validate checks every entry against the rules the Registry applies and the references
// against the fixture and what org holds, so that a bad fixture writes nothing.
func (d *fixtureDoc) validate(reg *Registry, org string) error {
	seen := map[string]string{} // folded name -> ref
	known := map[string]bool{}
	held := map[string]string{} // folded name -> ref of the principal org holds
	for _, p := range reg.Principals(org, "") {
		if p.Kind == "org" {
			continue
		}
		held[strings.ToLower(p.Name)] = p.Ref()
	}
	for _, s := range []struct {
		kind string
		list []fixtureSet
	}{{"user", d.users}, {"workload", d.workloads}, {"team", d.teams}, {"group", d.groups}} {
		for i, e := range s.list {
			where := fmt.Sprintf("line %d: %ss[%d] %q", e.line, s.kind, i, e.name)
			if err := catalog.ValidatePrincipalName(e.name); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			ref := s.kind + ":" + e.name
			if other, ok := seen[strings.ToLower(e.name)]; ok {
				return fmt.Errorf("%s: the name is taken by %s (users, teams, groups and workloads share one name space, ignoring case)", where, other)
			}
			if other, ok := held[strings.ToLower(e.name)]; ok && other != ref {
				return fmt.Errorf("%s: the name is taken by %s in org %q (users, teams, groups and workloads share one name space, ignoring case)", where, other, org)
			}
			seen[strings.ToLower(e.name)] = ref
			known[ref] = true
			for j, m := range e.members {
				kind, _, err := catalog.ParsePrincipalRef(m)
				if err != nil {
					return fmt.Errorf("%s: members[%d]: %v", where, j, err)
				}
				if kind != "user" && kind != "workload" {
					return fmt.Errorf("%s: members[%d]: %s: members are users and workloads", where, j, m)
				}
				if _, ok := reg.Principal(org, m); !ok && !known[m] {
					return fmt.Errorf("%s: members[%d]: %s is neither in the fixture's users or workloads nor in org %q", where, j, m, org)
				}
			}
		}
	}
	roles := map[string]bool{}
	for i, r := range d.roles {
		where := fmt.Sprintf("line %d: roles[%d] %q", r.line, i, r.name)
		if err := ValidateRoleName(r.name); err != nil {
			return fmt.Errorf("%s: %v", where, errMsg(err))
		}
		if IsBuiltInRole(r.name) {
			return fmt.Errorf("%s: a built-in role (admin, editor, viewer) cannot be redefined; choose another name", where)
		}
		if roles[r.name] {
			return fmt.Errorf("%s: the role is declared twice", where)
		}
		roles[r.name] = true
		if _, err := ParseRules("", r.rules); err != nil {
			return fmt.Errorf("%s: %v", where, errMsg(err))
		}
	}
	for i := range d.grants {
		if d.grants[i].principal == "org" {
			d.grants[i].principal = "org:" + org
		}
		g := d.grants[i]
		where := fmt.Sprintf("line %d: grants[%d] (%s %s %s)", g.line, i, g.principal, g.role, g.scope)
		if _, _, err := catalog.ParsePrincipalRef(g.principal); err != nil {
			return fmt.Errorf("%s: principal: %v", where, err)
		}
		if _, ok := reg.Principal(org, g.principal); !ok && !known[g.principal] {
			return fmt.Errorf("%s: principal %s is neither in the fixture nor in org %q", where, g.principal, org)
		}
		if !IsBuiltInRole(g.role) && !roles[g.role] {
			if _, ok := reg.RoleByName(org, g.role); !ok {
				return fmt.Errorf("%s: role %q is neither built in (admin, editor, viewer), in the fixture's roles, nor in org %q", where, g.role, org)
			}
		}
		if _, err := ParseScope(g.scope); err != nil {
			return fmt.Errorf("%s: scope: %v", where, errMsg(err))
		}
	}
	return nil
}

// parseFixture reads a fixture, refusing unknown keys, with each entry's line.
func parseFixture(data []byte) (*fixtureDoc, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not YAML: %v", err)
	}
	d := &fixtureDoc{}
	if len(root.Content) == 0 {
		return d, nil
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: an access fixture is a mapping of users, workloads, teams, groups, roles and grants", top.Line)
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		var err error
		switch k.Value {
		case "users":
			d.users, err = names(k.Value, v)
		case "workloads":
			d.workloads, err = names(k.Value, v)
		case "teams":
			d.teams, err = sets(k.Value, v)
		case "groups":
			d.groups, err = sets(k.Value, v)
		case "roles":
			d.roles, err = roleEntries(v)
		case "grants":
			d.grants, err = grantEntries(v)
		default:
			err = fmt.Errorf("line %d: unknown key %q; the keys are users, workloads, teams, groups, roles, grants", k.Line, k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func seq(key string, v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		return fmt.Errorf("line %d: %s must be a list", v.Line, key)
	}
	return nil
}

func names(key string, v *yaml.Node) ([]fixtureSet, error) {
	if err := seq(key, v); err != nil {
		return nil, err
	}
	var out []fixtureSet
	for i, n := range v.Content {
		if n.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: %s[%d] must be a name", n.Line, key, i)
		}
		out = append(out, fixtureSet{name: n.Value, line: n.Line})
	}
	return out, nil
}

// entry decodes a list item into dst, refusing keys not in allowed.
func entry(key string, i int, n *yaml.Node, dst any, allowed ...string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s[%d] must be a mapping of %s", n.Line, key, i, strings.Join(allowed, ", "))
	}
	for j := 0; j+1 < len(n.Content); j += 2 {
		if !slices.Contains(allowed, n.Content[j].Value) {
			return fmt.Errorf("line %d: %s[%d]: unknown key %q; the keys are %s", n.Content[j].Line, key, i, n.Content[j].Value, strings.Join(allowed, ", "))
		}
	}
	if err := n.Decode(dst); err != nil {
		return fmt.Errorf("line %d: %s[%d]: %v", n.Line, key, i, err)
	}
	return nil
}

func sets(key string, v *yaml.Node) ([]fixtureSet, error) {
	if err := seq(key, v); err != nil {
		return nil, err
	}
	var out []fixtureSet
	for i, n := range v.Content {
		var e struct {
			Name    string   `yaml:"name"`
			Members []string `yaml:"members"`
		}
		if err := entry(key, i, n, &e, "name", "members"); err != nil {
			return nil, err
		}
		out = append(out, fixtureSet{name: e.Name, members: e.Members, line: n.Line})
	}
	return out, nil
}

func roleEntries(v *yaml.Node) ([]fixtureRole, error) {
	if err := seq("roles", v); err != nil {
		return nil, err
	}
	var out []fixtureRole
	for i, n := range v.Content {
		var e struct {
			Name  string      `yaml:"name"`
			Rules []yaml.Node `yaml:"rules"`
		}
		if err := entry("roles", i, n, &e, "name", "rules"); err != nil {
			return nil, err
		}
		r := fixtureRole{name: e.Name, line: n.Line}
		for j := range e.Rules {
			var ru struct {
				Modes    []string `yaml:"modes"`
				Branches []string `yaml:"branches"`
				Tags     string   `yaml:"tags"`
			}
			if err := entry(fmt.Sprintf("roles[%d].rules", i), j, &e.Rules[j], &ru, "modes", "branches", "tags"); err != nil {
				return nil, err
			}
			r.rules = append(r.rules, RuleInput{Modes: ru.Modes, Branches: ru.Branches, Tags: ru.Tags})
		}
		out = append(out, r)
	}
	return out, nil
}

func grantEntries(v *yaml.Node) ([]fixtureGrant, error) {
	if err := seq("grants", v); err != nil {
		return nil, err
	}
	var out []fixtureGrant
	for i, n := range v.Content {
		var e struct {
			Principal string `yaml:"principal"`
			Role      string `yaml:"role"`
			Scope     string `yaml:"scope"`
		}
		if err := entry("grants", i, n, &e, "principal", "role", "scope"); err != nil {
			return nil, err
		}
		out = append(out, fixtureGrant{principal: e.Principal, role: e.Role, scope: e.Scope, line: n.Line})
	}
	return out, nil
}
