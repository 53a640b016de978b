package lineage_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// catalogState is a branch's catalog as the graph sees it: the datasets and featuresets
// after a change, by path.
type catalogState map[string]*catalog.Asset

func (c catalogState) get(path string) *catalog.Asset { return c[path] }

// with returns a copy of c with upserts written and removes removed.
func (c catalogState) with(upserts []*catalog.Asset, removes []string) catalogState {
	out := maps.Clone(c)
	if out == nil {
		out = catalogState{}
	}
	for _, p := range removes {
		delete(out, p)
	}
	for _, a := range upserts {
		out[a.Path] = a
	}
	return out
}

func (c catalogState) sorted() []*catalog.Asset {
	var out []*catalog.Asset
	for _, p := range slices.Sorted(maps.Keys(c)) {
		out = append(out, c[p])
	}
	return out
}

// nodePaths lists every node of the catalog: each asset and its members.
func (c catalogState) nodePaths() []string {
	var out []string
	for _, a := range c {
		out = append(out, a.Path)
		for _, m := range a.Members {
			out = append(out, catalog.MemberPath(a.Path, m.Name))
		}
	}
	sort.Strings(out)
	return out
}

// version is one version of a branch: its graph and the catalog it was built from.
type version struct {
	g   *lineage.Graph
	cat catalogState
}

// build makes a graph from scratch: an empty graph and one Apply of every asset.
func build(assets ...*catalog.Asset) version {
	cat := catalogState{}.with(assets, nil)
	g := lineage.NewGraph()
	g.Apply(cat.get, cat.sorted(), nil)
	return version{g, cat}
}

// next applies a change to a clone of v, leaving v as it was.
func (v version) next(upserts []*catalog.Asset, removes []string) (version, lineage.Delta) {
	cat := v.cat.with(upserts, removes)
	g := v.g.Clone()
	d := g.Apply(cat.get, upserts, removes)
	return version{g, cat}, d
}

func ds(path string, fields ...string) *catalog.Asset {
	a := &catalog.Asset{Kind: catalog.KindDataset, Path: path}
	for _, f := range fields {
		a.Members = append(a.Members, catalog.Member{Name: f, Type: "int"})
	}
	return a
}

// reads gives dataset a a pipeline over inputs, without column lineage.
func reads(a *catalog.Asset, inputs ...string) *catalog.Asset {
	a.Pipeline = &catalog.Pipeline{Inputs: inputs}
	return a
}

// mapped gives dataset a a pipeline over inputs with column lineage cols (never nil).
func mapped(a *catalog.Asset, cols map[string][]string, inputs ...string) *catalog.Asset {
	if cols == nil {
		cols = map[string][]string{}
	}
	a.Pipeline = &catalog.Pipeline{Inputs: inputs, Columns: cols}
	return a
}

type feat struct {
	name string
	from []string
}

func fs(path string, features ...feat) *catalog.Asset {
	a := &catalog.Asset{Kind: catalog.KindFeatureset, Path: path}
	for _, f := range features {
		a.Members = append(a.Members, catalog.Member{Name: f.name, Type: "int", From: f.from})
	}
	return a
}

// fennel is the seed catalog of DESIGN §2, without tags.
func fennel() []*catalog.Asset {
	return []*catalog.Asset{
		ds("User", "uid", "city", "updated_at"),
		ds("Transaction", "uid", "amount", "at"),
		reads(ds("TxnByCity", "city", "total", "at"), "Transaction", "User"),
		fs("UserFeatures",
			feat{"uid", nil},
			feat{"city", []string{"User.city"}},
			feat{"total_in_hometown", []string{"TxnByCity.total", "UserFeatures.city"}}),
	}
}

func mustID(t testing.TB, g *lineage.Graph, path string) int32 {
	t.Helper()
	id, ok := g.Lookup(path)
	if !ok {
		t.Fatalf("no node %s", path)
	}
	return id
}

func edgeName(path string, k lineage.EdgeKind) string { return path + " " + k.String() }

// parentsOf lists the parents of path as "path kind", sorted.
func parentsOf(t testing.TB, g *lineage.Graph, path string) []string {
	t.Helper()
	out := []string{}
	for _, e := range g.Parents(mustID(t, g, path)) {
		out = append(out, edgeName(g.Path(e.From), e.Kind))
	}
	sort.Strings(out)
	return out
}

