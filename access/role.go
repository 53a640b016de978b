package access

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tagflow/tagflow/catalog"
)

// Modes lists every mode in the order of the contract's enum Mode.
var Modes = []Mode{ReadDefinitions, WriteDefinitions, ReadData, WriteData, Manage}

// ModeSet is a set of modes, one bit each, in the order of Modes.
type ModeSet uint8

// AllModes holds every mode, MANAGE included; FourModes the four of DESIGN §5 (what an
// owner holds); ReadModes both reads.
const (
	FourModes ModeSet = 1<<0 | 1<<1 | 1<<2 | 1<<3
	AllModes  ModeSet = FourModes | 1<<4
	ReadModes ModeSet = 1<<0 | 1<<2
)

// index is the mode's position in Modes, or -1 for a string that is no mode.
func (m Mode) index() int {
	switch m {
	case ReadDefinitions:
		return 0
	case WriteDefinitions:
		return 1
	case ReadData:
		return 2
	case WriteData:
		return 3
	case Manage:
		return 4
	}
	return -1
}

// Valid reports whether m is one of Modes.
func (m Mode) Valid() bool { return m.index() >= 0 }

// IsWrite reports whether m changes an asset (WRITE_DEFINITIONS, WRITE_DATA): a write is
// judged on the asset's tags before and after the change. MANAGE is not a write: it
// administers grants and roles, and is judged on the asset's present tags.
func (m Mode) IsWrite() bool { return m == WriteDefinitions || m == WriteData }

// Has reports whether the set holds m.
func (s ModeSet) Has(m Mode) bool {
	i := m.index()
	return i >= 0 && s&(1<<i) != 0
}

// With returns the set with m added (unchanged for an invalid mode).
func (s ModeSet) With(m Mode) ModeSet {
	if i := m.index(); i >= 0 {
		return s | 1<<i
	}
	return s
}

// List returns the modes of the set, in the order of Modes.
func (s ModeSet) List() []Mode {
	var out []Mode
	for i, m := range Modes {
		if s&(1<<i) != 0 {
			out = append(out, m)
		}
	}
	return out
}

func (s ModeSet) String() string {
	ms := s.List()
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m)
	}
	return strings.Join(parts, ", ")
}

// Rule is one rule of a role (DESIGN §5): it allows its modes on the branches its globs
// match, where its tag expression holds on the asset's present tags.
type Rule struct {
	Modes    ModeSet
	Branches []BranchGlob // never empty; ["*"] by default
	Tags     *Expr        // never nil; "true" by default
}

// Role is a named list of rules. Built-in roles (admin, editor, viewer) are immutable.
type Role struct {
	Name    string
	Rules   []Rule
	BuiltIn bool
}

// MatchBranch reports whether one of the rule's globs matches branch.
func (r *Rule) MatchBranch(branch string) bool {
	for i := range r.Branches {
		if r.Branches[i].Match(branch) {
			return true
		}
	}
	return false
}

// branchList is the rule's globs as written, for reasons: "main, dev/*".
func (r *Rule) branchList() string {
	parts := make([]string, len(r.Branches))
	for i, g := range r.Branches {
		parts[i] = g.String()
	}
	return strings.Join(parts, ", ")
}

// RuleInput is a rule as the API takes it (the contract's RuleInput): mode names, branch
// globs (nil or empty: every branch), a tag expression ("" : every asset).
type RuleInput struct {
	Modes    []string
	Branches []string
	Tags     string
}

// ParseRule parses one rule. A mistake is an INVALID_ARGUMENT *catalog.Error whose message
// names the part and the position: `modes[1]: unknown mode "READ"…`,
// `branches[0]: branch glob "dev/**/x": column 5: …`, `tags: "PII && (" — column 8: …`.
// ParseRules prefixes each with the rule's index ("rules[1].branches[0]: …").
func ParseRule(modes []string, branches []string, tags string) (Rule, error) {
	r, msg := parseRule(modes, branches, tags)
	if msg != "" {
		return Rule{}, &catalog.Error{Kind: catalog.InvalidArgument, Msg: msg}
	}
	return r, nil
}

