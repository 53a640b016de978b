package access

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagflow/tagflow/catalog"
)

// The bounds of a tag expression, so that parsing, printing and explaining one is bounded.
const (
	// MaxExprBytes is the longest tag expression.
	MaxExprBytes = 4096
	// MaxExprDepth is how deeply parentheses and "!" may nest.
	MaxExprDepth = 64
)

// Expr is a rule's tag expression (DESIGN §5), parsed once: tag names, !, &&, ||,
// parentheses, true and false, over the present tags of an asset. It is immutable and
// safe for concurrent use.
//
// It is kept twice: as a tree, for String and the explanations, and compiled to a
// branching program for Eval, where each tag of the expression is one instruction that
// tests it and jumps on the answer, so that && and || short-circuit without a stack.
type Expr struct {
	root  *node
	prog  []instr
	start int32    // the first instruction, or accept / reject for a constant
	tags  []string // the tags mentioned, sorted, once each
}

// An instruction tests one tag and goes to t when it is present, to f when it is absent.
type instr struct {
	tag  string
	t, f int32
}

// Where a program ends: the expression holds, or it does not.
const (
	accept int32 = -1
	reject int32 = -2
)

type op uint8

const (
	opTag op = iota
	opTrue
	opFalse
	opNot
	opAnd
	opOr
)

// A node of the tree. And and Or are n-ary: a chain (a && b && c), nested or not, is one node.
type node struct {
	op   op
	tag  string  // opTag
	kids []*node // opNot: one; opAnd, opOr: two or more
}

// ExprError is a mistake in a tag expression, at a 1-based column (in characters) of it.
type ExprError struct {
	Src    string // the expression
	Column int
	Msg    string
}

func (e *ExprError) Error() string {
	return fmt.Sprintf("tags: %q — column %d: %s", excerpt(e.Src, e.Column), e.Column, e.Msg)
}

// excerpt is src, or for a long one the part around column col.
func excerpt(src string, col int) string {
	const half = 32
	r := []rune(src)
	if len(r) <= 2*half {
		return src
	}
	lo, hi := max(col-1-half, 0), min(col-1+half, len(r))
	s := string(r[lo:hi])
	if lo > 0 {
		s = "…" + s
	}
	if hi < len(r) {
		s += "…"
	}
	return s
}

// ParseRuleTags parses a rule's tag expression for operation op (createRole, updateRole):
// a mistake is an INVALID_ARGUMENT *catalog.Error wrapping the *ExprError. A rule given
// without tags applies everywhere: its caller parses "true".
func ParseRuleTags(op, src string) (*Expr, error) {
	e, err := ParseExpr(src)
	if err != nil {
		return nil, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Err: err}
	}
	return e, nil
}

// MustParseExpr is ParseExpr for expressions written in the program (the built-in roles);
// it panics on a mistake.
func MustParseExpr(src string) *Expr {
	e, err := ParseExpr(src)
	if err != nil {
		panic(err)
	}
	return e
}

// ParseExpr parses a tag expression. ! binds tightest, then &&, then ||; whitespace is
// free; true holds everywhere and false nowhere. A mistake is an *ExprError.
func ParseExpr(src string) (*Expr, error) {
	p := parser{src: src}
	if err := p.check(); err != nil {
		return nil, err
	}
	p.next()
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind == tEOF {
		return nil, p.errAt(0, "the expression is empty; write a tag name, or true to match every asset")
	}
	root := p.or()
	if p.err == nil && p.tok.kind != tEOF {
		p.unexpected(false)
	}
	if p.err != nil {
		return nil, p.err
	}
	return compile(root), nil
}

// String is the canonical form of the expression: single spaces around && and ||, and
// only the parentheses that precedence needs. ParseExpr(e.String()) is e again.
func (e *Expr) String() string {
	var b strings.Builder
	write(&b, e.root, opOr)
	return b.String()
}

// write prints n inside a parent of kind in (opOr at the top, opAnd, opNot).
func write(b *strings.Builder, n *node, in op) {
	switch n.op {
	case opTag:
		b.WriteString(n.tag)
	case opTrue:
		b.WriteString("true")
	case opFalse:
		b.WriteString("false")
	case opNot:
		b.WriteByte('!')
		write(b, n.kids[0], opNot)
	case opAnd, opOr:
		paren := n.op == opOr && in != opOr || n.op == opAnd && in == opNot
		if paren {
			b.WriteByte('(')
		}
		sep := " && "
		if n.op == opOr {
			sep = " || "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			write(b, k, n.op)
		}
		if paren {
			b.WriteByte(')')
		}
	}
}

