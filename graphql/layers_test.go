package graphql_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/tagflow/tagflow"

// layers says which tagflow layers each layer may import (DESIGN §1): arrows point down
// only, graphql → access → tags → lineage → catalog; cmd composes them; fixtures is data.
var layers = map[string][]string{
	"catalog":  {"catalog"},
	"lineage":  {"lineage", "catalog"},
	"tags":     {"tags", "lineage", "catalog"},
	"access":   {"access", "tags", "lineage", "catalog"},
	"graphql":  {"graphql", "access", "tags", "lineage", "catalog"},
	"web":      {"web", "graphql", "access", "tags", "lineage", "catalog"},
	"fixtures": {"fixtures"},
	"cmd":      {"cmd", "web", "graphql", "access", "tags", "lineage", "catalog", "fixtures"},
}

// thirdParty says which packages alone may import a technology.
var thirdParty = []struct {
	prefix  string
	allowed []string // tagflow package paths (relative) allowed to import it
}{
	{"github.com/dgraph-io/badger", []string{"catalog/badgerstore"}},
	{"github.com/gin-gonic/gin", []string{"graphql", "web"}},
	{"github.com/graph-gophers/graphql-go", []string{"graphql", "web"}},
}

type goPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func TestLayering(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", module+"/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		layer := strings.SplitN(rel, "/", 2)[0]
		allowed, ok := layers[layer]
		if !ok {
			t.Errorf("package %s is in no layer of DESIGN §1", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			target := strings.SplitN(strings.TrimPrefix(imp, module+"/"), "/", 2)[0]
			if !contains(allowed, target) {
				t.Errorf("%s imports %s: layer %s may import only %v", rel, imp, layer, allowed)
			}
		}
		all := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		for _, imp := range all {
			for _, tp := range thirdParty {
				if strings.HasPrefix(imp, tp.prefix) && !allowedFor(rel, tp.allowed) {
					t.Errorf("%s imports %s, which only %v may import", rel, imp, tp.allowed)
				}
			}
		}
	}
	if n < 8 {
		t.Fatalf("go list found only %d packages", n)
	}
}

func allowedFor(rel string, allowed []string) bool {
	for _, a := range allowed {
		if rel == a || strings.HasPrefix(rel, a+"/") {
			return true
		}
	}
	return false
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
