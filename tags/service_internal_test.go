package tags

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
)

// A change in progress on one branch does not block a deploy to another.
func TestDeploysToOtherBranchesDoNotBlock(t *testing.T) {
	ctx := context.Background()
	store, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBranch(ctx, "acme", "other", "main"); err != nil {
		t.Fatal(err)
	}
	unlock := s.lock("acme", "main") // as a long deploy to main would hold it
	defer func() { unlock() }()
	done := make(chan error, 1)
	go func() {
		_, err := s.Deploy(ctx, DeployRequest{Org: "acme", Branch: "other", Deployer: "user:admin",
			Document: []byte("datasets: [{name: A, fields: [{name: x, type: int}]}]")})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a deploy to another branch waited for main's lock")
	}
	blocked := make(chan error, 1)
	go func() {
		_, err := s.Deploy(ctx, DeployRequest{Org: "acme", Branch: "main", Deployer: "user:admin",
			Document: []byte("datasets: [{name: B, fields: [{name: x, type: int}]}]")})
		blocked <- err
	}()
	select {
	case <-blocked:
		t.Fatal("a deploy to main ran while main's lock was held")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	unlock = func() {}
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
}