// MarshalText writes the canonical form, so that a rule stores its expression as text.
func (e *Expr) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText parses an expression.
func (e *Expr) UnmarshalText(text []byte) error {
	p, err := ParseExpr(string(text))
	if err != nil {
		return err
	}
	*e = *p
	return nil
}

// Tags returns the tag names the expression mentions, sorted, each once. The caller must
// not change the slice.
func (e *Expr) Tags() []string { return e.tags }

// Eval says whether the expression holds for an asset whose present tags are those for
// which has answers true.
func (e *Expr) Eval(has func(tag string) bool) bool {
	pc := e.start
	for pc >= 0 {
		in := &e.prog[pc]
		if has(in.tag) {
			pc = in.t
		} else {
			pc = in.f
		}
	}
	return pc == accept
}

// EvalSorted says whether the expression holds for an asset whose present tags are
// present, sorted (as tags.Branch.Present answers them). It is the fast path of decisions:
// no allocation, a few nanoseconds per tag tested.
func (e *Expr) EvalSorted(present []string) bool {
	if len(present) > 8 {
		return e.evalSearch(present)
	}
	pc := e.start
	for pc >= 0 {
		in := &e.prog[pc]
		next := in.f
		for _, t := range present {
			if t == in.tag {
				next = in.t
				break
			}
		}
		pc = next
	}
	return pc == accept
}

// evalSearch is EvalSorted for many present tags: each tag tested is found by halving.
func (e *Expr) evalSearch(present []string) bool {
	pc := e.start
	for pc >= 0 {
		in := &e.prog[pc]
		if contains(present, in.tag) {
			pc = in.t
		} else {
			pc = in.f
		}
	}
	return pc == accept
}

// contains reports whether sorted holds s.
func contains(sorted []string, s string) bool {
	lo, hi := 0, len(sorted)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if sorted[m] < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(sorted) && sorted[lo] == s
}

// Literal is one fact about an asset's tags: Tag is present, or absent.
type Literal struct {
	Tag     string
	Present bool
}

func (l Literal) String() string {
	if l.Present {
		return l.Tag + " is present"
	}
	return l.Tag + " is absent"
}

// Why returns, when the expression does not hold, the facts that make it false: for a && b
// the part that fails (the first, of those that blame the fewest facts), for a || b the
// reasons of every part. They are a certificate:
// any asset with these facts fails the expression, whatever its other tags. Why is nil when
// the expression holds, and also for the constant false (nothing about the tags is to blame).
func (e *Expr) Why(has func(tag string) bool) []Literal {
	if e.Eval(has) {
		return nil
	}
	var out []Literal
	blame(e.root, false, has, &out)
	return out
}

// Explain says in words why the expression does not hold ("PII is present",
// "sensitive is absent", "public is absent and internal is absent"), or "" when it holds.
// The caller names the asset: "User.city has PII" is composed above.
func (e *Expr) Explain(has func(tag string) bool) string {
	if e.Eval(has) {
		return ""
	}
	why := e.Why(has)
	if len(why) == 0 {
		return "the expression is false"
	}
	parts := make([]string, len(why))
	for i, l := range why {
		parts[i] = l.String()
	}
	return strings.Join(parts, " and ")
}

// blame appends to out the facts that make n evaluate to v (which it does), each once.
func blame(n *node, v bool, has func(string) bool, out *[]Literal) {
	switch n.op {
	case opTag:
		if l := (Literal{Tag: n.tag, Present: v}); !slices.Contains(*out, l) {
			*out = append(*out, l)
		}
	case opNot:
		blame(n.kids[0], !v, has, out)
	case opAnd, opOr:
		if v != (n.op == opOr) {
			// && true, || false: every part is to blame.
			for _, k := range n.kids {
				blame(k, v, has, out)
			}
			return
		}
		// && false, || true: one part decides; of those that do, the one with the fewest
		// facts (the first of them on a tie), so that a constant part blames nothing.
		var best []Literal
		found := false
		for _, k := range n.kids {
			if eval(k, has) != v {
				continue
			}
			var facts []Literal
			blame(k, v, has, &facts)
			if !found || len(facts) < len(best) {
				best, found = facts, true
			}
		}
		for _, l := range best {
			if !slices.Contains(*out, l) {
				*out = append(*out, l)
			}
		}
	}
}

// eval is the tree's own evaluation, for blame.
func eval(n *node, has func(string) bool) bool {
	switch n.op {
	case opTag:
		return has(n.tag)
	case opTrue:
		return true
	case opFalse:
		return false
	case opNot:
		return !eval(n.kids[0], has)
	case opAnd:
		for _, k := range n.kids {
			if !eval(k, has) {
				return false
			}
		}
		return true
	default:
		for _, k := range n.kids {
			if eval(k, has) {
				return true
			}
		}
		return false
	}
}

