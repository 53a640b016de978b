package lineage_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// catalogGen makes random valid catalogs (every reference resolves, no cycle) and random
// changes to them, in the spirit of tags/oracle_test.go. Top-level paths are d0..d7 and
// f0..f2; an asset reads only assets of a lower rank (d0 < ... < d7 < f0 < f2), and a
// feature reads only features of its own featureset with a lower name, so that every
// state is acyclic. Datasets read datasets; with kindChanges, d* may also become
// featuresets and back, keeping member names.
type catalogGen struct {
	r           *rand.Rand
	cat         catalogState
	kindChanges bool
}

const (
	nData = 8
	nFS   = 3
)

var memberPool = []string{"x0", "x1", "x2", "x3", "x4"}

func rank(path string) int {
	var n int
	if _, err := fmt.Sscanf(path, "d%d", &n); err == nil {
		return n
	}
	fmt.Sscanf(path, "f%d", &n)
	return 100 + n
}

func (c *catalogGen) memberNames() []string {
	names := slices.Clone(memberPool)
	c.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	return names[:c.r.IntN(len(names)+1)]
}

func (c *catalogGen) pick(s []string) string { return s[c.r.IntN(len(s))] }

func (c *catalogGen) dataset(i int) *catalog.Asset {
	a := ds(fmt.Sprintf("d%d", i), c.memberNames()...)
	var ins []string
	for j := 0; j < i; j++ {
		if in := c.cat[fmt.Sprintf("d%d", j)]; in != nil && in.Kind == catalog.KindDataset {
			ins = append(ins, in.Path)
		}
	}
	if len(ins) == 0 || c.r.IntN(4) == 0 {
		return a
	}
	c.r.Shuffle(len(ins), func(x, y int) { ins[x], ins[y] = ins[y], ins[x] })
	ins = ins[:1+c.r.IntN(min(3, len(ins)))]
	if c.r.IntN(2) == 0 {
		return reads(a, ins...)
	}
	cols := map[string][]string{}
	for _, m := range a.Members {
		var from []string
		for n := c.r.IntN(3); n > 0; n-- { // 0: unmapped
			in := c.cat[c.pick(ins)]
			if len(in.Members) > 0 {
				from = append(from, catalog.MemberPath(in.Path, in.Members[c.r.IntN(len(in.Members))].Name))
			}
		}
		if len(from) > 0 {
			slices.Sort(from)
			cols[m.Name] = slices.Compact(from)
		}
	}
	return mapped(a, cols, ins...)
}

func (c *catalogGen) featureset(path string) *catalog.Asset {
	var refs []string
	for _, p := range slices.Sorted(maps.Keys(c.cat)) {
		a := c.cat[p]
		if rank(p) >= rank(path) {
			continue
		}
		if a.Kind == catalog.KindDataset {
			refs = append(refs, p)
		}
		for _, m := range a.Members {
			refs = append(refs, catalog.MemberPath(p, m.Name))
		}
	}
	a := fs(path)
	for _, name := range c.memberNames() {
		m := catalog.Member{Name: name, Type: "int"}
		own := refs
		for _, o := range a.Members {
			if o.Name < name {
				own = append(slices.Clip(own), catalog.MemberPath(path, o.Name))
			}
		}
		for n := c.r.IntN(3); n > 0 && len(own) > 0; n-- {
			m.From = append(m.From, c.pick(own))
		}
		slices.Sort(m.From)
		m.From = slices.Compact(m.From)
		a.Members = append(a.Members, m)
	}
	return a
}

func (c *catalogGen) exists(ref string) bool {
	if a := c.cat[ref]; a != nil {
		return a.Kind == catalog.KindDataset // a whole featureset is never a reference
	}
	top, m := catalog.SplitMember(ref)
	a := c.cat[top]
	return a != nil && m != "" && a.Member(m) != nil
}

