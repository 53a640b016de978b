package lineage_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

const (
	C = lineage.Containment
	D = lineage.Derivation
	F = lineage.FailClosed
)

type edgeWant struct {
	path string
	kind lineage.EdgeKind
}

func names(es ...edgeWant) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, edgeName(e.path, e.kind))
	}
	slices.Sort(out)
	return out
}

// checkParents checks the exact parents of every node, and that the children of every
// node are exactly the reverse.
func checkParents(t *testing.T, g *lineage.Graph, want map[string][]edgeWant) {
	t.Helper()
	children := map[string][]string{}
	for node, es := range want {
		if got, w := parentsOf(t, g, node), names(es...); !slices.Equal(got, w) {
			t.Errorf("parents of %s:\n got %v\nwant %v", node, got, w)
		}
		if _, ok := children[node]; !ok {
			children[node] = []string{} // every node is checked, leaves too
		}
		for _, e := range es {
			children[e.path] = append(children[e.path], node)
		}
	}
	for node, cs := range children {
		slices.Sort(cs)
		if got := childrenOf(t, g, node); !slices.Equal(got, cs) {
			t.Errorf("children of %s:\n got %v\nwant %v", node, got, cs)
		}
	}
	if g.Len() != len(want) {
		t.Errorf("Len() = %d, want %d", g.Len(), len(want))
	}
}

func fennelParents() map[string][]edgeWant {
	return map[string][]edgeWant{
		"User":                           nil,
		"User.uid":                       {{"User", C}},
		"User.city":                      {{"User", C}},
		"User.updated_at":                {{"User", C}},
		"Transaction":                    nil,
		"Transaction.uid":                {{"Transaction", C}},
		"Transaction.amount":             {{"Transaction", C}},
		"Transaction.at":                 {{"Transaction", C}},
		"TxnByCity":                      {{"Transaction", D}, {"User", D}, {"Transaction.uid", F}, {"Transaction.amount", F}, {"Transaction.at", F}, {"User.uid", F}, {"User.city", F}, {"User.updated_at", F}},
		"TxnByCity.city":                 {{"TxnByCity", C}},
		"TxnByCity.total":                {{"TxnByCity", C}},
		"TxnByCity.at":                   {{"TxnByCity", C}},
		"UserFeatures":                   nil,
		"UserFeatures.uid":               {{"UserFeatures", C}},
		"UserFeatures.city":              {{"UserFeatures", C}, {"User.city", D}},
		"UserFeatures.total_in_hometown": {{"UserFeatures", C}, {"TxnByCity.total", D}, {"UserFeatures.city", D}},
	}
}

func TestFennelGraph(t *testing.T) {
	v := build(fennel()...)
	g := v.g
	checkParents(t, g, fennelParents())
	if g.Len() != 16 {
		t.Errorf("Len() = %d, want 16: 4 datasets and featuresets, 12 fields and features", g.Len())
	}
	s := stateOf(t, g) // levels, reverse edges, index
	checkAgainstCatalog(t, s, v.cat)

	kinds := map[string]catalog.AssetKind{
		"User": catalog.KindDataset, "User.city": catalog.KindField,
		"UserFeatures": catalog.KindFeatureset, "UserFeatures.city": catalog.KindFeature,
	}
	for p, k := range kinds {
		if got := g.Kind(mustID(t, g, p)); got != k {
			t.Errorf("Kind(%s) = %v, want %v", p, got, k)
		}
	}
	uf := mustID(t, g, "UserFeatures")
	if got := pathsOf(g, g.Members(uf)); !slices.Equal(got, []string{"UserFeatures.uid", "UserFeatures.city", "UserFeatures.total_in_hometown"}) {
		t.Errorf("Members(UserFeatures) = %v, want declaration order", got)
	}
	if g.Top(mustID(t, g, "UserFeatures.city")) != uf || g.Top(uf) != uf {
		t.Errorf("Top of UserFeatures.city or of UserFeatures is not UserFeatures")
	}
	if k := g.EdgeKind(mustID(t, g, "User.city"), mustID(t, g, "TxnByCity")); k != F {
		t.Errorf("EdgeKind(User.city, TxnByCity) = %v, want fail-closed", k)
	}
	if k := g.EdgeKind(mustID(t, g, "TxnByCity"), mustID(t, g, "User.city")); k != 0 {
		t.Errorf("EdgeKind(TxnByCity, User.city) = %v, want none (edges have a direction)", k)
	}
	if _, ok := g.Lookup("User.email"); ok {
		t.Errorf("Lookup of a path that is not a node succeeded")
	}
	if _, ok := g.Lookup("user"); ok {
		t.Errorf("Lookup is case-sensitive: user is not User")
	}
	// The chain User.city -> UserFeatures.city -> total_in_hometown and
	// User -> TxnByCity -> TxnByCity.total -> total_in_hometown ordered by levels.
	chain := []string{"User", "User.city", "TxnByCity", "TxnByCity.total", "UserFeatures.total_in_hometown"}
	for i := 1; i < len(chain); i++ {
		if g.Level(mustID(t, g, chain[i-1])) >= g.Level(mustID(t, g, chain[i])) {
			t.Errorf("level(%s) = %d is not below level(%s) = %d", chain[i-1], g.Level(mustID(t, g, chain[i-1])), chain[i], g.Level(mustID(t, g, chain[i])))
		}
	}
}