// compile turns the tree into a branching program: each node is compiled with the places
// to go when it is true and when it is false, the last part of a chain first.
func compile(root *node) *Expr {
	e := &Expr{root: root}
	var gen func(n *node, t, f int32) int32
	gen = func(n *node, t, f int32) int32 {
		switch n.op {
		case opTag:
			e.prog = append(e.prog, instr{tag: n.tag, t: t, f: f})
			return int32(len(e.prog) - 1)
		case opTrue:
			return t
		case opFalse:
			return f
		case opNot:
			return gen(n.kids[0], f, t)
		case opAnd:
			for i := len(n.kids) - 1; i >= 0; i-- {
				t = gen(n.kids[i], t, f)
			}
			return t
		default:
			for i := len(n.kids) - 1; i >= 0; i-- {
				f = gen(n.kids[i], t, f)
			}
			return f
		}
	}
	e.start = gen(root, accept, reject)
	// Emitted last part first: reverse, so that evaluation runs forward through memory.
	last := int32(len(e.prog) - 1)
	at := func(pc int32) int32 {
		if pc < 0 {
			return pc
		}
		return last - pc
	}
	for i, j := 0, len(e.prog)-1; i < j; i, j = i+1, j-1 {
		e.prog[i], e.prog[j] = e.prog[j], e.prog[i]
	}
	for i := range e.prog {
		e.prog[i].t, e.prog[i].f = at(e.prog[i].t), at(e.prog[i].f)
	}
	e.start = at(e.start)
	seen := map[string]bool{}
	for _, in := range e.prog {
		if !seen[in.tag] {
			seen[in.tag] = true
			e.tags = append(e.tags, in.tag)
		}
	}
	slices.Sort(e.tags)
	return e
}

// The tokens of the expression language.
type tokKind uint8

const (
	tEOF tokKind = iota
	tTag
	tTrue
	tFalse
	tNot
	tAnd
	tOr
	tOpen
	tClose
)

type token struct {
	kind tokKind
	text string // as written
	off  int    // byte offset in the source
}

func (t token) String() string { return fmt.Sprintf("%q", t.text) }

// parser is a recursive descent over the grammar
//
//	or      = and { "||" and }
//	and     = unary { "&&" unary }
//	unary   = "!" unary | primary
//	primary = TAG | "true" | "false" | "(" or ")"
//
// It stops at the first mistake (p.err); every method returns at once after one.
type parser struct {
	src   string
	pos   int   // byte offset of the next token
	tok   token // the current token
	prev  token // the token before it
	depth int
	err   *ExprError
}

// check refuses what is too long or not text before any parsing.
func (p *parser) check() *ExprError {
	if len(p.src) > MaxExprBytes {
		off := MaxExprBytes // the character that crosses the limit
		for off > 0 && !utf8.RuneStart(p.src[off]) {
			off--
		}
		return p.errAt(off, fmt.Sprintf("the expression is %d bytes, over the limit of %d", len(p.src), MaxExprBytes))
	}
	for i := 0; i < len(p.src); {
		r, n := utf8.DecodeRuneInString(p.src[i:])
		if r == utf8.RuneError && n <= 1 {
			return p.errAt(i, "the expression is not valid UTF-8")
		}
		i += n
	}
	return nil
}

// errAt records a mistake at byte offset off and returns it.
func (p *parser) errAt(off int, msg string) *ExprError {
	if off > len(p.src) {
		off = len(p.src)
	}
	col := utf8.RuneCountInString(p.src[:off]) + 1
	if p.err == nil {
		p.err = &ExprError{Src: p.src, Column: col, Msg: msg}
	}
	return p.err
}

func isTagRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.' || r == ':'
}

