package access

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tagflow/tagflow/catalog"
)

// ScopeKind says which of the four forms of DESIGN §5 a scope has.
type ScopeKind int

// The kinds of scope. The zero value is no scope: the zero Scope covers nothing.
const (
	ScopeOrg      ScopeKind = iota + 1 // "*": the whole org
	ScopePrefix                        // "ns/**": everything under ns/, at any depth
	ScopeAsset                         // "User", "data/forecast": one asset and its members
	ScopeTemplate                      // "${user}/**", "proj/${team}/**": expanded per requester
)

func (k ScopeKind) String() string {
	switch k {
	case ScopeOrg:
		return "org"
	case ScopePrefix:
		return "prefix"
	case ScopeAsset:
		return "asset"
	case ScopeTemplate:
		return "template"
	}
	return "none"
}

// The template segments a scope may hold.
const (
	TemplateUser = "${user}"
	TemplateTeam = "${team}"
)

// Requester is who a decision is for, as far as a scope cares: the name of the user, for
// ${user}, and the names of the teams it belongs to, for ${team}. User is empty for a
// principal that is not a user (a workload): ${user} then expands to nothing.
type Requester struct {
	User  string
	Teams []string
}

// Scope is the parsed scope of a grant. Everything Covers needs is computed by ParseScope,
// so that Covers neither allocates nor parses.
type Scope struct {
	src  string
	kind ScopeKind
	lit  string     // prefix: "ns/" (with the slash); asset: the path
	segs []scopeSeg // template: every segment before "**", or all of them
	deep bool       // the scope ends in "**"
}

type segKind uint8

const (
	segLit segKind = iota
	segUser
	segTeam
)

type scopeSeg struct {
	kind segKind
	lit  string
}

// ParseScope parses a grant's scope:
//
//	"*"                 the whole org
//	"ns/**"             everything under ns/ at any depth (not the asset named ns itself)
//	"User", "data/x"    one asset, with its fields or features
//	"${user}/**"        a template: ${user} is the requesting user's name and ${team} the
//	"proj/${team}/**"   name of each of its teams; templates are whole segments, anywhere,
//	"${user}/notes"     each at most once, in a prefix or an asset scope
//
// Literal segments follow catalog.ValidatePath. A mistake is a *catalog.Error of kind
// InvalidArgument naming the scope, the segment and what to write instead.
func ParseScope(s string) (Scope, error) {
	if s == "*" {
		return Scope{src: s, kind: ScopeOrg}, nil
	}
	if s == "" {
		return Scope{}, scopeErr(s, `empty scope; write "*" for the whole org, "ns/**" for everything under ns/, or an asset path`)
	}
	if len(s) > catalog.MaxPathBytes {
		return Scope{}, scopeErr(s, "%d bytes, over the limit of %d", len(s), catalog.MaxPathBytes)
	}
	parts := strings.Split(s, "/")
	sc := Scope{src: s}
	if parts[len(parts)-1] == "**" {
		sc.deep = true
		parts = parts[:len(parts)-1]
		if len(parts) == 0 {
			return Scope{}, scopeErr(s, `"**" alone is not a scope; write "*" for the whole org`)
		}
	}
	var user, team, templates bool
	segs := make([]scopeSeg, 0, len(parts))
	for i, p := range parts {
		last := i == len(parts)-1 && !sc.deep
		where := fmt.Sprintf("segment %d (%q)", i+1, clip(p))
		switch {
		case p == "**":
			return Scope{}, scopeErr(s, `%s: "**" may only end a scope, meaning everything under what comes before it`, where)
		case p == "*" && i == len(parts)-1:
			before := strings.Join(parts[:i], "/")
			if sc.deep {
				return Scope{}, scopeErr(s, `%s: "*" is not a scope segment; write %q for everything under %s/, or "*" for the whole org`, where, before+"/**", before)
			}
			return Scope{}, scopeErr(s, `one "*" is not a scope; write %q for everything under %s/, or "*" for the whole org`, before+"/**", before)
		case strings.Contains(p, "*"):
			return Scope{}, scopeErr(s, `%s: "*" is not a wildcard in scopes; a scope is "*" (the whole org), "ns/**" (everything under ns/), an asset path or a template such as "${user}/**"`, where)
		case p == TemplateUser:
			if user {
				return Scope{}, scopeErr(s, `%s: %s appears twice; each template appears at most once`, where, p)
			}
			user, templates = true, true
			segs = append(segs, scopeSeg{kind: segUser})
			continue
		case p == TemplateTeam:
			if team {
				return Scope{}, scopeErr(s, `%s: %s appears twice; each template appears at most once`, where, p)
			}
			team, templates = true, true
			segs = append(segs, scopeSeg{kind: segTeam})
			continue
		case strings.ContainsAny(p, "${}"):
			return Scope{}, scopeErr(s, `%s: not a template; templates are whole segments, %s or %s`, where, TemplateUser, TemplateTeam)
		}
		if err := validateScopeSegment(p, last); err != nil {
			if last && strings.Contains(p, ".") && validateScopeSegment(p, false) == nil {
				asset, _ := catalog.SplitMember(s)
				return Scope{}, scopeErr(s, `a scope names an asset, not a field or feature; a grant on %s covers its members`, asset)
			}
			if !strings.Contains(s, "/") {
				return Scope{}, scopeErr(s, "%v", err)
			}
			return Scope{}, scopeErr(s, "%s: %v", where, err)
		}
		segs = append(segs, scopeSeg{kind: segLit, lit: p})
	}
	switch {
	case templates:
		sc.kind = ScopeTemplate
		sc.segs = segs
	case sc.deep:
		sc.kind = ScopePrefix
		sc.lit = s[:len(s)-len("**")]
	default:
		sc.kind = ScopeAsset
		sc.lit = s
	}
	return sc, nil
}

