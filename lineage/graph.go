package lineage

import (
	"hash/maphash"
	"slices"
	"sync/atomic"

	"github.com/tagflow/tagflow/catalog"
)

// EdgeKind says why a parent is a parent (DESIGN §3).
type EdgeKind uint8

// The kinds of edge.
const (
	Containment EdgeKind = iota + 1 // dataset → field, featureset → feature
	Derivation                      // pipeline input → output, mapped input field → field, from → feature
	FailClosed                      // every input field → the output of a pipeline without column lineage
)

func (k EdgeKind) String() string {
	switch k {
	case Containment:
		return "containment"
	case Derivation:
		return "derivation"
	case FailClosed:
		return "fail-closed"
	}
	return "unknown"
}

// Edge is one parent of a node.
type Edge struct {
	From int32
	Kind EdgeKind
}

// Graph is the lineage DAG of one branch at one version, over dense node ids. A Graph that
// has been published is immutable: Clone it, Apply changes to the clone, publish that.
// Clones share everything they do not change (see Column).
type Graph struct {
	gen  uint64
	n    int32   // ids in use are below n
	free []int32 // ids free for reuse, never shared for appends (cap = len on clone)
	live int     // number of nodes

	path     Column[string]
	kind     Column[catalog.AssetKind] // 0 marks a free id
	top      Column[int32]             // the dataset or featureset a node belongs to (itself if top-level)
	members  Column[[]int32]           // a top-level node's fields or features, in declaration order
	parents  Column[[]Edge]
	children Column[[]int32] // distinct child ids
	level    Column[int32]   // 1 + the highest parent level: a topological order
	index    Column[[]indexEntry]
}

// indexEntry is a path's hash and node id: lookups compare hashes and read the path of the
// one match only, which keeps the index small and the lookup to few cache misses.
type indexEntry struct {
	hash uint64
	id   int32
}

const indexBuckets = 1 << 17

var (
	generations atomic.Uint64
	pathSeed    = maphash.MakeSeed()
)

// NewGen returns a generation number no other version has.
func NewGen() uint64 { return generations.Add(1) }

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	g := &Graph{gen: NewGen()}
	g.index.Set(g.gen, indexBuckets-1, nil) // allocate the bucket table once
	return g
}

// Clone returns the next version of g: it shares all of g and copies what it changes.
func (g *Graph) Clone() *Graph {
	return &Graph{
		gen: NewGen(), n: g.n, free: g.free[:len(g.free):len(g.free)], live: g.live,
		path: g.path.Clone(), kind: g.kind.Clone(), top: g.top.Clone(), members: g.members.Clone(),
		parents: g.parents.Clone(), children: g.children.Clone(), level: g.level.Clone(), index: g.index.Clone(),
	}
}

// OwnedBytes is the memory of the columns' parts that this version does not share with the
// one it was cloned from (the slices of parents and children it replaced not counted).
func (g *Graph) OwnedBytes() int {
	return g.path.OwnedBytes(g.gen) + g.kind.OwnedBytes(g.gen) + g.top.OwnedBytes(g.gen) +
		g.members.OwnedBytes(g.gen) + g.parents.OwnedBytes(g.gen) + g.children.OwnedBytes(g.gen) +
		g.level.OwnedBytes(g.gen) + g.index.OwnedBytes(g.gen)
}

// Gen is the graph's generation.
func (g *Graph) Gen() uint64 { return g.gen }

// Len is the number of nodes.
func (g *Graph) Len() int { return g.live }

// Cap is one more than the highest node id in use: ids range over [0, Cap).
func (g *Graph) Cap() int32 { return g.n }

// Lookup returns the id of the node at path.
func (g *Graph) Lookup(path string) (int32, bool) {
	h := maphash.String(pathSeed, path)
	for _, e := range g.index.Get(int32(h & (indexBuckets - 1))) {
		if e.hash == h && g.path.Get(e.id) == path {
			return e.id, true
		}
	}
	return -1, false
}

func hashOf(path string) (uint64, int32) {
	h := maphash.String(pathSeed, path)
	return h, int32(h & (indexBuckets - 1))
}

// Exists reports whether id is a node.
func (g *Graph) Exists(id int32) bool { return id >= 0 && id < g.n && g.kind.Get(id) != 0 }

