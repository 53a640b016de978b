package graphql_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The resolvers read a branch view by path (tags.View.Tags, Cancels, Explain, Walk,
// Impact): no source of the package reaches into the view's lineage graph, its tag states
// or the vocabulary, where nodes are dense ids (STYLE §9, "transports stay thin").
func TestResolversNeverHandleDenseIDs(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	banned := map[string]string{
		"Lineage": "the view's lineage graph and tag states (dense ids)",
		"Vocab":   "the vocabulary (tag ids)",
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if why, bad := banned[sel.Sel.Name]; bad {
					t.Errorf("%s: .%s reaches into %s; read the view by path", fset.Position(sel.Pos()), sel.Sel.Name, why)
				}
			}
			return true
		})
	}
}
