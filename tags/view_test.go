package tags_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
	"github.com/tagflow/tagflow/tags"
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
	// Sources are Explain's sources; MemberTags are Tags of each member path, in order,
	// each list its own (appending to one does not change the next).
	for _, q := range [][2]string{{"Summary.m", "PII"}, {"Summary.n", "PII"}, {"Users.email", "PII"}, {"Users.id", "PII"}, {"Users.email", "unknown"}} {
		src, err := v.Sources(ctx, q[0], q[1])
		ex, _ := v.Explain(ctx, q[0], q[1])
		if err != nil || fmt.Sprint(src) != fmt.Sprint(ex.Sources) {
			t.Errorf("sources %v: %v %v, explain says %v", q, src, err, ex.Sources)
		}
	}
	if _, err := v.Sources(ctx, "Nope", "PII"); catalog.KindOf(err) != catalog.NotFound {
		t.Errorf("sources of a missing path: %v", err)
	}
	mt := v.MemberTags("Summary", []string{"n", "m", "gone"})
	if fmt.Sprint(mt) != "[[] [PII] []]" {
		t.Errorf("member tags: %v", mt)
	}
	mt = v.MemberTags("Users", []string{"email", "id", "email"})
	_ = append(mt[0], "X")
	if fmt.Sprint(mt) != "[[PII] [] [PII]]" {
		t.Errorf("member tags after an append: %v", mt)
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

// Branch state is kept in one place: the View every read uses is the one attached to the
// branch's head in the Repo, at the head's version, through deploys, branch creation,
// defineTag and branch deletion.
func TestTheViewIsTheRepoHeads(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	same := func(step, branch string) {
		t.Helper()
		v, err := s.View(org, branch)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		b, snap, err := s.Repo().Head(org, branch)
		if err != nil || s.Repo().Derived(org, branch) != v || b.Version != v.Catalog.Version || snap != v.Snapshot {
			t.Fatalf("%s: the view (version %d) is not the head's (version %d)", step, v.Catalog.Version, b.Version)
		}
	}
	same("open", "main")
	mustDeploy(t, s, "main", "datasets: [{name: A, fields: [{name: x, type: int, tags: [PII]}]}]\n")
	same("deploy", "main")
	if _, err := s.CreateBranch(ctx, org, "dev", "main"); err != nil {
		t.Fatal(err)
	}
	same("createBranch", "dev")
	if _, _, err := s.DefineTag(ctx, org, tags.Definition{Name: "PII", Propagate: true}); err != nil {
		t.Fatal(err)
	}
	same("defineTag", "main")
	same("defineTag", "dev")
	if err := s.DeleteBranch(ctx, org, "dev"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.View(org, "dev"); catalog.KindOf(err) != catalog.NotFound || s.Repo().Derived(org, "dev") != nil {
		t.Fatalf("deleted branch: %v", err)
	}
	if n := len(s.Branches(org)); n != 1 {
		t.Fatalf("%d branches", n)
	}
}
