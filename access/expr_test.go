package access_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

func TestParseExprErrors(t *testing.T) {
	for _, tc := range []struct {
		src string
		col int
		msg string
	}{
		{"", 1, "the expression is empty; write a tag name, or true to match every asset"},
		{" \t ", 1, "the expression is empty; write a tag name, or true to match every asset"},
		// The example: the column of the "(" after which the tag name is missing.
		{"PII && (", 8, `expected a tag name after "("`},
		{"(PII", 1, `this "(" is never closed; add ")"`},
		{"a && (b || (c)", 6, `this "(" is never closed; add ")"`},
		{"PII)", 4, `this ")" has no "(" before it`},
		{"(a))", 4, `this ")" has no "(" before it`},
		{"()", 2, `expected a tag name, found ")"`},
		{"PII &&", 5, `expected a tag name after "&&"`},
		{"PII ||  ", 5, `expected a tag name after "||"`},
		{"&& PII", 1, `expected a tag name, found "&&"`},
		{"a && || b", 6, `expected a tag name, found "||"`},
		{"!", 1, `expected a tag name after "!"`},
		{"PII secret", 5, `expected && or || between "PII" and "secret"`},
		{"PII (secret)", 5, `expected && or || between "PII" and "("`},
		{"(a b)", 4, `expected &&, || or ")" between "a" and "b"`},
		{"(a) b", 5, `expected && or || before "b"`},
		{"a !b", 3, `expected && or || between "a" and "!"`},
		{"PII and secret", 5, `expected && or || between "PII" and "and"; write && for "and"`},
		{"PII OR secret", 5, `expected && or || between "PII" and "OR"; write || for "or"`},
		{"not PII", 5, `expected && or || between "not" and "PII"; write ! for "not", as in !PII`},
		{"PII && $x", 8, `"$" cannot be in an expression; tag names hold letters, digits and _ - . :, joined by !, &&, || and parentheses`},
		{"country = IN", 9, `"=" cannot be in an expression; tag names hold letters, digits and _ - . :, joined by !, &&, || and parentheses`},
		{"ünï ‽", 5, `"‽" cannot be in an expression; tag names hold letters, digits and _ - . :, joined by !, &&, || and parentheses`},
		{"~PII", 1, `"~" is not an operator: it cancels a tag in a declaration; to say a tag is absent write !, as in !PII`},
		{"a && P~II", 7, `"~" is not an operator: it cancels a tag in a declaration; to say a tag is absent write !, as in !PII`},
		{"PII & x", 5, `a single "&" is not an operator; write && for "and"`},
		{"a | b", 3, `a single "|" is not an operator; write || for "or"`},
		{"a &", 3, `a single "&" is not an operator; write && for "and"`},
		{"a && " + strings.Repeat("t", 201), 6, "tag name is 201 bytes, over the limit of 200"},
		{"a && \xff", 6, "the expression is not valid UTF-8"},
		{strings.Repeat("a && ", 820) + "b", 4097, "the expression is 4101 bytes, over the limit of 4096"},
		// The limit falls inside the last character ("ü" is 2 bytes): the column is that character's.
		{strings.Repeat("a", 4095) + "ü", 4096, "the expression is 4097 bytes, over the limit of 4096"},
		{strings.Repeat("(", 64) + "a" + strings.Repeat(")", 64) + " && " + strings.Repeat("(", 65) + "a" + strings.Repeat(")", 65),
			129 + 4 + 65, "the expression nests deeper than 64 levels of parentheses and !"},
		{strings.Repeat("!", 65) + "a", 65, "the expression nests deeper than 64 levels of parentheses and !"},
		{"!(!(" + strings.Repeat("!", 61) + "a))", 65, "the expression nests deeper than 64 levels of parentheses and !"},
	} {
		_, err := access.ParseExpr(tc.src)
		var ee *access.ExprError
		if !errors.As(err, &ee) {
			t.Errorf("ParseExpr(%.40q) = %v, want an *ExprError", tc.src, err)
			continue
		}
		if ee.Column != tc.col || ee.Msg != tc.msg {
			t.Errorf("ParseExpr(%.40q):\n got column %d: %s\nwant column %d: %s", tc.src, ee.Column, ee.Msg, tc.col, tc.msg)
		}
	}
}

