package access_test

import (
	"strings"
	"testing"

	"github.com/tagflow/tagflow/access"
)

// benchExprs are rule expressions of the kinds DESIGN §5 and §7 use.
var benchExprs = []struct{ name, src string }{
	{"true", "true"},
	{"not", "!PII"},
	{"and", "sensitive && country:IN"},
	{"nested", "!(PII || secret) && public"},
	{"wide", "(a || b || c || d) && !(e && f) && (public || country:IN || country:US)"},
}

// benchPresent is an asset's present tags, sorted: five of them.
var benchPresent = []string{"country:IN", "public", "sensitive", "stripe", "ünï"}

// BenchmarkExprEval measures one evaluation on a 5-tag asset: EvalSorted, the decisions'
// fast path, and Eval through a func.
func BenchmarkExprEval(b *testing.B) {
	for _, x := range benchExprs {
		e := access.MustParseExpr(x.src)
		b.Run(x.name+"/sorted", func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if e.EvalSorted(benchPresent) {
					n++
				}
			}
			_ = n
		})
		b.Run(x.name+"/func", func(b *testing.B) {
			has := func(t string) bool {
				for _, p := range benchPresent {
					if p == t {
						return true
					}
				}
				return false
			}
			b.ReportAllocs()
			for b.Loop() {
				e.Eval(has)
			}
		})
	}
}

// BenchmarkParseExpr measures parsing and compiling, done once per rule when a role is
// loaded or edited.
func BenchmarkParseExpr(b *testing.B) {
	long := strings.Repeat("(a || b) && !c && ", 200) + "d"
	for _, x := range append(benchExprs[1:], struct{ name, src string }{"long3.6KiB", long}) {
		b.Run(x.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(x.src)))
			for b.Loop() {
				if _, err := access.ParseExpr(x.src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
