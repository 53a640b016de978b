package tags_test

import (
	"context"
	"slices"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

func mustDelete(t *testing.T, s *tags.Service, branch string, paths ...string) *tags.DeployResult {
	t.Helper()
	res, err := s.Delete(context.Background(), tags.DeleteRequest{Org: org, Branch: branch, Paths: paths, Deleter: "user:admin"})
	if err != nil {
		t.Fatalf("delete %v: %v", paths, err)
	}
	return res
}

// A deletion is one durable commit: it survives a restart, the lineage graph loses the
// nodes, and the stewards' tags go with the asset (deploying it anew does not bring them
// back).
func TestDeleteSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	store := openStore(t, dir)
	repo, _ := catalog.Open(ctx, store)
	if err := repo.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	s, err := tags.Open(ctx, repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, s, "main", fennel(t))
	if _, _, err := s.SetTags(ctx, org, "main", "UserFeatures.city", []string{"sensitive"}, "user:admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBranch(ctx, org, "dev", "main"); err != nil {
		t.Fatal(err)
	}
	res := mustDelete(t, s, "main", "UserFeatures")
	if !slices.Equal(res.Removed, []string{"UserFeatures"}) || res.Version != 3 {
		t.Fatalf("delete = %+v", res)
	}
	store.Close()

	store = openStore(t, dir)
	defer store.Close()
	repo, err = catalog.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	s, err = tags.Open(ctx, repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	v, _ := s.View(org, "main")
	if v.Snapshot.Get("UserFeatures") != nil || v.Snapshot.Len() != 3 || v.Catalog.Version != 3 {
		t.Fatalf("after restart main has %d assets at version %d", v.Snapshot.Len(), v.Catalog.Version)
	}
	if _, ok := v.Lineage.Graph.Lookup("UserFeatures.city"); ok {
		t.Fatal("the lineage graph still holds UserFeatures.city")
	}
	if dev, _ := s.View(org, "dev"); dev.Snapshot.Get("UserFeatures") == nil {
		t.Fatal("the deletion reached the branch dev")
	}
	mustDeploy(t, s, "main", fennel(t))
	v, _ = s.View(org, "main")
	if a := v.Snapshot.Get("UserFeatures"); a == nil || a.Member("city").Steward != nil {
		t.Fatalf("UserFeatures deployed anew = %+v", a)
	}
}

// The mark of the document that made the head does not outlive a deletion: the same
// document again restores what was deleted. A dry run deletes nothing.
func TestDeleteThenSameDocumentRestores(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", fennel(t))
	mustDelete(t, s, "main", "UserFeatures")
	res := mustDeploy(t, s, "main", fennel(t))
	if !slices.Equal(res.Added, []string{"UserFeatures"}) {
		t.Fatalf("the same document after a deletion: %+v", res)
	}
	res, err := s.Delete(context.Background(), tags.DeleteRequest{Org: org, Branch: "main", Paths: []string{"UserFeatures"}, DryRun: true})
	if err != nil || !slices.Equal(res.Removed, []string{"UserFeatures"}) {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if _, snap := head(t, s, "main"); snap.Get("UserFeatures") == nil {
		t.Fatal("a dry run deleted")
	}
}