func TestParseExprLimitsAccepted(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("a && ", 818) + "bcdef", // 4095 bytes
		strings.Repeat("(", 64) + "a" + strings.Repeat(")", 64),
		strings.Repeat("!", 64) + "a",
		strings.Repeat("(!", 32) + "a" + strings.Repeat(")", 32),
		"a && " + strings.Repeat("t", 200),
	} {
		if len(src) > access.MaxExprBytes {
			t.Fatalf("test input is %d bytes", len(src))
		}
		if _, err := access.ParseExpr(src); err != nil {
			t.Errorf("ParseExpr(%.40q): %v", src, err)
		}
	}
}

func TestExprErrorText(t *testing.T) {
	_, err := access.ParseRuleTags("createRole", "PII && (")
	if got := catalog.KindOf(err); got != catalog.InvalidArgument {
		t.Fatalf("kind %v, want INVALID_ARGUMENT", got)
	}
	want := `createRole: tags: "PII && (" — column 8: expected a tag name after "("`
	if err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
	var ee *access.ExprError
	if !errors.As(err, &ee) || ee.Column != 8 {
		t.Errorf("errors.As: %v", err)
	}
	// A long expression is shown around the mistake, not whole.
	long := strings.Repeat("abc && ", 100) + "(x"
	_, err = access.ParseExpr(long)
	if got := err.Error(); len(got) > 200 || !strings.Contains(got, `&& (x"`) || !strings.Contains(got, "column 701:") {
		t.Errorf("long expression's error: %s", got)
	}
}

func TestExprString(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"PII", "PII"},
		{"  !PII ", "!PII"},
		{"sensitive&&country:IN", "sensitive && country:IN"},
		{"true", "true"},
		{"false", "false"},
		{"!(PII || secret) && public", "!(PII || secret) && public"},
		{"((a))", "a"},
		{"(a && b) && c", "a && b && c"},
		{"a && (b && c)", "a && b && c"},
		{"a || (b || c)", "a || b || c"},
		{"(a && b) || c", "a && b || c"},
		{"a || (b && c)", "a || b && c"},
		{"(a || b) && c", "(a || b) && c"},
		{"!(a && b)", "!(a && b)"},
		{"!(!a)", "!!a"},
		{"!(a)", "!a"},
		{"!((a || b) && !(c || true))", "!((a || b) && !(c || true))"},
		{"\ta\n||\r\nb", "a || b"},
	} {
		e, err := access.ParseExpr(tc.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tc.src, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("ParseExpr(%q).String() = %q, want %q", tc.src, got, tc.want)
		}
	}
}

func TestExprTags(t *testing.T) {
	for src, want := range map[string][]string{
		"true":                       nil,
		"PII":                        {"PII"},
		"!(PII || secret) && public": {"PII", "public", "secret"},
		"b && a || !b && c:1":        {"a", "b", "c:1"},
	} {
		if got := access.MustParseExpr(src).Tags(); !slices.Equal(got, want) {
			t.Errorf("Tags(%q) = %q, want %q", src, got, want)
		}
	}
}

// set is a tag set written as "a b c".
func set(s string) func(string) bool {
	tags := strings.Fields(s)
	return func(t string) bool { return slices.Contains(tags, t) }
}

func sorted(s string) []string {
	tags := strings.Fields(s)
	slices.Sort(tags)
	return tags
}

func TestExprEval(t *testing.T) {
	sets := []string{"", "PII", "secret", "public", "PII public", "secret public", "sensitive", "sensitive country:IN", "country:IN"}
	for _, tc := range []struct {
		src  string
		want string // one of 0/1 per set above
	}{
		{"true", "111111111"},
		{"false", "000000000"},
		{"PII", "010010000"},
		{"!PII", "101101111"},
		{"!!PII", "010010000"},
		{"sensitive && country:IN", "000000010"},
		{"sensitive || country:IN", "000000111"},
		{"!(PII || secret) && public", "000100000"},
		{"!PII && !secret || sensitive", "100100111"},
		{"!(PII && public)", "111101111"},
		{"PII || secret && public", "010011000"},
		{"(PII || secret) && public", "000011000"},
		{"true && !PII", "101101111"},
		{"false || PII", "010010000"},
	} {
		e := access.MustParseExpr(tc.src)
		for i, s := range sets {
			want := tc.want[i] == '1'
			if got := e.Eval(set(s)); got != want {
				t.Errorf("%q on {%s}: Eval = %v, want %v", tc.src, s, got, want)
			}
			if got := e.EvalSorted(sorted(s)); got != want {
				t.Errorf("%q on {%s}: EvalSorted = %v, want %v", tc.src, s, got, want)
			}
		}
	}
}

