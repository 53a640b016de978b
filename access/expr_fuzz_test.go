package access_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tagflow/tagflow/access"
)

// FuzzParseExpr checks that no input makes the expression parser panic; that a mistake is
// an *ExprError at a column within the input; and that an accepted expression's String
// parses to itself and to an expression with the same truth on every subset of its tags.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{
		"PII", "!PII", "sensitive && country:IN", "true", "false", "!(PII || secret) && public",
		"a || b && !c", "((a))", "PII && (", "(PII", "PII)", "~PII", "PII & x", "a | b",
		"PII secret", "not PII", "", " ", "!!!a", "ünï && c:d", "a && \xff", "a\t||\nb",
		strings.Repeat("(", 70) + "a", strings.Repeat("!", 70) + "a", strings.Repeat("a", 4095) + "ü",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := access.ParseExpr(src)
		if err != nil {
			var ee *access.ExprError
			if !errors.As(err, &ee) {
				t.Fatalf("ParseExpr(%q): %v is not an *ExprError", src, err)
			}
			if n := utf8.RuneCountInString(src); ee.Column < 1 || ee.Column > max(n, 1) {
				t.Fatalf("ParseExpr(%q): column %d outside 1..%d", src, ee.Column, max(n, 1))
			}
			if ee.Msg == "" || strings.Contains(err.Error(), "access.") {
				t.Fatalf("ParseExpr(%q): message %q", src, err)
			}
			return
		}
		canon := e.String()
		e2, err := access.ParseExpr(canon)
		if err != nil {
			t.Fatalf("ParseExpr(%q).String() = %q does not parse: %v", src, canon, err)
		}
		if e2.String() != canon {
			t.Fatalf("%q: String %q parses to %q", src, canon, e2.String())
		}
		tags := e.Tags()
		if len(tags) > 10 {
			tags = tags[:10] // the others stay absent
		}
		for bits := 0; bits < 1<<len(tags); bits++ {
			var present []string
			for i, tag := range tags {
				if bits&(1<<i) != 0 {
					present = append(present, tag)
				}
			}
			if a, b := e.EvalSorted(present), e2.EvalSorted(present); a != b {
				t.Fatalf("%q and its String %q differ on %q: %v, %v", src, canon, present, a, b)
			}
			has := func(s string) bool { return contains(present, s) }
			if a := e.Eval(has); a != e.EvalSorted(present) {
				t.Fatalf("%q on %q: Eval and EvalSorted differ", src, present)
			}
			if got := e.Explain(has); (got == "") != e.Eval(has) {
				t.Fatalf("%q on %q: Explain %q", src, present, got)
			}
		}
	})
}

func contains(sorted []string, s string) bool {
	for _, t := range sorted {
		if t == s {
			return true
		}
	}
	return false
}