// The same catalog applied one asset at a time, in dependency order, gives the same graph.
func TestFennelGraphOneAssetAtATime(t *testing.T) {
	v := version{lineage.NewGraph(), catalogState{}}
	for _, a := range fennel() {
		v, _ = v.next([]*catalog.Asset{a}, nil)
	}
	checkParents(t, v.g, fennelParents())
	stateOf(t, v.g)
}

func columnsCatalog() []*catalog.Asset {
	return []*catalog.Asset{
		ds("Customer", "id", "email", "country"),
		ds("Other", "x", "y"),
		mapped(ds("CustomerByCountry", "country", "customers"),
			map[string][]string{"country": {"Customer.country"}, "customers": {"Customer.id"}}, "Customer"),
		reads(ds("CustomerExport", "id", "contact"), "Customer"),
		// a is mapped from two inputs, b and c are left unmapped.
		mapped(ds("Partial", "a", "b", "c"), map[string][]string{"a": {"Customer.email", "Other.x"}}, "Customer", "Other"),
		// Column lineage declared but mapping nothing: every field is unmapped.
		mapped(ds("Empty", "p", "q"), map[string][]string{}, "Customer"),
		// A dataset whose pipeline has no column lineage over two inputs.
		reads(ds("Both", "z"), "Customer", "Other"),
	}
}

func TestColumnLineage(t *testing.T) {
	allCustomer := []edgeWant{{"Customer.id", F}, {"Customer.email", F}, {"Customer.country", F}}
	allOther := []edgeWant{{"Other.x", F}, {"Other.y", F}}
	cat := func(es ...[]edgeWant) []edgeWant { return slices.Concat(es...) }
	want := map[string][]edgeWant{
		"Customer":         nil,
		"Customer.id":      {{"Customer", C}},
		"Customer.email":   {{"Customer", C}},
		"Customer.country": {{"Customer", C}},
		"Other":            nil,
		"Other.x":          {{"Other", C}},
		"Other.y":          {{"Other", C}},
		// With column lineage the dataset has its inputs as parents, no input field.
		"CustomerByCountry":           {{"Customer", D}},
		"CustomerByCountry.country":   {{"CustomerByCountry", C}, {"Customer.country", D}},
		"CustomerByCountry.customers": {{"CustomerByCountry", C}, {"Customer.id", D}},
		// Without, every input field is a fail-closed parent of the dataset only.
		"CustomerExport":         cat([]edgeWant{{"Customer", D}}, allCustomer),
		"CustomerExport.id":      {{"CustomerExport", C}},
		"CustomerExport.contact": {{"CustomerExport", C}},
		"Partial":                {{"Customer", D}, {"Other", D}},
		"Partial.a":              {{"Partial", C}, {"Customer.email", D}, {"Other.x", D}},
		"Partial.b":              cat([]edgeWant{{"Partial", C}}, allCustomer, allOther),
		"Partial.c":              cat([]edgeWant{{"Partial", C}}, allCustomer, allOther),
		"Empty":                  {{"Customer", D}},
		"Empty.p":                cat([]edgeWant{{"Empty", C}}, allCustomer),
		"Empty.q":                cat([]edgeWant{{"Empty", C}}, allCustomer),
		"Both":                   cat([]edgeWant{{"Customer", D}, {"Other", D}}, allCustomer, allOther),
		"Both.z":                 {{"Both", C}},
	}
	v := build(columnsCatalog()...)
	checkParents(t, v.g, want)
	checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
}

func TestEmptyGraph(t *testing.T) {
	g := lineage.NewGraph()
	if g.Len() != 0 || g.Cap() != 0 {
		t.Errorf("empty graph: Len %d, Cap %d", g.Len(), g.Cap())
	}
	if _, ok := g.Lookup("User"); ok {
		t.Errorf("Lookup in an empty graph succeeded")
	}
	if g.Exists(0) || g.Exists(-1) {
		t.Errorf("Exists on an empty graph")
	}
	if d := g.Apply(catalogState{}.get, nil, []string{"Nothing"}); len(d.Added)+len(d.Rewired)+len(d.Removed) != 0 {
		t.Errorf("removing a path that is not there: delta %+v", d)
	}
	if g.Gen() == g.Clone().Gen() || g.Gen() == lineage.NewGraph().Gen() {
		t.Errorf("generations are not distinct")
	}
}

// A dataset and a featureset without members, and a dataset whose only input has no fields.
func TestAssetsWithoutMembers(t *testing.T) {
	v := build(ds("Src"), reads(ds("Out", "a"), "Src"), fs("Nothing"))
	checkParents(t, v.g, map[string][]edgeWant{
		"Src": nil, "Out": {{"Src", D}}, "Out.a": {{"Out", C}}, "Nothing": nil,
	})
	checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
}

// A feature may be computed from a whole dataset, a field and a feature of another
// featureset.
func TestFeatureFrom(t *testing.T) {
	v := build(append(fennel(),
		fs("More", feat{"n", []string{"Transaction", "User.uid", "UserFeatures.total_in_hometown"}}))...)
	want := fennelParents()
	maps.Copy(want, map[string][]edgeWant{
		"More":   nil,
		"More.n": {{"More", C}, {"Transaction", D}, {"User.uid", D}, {"UserFeatures.total_in_hometown", D}},
	})
	checkParents(t, v.g, want)
	stateOf(t, v.g)
}