// repair drops references that no longer resolve, until the catalog is valid, and returns
// the paths it rewrote.
func (c *catalogGen) repair() []string {
	var fixed []string
	for again := true; again; {
		again = false
		for _, p := range slices.Sorted(maps.Keys(c.cat)) {
			a := c.cat[p]
			cp := *a
			cp.Members = slices.Clone(a.Members)
			changed := false
			if pl := a.Pipeline; pl != nil {
				np := &catalog.Pipeline{}
				for _, in := range pl.Inputs {
					if t := c.cat[in]; t != nil && t.Kind == catalog.KindDataset {
						np.Inputs = append(np.Inputs, in)
					} else {
						changed = true
					}
				}
				if pl.Columns != nil {
					np.Columns = map[string][]string{}
					for f, from := range pl.Columns {
						var keep []string
						for _, x := range from {
							in, _ := catalog.SplitMember(x)
							if c.exists(x) && slices.Contains(np.Inputs, in) {
								keep = append(keep, x)
							} else {
								changed = true
							}
						}
						if len(keep) > 0 {
							np.Columns[f] = keep
						} else if len(from) > 0 {
							changed = true
						}
					}
				}
				if len(np.Inputs) == 0 {
					np = nil
				}
				cp.Pipeline = np
			}
			for i := range cp.Members {
				var keep []string
				for _, f := range cp.Members[i].From {
					if c.exists(f) {
						keep = append(keep, f)
					} else {
						changed = true
					}
				}
				cp.Members[i].From = keep
			}
			if changed {
				c.cat[p] = &cp
				fixed = append(fixed, p)
				again = true
			}
		}
	}
	return fixed
}

// step changes the catalog a little and returns the change's upserts and removes.
func (c *catalogGen) step() (upserts []*catalog.Asset, removes []string) {
	touched := map[string]bool{}
	for n := 1 + c.r.IntN(4); n > 0; n-- {
		var a *catalog.Asset
		switch op := c.r.IntN(12); {
		case op < 6:
			i := c.r.IntN(nData)
			if old := c.cat[fmt.Sprintf("d%d", i)]; old != nil && old.Kind != catalog.KindDataset && !c.kindChanges {
				continue
			}
			a = c.dataset(i)
		case op < 7:
			if !c.kindChanges {
				continue
			}
			a = c.featureset(fmt.Sprintf("d%d", c.r.IntN(nData)))
		case op < 10:
			a = c.featureset(fmt.Sprintf("f%d", c.r.IntN(nFS)))
		case op < 11:
			if len(c.cat) == 0 {
				continue
			}
			a = c.cat[c.pick(slices.Sorted(maps.Keys(c.cat)))] // the same record again
		default:
			if len(c.cat) == 0 {
				continue
			}
			p := c.pick(slices.Sorted(maps.Keys(c.cat)))
			delete(c.cat, p)
			touched[p] = true
			continue
		}
		c.cat[a.Path] = a
		touched[a.Path] = true
	}
	for _, p := range c.repair() {
		touched[p] = true
	}
	for _, p := range slices.Sorted(maps.Keys(touched)) {
		if a := c.cat[p]; a != nil {
			upserts = append(upserts, a)
		} else {
			removes = append(removes, p)
		}
	}
	return upserts, removes
}

// checkDeltaByIDs checks a delta against the two graphs it lies between: ids keep their
// path, Added are the ids that are new, Removed those that are gone, Rewired exactly the
// ids in both whose parents changed.
func checkDeltaByIDs(t *testing.T, old, new *lineage.Graph, d lineage.Delta) {
	t.Helper()
	var added, removed, rewired []int32
	for id := int32(0); id < max(old.Cap(), new.Cap()); id++ {
		o, n := old.Exists(id), new.Exists(id)
		switch {
		case o && n:
			if old.Path(id) != new.Path(id) {
				t.Fatalf("id %d is %s, was %s in the same Apply", id, new.Path(id), old.Path(id))
			}
			if !slices.Equal(old.Parents(id), new.Parents(id)) {
				rewired = append(rewired, id)
			}
		case n:
			added = append(added, id)
		case o:
			removed = append(removed, id)
		}
	}
	for _, c := range []struct {
		what      string
		got, want []int32
	}{{"added", d.Added, added}, {"removed", d.Removed, removed}, {"rewired", d.Rewired, rewired}} {
		if got := sortedIDs(c.got); !slices.Equal(got, c.want) {
			t.Fatalf("delta %s: %v, want %v", c.what, got, c.want)
		}
	}
}

