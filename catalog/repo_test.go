package catalog_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
)

// mustOpenStore opens a Badger store in dir, or in memory when dir is "", and closes it
// when the test ends.
func mustOpenStore(t *testing.T, dir string) *badgerstore.Store {
	t.Helper()
	s, err := badgerstore.Open(badgerstore.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

func mustOpenRepo(t *testing.T, s catalog.Store) *catalog.Repo {
	t.Helper()
	r, err := catalog.Open(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// stores runs fn against a Badger store in memory and one on disk.
func stores(t *testing.T, fn func(t *testing.T, open func() *badgerstore.Store)) {
	t.Run("memory", func(t *testing.T) { fn(t, func() *badgerstore.Store { return mustOpenStore(t, "") }) })
	t.Run("disk", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, func() *badgerstore.Store { return mustOpenStore(t, dir) })
	})
}

// deploy plans doc against the head of the branch and commits it.
func deploy(t *testing.T, r *catalog.Repo, org, branch, doc string, opts catalog.PlanOptions) (catalog.Branch, *catalog.Snapshot) {
	t.Helper()
	ch := planOn(t, r, org, branch, doc, opts)
	b, snap, err := r.Commit(context.Background(), org, branch, ch, catalog.CommitInfo{Author: opts.Deployer, Message: "test deploy"})
	if err != nil {
		t.Fatalf("commit to %s: %v", branch, err)
	}
	return b, snap
}

func planOn(t *testing.T, r *catalog.Repo, org, branch, doc string, opts catalog.PlanOptions) *catalog.Change {
	t.Helper()
	_, base, err := r.Head(org, branch)
	if err != nil {
		t.Fatal(err)
	}
	d, ps := catalog.ParseDocument([]byte(doc))
	if len(ps) > 0 {
		t.Fatalf("parse: %v", ps)
	}
	res, ps := catalog.Resolve(d)
	if len(ps) > 0 {
		t.Fatalf("resolve: %v", ps)
	}
	ch, ps := catalog.Plan(base, res, opts)
	if len(ps) > 0 {
		t.Fatalf("plan: %v", ps)
	}
	return ch
}

// manyDatasets is a document of datasets ns/ds0000... for the ids, each described by desc.
func manyDatasets(ns string, ids []int, desc func(int) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "namespace: %s\ndatasets:\n", ns)
	for _, i := range ids {
		fmt.Fprintf(&b, "  - {name: ds%04d, description: %q, fields: [{name: id, type: int, key: true}, {name: v, type: str}]}\n", i, desc(i))
	}
	return b.String()
}

func ids(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func plain(int) string { return "v1" }

// snapshotState is a snapshot as text: id, size and every asset.
func snapshotState(s *catalog.Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id=%s len=%d\n", s.ID(), s.Len())
	s.All(func(a *catalog.Asset) bool {
		j, _ := json.Marshal(a)
		b.Write(j)
		b.WriteByte('\n')
		return true
	})
	return b.String()
}

// repoState is every org, branch and snapshot of a repo as text.
func repoState(t *testing.T, r *catalog.Repo) string {
	t.Helper()
	var b strings.Builder
	for _, org := range r.Orgs() {
		fmt.Fprintf(&b, "org %s\n", org)
		for _, br := range r.Branches(org) {
			fmt.Fprintf(&b, "branch %s from=%q root=%s version=%d applied=%q created=%s updated=%s\n",
				br.Name, br.From, br.Root, br.Version, br.Applied, br.CreatedAt.Format("2006-01-02T15:04:05.999999999"), br.UpdatedAt.Format("2006-01-02T15:04:05.999999999"))
			_, snap, err := r.Head(org, br.Name)
			if err != nil {
				t.Fatal(err)
			}
			if snap.ID() != br.Root {
				t.Errorf("branch %s: root %q, snapshot %q", br.Name, br.Root, snap.ID())
			}
			b.WriteString(snapshotState(snap))
		}
	}
	return b.String()
}

func wantKind(t *testing.T, what string, err error, k catalog.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v", what, k)
		return
	}
	if got := catalog.KindOf(err); got != k {
		t.Errorf("%s: %v (kind %v), want kind %v", what, err, got, k)
	}
}

// blobs counts the snapshot pages and roots in the store.
func blobs(t *testing.T, s catalog.Store) (pages, roots int) {
	t.Helper()
	err := s.View(context.Background(), func(tx catalog.Txn) error {
		if err := tx.Keys([]byte("pg\x00"), func([]byte) error { pages++; return nil }); err != nil {
			return err
		}
		return tx.Keys([]byte("rt\x00"), func([]byte) error { roots++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages, roots
}

func TestRepoCreateOrg(t *testing.T) {
	stores(t, func(t *testing.T, open func() *badgerstore.Store) {
		ctx := context.Background()
		r := mustOpenRepo(t, open())
		for _, org := range []string{"zeta", "acme", "jane.doe@acme"} {
			if err := r.CreateOrg(ctx, org); err != nil {
				t.Fatalf("CreateOrg(%s): %v", org, err)
			}
		}
		wantKind(t, "duplicate org", r.CreateOrg(ctx, "acme"), catalog.Conflict)
		for _, bad := range []string{"", "_system", "a b", "a/b", "a\x00b"} {
			wantKind(t, "CreateOrg("+bad+")", r.CreateOrg(ctx, bad), catalog.InvalidArgument)
		}
		if got := r.Orgs(); !slices.Equal(got, []string{"acme", "jane.doe@acme", "zeta"}) {
			t.Errorf("Orgs = %v", got)
		}
		if !r.HasOrg("acme") || r.HasOrg("nope") || r.HasOrg("_system") {
			t.Error("HasOrg is wrong")
		}
		bs := r.Branches("acme")
		if len(bs) != 1 || bs[0].Name != catalog.MainBranch || bs[0].Org != "acme" || bs[0].Version != 0 || bs[0].Root != "" || bs[0].CreatedAt.IsZero() {
			t.Fatalf("branches of a new org: %+v", bs)
		}
		_, snap, err := r.Head("acme", "main")
		if err != nil || snap.Len() != 0 || snap.ID() != "" {
			t.Errorf("Head of a new org: %v, %d assets", err, snap.Len())
		}
		_, _, err = r.Head("nope", "main")
		wantKind(t, "Head of a missing org", err, catalog.NotFound)
		_, _, err = r.Head("acme", "dev")
		wantKind(t, "Head of a missing branch", err, catalog.NotFound)
	})
}

func TestRepoCommitAndHistory(t *testing.T) {
	stores(t, func(t *testing.T, open func() *badgerstore.Store) {
		ctx := context.Background()
		r := mustOpenRepo(t, open())
		if err := r.CreateOrg(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		fennel := `
datasets:
  - name: User
    fields: [{name: uid, type: int, key: true}, {name: city, type: str}]
  - name: Txn
    fields: [{name: uid, type: int}]
    pipeline: {inputs: [User]}
`
		b1, s1 := deploy(t, r, "acme", "main", fennel, catalog.PlanOptions{Deployer: "user:jane"})
		if b1.Version != 1 || b1.Root == "" || b1.Root != s1.ID() || s1.Len() != 2 {
			t.Fatalf("after the first deploy: %+v, %d assets", b1, s1.Len())
		}
		hb, hs, _ := r.Head("acme", "main")
		if hb.Version != 1 || hs != s1 {
			t.Errorf("Head does not return the committed snapshot")
		}
		if u := s1.Get("User"); u == nil || u.CreatedBy != "user:jane" {
			t.Errorf("User = %+v", u)
		}

		// A change planned on a head that moved since is refused.
		stale := planOn(t, r, "acme", "main", "datasets:\n  - name: Late\n", catalog.PlanOptions{})
		b2, s2 := deploy(t, r, "acme", "main", "datasets:\n  - name: User\n    fields: [{name: uid, type: int, key: true}]\n  - name: Txn\n    fields: [{name: uid, type: int}]\n    pipeline: {inputs: [User]}\n  - name: New\n", catalog.PlanOptions{Deployer: "user:bob"})
		if b2.Version != 2 || s2.Len() != 3 || s2.Get("User").Member("city") != nil {
			t.Fatalf("after the second deploy: %+v", b2)
		}
		_, _, err := r.Commit(ctx, "acme", "main", stale, catalog.CommitInfo{})
		wantKind(t, "stale commit", err, catalog.Conflict)
		_, _, err = r.Commit(ctx, "acme", "nope", stale, catalog.CommitInfo{})
		wantKind(t, "commit to a missing branch", err, catalog.NotFound)
		if hb, _, _ := r.Head("acme", "main"); hb.Version != 2 {
			t.Errorf("a refused commit moved the head to version %d", hb.Version)
		}

		// An empty change is a commit too; it keeps the snapshot.
		empty := planOn(t, r, "acme", "main", "datasets:\n  - name: New\n", catalog.PlanOptions{})
		if !empty.Empty() {
			t.Fatalf("redeploying New changes %v", empty.Changed)
		}
		b3, s3, err := r.Commit(ctx, "acme", "main", empty, catalog.CommitInfo{Author: "user:jane", Message: "nothing"})
		if err != nil || b3.Version != 3 || s3.ID() != s2.ID() || s3.Get("New") == nil {
			t.Fatalf("empty commit: %v, %+v", err, b3)
		}

		hist, err := r.History(ctx, "acme", "main", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 3 {
			t.Fatalf("history has %d commits, want 3", len(hist))
		}
		want := []struct {
			version                 int64
			author                  string
			added, changed, removed int
			root                    string
		}{
			{3, "user:jane", 0, 0, 0, s2.ID()},
			{2, "user:bob", 1, 1, 0, s2.ID()}, // User changed, Txn did not
			{1, "user:jane", 2, 0, 0, s1.ID()},
		}
		for i, w := range want {
			c := hist[i]
			if c.Version != w.version || c.Author != w.author || c.Added != w.added || c.Changed != w.changed || c.Removed != w.removed || c.Root != w.root || c.At.IsZero() {
				t.Errorf("history[%d] = %+v, want %+v", i, c, w)
			}
		}
		if hist[0].Message != "nothing" {
			t.Errorf("message %q", hist[0].Message)
		}
		if h, _ := r.History(ctx, "acme", "main", 2); len(h) != 2 || h[0].Version != 3 || h[1].Version != 2 {
			t.Errorf("History with limit 2: %+v", h)
		}
	})
}

// TestRepoEmptyChangeOnEmptyBranch commits nothing to a branch that holds nothing: the
// branch must stay readable.
func TestRepoEmptyChangeOnEmptyBranch(t *testing.T) {
	ctx := context.Background()
	r := mustOpenRepo(t, mustOpenStore(t, ""))
	if err := r.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	ch := planOn(t, r, "acme", "main", "namespace: ns\ndatasets: []\n", catalog.PlanOptions{Prune: true})
	_, snap, err := r.Commit(ctx, "acme", "main", ch, catalog.CommitInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Get("x") != nil || snap.Len() != 0 || snap.ID() != "" {
		t.Errorf("empty commit on an empty branch: %d assets, id %q", snap.Len(), snap.ID())
	}
	deploy(t, r, "acme", "main", "datasets:\n  - name: A\n", catalog.PlanOptions{})
}

func TestRepoBranchIsolation(t *testing.T) {
	stores(t, func(t *testing.T, open func() *badgerstore.Store) {
		ctx := context.Background()
		r := mustOpenRepo(t, open())
		if err := r.CreateOrg(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		_, mainSnap := deploy(t, r, "acme", "main", manyDatasets("big", ids(0, 300), plain), catalog.PlanOptions{})
		mainState := snapshotState(mainSnap)

		dev, err := r.CreateBranch(ctx, "acme", "dev/jane", "main")
		if err != nil {
			t.Fatal(err)
		}
		if dev.From != "main" || dev.Root != mainSnap.ID() || dev.Version != 0 || dev.Org != "acme" {
			t.Errorf("new branch: %+v", dev)
		}
		_, devSnap, _ := r.Head("acme", "dev/jane")
		if snapshotState(devSnap) != mainState {
			t.Error("a new branch does not hold its origin's definitions")
		}

		// Change one dataset and add one on the branch.
		doc := manyDatasets("big", ids(0, 301), func(i int) string {
			if i == 5 {
				return "changed on dev"
			}
			return "v1"
		})
		_, devSnap = deploy(t, r, "acme", "dev/jane", doc, catalog.PlanOptions{})
		if devSnap.Get("big/ds0005").Description != "changed on dev" || devSnap.Get("big/ds0300") == nil {
			t.Error("the branch does not hold its change")
		}
		mb, ms, _ := r.Head("acme", "main")
		if snapshotState(ms) != mainState || mb.Version != 1 {
			t.Error("a commit on a branch changed main")
		}
		// Pages the commit did not touch are shared.
		shared := 0
		for _, id := range catalog.PageIDs(devSnap) {
			if slices.Contains(catalog.PageIDs(ms), id) {
				shared++
			}
		}
		if shared != len(catalog.PageIDs(ms))-2 {
			t.Errorf("%d of %d pages shared, want all but the first and last", shared, len(catalog.PageIDs(ms)))
		}

		// And the other way: a commit on main leaves the branch alone.
		devState := snapshotState(devSnap)
		deploy(t, r, "acme", "main", "datasets:\n  - name: OnlyOnMain\n", catalog.PlanOptions{})
		if _, ds, _ := r.Head("acme", "dev/jane"); snapshotState(ds) != devState || ds.Get("OnlyOnMain") != nil {
			t.Error("a commit on main changed the branch")
		}
		// A branch of a branch.
		if _, err := r.CreateBranch(ctx, "acme", "dev/jane/fix", "dev/jane"); err != nil {
			t.Fatal(err)
		}
		if _, fs, _ := r.Head("acme", "dev/jane/fix"); snapshotState(fs) != devState {
			t.Error("a branch of a branch does not hold its origin's definitions")
		}
		var names []string
		for _, b := range r.Branches("acme") {
			names = append(names, b.Name)
		}
		if !slices.Equal(names, []string{"dev/jane", "dev/jane/fix", "main"}) {
			t.Errorf("Branches = %v", names)
		}
	})
}

func TestRepoCreateBranchErrors(t *testing.T) {
	ctx := context.Background()
	r := mustOpenRepo(t, mustOpenStore(t, ""))
	for _, org := range []string{"acme", "other"} {
		if err := r.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.CreateBranch(ctx, "acme", "dev", "main"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		org, name, from string
		kind            catalog.Kind
	}{
		{"acme", "dev", "main", catalog.Conflict},
		{"acme", "main", "dev", catalog.Conflict},
		{"acme", "x", "nope", catalog.NotFound},
		{"nope", "x", "main", catalog.NotFound},
		{"other", "x", "dev", catalog.NotFound}, // dev is acme's
		{"acme", "", "main", catalog.InvalidArgument},
		{"acme", "dev/*", "main", catalog.InvalidArgument},
		{"acme", "a b", "main", catalog.InvalidArgument},
		{"acme", "a//b", "main", catalog.InvalidArgument},
		{"acme", "../main", "main", catalog.InvalidArgument},
		{"acme", "x\x00y", "main", catalog.InvalidArgument},
		{"acme", strings.Repeat("b", 201), "main", catalog.InvalidArgument},
		{"acme", "-x", "main", catalog.InvalidArgument},
		{"acme", "MAIN", "main", catalog.Conflict},
	}
	for _, tt := range tests {
		_, err := r.CreateBranch(ctx, tt.org, tt.name, tt.from)
		wantKind(t, fmt.Sprintf("CreateBranch(%s, %q, %s)", tt.org, tt.name, tt.from), err, tt.kind)
	}
	if _, err := r.CreateBranch(ctx, "other", "dev", "main"); err != nil {
		t.Errorf("the same branch name in another org: %v", err)
	}
	if n := len(r.Branches("acme")); n != 2 {
		t.Errorf("acme has %d branches after the refused creations, want 2", n)
	}
}

// TestRepoBranchNamesDifferingByCase: a branch whose name differs from an existing one
// only by case is refused with a "did you mean", and so is a lookup of such a name.
func TestRepoBranchNamesDifferingByCase(t *testing.T) {
	ctx := context.Background()
	r := mustOpenRepo(t, mustOpenStore(t, ""))
	for _, org := range []string{"acme", "other"} {
		if err := r.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []string{"dev", "dev/jane"} {
		if _, err := r.CreateBranch(ctx, "acme", b, "main"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ name, twin string }{
		{"MAIN", "main"},
		{"Main", "main"},
		{"Dev", "dev"},
		{"DEV/Jane", "dev/jane"},
	} {
		_, err := r.CreateBranch(ctx, "acme", tt.name, "main")
		wantKind(t, "CreateBranch("+tt.name+")", err, catalog.Conflict)
		if want := fmt.Sprintf("did you mean %q?", tt.twin); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CreateBranch(%s): %v; want %s", tt.name, err, want)
		}
		_, _, err = r.Head("acme", tt.name)
		wantKind(t, "Head("+tt.name+")", err, catalog.NotFound)
		if want := fmt.Sprintf("did you mean %q?", tt.twin); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Head(%s): %v; want %s", tt.name, err, want)
		}
	}
	// Another org's branches do not count, and names that differ by more than case are fine.
	for _, b := range []string{"Dev", "dev/jane2"} {
		org := "other"
		if b == "dev/jane2" {
			org = "acme"
		}
		if _, err := r.CreateBranch(ctx, org, b, "main"); err != nil {
			t.Errorf("CreateBranch(%s, %s): %v", org, b, err)
		}
	}
	if _, _, err := r.Head("acme", "nope"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("Head(nope): %v; want a NotFound without a suggestion", err)
	}
}

func TestRepoDeleteBranch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpenStore(t, dir)
	r := mustOpenRepo(t, s)
	if err := r.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"dev", "dev/x", "devx"} {
		if _, err := r.CreateBranch(ctx, "acme", b, "main"); err != nil {
			t.Fatal(err)
		}
		deploy(t, r, "acme", b, "datasets:\n  - name: A\n    description: on "+b+"\n", catalog.PlanOptions{})
	}
	wantKind(t, "delete main", r.DeleteBranch(ctx, "acme", "main"), catalog.InvalidArgument)
	wantKind(t, "delete a missing branch", r.DeleteBranch(ctx, "acme", "nope"), catalog.NotFound)
	wantKind(t, "delete in a missing org", r.DeleteBranch(ctx, "nope", "dev"), catalog.NotFound)
	if err := r.DeleteBranch(ctx, "acme", "dev"); err != nil {
		t.Fatal(err)
	}
	_, _, err := r.Head("acme", "dev")
	wantKind(t, "Head of a deleted branch", err, catalog.NotFound)
	wantKind(t, "delete twice", r.DeleteBranch(ctx, "acme", "dev"), catalog.NotFound)
	if h, err := r.History(ctx, "acme", "dev", 0); err != nil || len(h) != 0 {
		t.Errorf("history of a deleted branch: %v, %d commits", err, len(h))
	}
	// Branches whose names start like the deleted one keep their history.
	for _, b := range []string{"dev/x", "devx"} {
		if h, err := r.History(ctx, "acme", b, 0); err != nil || len(h) != 1 {
			t.Errorf("history of %s: %v, %d commits", b, err, len(h))
		}
	}
	// A new branch of the same name starts afresh.
	nb, err := r.CreateBranch(ctx, "acme", "dev", "main")
	if err != nil || nb.Version != 0 || nb.Root != "" {
		t.Fatalf("recreated dev: %v, %+v", err, nb)
	}
	if err := r.DeleteBranch(ctx, "acme", "dev"); err != nil {
		t.Fatal(err)
	}
	before := repoState(t, r)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r2 := mustOpenRepo(t, mustOpenStore(t, dir))
	if after := repoState(t, r2); after != before {
		t.Errorf("after a restart:\n%s\nwant:\n%s", after, before)
	}
	if _, _, err := r2.Head("acme", "dev"); catalog.KindOf(err) != catalog.NotFound {
		t.Errorf("a deleted branch is back after a restart: %v", err)
	}
}

// TestRepoRestart reopens the store and finds every org, branch and snapshot as it was.
func TestRepoRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpenStore(t, dir)
	r := mustOpenRepo(t, s)
	for _, org := range []string{"acme", "beta"} {
		if err := r.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
	}
	deploy(t, r, "acme", "main", manyDatasets("big", ids(0, 1200), plain), catalog.PlanOptions{Deployer: "user:jane"})
	deploy(t, r, "acme", "main", `
datasets:
  - name: Customer
    owner: team:crm
    tags: [PII]
    fields: [{name: id, type: int, key: true}, {name: email, type: str, tags: [PII]}, {name: country, type: "map[str, list[float]]"}]
  - name: ByCountry
    tags: ["~PII"]
    fields: [{name: country, type: str}]
    pipeline: {inputs: [Customer], columns: {country: [Customer.country]}, description: nightly}
  - name: Export
    pipeline: {inputs: [Customer]}
  - name: Declared
    fields: [{name: n, type: int}]
    pipeline: {inputs: [Customer], columns: {}}
featuresets:
  - name: F
    features: [{name: f, type: int, from: [Customer.id, big/ds0700]}]
`, catalog.PlanOptions{Deployer: "user:bob"})
	if _, err := r.CreateBranch(ctx, "acme", "dev", "main"); err != nil {
		t.Fatal(err)
	}
	deploy(t, r, "acme", "dev", manyDatasets("big", ids(600, 1300), func(int) string { return "dev" }), catalog.PlanOptions{Prune: true})
	if _, err := r.CreateBranch(ctx, "beta", "empty", "main"); err != nil {
		t.Fatal(err)
	}
	before := repoState(t, r)
	histBefore, _ := r.History(ctx, "acme", "dev", 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	r2 := mustOpenRepo(t, mustOpenStore(t, dir))
	if after := repoState(t, r2); after != before {
		t.Errorf("after a restart the repo differs:\n%s", firstDiff(after, before))
	}
	histAfter, _ := r2.History(ctx, "acme", "dev", 0)
	if fmt.Sprint(histAfter) != fmt.Sprint(histBefore) || len(histAfter) != 1 {
		t.Errorf("history after a restart: %v, want %v", histAfter, histBefore)
	}
	// Declared column lineage that maps nothing is not "no column lineage".
	_, snap, _ := r2.Head("acme", "main")
	if pl := snap.Get("Declared").Pipeline; pl.Columns == nil {
		t.Error("columns: {} came back from the store as no column lineage")
	}
	if pl := snap.Get("Export").Pipeline; pl.Columns != nil {
		t.Errorf("a pipeline without columns came back with %v", pl.Columns)
	}
	// The reopened repo goes on where it stopped.
	b, _ := deploy(t, r2, "acme", "dev", "datasets:\n  - name: Later\n", catalog.PlanOptions{})
	if b.Version != 2 {
		t.Errorf("version after a restart and a commit: %d", b.Version)
	}
}

// TestRepoCommitRemovingWholePages removes exactly the assets of one page, so the commit
// writes no page, only a new root, which must be durable too.
func TestRepoCommitRemovingWholePages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpenStore(t, dir)
	r := mustOpenRepo(t, s)
	if err := r.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	_, s1 := deploy(t, r, "acme", "main", manyDatasets("d", ids(0, 300), plain), catalog.PlanOptions{})
	if n := len(catalog.PageIDs(s1)); n != 3 {
		t.Fatalf("300 assets in %d pages; the test expects 3 of 100", n)
	}
	keep := append(ids(0, 100), ids(200, 300)...)
	_, s2 := deploy(t, r, "acme", "main", manyDatasets("d", keep, plain), catalog.PlanOptions{Prune: true})
	if s2.Len() != 200 || len(catalog.PageIDs(s2)) != 2 {
		t.Fatalf("after removing the middle page: %d assets in %d pages", s2.Len(), len(catalog.PageIDs(s2)))
	}
	before := repoState(t, r)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r2, err := catalog.Open(ctx, mustOpenStore(t, dir))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if after := repoState(t, r2); after != before {
		t.Errorf("after a restart:\n%s", firstDiff(after, before))
	}
}

func TestRepoCollectGarbage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpenStore(t, dir)
	r := mustOpenRepo(t, s)
	if err := r.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	collect := func(want int) {
		t.Helper()
		n, err := r.CollectGarbage(ctx)
		if err != nil || n != want {
			t.Fatalf("CollectGarbage = %d, %v; want %d", n, err, want)
		}
	}
	countBlobs := func(pages, roots int) {
		t.Helper()
		if p, rt := blobs(t, s); p != pages || rt != roots {
			t.Fatalf("the store holds %d pages and %d roots, want %d and %d", p, rt, pages, roots)
		}
	}
	changed := func(which ...int) func(int) string {
		return func(i int) string {
			if slices.Contains(which, i) {
				return "changed"
			}
			return "v1"
		}
	}
	collect(0)
	deploy(t, r, "acme", "main", manyDatasets("big", ids(0, 300), plain), catalog.PlanOptions{})
	countBlobs(3, 1)
	collect(0)

	// A change in the first page replaces that page and the root.
	deploy(t, r, "acme", "main", manyDatasets("big", ids(0, 300), changed(5)), catalog.PlanOptions{})
	countBlobs(4, 2)
	collect(2)
	countBlobs(3, 1)

	// A branch shares every page; its own change adds a page and a root, both reachable.
	if _, err := r.CreateBranch(ctx, "acme", "dev", "main"); err != nil {
		t.Fatal(err)
	}
	collect(0)
	deploy(t, r, "acme", "dev", manyDatasets("big", ids(0, 300), changed(5, 250)), catalog.PlanOptions{})
	countBlobs(4, 2)
	collect(0)

	// A branch of dev keeps dev's blobs alive when dev goes.
	if _, err := r.CreateBranch(ctx, "acme", "keep", "dev"); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteBranch(ctx, "acme", "dev"); err != nil {
		t.Fatal(err)
	}
	collect(0)
	// Deleting the last branch that reaches them frees them.
	if err := r.DeleteBranch(ctx, "acme", "keep"); err != nil {
		t.Fatal(err)
	}
	collect(2)
	countBlobs(3, 1)

	// A branch emptied by prune reaches nothing.
	if _, err := r.CreateBranch(ctx, "acme", "gone", "main"); err != nil {
		t.Fatal(err)
	}
	deploy(t, r, "acme", "gone", "namespace: big\ndatasets: []\n", catalog.PlanOptions{Prune: true})
	collect(0)
	deploy(t, r, "acme", "main", "namespace: big\ndatasets: []\n", catalog.PlanOptions{Prune: true})
	collect(4)
	countBlobs(0, 0)
	deploy(t, r, "acme", "main", manyDatasets("big", ids(0, 10), plain), catalog.PlanOptions{})
	if _, err := r.CreateBranch(ctx, "acme", "dev", "main"); err != nil {
		t.Fatal(err)
	}
	deploy(t, r, "acme", "dev", manyDatasets("big", ids(0, 10), changed(1)), catalog.PlanOptions{})
	collect(0)
	countBlobs(2, 2)

	// Everything reachable is still there: reopen and read every branch.
	before := repoState(t, r)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r2 := mustOpenRepo(t, mustOpenStore(t, dir))
	if after := repoState(t, r2); after != before {
		t.Errorf("after collecting garbage and a restart:\n%s", firstDiff(after, before))
	}
	if n, err := r2.CollectGarbage(ctx); err != nil || n != 0 {
		t.Errorf("CollectGarbage after a restart = %d, %v", n, err)
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return "no difference"
}

// TestErrorsAs checks that the repo's errors are *catalog.Error values that errors.As finds.
func TestErrorsAs(t *testing.T) {
	r := mustOpenRepo(t, mustOpenStore(t, ""))
	_, err := r.CreateBranch(context.Background(), "nope", "dev", "main")
	var e *catalog.Error
	if !errors.As(err, &e) || e.Op != "createBranch" || e.Kind != catalog.NotFound {
		t.Fatalf("error %v is not a NotFound *catalog.Error of createBranch", err)
	}
	if !strings.HasPrefix(err.Error(), "createBranch: ") {
		t.Errorf("message %q", err)
	}
}

// TestRepoConcurrentCommitsAndGC commits to several branches at once while the garbage
// collector runs, then reopens the store: every head must still be whole.
func TestRepoConcurrentCommitsAndGC(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpenStore(t, dir)
	r := mustOpenRepo(t, s)
	if err := r.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	deploy(t, r, "acme", "main", manyDatasets("big", ids(0, 400), plain), catalog.PlanOptions{})
	const branches, commits = 3, 8
	for b := range branches {
		if _, err := r.CreateBranch(ctx, "acme", fmt.Sprintf("dev%d", b), "main"); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	gcErr := make(chan error, 1)
	go func() {
		defer close(gcErr)
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := r.CollectGarbage(ctx); err != nil {
				gcErr <- err
				return
			}
		}
	}()
	errs := make(chan error, branches)
	for b := range branches {
		go func() {
			branch := fmt.Sprintf("dev%d", b)
			for c := range commits {
				doc := manyDatasets("big", ids(0, 400), func(i int) string {
					if i%50 == (b*7+c)%50 {
						return fmt.Sprintf("%s commit %d", branch, c)
					}
					return "v1"
				})
				_, base, err := r.Head("acme", branch)
				if err != nil {
					errs <- err
					return
				}
				d, _ := catalog.ParseDocument([]byte(doc))
				res, _ := catalog.Resolve(d)
				ch, ps := catalog.Plan(base, res, catalog.PlanOptions{})
				if len(ps) > 0 {
					errs <- fmt.Errorf("%s: %v", branch, ps)
					return
				}
				if _, _, err := r.Commit(ctx, "acme", branch, ch, catalog.CommitInfo{}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range branches {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	close(done)
	if err := <-gcErr; err != nil {
		t.Fatal(err)
	}
	for b := range branches {
		br, snap, _ := r.Head("acme", fmt.Sprintf("dev%d", b))
		if br.Version != commits || snap.Len() != 400 {
			t.Errorf("dev%d: version %d, %d assets", b, br.Version, snap.Len())
		}
	}
	before := repoState(t, r)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r2 := mustOpenRepo(t, mustOpenStore(t, dir))
	if after := repoState(t, r2); after != before {
		t.Errorf("after a restart:\n%s", firstDiff(after, before))
	}
}
