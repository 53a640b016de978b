package lineage_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// base is Fennel plus CityCounts, a reader of User with column lineage that leaves n
// unmapped.
func base() version {
	return build(append(fennel(),
		mapped(ds("CityCounts", "city", "n"), map[string][]string{"city": {"User.city"}}, "User"))...)
}

// deltaPaths names what a delta says: added and rewired nodes in the new graph, removed
// ones in the old graph (their ids are cleared in the new one).
type deltaPaths struct{ Added, Rewired, Removed []string }

func pathsOfDelta(old, new *lineage.Graph, d lineage.Delta) deltaPaths {
	return deltaPaths{sortedPaths(new, d.Added), sortedPaths(new, d.Rewired), sortedPaths(old, d.Removed)}
}

func checkDelta(t *testing.T, old, new *lineage.Graph, d lineage.Delta, want deltaPaths) {
	t.Helper()
	for _, l := range []*[]string{&want.Added, &want.Rewired, &want.Removed} {
		if *l == nil {
			*l = []string{}
		}
		slices.Sort(*l)
	}
	if got := pathsOfDelta(old, new, d); !reflect.DeepEqual(got, want) {
		t.Errorf("delta:\n got %+v\nwant %+v", got, want)
	}
}

// checkUnchanged checks that a version still reads as it did when s was taken: by path and
// by id, with the same levels.
func checkUnchanged(t *testing.T, what string, g *lineage.Graph, s graphState) {
	t.Helper()
	now := stateOf(t, g)
	if d := diffStates(s, now); d != "" || !reflect.DeepEqual(s, now) {
		t.Errorf("%s changed after changes to a clone:\n%s\nids and levels equal: %v", what, d, reflect.DeepEqual(s.IDs, now.IDs))
	}
}

func user4() *catalog.Asset { return ds("User", "uid", "city", "updated_at", "email") }

func TestApplyAddField(t *testing.T) {
	b := base()
	before := stateOf(t, b.g)
	v, d := b.next([]*catalog.Asset{user4()}, nil)
	checkDelta(t, b.g, v.g, d, deltaPaths{
		Added:   []string{"User.email"},
		Rewired: []string{"TxnByCity", "CityCounts.n"},
	})
	checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
	if got := parentsOf(t, v.g, "TxnByCity"); !slices.Contains(got, "User.email fail-closed") {
		t.Errorf("TxnByCity has no fail-closed parent User.email: %v", got)
	}
	if got := parentsOf(t, v.g, "CityCounts.n"); !slices.Contains(got, "User.email fail-closed") {
		t.Errorf("unmapped CityCounts.n has no fail-closed parent User.email: %v", got)
	}
	if got, want := parentsOf(t, v.g, "CityCounts.city"), names(edgeWant{"CityCounts", C}, edgeWant{"User.city", D}); !slices.Equal(got, want) {
		t.Errorf("mapped CityCounts.city: parents %v, want %v", got, want)
	}
	if got, want := childrenOf(t, v.g, "User.email"), []string{"CityCounts.n", "TxnByCity"}; !slices.Equal(got, want) {
		t.Errorf("children of User.email = %v, want %v", got, want)
	}
	if v.g.Len() != b.g.Len()+1 {
		t.Errorf("Len %d, want %d", v.g.Len(), b.g.Len()+1)
	}
	checkUnchanged(t, "the original", b.g, before)
	if _, ok := b.g.Lookup("User.email"); ok {
		t.Errorf("the original finds the clone's new field")
	}
}

func TestApplyRemoveField(t *testing.T) {
	b := base()
	before := stateOf(t, b.g)
	v, d := b.next([]*catalog.Asset{ds("User", "uid", "city")}, nil)
	checkDelta(t, b.g, v.g, d, deltaPaths{
		Rewired: []string{"TxnByCity", "CityCounts.n"},
		Removed: []string{"User.updated_at"},
	})
	checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
	if _, ok := v.g.Lookup("User.updated_at"); ok {
		t.Errorf("the removed field is still found")
	}
	if got, want := childrenOf(t, v.g, "User"), []string{"CityCounts", "TxnByCity", "User.city", "User.uid"}; !slices.Equal(got, want) {
		t.Errorf("children of User = %v, want %v", got, want)
	}
	if v.g.Len() != b.g.Len()-1 {
		t.Errorf("Len %d, want %d", v.g.Len(), b.g.Len()-1)
	}
	checkUnchanged(t, "the original", b.g, before)
	if got := parentsOf(t, b.g, "TxnByCity"); !slices.Contains(got, "User.updated_at fail-closed") {
		t.Errorf("the original lost TxnByCity's parent User.updated_at: %v", got)
	}
}

