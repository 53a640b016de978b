package catalog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tagflow/tagflow/catalog"
)

// An Also writes in the transaction of the change: both are there, or neither.
func TestAlsoCommitsWithTheChange(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t, t.TempDir())
	r := mustOpenRepo(t, s)
	if err := r.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	has := func(key string) bool {
		err := s.View(ctx, func(tx catalog.Txn) error { _, err := tx.Get([]byte(key)); return err })
		return err == nil
	}
	write := func(key string) catalog.Also {
		return func(tx catalog.Txn) error { return tx.Set([]byte(key), []byte("1")) }
	}
	boom := errors.New("boom")
	fail := func(catalog.Txn) error { return boom }
	doc := "datasets:\n  - name: a\n    fields: [{name: x, type: int}]\n"

	ch := planOn(t, r, "acme", "main", doc, catalog.PlanOptions{})
	if _, _, err := r.Commit(ctx, "acme", "main", ch, catalog.CommitInfo{Also: fail}); !errors.Is(err, boom) {
		t.Fatalf("commit with a failing Also: %v", err)
	}
	if b, _, _ := r.Head("acme", "main"); b.Version != 0 {
		t.Fatalf("a failing Also left the head moved to version %d", b.Version)
	}
	if _, _, err := r.Commit(ctx, "acme", "main", ch, catalog.CommitInfo{Also: write("x/commit")}); err != nil || !has("x/commit") {
		t.Fatalf("commit: %v; its Also written: %v", err, has("x/commit"))
	}

	if _, err := r.CreateBranch(ctx, "acme", "dev", "main", fail); !errors.Is(err, boom) {
		t.Fatalf("createBranch with a failing Also: %v", err)
	}
	if _, _, err := r.Head("acme", "dev"); err == nil {
		t.Fatal("a failing Also left the branch created")
	}
	if _, err := r.CreateBranch(ctx, "acme", "dev", "main", write("x/create")); err != nil || !has("x/create") {
		t.Fatalf("createBranch: %v; its Also written: %v", err, has("x/create"))
	}
	if err := r.DeleteBranch(ctx, "acme", "dev", fail); !errors.Is(err, boom) {
		t.Fatalf("deleteBranch with a failing Also: %v", err)
	}
	if _, _, err := r.Head("acme", "dev"); err != nil {
		t.Fatal("a failing Also deleted the branch")
	}
	if err := r.DeleteBranch(ctx, "acme", "dev", write("x/delete")); err != nil || !has("x/delete") {
		t.Fatalf("deleteBranch: %v; its Also written: %v", err, has("x/delete"))
	}
	// After a restart the branch is gone and the records stay.
	r2 := mustOpenRepo(t, s)
	if _, _, err := r2.Head("acme", "dev"); err == nil || !has("x/create") {
		t.Errorf("after reopening: dev %v, records %v", err, has("x/create"))
	}
}