// Path of node id.
func (g *Graph) Path(id int32) string { return g.path.Get(id) }

// Kind of node id.
func (g *Graph) Kind(id int32) catalog.AssetKind { return g.kind.Get(id) }

// Top is the dataset or featureset that node id belongs to (id itself if top-level).
func (g *Graph) Top(id int32) int32 { return g.top.Get(id) }

// Members are the fields or features of a top-level node, in declaration order.
func (g *Graph) Members(id int32) []int32 { return g.members.Get(id) }

// Parents of node id. The slice is shared: do not modify it.
func (g *Graph) Parents(id int32) []Edge { return g.parents.Get(id) }

// Children of node id. The slice is shared: do not modify it.
func (g *Graph) Children(id int32) []int32 { return g.children.Get(id) }

// Level of node id: higher than the level of each of its parents.
func (g *Graph) Level(id int32) int32 { return g.level.Get(id) }

// EdgeKind returns the kind of the edge from → to, or 0 if there is none.
func (g *Graph) EdgeKind(from, to int32) EdgeKind {
	for _, e := range g.parents.Get(to) {
		if e.From == from {
			return e.Kind
		}
	}
	return 0
}

// Delta says what an Apply changed, for the tag engine.
type Delta struct {
	Added   []int32 // new nodes
	Rewired []int32 // existing nodes whose parents changed
	Removed []int32 // nodes removed (their ids are free from the next version on)
}

// Apply changes the graph to the catalog after a change: upserts are the new records of
// the datasets and featuresets the change writes, removes the paths it removes, and after
// looks up any dataset or featureset after the change. The change must be valid (every
// reference resolves, no cycle): catalog.Plan and CheckCycles make sure of it.
func (g *Graph) Apply(after func(path string) *catalog.Asset, upserts []*catalog.Asset, removes []string) Delta {
	expected := len(removes)
	for _, as := range upserts {
		expected += 1 + len(as.Members)
	}
	capacity := g.n + int32(expected)
	a := &applier{g: g, after: after, dirty: newIDSet(expected, capacity), removed: newIDSet(len(removes), capacity),
		added: newIDSet(expected, capacity)}
	for _, p := range removes {
		if id, ok := g.Lookup(p); ok {
			a.removeTop(id)
		}
	}
	for _, as := range upserts {
		a.upsert(as)
	}
	// Readers of an asset whose fields changed get new fail-closed parents.
	for _, id := range a.reshaped {
		for _, c := range g.children.Get(id) {
			if a.removed.has(c) || g.kind.Get(c) != catalog.KindDataset || g.EdgeKind(id, c) != Derivation {
				continue
			}
			a.dirty.add(c)
			for _, m := range g.members.Get(c) {
				a.dirty.add(m)
			}
		}
	}
	a.removed.each(a.detach)
	ids := make([]int32, 0, a.dirty.len())
	a.dirty.each(func(id int32) {
		if !a.removed.has(id) {
			ids = append(ids, id)
		}
	})
	slices.Sort(ids)
	var d Delta
	for _, id := range ids {
		if a.rewire(id) || a.added.has(id) {
			if a.added.has(id) {
				d.Added = append(d.Added, id)
			} else {
				d.Rewired = append(d.Rewired, id)
			}
		}
	}
	a.removed.each(func(id int32) {
		d.Removed = append(d.Removed, id)
		a.clear(id)
	})
	slices.Sort(d.Removed)
	g.relevel(append(append([]int32(nil), d.Added...), d.Rewired...))
	// Full slice expression: the free list may share its array with other versions.
	g.free = append(g.free[:len(g.free):len(g.free)], d.Removed...)
	return d
}

type applier struct {
	g        *Graph
	after    func(string) *catalog.Asset
	dirty    *idSet // nodes whose parents must be computed again
	removed  *idSet
	added    *idSet
	reshaped []int32 // top-level nodes whose members changed
}