// next reads the next token into p.tok.
func (p *parser) next() {
	if p.err != nil {
		return
	}
	p.prev = p.tok
	s := p.src
	for p.pos < len(s) && (s[p.pos] == ' ' || s[p.pos] == '\t' || s[p.pos] == '\n' || s[p.pos] == '\r') {
		p.pos++
	}
	start := p.pos
	if start == len(s) {
		// At the end, a mistake points at the last token.
		p.tok = token{kind: tEOF, off: p.prev.off}
		return
	}
	tok := func(k tokKind, n int) {
		p.tok = token{kind: k, text: s[start : start+n], off: start}
		p.pos = start + n
	}
	switch c := s[start]; c {
	case '!':
		tok(tNot, 1)
		return
	case '(':
		tok(tOpen, 1)
		return
	case ')':
		tok(tClose, 1)
		return
	case '&', '|':
		if start+1 < len(s) && s[start+1] == c {
			if c == '&' {
				tok(tAnd, 2)
			} else {
				tok(tOr, 2)
			}
			return
		}
		word := "and"
		if c == '|' {
			word = "or"
		}
		p.errAt(start, fmt.Sprintf("a single %q is not an operator; write %c%c for %q", string(c), c, c, word))
		return
	case '~':
		p.errAt(start, `"~" is not an operator: it cancels a tag in a declaration; to say a tag is absent write !, as in !PII`)
		return
	}
	end := start
	for end < len(s) {
		r, n := utf8.DecodeRuneInString(s[end:])
		if !isTagRune(r) {
			break
		}
		end += n
	}
	if end == start {
		r, _ := utf8.DecodeRuneInString(s[start:])
		p.errAt(start, fmt.Sprintf("%q cannot be in an expression; tag names hold letters, digits and _ - . :, joined by !, &&, || and parentheses", string(r)))
		return
	}
	tok(tTag, end-start)
	switch p.tok.text {
	case "true":
		p.tok.kind = tTrue
	case "false":
		p.tok.kind = tFalse
	default:
		if err := catalog.ValidateTagName(p.tok.text); err != nil {
			p.errAt(start, err.Error())
		}
	}
}

func (p *parser) or() *node { return p.chain(opOr, tOr, p.and) }

func (p *parser) and() *node { return p.chain(opAnd, tAnd, p.unary) }

// chain parses part { sep part } into one node of op o. A part that is itself a chain of o
// (written in parentheses) is spliced in, so that a || (b || c) is a || b || c.
func (p *parser) chain(o op, sep tokKind, part func() *node) *node {
	first := part()
	if p.err != nil || p.tok.kind != sep {
		return first
	}
	n := &node{op: o}
	add := func(k *node) {
		if k.op == o {
			n.kids = append(n.kids, k.kids...)
		} else {
			n.kids = append(n.kids, k)
		}
	}
	add(first)
	for p.tok.kind == sep {
		p.next()
		k := part()
		if p.err != nil {
			return nil
		}
		add(k)
	}
	return n
}

// enter counts one more level of nesting at the current token.
func (p *parser) enter() bool {
	p.depth++
	if p.depth > MaxExprDepth {
		p.errAt(p.tok.off, fmt.Sprintf("the expression nests deeper than %d levels of parentheses and !", MaxExprDepth))
		return false
	}
	return true
}

func (p *parser) unary() *node {
	if p.err != nil {
		return nil
	}
	if p.tok.kind != tNot {
		return p.primary()
	}
	if !p.enter() {
		return nil
	}
	p.next()
	k := p.unary()
	p.depth--
	if k == nil {
		return nil
	}
	return &node{op: opNot, kids: []*node{k}}
}

func (p *parser) primary() *node {
	if p.err != nil {
		return nil
	}
	t := p.tok
	switch t.kind {
	case tTag:
		p.next()
		return &node{op: opTag, tag: t.text}
	case tTrue:
		p.next()
		return &node{op: opTrue}
	case tFalse:
		p.next()
		return &node{op: opFalse}
	case tOpen:
		if !p.enter() {
			return nil
		}
		p.next()
		n := p.or()
		if p.err != nil {
			return nil
		}
		if p.tok.kind != tClose {
			if p.tok.kind == tEOF {
				p.errAt(t.off, `this "(" is never closed; add ")"`)
			} else {
				p.unexpected(true)
			}
			return nil
		}
		p.depth--
		p.next()
		return n
	case tEOF:
		p.errAt(t.off, fmt.Sprintf("expected a tag name after %s", p.prev))
	default:
		p.errAt(t.off, fmt.Sprintf("expected a tag name, found %s", t))
	}
	return nil
}

// unexpected reports a token where an operator (or, inside parentheses, a ")") belongs.
func (p *parser) unexpected(inParens bool) {
	t := p.tok
	if t.kind == tClose && !inParens {
		p.errAt(t.off, `this ")" has no "(" before it`)
		return
	}
	want := "&& or ||"
	if inParens {
		want = `&&, || or ")"`
	}
	msg := fmt.Sprintf("expected %s before %s", want, t)
	if p.prev.kind == tTag {
		msg = fmt.Sprintf("expected %s between %s and %s", want, p.prev, t)
	}
	if t.kind == tTag {
		switch strings.ToLower(t.text) {
		case "and":
			msg += `; write && for "and"`
		case "or":
			msg += `; write || for "or"`
		}
	}
	if p.prev.kind == tTag && strings.EqualFold(p.prev.text, "not") {
		msg += `; write ! for "not", as in !PII`
	}
	p.errAt(t.off, msg)
}
