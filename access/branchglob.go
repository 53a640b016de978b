package access

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagflow/tagflow/catalog"
)

// BranchGlob is a parsed branch glob of a role rule (DESIGN §5: `main`, `dev/*`, default
// all). The forms, as in GitLab's protected branches and gitignore:
//
//	"*"            every branch, at any depth (the default of a rule)
//	"main"         that branch only
//	"dev/*"        one level under dev/: dev/jane, not dev/jane/x, not dev itself
//	"release-*"    "*" inside a segment matches any run of characters but "/"
//	"dev/**"       any depth under dev/: dev/jane, dev/jane/x, not dev itself
//
// "**" is a whole segment and ends the glob. Everything else follows
// catalog.ValidateBranchName, with "*" allowed where a letter or digit would be.
type BranchGlob struct {
	src  string
	kind globKind
	lit  string   // exact: the name; under: the prefix with its "/"
	segs []string // general: the segments before "**", "*" as a wildcard
	deep bool     // general: the glob ends in "**"
}

type globKind uint8

const (
	globNone  globKind = iota // the zero BranchGlob matches nothing
	globAll                   // "*"
	globExact                 // no wildcard
	globUnder                 // "dev/**" with no other wildcard
	globSegs                  // anything else
)

// ParseBranchGlob parses a branch glob. A mistake is a *catalog.Error of kind
// InvalidArgument naming the glob and the column (1-based, in characters) where it is wrong.
func ParseBranchGlob(s string) (BranchGlob, error) {
	if s == "*" {
		return BranchGlob{src: s, kind: globAll}, nil
	}
	if s == "" {
		return BranchGlob{}, globErr(s, 0, `empty; write a branch name, "dev/*", or "*" for every branch`)
	}
	if len(s) > catalog.MaxSegmentBytes {
		return BranchGlob{}, globErr(s, 0, "%d bytes, over the limit of %d", len(s), catalog.MaxSegmentBytes)
	}
	if !utf8.ValidString(s) {
		return BranchGlob{}, globErr(s, 0, "not valid UTF-8")
	}
	parts := strings.Split(s, "/")
	col := 1 // the column of the current segment's first character
	for i, p := range parts {
		switch {
		case p == "":
			return BranchGlob{}, globErr(s, col, `empty segment; segments are separated by one "/"`)
		case p == "." || p == "..":
			return BranchGlob{}, globErr(s, col, "%q is not a segment", p)
		case p == "**" && len(parts) == 1:
			return BranchGlob{}, globErr(s, col, `"**" alone: write "*" for every branch`)
		case p == "**" && i < len(parts)-1:
			return BranchGlob{}, globErr(s, col, `"**" may only end a glob, meaning any depth under what comes before it`)
		case p == "**":
		case strings.Contains(p, "**"):
			return BranchGlob{}, globErr(s, col+utf8.RuneCountInString(p[:strings.Index(p, "**")]), `"**" is a whole segment; inside a segment "*" already matches any run of characters`)
		default:
			if err := checkGlobSegment(s, p, col); err != nil {
				return BranchGlob{}, err
			}
		}
		col += utf8.RuneCountInString(p) + 1
	}
	g := BranchGlob{src: s}
	switch {
	case !strings.Contains(s, "*"):
		g.kind, g.lit = globExact, s
	case strings.HasSuffix(s, "/**") && !strings.Contains(s[:len(s)-2], "*"):
		g.kind, g.lit = globUnder, s[:len(s)-2]
	default:
		g.kind = globSegs
		if parts[len(parts)-1] == "**" {
			g.deep, parts = true, parts[:len(parts)-1]
		}
		g.segs = parts
	}
	return g, nil
}

// MustParseBranchGlob is ParseBranchGlob for globs known to be valid; it panics on an error.
func MustParseBranchGlob(s string) BranchGlob {
	g, err := ParseBranchGlob(s)
	if err != nil {
		panic(err)
	}
	return g
}

func checkGlobSegment(s, seg string, col int) error {
	for i, r := range []rune(seg) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '*':
		case r == '_' || r == '-' || r == '.' || r == '@':
			if i == 0 {
				// As in catalog.ValidateBranchName: "-x" reads as a flag, ".x" as a hidden file.
				return globErr(s, col, "a segment starts with a letter, a digit or \"*\", not %q", r)
			}
		default:
			return globErr(s, col+i, "%q is not allowed; branch globs hold letters, digits, _ - . @ /, and \"*\" as a wildcard", r)
		}
	}
	return nil
}

func globErr(s string, col int, format string, args ...any) error {
	msg := fmt.Sprintf("branch glob %q: ", clip(s))
	if col > 0 {
		msg += fmt.Sprintf("column %d: ", col)
	}
	return &catalog.Error{Kind: catalog.InvalidArgument, Msg: msg + fmt.Sprintf(format, args...)}
}

// String returns the glob as written, its one spelling.
func (g BranchGlob) String() string { return g.src }

// IsZero reports whether g is the zero BranchGlob, which matches nothing.
func (g BranchGlob) IsZero() bool { return g.kind == globNone }

// MarshalText writes the glob as String does.
func (g BranchGlob) MarshalText() ([]byte, error) { return []byte(g.src), nil }

// UnmarshalText parses a glob as ParseBranchGlob does.
func (g *BranchGlob) UnmarshalText(b []byte) error {
	p, err := ParseBranchGlob(string(b))
	if err != nil {
		return err
	}
	*g = p
	return nil
}

// Match reports whether branch matches the glob. It does not allocate.
func (g BranchGlob) Match(branch string) bool {
	switch g.kind {
	case globAll:
		return true
	case globExact:
		return branch == g.lit
	case globUnder:
		return len(branch) > len(g.lit) && strings.HasPrefix(branch, g.lit)
	case globSegs:
		return g.matchSegs(branch)
	}
	return false
}

func (g BranchGlob) matchSegs(branch string) bool {
	rest := branch
	for i, pat := range g.segs {
		seg := rest
		more := false
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			seg, rest, more = rest[:j], rest[j+1:], true
		}
		if !matchSegment(pat, seg) {
			return false
		}
		if !more {
			return !g.deep && i == len(g.segs)-1
		}
	}
	return g.deep && rest != ""
}

// matchSegment matches one segment (no "/") against a pattern in which "*" matches any
// run of bytes, the empty one too: the usual linear wildcard match that backtracks only to
// the last "*".
func matchSegment(pat, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && pat[p] == '*':
			star, mark = p, i
			p++
		case p < len(pat) && pat[p] == s[i]:
			p++
			i++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}