// ParseRules parses the rules of a role for operation op (createRole, updateRole). A role
// has at least one rule; the first mistake is reported, named by its position.
func ParseRules(op string, in []RuleInput) ([]Rule, error) {
	if len(in) == 0 {
		return nil, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Msg: "rules: empty; a role holds at least one rule"}
	}
	out := make([]Rule, len(in))
	for i, ri := range in {
		r, msg := parseRule(ri.Modes, ri.Branches, ri.Tags)
		if msg != "" {
			return nil, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Msg: fmt.Sprintf("rules[%d].%s", i, msg)}
		}
		out[i] = r
	}
	return out, nil
}

func parseRule(modes []string, branches []string, tags string) (Rule, string) {
	var r Rule
	if len(modes) == 0 {
		return r, "modes: empty; a rule holds at least one of " + AllModes.String()
	}
	for i, s := range modes {
		m := Mode(s)
		if !m.Valid() {
			return r, fmt.Sprintf("modes[%d]: unknown mode %q; the modes are %s", i, clip(s), AllModes.String())
		}
		r.Modes = r.Modes.With(m)
	}
	if len(branches) == 0 {
		branches = []string{"*"}
	}
	r.Branches = make([]BranchGlob, len(branches))
	for i, s := range branches {
		g, err := ParseBranchGlob(s)
		if err != nil {
			return Rule{}, fmt.Sprintf("branches[%d]: %s", i, errMsg(err))
		}
		r.Branches[i] = g
	}
	if strings.TrimSpace(tags) == "" {
		tags = "true"
	}
	e, err := ParseExpr(tags)
	if err != nil {
		return Rule{}, err.Error() // "tags: "…" — column N: …"
	}
	r.Tags = e
	return r, ""
}

// errMsg is the message of a *catalog.Error without its operation.
func errMsg(err error) string {
	var ce *catalog.Error
	if errors.As(err, &ce) && ce.Msg != "" {
		return ce.Msg
	}
	return err.Error()
}

// MaxRoleName is the longest role name, in bytes.
const MaxRoleName = 64

// ValidateRoleName checks a custom role's name: 1 to 64 bytes of ASCII letters, digits,
// "_", "-" and ".", starting with a letter (so never with "_", which is reserved, as for
// principals). Names are case-sensitive. The built-in names admin, editor and viewer
// follow the grammar but are taken: creating a role of that name is a CONFLICT, decided by
// the caller that keeps the roles.
func ValidateRoleName(name string) error {
	bad := func(format string, args ...any) error {
		return &catalog.Error{Kind: catalog.InvalidArgument, Path: name,
			Msg: fmt.Sprintf("role name %q: ", clip(name)) + fmt.Sprintf(format, args...)}
	}
	switch {
	case name == "":
		return bad("empty; a role name is letters, digits, _ - . starting with a letter")
	case len(name) > MaxRoleName:
		return bad("%d bytes, over the limit of %d", len(name), MaxRoleName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		switch {
		case i == 0 && !letter:
			return bad("starts with %q; a role name starts with a letter (names starting with \"_\" are reserved)", rune(c))
		case letter, c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return bad("column %d: %q is not allowed; a role name holds ASCII letters, digits, _ - .", i+1, rune(c))
		}
	}
	return nil
}

// BuiltInRole returns a fresh copy of the built-in role name (admin: every mode and
// MANAGE everywhere; editor: the four modes; viewer: both reads), or false.
func BuiltInRole(name string) (*Role, bool) {
	var modes ModeSet
	switch name {
	case RoleAdmin:
		modes = AllModes
	case RoleEditor:
		modes = FourModes
	case RoleViewer:
		modes = ReadModes
	default:
		return nil, false
	}
	return &Role{Name: name, BuiltIn: true, Rules: []Rule{{
		Modes: modes, Branches: []BranchGlob{MustParseBranchGlob("*")}, Tags: MustParseExpr("true"),
	}}}, true
}

// BuiltInRoles returns fresh copies of admin, editor and viewer, in that order.
func BuiltInRoles() []*Role {
	out := make([]*Role, 0, 3)
	for _, n := range []string{RoleAdmin, RoleEditor, RoleViewer} {
		r, _ := BuiltInRole(n)
		out = append(out, r)
	}
	return out
}

// IsBuiltInRole reports whether name is one of admin, editor, viewer.
func IsBuiltInRole(name string) bool {
	return name == RoleAdmin || name == RoleEditor || name == RoleViewer
}
