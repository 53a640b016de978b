package tags_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/tags"
)

const org = "acme"

func openStore(t testing.TB, dir string) *badgerstore.Store {
	t.Helper()
	s, err := badgerstore.Open(badgerstore.Options{Dir: dir, GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newService returns a service over a real Badger store in a temp dir, with org acme.
func newService(t testing.TB) (*tags.Service, string) {
	t.Helper()
	dir := t.TempDir()
	store := openStore(t, dir)
	t.Cleanup(func() { store.Close() })
	repo, err := catalog.Open(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.CreateOrg(context.Background(), org); err != nil {
		t.Fatal(err)
	}
	s, err := tags.Open(context.Background(), repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func deploy(t testing.TB, s *tags.Service, branch, doc string, opts ...func(*tags.DeployRequest)) (*tags.DeployResult, error) {
	t.Helper()
	req := tags.DeployRequest{Org: org, Branch: branch, Document: []byte(doc), Deployer: "user:admin"}
	for _, o := range opts {
		o(&req)
	}
	return s.Deploy(context.Background(), req)
}

func mustDeploy(t testing.TB, s *tags.Service, branch, doc string, opts ...func(*tags.DeployRequest)) *tags.DeployResult {
	t.Helper()
	res, err := deploy(t, s, branch, doc, opts...)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return res
}

func dryRun(r *tags.DeployRequest) { r.DryRun = true }
func prune(r *tags.DeployRequest)  { r.Prune = true }

func head(t testing.TB, s *tags.Service, branch string) (catalog.Branch, *catalog.Snapshot) {
	t.Helper()
	v, err := s.View(org, branch)
	if err != nil {
		t.Fatal(err)
	}
	return v.Catalog, v.Snapshot
}

func fennel(t testing.TB) string {
	b, ok := fixtures.Get("fennel")
	if !ok {
		t.Fatal("no fennel fixture")
	}
	return string(b)
}

func TestDeployFennelThenIdempotent(t *testing.T) {
	s, _ := newService(t)
	res := mustDeploy(t, s, "main", fennel(t))
	if !res.Changed || strings.Join(res.Added, ",") != "Transaction,TxnByCity,User,UserFeatures" {
		t.Fatalf("first deploy: %+v", res)
	}
	b1, snap1 := head(t, s, "main")
	res = mustDeploy(t, s, "main", fennel(t))
	if res.Changed || len(res.Added)+len(res.ChangedAssets)+len(res.Removed) != 0 {
		t.Fatalf("second deploy changed something: %+v", res)
	}
	b2, snap2 := head(t, s, "main")
	if b1.Version != b2.Version || snap1 != snap2 {
		t.Fatalf("an identical deploy wrote: version %d -> %d", b1.Version, b2.Version)
	}
	u := snap2.Get("User")
	if u == nil || u.EffectiveOwner() != "user:admin" || len(u.Members) != 3 || u.Members[1].Name != "city" {
		t.Fatalf("User = %+v", u)
	}
}

func TestInvalidDocumentWritesNothing(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", fennel(t))
	before, snapBefore := head(t, s, "main")
	bad := `datasets:
  - name: User
    fields: [{name: uid, type: int}]
  - name: Orders
    fields:
      - {name: id, type: integer}
    pipeline: {inputs: [Usr]}
`
	_, err := deploy(t, s, "main", bad)
	if catalog.KindOf(err) != catalog.InvalidDefinition {
		t.Fatalf("err = %v, want INVALID_DEFINITION", err)
	}
	ps := catalog.ProblemsOf(err)
	// The document drops User.city, which UserFeatures reads: a third problem.
	if len(ps) != 3 {
		t.Fatalf("problems = %v, want 3 (dangling read, bad type, unknown input)", ps)
	}
	joined := fmt.Sprint(ps)
	for _, want := range []string{"integer", "Usr", "UserFeatures still reads it"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems %v do not mention %q", ps, want)
		}
	}
	if ps[1].Line != 6 || ps[1].Asset != "Orders.id" {
		t.Errorf("second problem = %+v, want line 6 on Orders.id", ps[1])
	}
	after, snapAfter := head(t, s, "main")
	if after.Version != before.Version || snapAfter != snapBefore {
		t.Fatal("a refused deploy changed the branch")
	}
	// A dry run reports the same problems as data, not as an error.
	res, err := deploy(t, s, "main", bad, dryRun)
	if err != nil || len(res.Errors) != 3 {
		t.Fatalf("dry run: %v, %+v", err, res)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	s, _ := newService(t)
	res := mustDeploy(t, s, "main", fennel(t), dryRun)
	if !res.Changed || len(res.Added) != 4 {
		t.Fatalf("plan = %+v", res)
	}
	_, snap := head(t, s, "main")
	if snap.Len() != 0 {
		t.Fatalf("dry run wrote %d assets", snap.Len())
	}
}

func TestCyclesAreNamed(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", `datasets:
  - {name: A, fields: [{name: x, type: int}]}
  - {name: B, fields: [{name: x, type: int}], pipeline: {inputs: [A]}}
  - {name: C, fields: [{name: x, type: int}], pipeline: {inputs: [B]}}
`)
	cases := []struct {
		name, doc, want string
	}{
		{"through three datasets", `datasets:
  - {name: A, fields: [{name: x, type: int}], pipeline: {inputs: [C]}}
`, "A -> B -> C -> A"},
		{"self input", `datasets:
  - {name: D, fields: [{name: x, type: int}], pipeline: {inputs: [D]}}
`, "D reads itself"},
		{"between features", `featuresets:
  - name: F
    features:
      - {name: a, type: int, from: [F.b]}
      - {name: b, type: int, from: [F.a]}
`, "cycle: F."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := deploy(t, s, "main", c.doc)
			ps := catalog.ProblemsOf(err)
			if len(ps) == 0 || !strings.Contains(fmt.Sprint(ps), c.want) {
				t.Fatalf("problems = %v, want one naming %q", ps, c.want)
			}
		})
	}
}

func TestNamespacePrune(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", `datasets: [{name: Other, fields: [{name: x, type: int}]}]`)
	mustDeploy(t, s, "main", `namespace: team
datasets:
  - {name: a, fields: [{name: x, type: int}]}
  - {name: b, fields: [{name: x, type: int}], pipeline: {inputs: [a, /Other]}}
  - {name: c, fields: [{name: x, type: int}]}
`)
	_, snap := head(t, s, "main")
	if b := snap.Get("team/b"); b == nil || strings.Join(b.Pipeline.Inputs, ",") != "team/a,Other" {
		t.Fatalf("team/b = %+v", b)
	}
	// Without prune, an asset left out stays.
	res := mustDeploy(t, s, "main", "namespace: team\ndatasets: [{name: a, fields: [{name: x, type: int}]}]\n")
	if res.Changed {
		t.Fatalf("upsert of an unchanged asset changed: %+v", res)
	}
	// Prune cannot remove a while b (listed) or Outside (elsewhere) still reads it.
	_, err := deploy(t, s, "main", "namespace: team\ndatasets: [{name: b, fields: [{name: x, type: int}], pipeline: {inputs: [c]}}, {name: c, fields: [{name: x, type: int}]}]\n", prune)
	if err != nil {
		t.Fatalf("prune of a: %v", err)
	}
	mustDeploy(t, s, "main", "namespace: team\ndatasets: [{name: a, fields: [{name: x, type: int}]}, {name: b, fields: [{name: x, type: int}], pipeline: {inputs: [a, /Other]}}, {name: c, fields: [{name: x, type: int}]}]\n")
	mustDeploy(t, s, "main", "datasets: [{name: Outside, fields: [{name: x, type: int}], pipeline: {inputs: [team/c]}}]\n")
	_, err = deploy(t, s, "main", "namespace: team\ndatasets: [{name: b, fields: [{name: x, type: int}], pipeline: {inputs: [a]}}]\n", prune)
	ps := catalog.ProblemsOf(err)
	if got := fmt.Sprint(ps); len(ps) != 2 || !strings.Contains(got, "Outside still reads it") || !strings.Contains(got, `"team/a" is removed by this deploy`) {
		t.Fatalf("prune of read datasets: %v", ps)
	}
	mustDeploy(t, s, "main", "datasets: [{name: Outside, fields: [{name: x, type: int}]}]\n")
	res = mustDeploy(t, s, "main", "namespace: team\ndatasets: [{name: a, fields: [{name: x, type: int}]}]\n", prune)
	if strings.Join(res.Removed, ",") != "team/b,team/c" {
		t.Fatalf("removed = %v", res.Removed)
	}
	_, snap = head(t, s, "main")
	if snap.Get("Other") == nil || snap.Get("team/a") == nil || snap.Len() != 3 {
		t.Fatalf("after prune: %d assets", snap.Len())
	}
	// Prune without a namespace is an error.
	if _, err := deploy(t, s, "main", "datasets: []\n", prune); catalog.KindOf(err) != catalog.InvalidDefinition {
		t.Fatalf("prune without namespace: %v", err)
	}
}

func TestBranchesAreIsolated(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", fennel(t))
	if _, err := s.CreateBranch(context.Background(), org, "dev", "main"); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(fennel(t), "{name: amount, type: float}", "{name: amount, type: decimal}", 1)
	res := mustDeploy(t, s, "dev", changed)
	if strings.Join(res.ChangedAssets, ",") != "Transaction" {
		t.Fatalf("changed = %v", res.ChangedAssets)
	}
	_, dev := head(t, s, "dev")
	_, main := head(t, s, "main")
	if dev.Get("Transaction").Member("amount").Type != "decimal" || main.Get("Transaction").Member("amount").Type != "float" {
		t.Fatal("a deploy to dev showed on main")
	}
	if _, err := s.CreateBranch(context.Background(), org, "dev", "main"); catalog.KindOf(err) != catalog.Conflict {
		t.Fatalf("second create: %v", err)
	}
	if err := s.DeleteBranch(context.Background(), org, "main"); catalog.KindOf(err) != catalog.InvalidArgument {
		t.Fatalf("delete main: %v", err)
	}
	if _, err := deploy(t, s, "nope", fennel(t)); catalog.KindOf(err) != catalog.NotFound {
		t.Fatalf("deploy to an unknown branch: %v", err)
	}
}

func TestConcurrentDeploysToOneBranchSerialize(t *testing.T) {
	s, _ := newService(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = deploy(t, s, "main", fmt.Sprintf("datasets: [{name: d%d, fields: [{name: x, type: int}]}]\n", i))
		}(i)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	b, snap := head(t, s, "main")
	if snap.Len() != n || b.Version != n {
		t.Fatalf("after %d concurrent deploys: %d assets, version %d", n, snap.Len(), b.Version)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	store := openStore(t, dir)
	ctx := context.Background()
	repo, _ := catalog.Open(ctx, store)
	if err := repo.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	s, err := tags.Open(ctx, repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, s, "main", fennel(t))
	if _, err := s.CreateBranch(ctx, org, "dev", "main"); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, s, "dev", "datasets: [{name: Extra, fields: [{name: x, type: int}]}]\n")
	_, mainBefore := head(t, s, "main")
	_, devBefore := head(t, s, "dev")
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
	_, mainAfter := head(t, s, "main")
	_, devAfter := head(t, s, "dev")
	if mainAfter.ID() != mainBefore.ID() || devAfter.ID() != devBefore.ID() || devAfter.Len() != 5 || mainAfter.Len() != 4 {
		t.Fatalf("after restart: main %d assets, dev %d", mainAfter.Len(), devAfter.Len())
	}
}

// An identical document is answered from the applied-document mark only while the branch is
// in the state that document left it in; after another change it is planned again.
func TestIdenticalDeployAfterOtherChanges(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	d := "datasets: [{name: A, fields: [{name: x, type: int}]}]\n"
	mustDeploy(t, s, "main", d)
	if _, err := s.CreateBranch(ctx, org, "x", "main"); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, s, "x", d)
	mustDeploy(t, s, "x", "datasets: [{name: A, fields: [{name: x, type: str}]}]\n")
	if res := mustDeploy(t, s, "x", d); !res.Changed || strings.Join(res.ChangedAssets, ",") != "A" {
		t.Fatalf("redeploy after another change: %+v", res)
	}
	if err := s.DeleteBranch(ctx, org, "x"); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, s, "main", "datasets: [{name: B, fields: [{name: x, type: int}]}]\n")
	if _, err := s.CreateBranch(ctx, org, "x", "main"); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, s, "x", "datasets: [{name: A, fields: [{name: x, type: bool}]}]\n")
	if res := mustDeploy(t, s, "x", d); !res.Changed {
		t.Fatalf("redeploy on a recreated branch: %+v", res)
	}
	_, snap := head(t, s, "x")
	if snap.Get("A").Member("x").Type != "int" {
		t.Fatal("the document was not applied")
	}
}

// A branch created while defineTag runs is re-propagated too: after both return, every
// branch answers with the org's current definition.
func TestDefineTagRacesCreateBranch(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustDeploy(t, s, "main", fennel(t))
	const n = 40
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			neg := tags.NegationDownstream
			if i%2 == 0 {
				neg = tags.NegationNode
			}
			if _, _, err := s.DefineTag(ctx, org, tags.Definition{Name: "PII", Propagate: true, Negation: neg}); err != nil {
				t.Error(err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			if _, err := s.CreateBranch(ctx, org, fmt.Sprintf("b%d", i), "main"); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	want := "stripe" // the last definition is DOWNSTREAM
	for _, v := range s.Branches(org) {
		id, _ := v.Lineage.Graph.Lookup("UserFeatures.total_in_hometown")
		if got := strings.Join(v.Lineage.Present(v.Vocab, id), ","); got != want {
			t.Errorf("branch %s: total_in_hometown has %s, want %s", v.Catalog.Name, got, want)
		}
	}
}

// states captures every node's present tags and cancellations on every branch.
func states(s *tags.Service) map[string]string {
	out := map[string]string{}
	for _, v := range s.Branches(org) {
		g := v.Lineage.Graph
		for id := int32(0); id < g.Cap(); id++ {
			if g.Exists(id) {
				out[v.Catalog.Name+" "+g.Path(id)] = strings.Join(v.Lineage.Present(v.Vocab, id), ",") +
					" ~" + strings.Join(v.Lineage.Cancels(v.Vocab, id), ",")
			}
		}
	}
	return out
}

// The answer after a restart equals the answer before it: states are recomputed from the
// catalog, steward tags and tag definitions are durable.
func TestRestartGivesTheSameStates(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() (*tags.Service, func()) {
		store := openStore(t, dir)
		repo, err := catalog.Open(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		if !repo.HasOrg(org) {
			if err := repo.CreateOrg(ctx, org); err != nil {
				t.Fatal(err)
			}
		}
		s, err := tags.Open(ctx, repo, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		return s, func() { store.Close() }
	}
	s, closeStore := open()
	mustDeploy(t, s, "main", fennel(t))
	if _, err := s.CreateBranch(ctx, org, "dev", "main"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetTags(ctx, org, "dev", "Transaction.amount", []string{"finance", "~stripe"}, "user:admin"); err != nil {
		t.Fatal(err)
	}
	// dev diverges further: a new dataset reading User, and Transaction loses a field.
	mustDeploy(t, s, "dev", `datasets:
  - {name: Extra, tags: [gdpr], fields: [{name: x, type: int}], pipeline: {inputs: [User]}}
  - name: Transaction
    tags: [stripe]
    fields: [{name: uid, type: int}, {name: amount, type: float}]
`)
	if _, _, err := s.DefineTag(ctx, org, tags.Definition{Name: "PII", Propagate: true, Negation: tags.NegationNode}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.DefineTag(ctx, org, tags.Definition{Name: "finance", Propagate: false}); err != nil {
		t.Fatal(err)
	}
	before := states(s)
	if before["main UserFeatures.total_in_hometown"] != "PII,stripe ~" || before["dev Transaction.amount"] != "finance ~stripe" {
		t.Fatalf("before the restart: %q, %q", before["main UserFeatures.total_in_hometown"], before["dev Transaction.amount"])
	}
	closeStore()
	s, closeStore = open()
	defer closeStore()
	after := states(s)
	if len(after) != len(before) {
		t.Fatalf("%d node states after the restart, %d before", len(after), len(before))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %q after the restart, %q before", k, after[k], v)
		}
	}
	if d := s.Vocab(org).Lookup("finance"); d.Propagate || !d.Defined {
		t.Errorf("finance after the restart: %+v", d)
	}
}