func TestApplyReorderFields(t *testing.T) {
	b := base()
	v, d := b.next([]*catalog.Asset{ds("User", "updated_at", "uid", "city")}, nil)
	if len(d.Added) != 0 || len(d.Removed) != 0 {
		t.Errorf("reordering fields added or removed nodes: %+v", pathsOfDelta(b.g, v.g, d))
	}
	u := mustID(t, v.g, "User")
	if got := pathsOf(v.g, v.g.Members(u)); !slices.Equal(got, []string{"User.updated_at", "User.uid", "User.city"}) {
		t.Errorf("members of User = %v, want the new declaration order", got)
	}
	for _, f := range []string{"User.uid", "User.city", "User.updated_at"} {
		if mustID(t, v.g, f) != mustID(t, b.g, f) {
			t.Errorf("%s changed id when reordered", f)
		}
	}
	checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
}

func TestApplyRemoveDataset(t *testing.T) {
	t.Run("featureset nobody reads", func(t *testing.T) {
		b := base()
		before := stateOf(t, b.g)
		v, d := b.next(nil, []string{"UserFeatures"})
		checkDelta(t, b.g, v.g, d, deltaPaths{
			Removed: []string{"UserFeatures", "UserFeatures.uid", "UserFeatures.city", "UserFeatures.total_in_hometown"},
		})
		checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
		if got := childrenOf(t, v.g, "TxnByCity.total"); len(got) != 0 {
			t.Errorf("TxnByCity.total still has children %v", got)
		}
		if got, want := childrenOf(t, v.g, "User.city"), []string{"CityCounts.city", "CityCounts.n", "TxnByCity"}; !slices.Equal(got, want) {
			t.Errorf("children of User.city = %v, want %v", got, want)
		}
		for _, p := range []string{"UserFeatures", "UserFeatures.city"} {
			if _, ok := v.g.Lookup(p); ok {
				t.Errorf("%s is still found", p)
			}
		}
		checkUnchanged(t, "the original", b.g, before)
	})
	t.Run("dataset with a reader that changes", func(t *testing.T) {
		b := base()
		before := stateOf(t, b.g)
		uf := fs("UserFeatures", feat{"uid", nil}, feat{"city", []string{"User.city"}},
			feat{"total_in_hometown", []string{"UserFeatures.city"}})
		v, d := b.next([]*catalog.Asset{uf}, []string{"TxnByCity"})
		checkDelta(t, b.g, v.g, d, deltaPaths{
			Rewired: []string{"UserFeatures.total_in_hometown"},
			Removed: []string{"TxnByCity", "TxnByCity.city", "TxnByCity.total", "TxnByCity.at"},
		})
		checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
		if got, want := childrenOf(t, v.g, "Transaction"), []string{"Transaction.amount", "Transaction.at", "Transaction.uid"}; !slices.Equal(got, want) {
			t.Errorf("children of Transaction = %v, want %v", got, want)
		}
		if got := childrenOf(t, v.g, "Transaction.amount"); len(got) != 0 {
			t.Errorf("Transaction.amount still has children %v", got)
		}
		if v.g.Len() != b.g.Len()-4 {
			t.Errorf("Len %d, want %d", v.g.Len(), b.g.Len()-4)
		}
		checkUnchanged(t, "the original", b.g, before)
	})
}