func TestExprEvalSortedManyTags(t *testing.T) {
	// Beyond eight present tags EvalSorted halves instead of scanning.
	var present []string
	for i := range 40 {
		present = append(present, fmt.Sprintf("t%02d", i))
	}
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"t00 && t39 && t17", true},
		{"t40", false},
		{"t00x || a", false},
		{"!t21", false},
		{"!zzz && !a", true},
	} {
		if got := access.MustParseExpr(tc.src).EvalSorted(present); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.src, got, tc.want)
		}
	}
}

func TestExprExplain(t *testing.T) {
	for _, tc := range []struct{ src, tags, want string }{
		{"!PII", "PII public", "PII is present"},
		{"!PII", "public", ""},
		{"sensitive && x", "x", "sensitive is absent"},
		{"sensitive && x", "", "sensitive is absent"},
		{"sensitive && x", "sensitive", "x is absent"},
		{"a || b", "", "a is absent and b is absent"},
		{"a || a", "", "a is absent"},
		{"!(PII || secret) && public", "secret public", "secret is present"},
		{"!(PII || secret) && public", "", "public is absent"},
		{"!(a && b)", "a b", "a is present and b is present"},
		{"(a && b) || !c", "a c", "b is absent and c is present"},
		{"false", "a", "the expression is false"},
		{"!(a || true)", "a", "the expression is false"},
		{"(a || b) && c", "", "c is absent"},
		{"a && !(b && c)", "a b c", "b is present and c is present"},
		{"true", "", ""},
	} {
		e := access.MustParseExpr(tc.src)
		if got := e.Explain(set(tc.tags)); got != tc.want {
			t.Errorf("%q on {%s}: Explain = %q, want %q", tc.src, tc.tags, got, tc.want)
		}
	}
}

func TestExprText(t *testing.T) {
	type rule struct {
		Tags *access.Expr `json:"tags"`
	}
	var r rule
	if err := json.Unmarshal([]byte(`{"tags":"!( PII||secret )&&public"}`), &r); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"tags":"!(PII || secret) \u0026\u0026 public"}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	if err := json.Unmarshal([]byte(`{"tags":"PII &&"}`), &r); err == nil || !strings.Contains(err.Error(), "column 5") {
		t.Errorf("bad expression in JSON: %v", err)
	}
}

// ref is the test's own expression tree: the oracle the parser and the compiled program
// are held to.
type ref struct {
	op   string // tag, true, false, not, and, or
	tag  string
	kids []*ref
}

var refTags = []string{"PII", "secret", "public", "country:IN", "a.b-c_d", "ünï", "true_", "x1"}

func randRef(r *rand.Rand, depth int) *ref {
	if depth == 0 || r.IntN(4) == 0 {
		switch r.IntN(12) {
		case 0:
			return &ref{op: "true"}
		case 1:
			return &ref{op: "false"}
		}
		return &ref{op: "tag", tag: refTags[r.IntN(len(refTags))]}
	}
	switch r.IntN(3) {
	case 0:
		return &ref{op: "not", kids: []*ref{randRef(r, depth-1)}}
	case 1:
		return &ref{op: "and", kids: []*ref{randRef(r, depth-1), randRef(r, depth-1)}}
	}
	return &ref{op: "or", kids: []*ref{randRef(r, depth-1), randRef(r, depth-1)}}
}

func (x *ref) eval(has func(string) bool) bool {
	switch x.op {
	case "tag":
		return has(x.tag)
	case "true":
		return true
	case "false":
		return false
	case "not":
		return !x.kids[0].eval(has)
	case "and":
		return x.kids[0].eval(has) && x.kids[1].eval(has)
	}
	return x.kids[0].eval(has) || x.kids[1].eval(has)
}