func (a *applier) newNode(path string, kind catalog.AssetKind, top int32) int32 {
	g := a.g
	var id int32
	if n := len(g.free); n > 0 {
		id = g.free[n-1]
		g.free = g.free[:n-1]
	} else {
		id = g.n
		g.n++
	}
	if top < 0 {
		top = id
	}
	g.path.Set(g.gen, id, path)
	g.kind.Set(g.gen, id, kind)
	g.top.Set(g.gen, id, top)
	g.level.Set(g.gen, id, 0)
	h, b := hashOf(path)
	bucket := g.index.Get(b)
	nb := make([]indexEntry, len(bucket), len(bucket)+1)
	copy(nb, bucket)
	g.index.Set(g.gen, b, append(nb, indexEntry{h, id}))
	g.live++
	a.added.add(id)
	a.dirty.add(id)
	return id
}

func (a *applier) removeTop(id int32) {
	a.removed.add(id)
	for _, m := range a.g.members.Get(id) {
		a.removed.add(m)
	}
}

func (a *applier) upsert(as *catalog.Asset) {
	g := a.g
	id, ok := g.Lookup(as.Path)
	memberKind := as.Kind.MemberKind()
	if ok && g.kind.Get(id) != as.Kind {
		// A dataset became a featureset or back: new members of the other kind. The old ones
		// leave the index at once, so that a new member of the same name is the one found.
		for _, m := range g.members.Get(id) {
			a.removed.add(m)
			a.unindex(m)
		}
		g.kind.Set(g.gen, id, as.Kind)
		g.members.Set(g.gen, id, nil)
		a.reshaped = append(a.reshaped, id)
	}
	if !ok {
		id = a.newNode(as.Path, as.Kind, -1)
	}
	a.dirty.add(id)
	old := g.members.Get(id)
	byName := make(map[string]int32, len(old))
	for _, m := range old {
		if !a.removed.has(m) {
			_, name := catalog.SplitMember(g.path.Get(m))
			byName[name] = m
		}
	}
	members := make([]int32, 0, len(as.Members))
	same := len(old) == len(as.Members)
	for i, m := range as.Members {
		mid, ok := byName[m.Name]
		if ok {
			delete(byName, m.Name)
		} else {
			mid = a.newNode(catalog.MemberPath(as.Path, m.Name), memberKind, id)
		}
		if same && old[i] != mid {
			same = false
		}
		members = append(members, mid)
		a.dirty.add(mid)
	}
	for _, mid := range byName {
		a.removed.add(mid)
	}
	if !same {
		a.reshaped = append(a.reshaped, id)
	}
	g.members.Set(g.gen, id, members)
}

// detach takes a removed node out of its parents' children and marks its children dirty.
func (a *applier) detach(id int32) {
	g := a.g
	for _, e := range g.parents.Get(id) {
		if !a.removed.has(e.From) {
			g.children.Set(g.gen, e.From, without(g.children.Get(e.From), id))
		}
	}
	for _, c := range g.children.Get(id) {
		if !a.removed.has(c) {
			a.dirty.add(c)
		}
	}
}

// unindex takes node id out of the path index.
func (a *applier) unindex(id int32) {
	g := a.g
	_, b := hashOf(g.path.Get(id))
	bucket := g.index.Get(b)
	nb := make([]indexEntry, 0, len(bucket))
	for _, e := range bucket {
		if e.id != id {
			nb = append(nb, e)
		}
	}
	if len(nb) != len(bucket) {
		g.index.Set(g.gen, b, nb)
	}
}

func (a *applier) clear(id int32) {
	g := a.g
	a.unindex(id)
	g.path.Set(g.gen, id, "")
	g.kind.Set(g.gen, id, 0)
	g.members.Set(g.gen, id, nil)
	g.parents.Set(g.gen, id, nil)
	g.children.Set(g.gen, id, nil)
	g.live--
}

// rewire sets the parents of id from its definition and reports whether they changed.
func (a *applier) rewire(id int32) bool {
	g := a.g
	want := a.parentsOf(id)
	have := g.parents.Get(id)
	if slices.Equal(want, have) {
		return false
	}
	for _, e := range have {
		if !containsFrom(want, e.From) && !a.removed.has(e.From) {
			g.children.Set(g.gen, e.From, without(g.children.Get(e.From), id))
		}
	}
	for _, e := range want {
		if !containsFrom(have, e.From) {
			ch := g.children.Get(e.From)
			nc := make([]int32, len(ch), len(ch)+1)
			copy(nc, ch)
			g.children.Set(g.gen, e.From, append(nc, id))
		}
	}
	g.parents.Set(g.gen, id, want)
	return true
}