func TestApplyRewiresPipeline(t *testing.T) {
	b := base()
	before := stateOf(t, b.g)
	v1, d := b.next([]*catalog.Asset{reads(ds("TxnByCity", "city", "total", "at"), "Transaction")}, nil)
	checkDelta(t, b.g, v1.g, d, deltaPaths{Rewired: []string{"TxnByCity"}})
	checkAgainstCatalog(t, stateOf(t, v1.g), v1.cat)
	if got, want := childrenOf(t, v1.g, "User.city"), []string{"CityCounts.city", "CityCounts.n", "UserFeatures.city"}; !slices.Equal(got, want) {
		t.Errorf("children of User.city = %v, want %v", got, want)
	}
	if got, want := childrenOf(t, v1.g, "User"), []string{"CityCounts", "User.city", "User.uid", "User.updated_at"}; !slices.Equal(got, want) {
		t.Errorf("children of User = %v, want %v", got, want)
	}

	// Column lineage declared: the dataset keeps only its inputs, the fields get theirs.
	withCols := mapped(ds("TxnByCity", "city", "total", "at"),
		map[string][]string{"total": {"Transaction.amount"}, "city": {"User.city"}}, "Transaction", "User")
	v2, d := v1.next([]*catalog.Asset{withCols}, nil)
	checkDelta(t, v1.g, v2.g, d, deltaPaths{Rewired: []string{"TxnByCity", "TxnByCity.city", "TxnByCity.total", "TxnByCity.at"}})
	checkAgainstCatalog(t, stateOf(t, v2.g), v2.cat)
	if got, want := parentsOf(t, v2.g, "TxnByCity.total"), names(edgeWant{"TxnByCity", C}, edgeWant{"Transaction.amount", D}); !slices.Equal(got, want) {
		t.Errorf("parents of TxnByCity.total = %v, want %v", got, want)
	}

	// And back to no column lineage, with the inputs in the other order.
	v3, d := v2.next([]*catalog.Asset{reads(ds("TxnByCity", "city", "total", "at"), "User", "Transaction")}, nil)
	checkDelta(t, v2.g, v3.g, d, deltaPaths{Rewired: []string{"TxnByCity", "TxnByCity.city", "TxnByCity.total", "TxnByCity.at"}})
	checkAgainstCatalog(t, stateOf(t, v3.g), v3.cat)
	checkUnchanged(t, "the original", b.g, before)
}

func TestApplyUnchangedIsEmpty(t *testing.T) {
	b := base()
	before := stateOf(t, b.g)
	for _, ups := range [][]*catalog.Asset{
		{fennel()[2]},  // TxnByCity, a new but equal record
		b.cat.sorted(), // everything, the same records
	} {
		v, d := b.next(ups, nil)
		if len(d.Added)+len(d.Rewired)+len(d.Removed) != 0 {
			t.Errorf("re-applying %d unchanged assets: delta %+v", len(ups), pathsOfDelta(b.g, v.g, d))
		}
		if s := stateOf(t, v.g); !reflect.DeepEqual(s, before) {
			t.Errorf("re-applying %d unchanged assets changed the graph:\n%s", len(ups), diffStates(before, s))
		}
	}
	// Removing a path that does not exist is nothing too.
	if v, d := b.next(nil, []string{"NoSuch"}); len(d.Added)+len(d.Rewired)+len(d.Removed) != 0 {
		t.Errorf("removing a path that is not there: delta %+v", pathsOfDelta(b.g, v.g, d))
	}
}