// render writes x with every compound part in parentheses and random spacing.
func (x *ref) render(r *rand.Rand) string {
	sp := func() string { return []string{"", " ", "  ", "\t"}[r.IntN(4)] }
	switch x.op {
	case "tag":
		return x.tag
	case "true", "false":
		return x.op
	case "not":
		return "!" + sp() + x.kids[0].render(r)
	}
	o := " && "
	if x.op == "or" {
		o = sp() + "||" + sp()
	}
	return "(" + sp() + x.kids[0].render(r) + o + x.kids[1].render(r) + sp() + ")"
}

// randSet is a random subset of refTags, sorted; one in three has tags no expression
// mentions besides, so that EvalSorted's search for more than eight tags is held too.
func randSet(r *rand.Rand) []string {
	var s []string
	for _, t := range refTags {
		if r.IntN(2) == 0 {
			s = append(s, t)
		}
	}
	if r.IntN(3) == 0 {
		s = append(s, "A", "PIIx", "country:US", "other", "secret2", "zz")
	}
	slices.Sort(s)
	return s
}

// TestExprProperty holds random expressions, written with full parentheses, to the
// reference evaluator on random tag sets: Eval, EvalSorted, the canonical String (which
// parses back to itself and to the same truth), and Why (a certificate of falsity).
func TestExprProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 2))
	for i := range 3000 {
		x := randRef(r, 1+i%6)
		src := x.render(r)
		e, err := access.ParseExpr(src)
		if err != nil {
			t.Fatalf("ParseExpr(%q): %v", src, err)
		}
		canon := e.String()
		e2, err := access.ParseExpr(canon)
		if err != nil {
			t.Fatalf("ParseExpr(String() = %q) of %q: %v", canon, src, err)
		}
		if e2.String() != canon {
			t.Fatalf("%q: String %q parses to %q", src, canon, e2.String())
		}
		checkMinimalParens(t, canon)
		for range 8 {
			present := randSet(r)
			has := func(t string) bool { return slices.Contains(present, t) }
			want := x.eval(has)
			if got := e.Eval(has); got != want {
				t.Fatalf("%q on %q: Eval %v, want %v", src, present, got, want)
			}
			if got := e.EvalSorted(present); got != want {
				t.Fatalf("%q on %q: EvalSorted %v, want %v", src, present, got, want)
			}
			if got := e2.EvalSorted(present); got != want {
				t.Fatalf("%q (String %q) on %q: %v, want %v", src, canon, present, got, want)
			}
			why := e.Why(has)
			if want && why != nil {
				t.Fatalf("%q on %q holds but Why = %v", src, present, why)
			}
			if !want {
				checkCertificate(t, r, x, src, present, why)
			}
		}
	}
}

// checkCertificate checks that every tag set agreeing with why fails x, and that each fact
// of why is true of present.
func checkCertificate(t *testing.T, r *rand.Rand, x *ref, src string, present []string, why []access.Literal) {
	t.Helper()
	for _, l := range why {
		if slices.Contains(present, l.Tag) != l.Present {
			t.Fatalf("%q on %q: Why %v says %v, which is not so", src, present, why, l)
		}
	}
	for range 8 {
		other := randSet(r)
		for _, l := range why {
			other = slices.DeleteFunc(other, func(s string) bool { return s == l.Tag })
			if l.Present {
				other = append(other, l.Tag)
			}
		}
		if x.eval(func(t string) bool { return slices.Contains(other, t) }) {
			t.Fatalf("%q: Why %v on %q is no certificate: %q holds", src, why, present, other)
		}
	}
}

// checkMinimalParens checks that no pair of parentheses of the canonical form canon can be
// dropped: without it the expression is another one (or none).
func checkMinimalParens(t *testing.T, canon string) {
	t.Helper()
	var open []int
	for i, c := range canon {
		switch c {
		case '(':
			open = append(open, i)
		case ')':
			o := open[len(open)-1]
			open = open[:len(open)-1]
			without := canon[:o] + canon[o+1:i] + canon[i+1:]
			if e, err := access.ParseExpr(without); err == nil && e.String() == canon {
				t.Fatalf("String %q: the parentheses at %d..%d are needless", canon, o, i)
			}
		}
	}
}