// emptyGraph is cloned for most graphs built from scratch: a clone of an empty graph is an
// empty graph, and it saves NewGraph's allocation of the index's bucket table per build.
var emptyGraph = lineage.NewGraph()

// fromScratch builds the graph of cat in one Apply on an empty graph: a new one if fresh,
// else a clone of emptyGraph.
func fromScratch(cat catalogState, fresh bool) *lineage.Graph {
	g := emptyGraph.Clone()
	if fresh {
		g = lineage.NewGraph()
	}
	g.Apply(cat.get, cat.sorted(), nil)
	return g
}

// runRandomHistories runs cases random histories of rounds steps each (each step costs a
// few milliseconds under -race, most of it in the chunks that clones copy).
func runRandomHistories(t *testing.T, cases, rounds int, kindChanges bool) {
	if testing.Short() {
		cases /= 4
	}
	for seed := range cases {
		c := &catalogGen{r: rand.New(rand.NewPCG(uint64(seed), 7)), cat: catalogState{}, kindChanges: kindChanges}
		v := version{lineage.NewGraph(), catalogState{}}
		s := stateOf(t, v.g)
		for round := range rounds {
			ups, rms := c.step()
			next, d := v.next(ups, rms)
			if !maps.Equal(next.cat, c.cat) {
				t.Fatalf("seed %d round %d: catalogs differ", seed, round)
			}
			ns := stateOf(t, next.g)
			scratch := fromScratch(next.cat, round == rounds-1)
			if diff := diffStates(stateOf(t, scratch), ns); diff != "" {
				t.Fatalf("seed %d round %d: incremental graph differs from the one built from scratch (- scratch, + incremental):\n%s", seed, round, diff)
			}
			checkAgainstCatalog(t, ns, next.cat)
			checkDeltaByIDs(t, v.g, next.g, d)
			checkUnchanged(t, fmt.Sprintf("seed %d round %d: the previous version", seed, round), v.g, s)
			v, s = next, ns
		}
	}
}

// TestIncrementalEqualsFromScratch: after every step of random histories, the graph kept
// by Apply on clones has the same nodes, parents (with kinds) and children as one built
// from scratch, its levels are a topological order, its Delta is exact, and the previous
// version is unchanged.
func TestIncrementalEqualsFromScratch(t *testing.T) { runRandomHistories(t, 100, 10, false) }

// The same with datasets that become featuresets and back.
func TestIncrementalEqualsFromScratchWithKindChanges(t *testing.T) {
	runRandomHistories(t, 50, 10, true)
}

// TestForkedHistories: versions are branched like branches are: a random earlier version
// is changed again, so that several clones of one graph are changed differently. Every
// version always agrees with its catalog and never changes.
func TestForkedHistories(t *testing.T) {
	cases, rounds := 40, 10
	if testing.Short() {
		cases = 10
	}
	for seed := range cases {
		r := rand.New(rand.NewPCG(uint64(seed), 11))
		versions := []version{{lineage.NewGraph(), catalogState{}}}
		states := []graphState{stateOf(t, versions[0].g)}
		for round := range rounds {
			i := len(versions) - 1
			if r.IntN(2) == 0 {
				i = r.IntN(len(versions))
			}
			c := &catalogGen{r: r, cat: maps.Clone(versions[i].cat)}
			ups, rms := c.step()
			next, _ := versions[i].next(ups, rms)
			ns := stateOf(t, next.g)
			checkAgainstCatalog(t, ns, next.cat)
			checkUnchanged(t, fmt.Sprintf("seed %d round %d: the version changed", seed, round), versions[i].g, states[i])
			versions, states = append(versions, next), append(states, ns)
		}
		for j := range versions {
			checkUnchanged(t, fmt.Sprintf("seed %d: version %d", seed, j), versions[j].g, states[j])
			checkAgainstCatalog(t, states[j], versions[j].cat)
		}
	}
}