// A dataset that becomes a featureset with members of other names.
func TestApplyKindChangeNewNames(t *testing.T) {
	b := build(append(fennel(), reads(ds("Side", "x", "y"), "User"))...)
	before := stateOf(t, b.g)
	v, d := b.next([]*catalog.Asset{fs("Side", feat{"a", []string{"User.uid"}}, feat{"b", []string{"Side.a"}})}, nil)
	checkDelta(t, b.g, v.g, d, deltaPaths{
		Added:   []string{"Side.a", "Side.b"},
		Rewired: []string{"Side"},
		Removed: []string{"Side.x", "Side.y"},
	})
	if got, want := childrenOf(t, v.g, "User"), []string{"User.city", "User.uid", "User.updated_at", "TxnByCity"}; !slices.Equal(got, sorted(want)) {
		t.Errorf("children of User = %v, want %v", got, sorted(want))
	}
	checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
	checkUnchanged(t, "the original", b.g, before)
	v2, _ := v.next([]*catalog.Asset{reads(ds("Side", "x"), "Transaction")}, nil)
	checkAgainstCatalog(t, stateOf(t, v2.g), v2.cat)
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// A dataset that becomes a featureset whose members have the same names.
func TestApplyKindChange(t *testing.T) {
	side := reads(ds("Side", "x", "y"), "User")
	b := build(append(fennel(), side)...)
	before := stateOf(t, b.g)

	// The featureset has members of the same names as the dataset had, and one reads
	// another.
	sideFS := fs("Side", feat{"x", []string{"User.uid"}}, feat{"y", []string{"Side.x"}}, feat{"z", nil})
	v, d := b.next([]*catalog.Asset{sideFS}, nil)
	got := pathsOfDelta(b.g, v.g, d)
	if want := []string{"Side.x", "Side.y", "Side.z"}; !slices.Equal(got.Added, want) {
		t.Errorf("added %v, want the three new features %v", got.Added, want)
	}
	if want := []string{"Side.x", "Side.y"}; !slices.Equal(got.Removed, want) {
		t.Errorf("removed %v, want the two old fields %v", got.Removed, want)
	}
	if want := []string{"Side"}; !slices.Equal(got.Rewired, want) {
		t.Errorf("rewired %v, want %v (it lost its pipeline)", got.Rewired, want)
	}
	id := mustID(t, v.g, "Side")
	if id != mustID(t, b.g, "Side") || v.g.Kind(id) != catalog.KindFeatureset {
		t.Errorf("Side: id %d kind %v, want id %d kind featureset", id, v.g.Kind(id), mustID(t, b.g, "Side"))
	}
	for _, m := range v.g.Members(id) {
		if v.g.Kind(m) != catalog.KindFeature {
			t.Errorf("member %s of the featureset is a %v", v.g.Path(m), v.g.Kind(m))
		}
	}
	if got, want := parentsOf(t, v.g, "Side.y"), names(edgeWant{"Side", C}, edgeWant{"Side.x", D}); !slices.Equal(got, want) {
		t.Errorf("parents of Side.y = %v, want %v", got, want)
	}
	if p := v.g.Parents(mustID(t, v.g, "Side.y")); len(p) == 2 && !v.g.Exists(p[1].From) {
		t.Errorf("Side.y's parent Side.x is id %d, which is not a node (the old field's id); the new feature is %d",
			p[1].From, mustID(t, v.g, "Side.x"))
	}
	checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
	checkUnchanged(t, "the original", b.g, before)

	// And back to a dataset.
	v2, _ := v.next([]*catalog.Asset{side}, nil)
	checkAgainstCatalog(t, stateOf(t, v2.g), v2.cat)
}

// A reader of a member keeps reading it when the member's asset changes kind: the reader
// is not in the change (its record is the same), only its parent's id changes.
func TestApplyKindChangeUnderAReader(t *testing.T) {
	b := build(ds("Side", "x", "y"), fs("Reader", feat{"r", []string{"Side.x"}}))
	v, d := b.next([]*catalog.Asset{fs("Side", feat{"x", nil}, feat{"y", nil})}, nil)
	if got := pathsOfDelta(b.g, v.g, d); !slices.Contains(got.Rewired, "Reader.r") {
		t.Errorf("Reader.r not rewired to the new Side.x: delta %+v", got)
	}
	if got := childrenOf(t, v.g, "Side.x"); !slices.Equal(got, []string{"Reader.r"}) {
		t.Errorf("children of the new Side.x = %v, want [Reader.r]", got)
	}
	checkAgainstCatalog(t, stateOf(t, v.g), v.cat)
}

func TestFreedIDsAreReusedInALaterVersionOnly(t *testing.T) {
	b := build(ds("A", "a1", "a2"), ds("Keep", "k"))
	freed := []int32{mustID(t, b.g, "A"), mustID(t, b.g, "A.a1"), mustID(t, b.g, "A.a2")}

	// Removing A and adding B in one version: B gets fresh ids, A's are not reused yet.
	v1, d := b.next([]*catalog.Asset{ds("B", "b1", "b2", "b3")}, []string{"A"})
	if got := sortedIDs(d.Removed); !slices.Equal(got, sortedIDs(freed)) {
		t.Errorf("removed ids %v, want %v", got, sortedIDs(freed))
	}
	for _, id := range d.Added {
		if slices.Contains(freed, id) {
			t.Errorf("id %d of A was reused in the version that removed A (by %s)", id, v1.g.Path(id))
		}
	}
	if v1.g.Cap() != b.g.Cap()+4 {
		t.Errorf("Cap %d, want %d: four new ids", v1.g.Cap(), b.g.Cap()+4)
	}
	for _, id := range freed {
		if v1.g.Exists(id) {
			t.Errorf("freed id %d still exists as %s", id, v1.g.Path(id))
		}
	}
	checkAgainstCatalog(t, stateOf(t, v1.g), v1.cat)

	// The next version reuses them before it grows.
	v2, d := v1.next([]*catalog.Asset{ds("C", "c1", "c2", "c3")}, nil)
	for _, id := range freed {
		if !slices.Contains(d.Added, id) {
			t.Errorf("freed id %d not reused by the next version (added %v)", id, d.Added)
		}
	}
	if v2.g.Cap() != v1.g.Cap()+1 {
		t.Errorf("Cap %d, want %d: three reused ids and one new", v2.g.Cap(), v1.g.Cap()+1)
	}
	checkAgainstCatalog(t, stateOf(t, v2.g), v2.cat)
	if _, ok := v1.g.Lookup("C"); ok {
		t.Errorf("the previous version finds C")
	}
}

func sortedIDs(ids []int32) []int32 { return slices.Sorted(slices.Values(ids)) }

// Every version stays as it was while later versions change: paths, parents, children,
// Lookup, ids and levels.
func TestCloneIsolationAlongAHistory(t *testing.T) {
	changes := []struct {
		ups []*catalog.Asset
		rms []string
	}{
		{[]*catalog.Asset{user4()}, nil},
		{[]*catalog.Asset{ds("User", "uid", "city")}, nil},
		{[]*catalog.Asset{reads(ds("TxnByCity", "city", "total"), "Transaction")}, nil},
		{[]*catalog.Asset{fs("UserFeatures", feat{"uid", nil})}, nil},
		{nil, []string{"TxnByCity"}},
		{[]*catalog.Asset{ds("New", "a", "b"), reads(ds("Newer", "c"), "New", "User")}, nil},
		{[]*catalog.Asset{fs("New", feat{"a", []string{"User.uid"}})}, []string{"Newer"}},
	}
	v := base()
	history := []version{v}
	states := []graphState{stateOf(t, v.g)}
	for _, c := range changes {
		v, _ = v.next(c.ups, c.rms)
		history = append(history, v)
		states = append(states, stateOf(t, v.g))
		checkAgainstCatalog(t, states[len(states)-1], v.cat)
	}
	for i, h := range history {
		checkUnchanged(t, "version "+string(rune('0'+i)), h.g, states[i])
		checkAgainstCatalog(t, states[i], h.cat)
	}
	if _, ok := history[0].g.Lookup("New.a"); ok {
		t.Errorf("the first version finds a node of a later one")
	}
}

// Two clones of one graph (two branches) changed differently do not see each other.
func TestTwoClonesOfOneGraph(t *testing.T) {
	// TxnByCity stops reading User, so that the shared children list of User has room
	// to grow in place: each clone must copy it before adding a child.
	b, _ := base().next([]*catalog.Asset{reads(ds("TxnByCity", "city", "total", "at"), "Transaction")}, nil)
	before := stateOf(t, b.g)
	c1, _ := b.next([]*catalog.Asset{user4(), reads(ds("Only1", "a"), "User")}, nil)
	c2, _ := b.next([]*catalog.Asset{reads(ds("Only2", "b", "c"), "User")}, []string{"UserFeatures"})
	c1b, _ := c1.next(nil, []string{"CityCounts"}) // and go on changing the first
	for name, v := range map[string]version{"clone 1": c1, "clone 2": c2, "clone 1, next": c1b} {
		t.Run(name, func(t *testing.T) { checkAgainstCatalog(t, stateOf(t, v.g), v.cat) })
	}
	checkUnchanged(t, "the original", b.g, before)
	if _, ok := c2.g.Lookup("User.email"); ok {
		t.Errorf("clone 2 sees clone 1's field")
	}
	if _, ok := c1.g.Lookup("Only2"); ok {
		t.Errorf("clone 1 sees clone 2's dataset")
	}
	if _, ok := c1.g.Lookup("UserFeatures.city"); !ok {
		t.Errorf("clone 1 lost what clone 2 removed")
	}
	if got := childrenOf(t, c1.g, "User"); !slices.Contains(got, "Only1") || slices.Contains(got, "Only2") {
		t.Errorf("children of User in clone 1: %v", got)
	}
}

// The same with ids free for reuse in the shared graph: each clone takes ids from the
// free list of their common parent, and must not hand the other one's ids out.
func TestTwoClonesShareAFreeList(t *testing.T) {
	b0 := build(ds("A"), ds("B"), ds("C"), ds("D"))
	b, _ := b0.next(nil, []string{"A", "B"}) // two ids free
	before := stateOf(t, b.g)
	c1, _ := b.next([]*catalog.Asset{ds("X")}, []string{"C"}) // takes a free id, frees C's
	c2, _ := b.next([]*catalog.Asset{ds("Y"), ds("Z")}, nil)  // takes both free ids
	checkUnchanged(t, "the common parent", b.g, before)
	checkAgainstCatalog(t, stateOf(t, c1.g), c1.cat)
	s2 := stateOf(t, c2.g)
	checkAgainstCatalog(t, s2, c2.cat)
	if mustID(t, c2.g, "Y") == mustID(t, b.g, "C") || mustID(t, c2.g, "Z") == mustID(t, b.g, "C") {
		t.Errorf("clone 2 gave C's id to a new node, though C exists in it")
	}
}