// MustParseScope is ParseScope for scopes known to be valid; it panics on an error.
func MustParseScope(s string) Scope {
	sc, err := ParseScope(s)
	if err != nil {
		panic(err)
	}
	return sc
}

// validateScopeSegment checks one literal segment by the rules of catalog.ValidatePath:
// last says whether it is an asset's own name (which holds no ".").
func validateScopeSegment(seg string, last bool) error {
	if seg == "" {
		return errors.New("empty name")
	}
	if len(seg) > catalog.MaxSegmentBytes {
		return fmt.Errorf("name is %d bytes, over the limit of %d", len(seg), catalog.MaxSegmentBytes)
	}
	if last {
		return catalog.ValidatePath(seg)
	}
	// A segment before others may hold ".": check it as the first of two.
	err := catalog.ValidatePath(seg + "/x")
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}

func scopeErr(s, format string, args ...any) error {
	return &catalog.Error{Kind: catalog.InvalidArgument, Msg: fmt.Sprintf("scope %q: ", clip(s)) + fmt.Sprintf(format, args...)}
}

func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	n := 57
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// String returns the scope as written; ParseScope accepts one spelling of each scope, so
// this is its canonical form.
func (s Scope) String() string { return s.src }

// Kind returns the scope's form.
func (s Scope) Kind() ScopeKind { return s.kind }

// IsZero reports whether s is the zero Scope, which covers nothing.
func (s Scope) IsZero() bool { return s.kind == 0 }

// MarshalText writes the scope as String does.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.src), nil }

// UnmarshalText parses a scope as ParseScope does.
func (s *Scope) UnmarshalText(b []byte) error {
	sc, err := ParseScope(string(b))
	if err != nil {
		return err
	}
	*s = sc
	return nil
}

// Covers reports whether the scope covers path for who. path is an asset ("User",
// "data/forecast") or a member ("User.city"), which is covered when its asset is; the
// empty path stands for the org as a whole, which only "*" covers. A template covers path
// when one of its expansions for who does: ${user} by who.User, ${team} by any of who.Teams.
// Covers does not allocate.
func (s Scope) Covers(path string, who Requester) bool {
	if s.kind == ScopeOrg {
		return true
	}
	if path == "" {
		return false
	}
	// These tests stand for catalog.SplitMember's asset compared with the scope, without
	// scanning the path twice: the asset is the path up to the first "." after its last "/".
	switch s.kind {
	case ScopeAsset:
		// The asset's own name holds no ".", so a member starts right after it.
		if !strings.HasPrefix(path, s.lit) {
			return false
		}
		rest := path[len(s.lit):]
		return rest == "" || rest[0] == '.' && strings.IndexByte(rest, '/') < 0
	case ScopePrefix:
		if len(path) <= len(s.lit) || !strings.HasPrefix(path, s.lit) {
			return false
		}
		// "ns/.x" would be the member x of an asset named "ns/": none is under ns/.
		rest := path[len(s.lit):]
		return rest[0] != '.' || strings.IndexByte(rest, '/') >= 0
	case ScopeTemplate:
		return s.matchTemplate(path, who)
	}
	return false
}

// CoversAnything reports whether s covers some path for who: false for a template whose
// ${user} or ${team} who cannot fill (a workload's ${user}, a user in no team's ${team}),
// and for the zero Scope.
func (s Scope) CoversAnything(who Requester) bool {
	if s.kind != ScopeTemplate {
		return s.kind != 0
	}
	for _, sg := range s.segs {
		if (sg.kind == segUser && who.User == "") || (sg.kind == segTeam && len(who.Teams) == 0) {
			return false
		}
	}
	return true
}