// parentsOf computes a node's parents from its definition (DESIGN §3), in a fixed order.
func (a *applier) parentsOf(id int32) []Edge {
	g := a.g
	top := g.top.Get(id)
	as := a.after(g.path.Get(top))
	if as == nil {
		return nil
	}
	var out []Edge
	add := func(from int32, k EdgeKind) {
		for _, e := range out {
			if e.From == from {
				return
			}
		}
		out = append(out, Edge{from, k})
	}
	ref := func(path string) (int32, bool) { return g.Lookup(path) }
	allInputFields := func() {
		for _, in := range as.Pipeline.Inputs {
			if iid, ok := ref(in); ok {
				for _, m := range g.members.Get(iid) {
					add(m, FailClosed)
				}
			}
		}
	}
	if top == id {
		if as.Pipeline != nil {
			for _, in := range as.Pipeline.Inputs {
				if iid, ok := ref(in); ok {
					add(iid, Derivation)
				}
			}
			if as.Pipeline.Columns == nil {
				allInputFields()
			}
		}
		return out
	}
	add(top, Containment)
	_, name := catalog.SplitMember(g.path.Get(id))
	if as.Kind == catalog.KindFeatureset {
		if m := as.Member(name); m != nil {
			for _, f := range m.From {
				if fid, ok := ref(f); ok {
					add(fid, Derivation)
				}
			}
		}
		return out
	}
	if pl := as.Pipeline; pl != nil && pl.Columns != nil {
		if from, mapped := pl.Columns[name]; mapped {
			for _, f := range from {
				if fid, ok := ref(f); ok {
					add(fid, Derivation)
				}
			}
		} else {
			allInputFields()
		}
	}
	return out
}

// relevel gives the nodes of set (new or rewired) levels above their parents, then raises
// their descendants where needed. A rewired node may get a lower level than before; its
// children keep theirs, which stays valid (a level only needs to exceed the parents').
func (g *Graph) relevel(set []int32) {
	if len(set) == 0 {
		return
	}
	// pending counts, per node of the set, its parents in the set not leveled yet (-1: not
	// in the set): a slice over all ids when the set is large, a map when it is small.
	var dense []int32
	var sparse map[int32]int32
	if len(set) > 4096 && len(set) > int(g.n)/64 {
		dense = make([]int32, g.n)
		for i := range dense {
			dense[i] = -1
		}
	} else {
		sparse = make(map[int32]int32, len(set))
	}
	get := func(id int32) int32 {
		if dense != nil {
			return dense[id]
		}
		if n, ok := sparse[id]; ok {
			return n
		}
		return -1
	}
	put := func(id, n int32) {
		if dense != nil {
			dense[id] = n
		} else {
			sparse[id] = n
		}
	}
	for _, id := range set {
		put(id, 0)
	}
	for _, id := range set {
		for _, e := range g.parents.Get(id) {
			if get(e.From) >= 0 {
				put(id, get(id)+1)
			}
		}
	}
	queue := make([]int32, 0, len(set))
	for _, id := range set {
		if get(id) == 0 {
			queue = append(queue, id)
		}
	}
	for i := 0; i < len(queue); i++ {
		id := queue[i]
		lvl := int32(0)
		for _, e := range g.parents.Get(id) {
			lvl = max(lvl, g.level.Get(e.From)+1)
		}
		if lvl != g.level.Get(id) {
			g.level.Set(g.gen, id, lvl)
		}
		for _, c := range g.children.Get(id) {
			if n := get(c); n > 0 {
				put(c, n-1)
				if n == 1 {
					queue = append(queue, c)
				}
			}
		}
	}
	// Raise descendants outside the set.
	stack := append([]int32(nil), set...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lvl := g.level.Get(id)
		for _, c := range g.children.Get(id) {
			if g.level.Get(c) <= lvl {
				g.level.Set(g.gen, c, lvl+1)
				stack = append(stack, c)
			}
		}
	}
}

func without(s []int32, v int32) []int32 {
	out := make([]int32, 0, len(s))
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

func containsFrom(es []Edge, from int32) bool {
	for _, e := range es {
		if e.From == from {
			return true
		}
	}
	return false
}