// childrenOf lists the paths of the children of path, sorted.
func childrenOf(t testing.TB, g *lineage.Graph, path string) []string {
	t.Helper()
	out := []string{}
	for _, c := range g.Children(mustID(t, g, path)) {
		out = append(out, g.Path(c))
	}
	sort.Strings(out)
	return out
}

func pathsOf(g *lineage.Graph, ids []int32) []string {
	out := []string{}
	for _, id := range ids {
		out = append(out, g.Path(id))
	}
	return out
}

func sortedPaths(g *lineage.Graph, ids []int32) []string {
	out := pathsOf(g, ids)
	sort.Strings(out)
	return out
}

// nodeState is everything the graph says about one node, by path, so that two graphs
// with different ids can be compared.
type nodeState struct {
	Kind     catalog.AssetKind
	Top      string
	Members  []string // in declaration order
	Parents  []string // "path kind", sorted
	Children []string // sorted
}

// graphState describes a whole graph by path; ids holds each path's id and level, for
// comparing a version with itself later.
type graphState struct {
	Len   int
	Nodes map[string]nodeState
	IDs   map[string][2]int32 // path -> id, level
}

// stateOf reads g through its public API only, and checks the invariants that hold for
// every graph: the index and the paths agree, parents and children are each other's
// reverse, each node's parents are distinct and exist, and levels are a topological order.
func stateOf(t testing.TB, g *lineage.Graph) graphState {
	t.Helper()
	s := graphState{Nodes: map[string]nodeState{}, IDs: map[string][2]int32{}}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	live := 0
	for id := int32(0); id < g.Cap(); id++ {
		if !g.Exists(id) {
			continue
		}
		live++
		p := g.Path(id)
		if _, dup := s.Nodes[p]; dup {
			bad("path %s has two ids", p)
		}
		if got, ok := g.Lookup(p); !ok || got != id {
			bad("Lookup(%s) = %d, %v; node has id %d", p, got, ok, id)
		}
		ns := nodeState{Kind: g.Kind(id), Top: g.Path(g.Top(id))}
		if !g.Exists(g.Top(id)) {
			bad("%s: top %d is not a node", p, g.Top(id))
		}
		for _, m := range g.Members(id) {
			ns.Members = append(ns.Members, g.Path(m))
			if !g.Exists(m) || g.Top(m) != id {
				bad("%s: member %d (%s) is not a node of it", p, m, g.Path(m))
			}
		}
		from := map[int32]bool{}
		for _, e := range g.Parents(id) {
			if from[e.From] {
				bad("%s: parent %s twice", p, g.Path(e.From))
			}
			from[e.From] = true
			if !g.Exists(e.From) {
				bad("%s: parent %d is not a node", p, e.From)
				continue
			}
			if !slices.Contains(g.Children(e.From), id) {
				bad("%s: parent %s does not list it as a child", p, g.Path(e.From))
			}
			if g.Level(e.From) >= g.Level(id) {
				bad("level(%s) = %d, not above level(%s) = %d", p, g.Level(id), g.Path(e.From), g.Level(e.From))
			}
			if g.EdgeKind(e.From, id) != e.Kind {
				bad("EdgeKind(%s, %s) = %v, parent edge says %v", g.Path(e.From), p, g.EdgeKind(e.From, id), e.Kind)
			}
			ns.Parents = append(ns.Parents, edgeName(g.Path(e.From), e.Kind))
		}
		seen := map[int32]bool{}
		for _, c := range g.Children(id) {
			if seen[c] {
				bad("%s: child %d twice", p, c)
			}
			seen[c] = true
			if !g.Exists(c) {
				bad("%s: child %d is not a node", p, c)
				continue
			}
			if g.EdgeKind(id, c) == 0 {
				bad("%s: child %s has no parent edge from it", p, g.Path(c))
			}
			ns.Children = append(ns.Children, g.Path(c))
		}
		sort.Strings(ns.Parents)
		sort.Strings(ns.Children)
		s.Nodes[p] = ns
		s.IDs[p] = [2]int32{id, g.Level(id)}
	}
	s.Len = g.Len()
	if live != g.Len() {
		bad("Len() = %d, %d ids exist", g.Len(), live)
	}
	if len(problems) > 0 {
		if len(problems) > 10 {
			problems = append(problems[:10], "...")
		}
		t.Fatalf("inconsistent graph:\n%s", strings.Join(problems, "\n"))
	}
	return s
}