// matchTemplate walks path segment by segment against the template's segments; the last
// segment of path is cut at its first ".", which starts a member name.
func (s Scope) matchTemplate(path string, who Requester) bool {
	rest := path
	for i, sg := range s.segs {
		seg := rest
		more := false
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			seg, rest, more = rest[:j], rest[j+1:], true
		} else if d := strings.IndexByte(seg, '.'); d >= 0 {
			seg = seg[:d]
		}
		if !sg.matches(seg, who) {
			return false
		}
		if !more {
			// The path ends here: only an asset scope ending here covers it.
			return !s.deep && i == len(s.segs)-1
		}
	}
	// The path goes on beyond the scope's segments (an asset name may not be empty).
	return s.deep && rest != "" && (rest[0] != '.' || strings.IndexByte(rest, '/') >= 0)
}

func (sg scopeSeg) matches(seg string, who Requester) bool {
	switch sg.kind {
	case segUser:
		return who.User != "" && seg == who.User
	case segTeam:
		for _, t := range who.Teams {
			if t == seg {
				return true
			}
		}
		return false
	}
	return seg == sg.lit
}

// CoversScope reports whether every path inner may cover is covered by s, for granting and
// revoking: they need MANAGE on a scope that covers the grant's scope. granter is who holds
// s: s's templates are expanded for it ("${user}/**" held by jane@acme covers
// "jane@acme/weather"). inner's templates stand for any user or team, since inner may be
// granted to others, so only a scope that covers every value covers them: "*", or a prefix
// that ends before the template ("proj/**" covers "proj/${team}/**"). Thus "${user}/notes"
// is not covered by "${user}/**": granted to samir it would reach samir@acme/notes.
func (s Scope) CoversScope(inner Scope, granter Requester) bool {
	switch {
	case s.kind == ScopeOrg:
		return true
	case s.kind == 0 || inner.kind == 0 || inner.kind == ScopeOrg:
		return false
	}
	outer, in := s.segments(), inner.segments()
	if s.deep {
		// Everything inner covers lies strictly under the outer prefix.
		if len(in) < len(outer) || (len(in) == len(outer) && !inner.deep) {
			return false
		}
	} else if inner.deep || len(in) != len(outer) {
		return false
	}
	for i, o := range outer {
		if in[i].kind != segLit || !o.matches(in[i].lit, granter) {
			return false
		}
	}
	return true
}

// segments returns the scope's segments before "**" (allocating for the non-template
// kinds; CoversScope is not a hot path).
func (s Scope) segments() []scopeSeg {
	if s.kind == ScopeTemplate {
		return s.segs
	}
	lit := strings.TrimSuffix(s.lit, "/")
	parts := strings.Split(lit, "/")
	segs := make([]scopeSeg, len(parts))
	for i, p := range parts {
		segs[i] = scopeSeg{kind: segLit, lit: p}
	}
	return segs
}

// Miss explains why the scope does not cover path for who, as a sentence a person can act
// on ("scope data/** does not cover alan@acme/bonds"); it is empty when the scope covers path.
func (s Scope) Miss(path string, who Requester) string {
	if s.Covers(path, who) {
		return ""
	}
	what := path
	if what == "" {
		what = "the org as a whole"
	}
	switch s.kind {
	case 0:
		return "an empty scope covers nothing"
	case ScopePrefix:
		if asset, _ := catalog.SplitMember(path); asset+"/" == s.lit {
			return fmt.Sprintf("scope %s covers what is under %s, not %s itself", s.src, s.lit, asset)
		}
	case ScopeTemplate:
		return fmt.Sprintf("scope %s %s does not cover %s", s.src, s.expansions(who), what)
	}
	return fmt.Sprintf("scope %s does not cover %s", s.src, what)
}

// expansions describes what a template stands for for who: "(for jane@acme: jane@acme/**)".
func (s Scope) expansions(who Requester) string {
	var user, team bool
	for _, sg := range s.segs {
		user = user || sg.kind == segUser
		team = team || sg.kind == segTeam
	}
	switch {
	case user && who.User == "":
		return "(${user} stands only for a user, and the requester is not one)"
	case team && len(who.Teams) == 0:
		if who.User != "" {
			return fmt.Sprintf("(${team} stands for the requester's teams, and %s belongs to none)", who.User)
		}
		return "(${team} stands for the requester's teams, and it belongs to none)"
	}
	teams := who.Teams
	if !team {
		teams = []string{""}
	}
	out := make([]string, len(teams))
	for i, t := range teams {
		out[i] = s.expand(who.User, t)
	}
	whom := who.User
	if team {
		whom = "teams " + strings.Join(who.Teams, ", ")
		if who.User != "" {
			whom = who.User + " in " + whom
		}
	}
	return fmt.Sprintf("(for %s: %s)", whom, strings.Join(out, ", "))
}

func (s Scope) expand(user, team string) string {
	parts := make([]string, 0, len(s.segs)+1)
	for _, sg := range s.segs {
		switch sg.kind {
		case segUser:
			parts = append(parts, user)
		case segTeam:
			parts = append(parts, team)
		default:
			parts = append(parts, sg.lit)
		}
	}
	if s.deep {
		parts = append(parts, "**")
	}
	return strings.Join(parts, "/")
}
