package tags

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/lineage"
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

// pathHeap keeps exactly the limit smallest paths, whatever the order they come in.
func TestPathHeapKeepsTheFirstByPath(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		n := r.IntN(300)
		var assets []*catalog.Asset
		for i := 0; i < n; i++ {
			assets = append(assets, &catalog.Asset{Kind: catalog.KindDataset, Path: fmt.Sprintf("d%04d", r.IntN(5000))})
		}
		byPath := map[string]*catalog.Asset{}
		for _, a := range assets {
			byPath[a.Path] = a
		}
		assets = assets[:0]
		for _, a := range byPath {
			assets = append(assets, a)
		}
		g := lineage.NewGraph()
		g.Apply(func(p string) *catalog.Asset { return byPath[p] }, assets, nil)
		var paths []string
		h := pathHeap{g: g}
		limit := r.IntN(50)
		for _, a := range assets {
			id, _ := g.Lookup(a.Path)
			h.offer(id, limit)
			paths = append(paths, a.Path)
		}
		sort.Strings(paths)
		var got []string
		for _, id := range h.ids {
			got = append(got, g.Path(id))
		}
		sort.Strings(got)
		want := paths[:min(limit, len(paths))]
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: limit %d of %d: kept %v, want %v", round, limit, len(paths), got, want)
		}
	}
}
