package catalog_test

import (
	"context"
	"testing"

	"github.com/tagflow/tagflow/catalog"
)

// The Repo owns branch heads, and what the layer above derives from a version is attached
// to the head: installed with it by a commit or a branch creation, replaced only at the
// same version, gone with the branch.
func TestDerivedStateLivesOnTheHead(t *testing.T) {
	ctx := context.Background()
	r := mustOpenRepo(t, mustOpenStore(t, ""))
	if err := r.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if r.Derived("acme", "main") != nil || r.Attach("acme", "nope", 0, "x") {
		t.Fatal("something attached to nothing")
	}
	if !r.Attach("acme", "main", 0, "v0") || r.Derived("acme", "main") != "v0" {
		t.Fatalf("attach at version 0: %v", r.Derived("acme", "main"))
	}
	_, base, _ := r.Head("acme", "main")
	doc, ps := catalog.ParseDocument([]byte("datasets: [{name: A, fields: [{name: x, type: int}]}]\n"))
	res, more := catalog.Resolve(doc)
	ch, more2 := catalog.Plan(base, res, catalog.PlanOptions{})
	if len(ps)+len(more)+len(more2) > 0 {
		t.Fatal(ps, more, more2)
	}
	nb, _, err := r.CommitDerived(ctx, "acme", "main", ch, catalog.CommitInfo{}, func(b catalog.Branch, s *catalog.Snapshot) any {
		if b.Version != 1 || s.Get("A") == nil {
			t.Errorf("derive got version %d", b.Version)
		}
		return "v1"
	})
	if err != nil || nb.Version != 1 || r.Derived("acme", "main") != "v1" {
		t.Fatalf("commit: %v %v", err, r.Derived("acme", "main"))
	}
	if r.Attach("acme", "main", 0, "stale") || r.Derived("acme", "main") != "v1" {
		t.Fatal("a stale version replaced the attachment")
	}
	if _, err := r.CreateBranchDerived(ctx, "acme", "dev", "main", func(b catalog.Branch, s *catalog.Snapshot, from any) any {
		return from.(string) + "+dev"
	}); err != nil || r.Derived("acme", "dev") != "v1+dev" {
		t.Fatalf("create branch: %v %v", err, r.Derived("acme", "dev"))
	}
	if err := r.DeleteBranch(ctx, "acme", "dev"); err != nil || r.Derived("acme", "dev") != nil {
		t.Fatalf("delete branch: %v %v", err, r.Derived("acme", "dev"))
	}
}