// diffStates describes how b differs from a by path, ignoring ids and levels, or "".
func diffStates(a, b graphState) string {
	var out []string
	for _, p := range slices.Sorted(maps.Keys(a.Nodes)) {
		nb, ok := b.Nodes[p]
		if !ok {
			out = append(out, "- "+p)
			continue
		}
		if na := a.Nodes[p]; !equalNode(na, nb) {
			out = append(out, fmt.Sprintf("~ %s:\n    %+v\n    %+v", p, na, nb))
		}
	}
	for _, p := range slices.Sorted(maps.Keys(b.Nodes)) {
		if _, ok := a.Nodes[p]; !ok {
			out = append(out, "+ "+p)
		}
	}
	if len(out) > 12 {
		out = append(out[:12], "...")
	}
	return strings.Join(out, "\n")
}

func equalNode(a, b nodeState) bool {
	return a.Kind == b.Kind && a.Top == b.Top && slices.Equal(a.Members, b.Members) &&
		slices.Equal(a.Parents, b.Parents) && slices.Equal(a.Children, b.Children)
}

// wantParents is DESIGN §3 read literally from the catalog, by path: the oracle.
func wantParents(cat catalogState, node string) []string {
	out := []string{}
	seen := map[string]bool{}
	add := func(p string, k lineage.EdgeKind) {
		if !seen[p] { // a node is a parent once, by its first reason
			seen[p] = true
			out = append(out, edgeName(p, k))
		}
	}
	a := cat[node]
	member := ""
	if a == nil {
		var top string
		top, member = catalog.SplitMember(node)
		a = cat[top]
	}
	allFields := func() {
		for _, in := range a.Pipeline.Inputs {
			for _, m := range cat[in].Members {
				add(catalog.MemberPath(in, m.Name), lineage.FailClosed)
			}
		}
	}
	switch {
	case member == "":
		if a.Pipeline != nil {
			for _, in := range a.Pipeline.Inputs {
				add(in, lineage.Derivation)
			}
			if a.Pipeline.Columns == nil {
				allFields()
			}
		}
	case a.Kind == catalog.KindFeatureset:
		add(a.Path, lineage.Containment)
		for _, f := range a.Member(member).From {
			add(f, lineage.Derivation)
		}
	default:
		add(a.Path, lineage.Containment)
		if a.Pipeline != nil && a.Pipeline.Columns != nil {
			if from, ok := a.Pipeline.Columns[member]; ok {
				for _, f := range from {
					add(f, lineage.Derivation)
				}
			} else {
				allFields()
			}
		}
	}
	sort.Strings(out)
	return out
}

// checkAgainstCatalog checks that graph state s has exactly the nodes of cat, each with
// the kind, members and parents that DESIGN §3 gives it.
func checkAgainstCatalog(t testing.TB, s graphState, cat catalogState) {
	t.Helper()
	want := cat.nodePaths()
	got := slices.Sorted(maps.Keys(s.Nodes))
	if !slices.Equal(got, want) {
		t.Fatalf("nodes:\n got %v\nwant %v", got, want)
	}
	for _, p := range want {
		ns := s.Nodes[p]
		if w := wantParents(cat, p); !slices.Equal(ns.Parents, w) {
			t.Fatalf("parents of %s:\n got %v\nwant %v", p, ns.Parents, w)
		}
		if a := cat[p]; a != nil {
			if ns.Kind != a.Kind || ns.Top != p {
				t.Fatalf("%s: kind %v top %s, want %v and itself", p, ns.Kind, ns.Top, a.Kind)
			}
			var members []string
			for _, m := range a.Members {
				members = append(members, catalog.MemberPath(p, m.Name))
			}
			if !slices.Equal(ns.Members, members) {
				t.Fatalf("members of %s: got %v, want %v", p, ns.Members, members)
			}
		} else {
			top, _ := catalog.SplitMember(p)
			if ns.Kind != cat[top].Kind.MemberKind() || ns.Top != top || len(ns.Members) != 0 {
				t.Fatalf("%s: kind %v top %s members %v, want a %v of %s", p, ns.Kind, ns.Top, ns.Members, cat[top].Kind.MemberKind(), top)
			}
		}
	}
}
