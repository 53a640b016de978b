package tags_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// A view is read by path: tags, cancels, explanations, walks and impact pages name paths,
// and a path the view does not have is false or NOT_FOUND.
func TestViewReadsByPath(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", `datasets:
  - {name: Users, fields: [{name: email, type: str, tags: [PII]}, {name: id, type: int}]}
  - {name: Summary, fields: [{name: n, type: int, tags: ["~PII"]}, {name: m, type: int}], pipeline: {inputs: [Users]}}
`)
	v, err := s.View(org, "main")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		path, tags, cancels string
		ok                  bool
	}{
		{"Users.email", "PII", "", true},
		{"Users.id", "", "", true},
		{"Summary.n", "", "PII", true},
		{"Summary.m", "PII", "", true},
		{"Nope", "", "", false},
	} {
		got, ok := v.Tags(tc.path)
		c, cok := v.Cancels(tc.path)
		if strings.Join(got, ",") != tc.tags || strings.Join(c, ",") != tc.cancels || ok != tc.ok || cok != tc.ok || v.Has(tc.path) != tc.ok {
			t.Errorf("%s: tags %v %v, cancels %v %v", tc.path, got, ok, c, cok)
		}
	}
	ex, err := v.Explain(ctx, "Summary.m", "PII")
	if err != nil || !ex.Present || len(ex.Sources) != 1 || ex.Sources[0].Source != "Users.email" {
		t.Fatalf("explain: %+v %v", ex, err)
	}
	w, err := v.Walk(ctx, "Summary", lineage.Upstream, 1, lineage.DatasetLevel, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(w.Nodes, w.Edges); got != "[Summary Users] [{Users Summary derivation}]" {
		t.Fatalf("walk: %s", got)
	}
	p, err := v.Impact(ctx, "Users", 2, "")
	if err != nil || p.Total != 5 || strings.Join(p.Paths, ",") != "Summary,Summary.m" || !p.HasNext {
		t.Fatalf("impact: %+v %v", p, err)
	}
	p, err = v.Impact(ctx, "Users", 10, "Summary.m")
	if err != nil || strings.Join(p.Paths, ",") != "Summary.n,Users.email,Users.id" || p.HasNext {
		t.Fatalf("impact page 2: %+v %v", p, err)
	}
	for name, read := range map[string]func() error{
		"explain": func() error { _, err := v.Explain(ctx, "Nope", "PII"); return err },
		"walk":    func() error { _, err := v.Walk(ctx, "Nope", lineage.Upstream, 1, lineage.ColumnLevel, 10); return err },
		"impact":  func() error { _, err := v.Impact(ctx, "Nope", 10, ""); return err },
	} {
		if err := read(); catalog.KindOf(err) != catalog.NotFound || !strings.Contains(err.Error(), "Nope does not exist on branch main") {
			t.Errorf("%s of a missing path: %v", name, err)
		}
	}
	if defs := s.Definitions(org); len(defs) != 0 {
		t.Errorf("definitions: %v", defs)
	}
}
