package tags_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
	"github.com/tagflow/tagflow/tags"
)

// oracle evaluates DESIGN §3 and §4 literally, by memoized recursion over paths: the
// simple, slow reference that the incremental engine must always agree with.
type oracle struct {
	assets map[string]*catalog.Asset
	vocab  *tags.Vocab
	memo   map[string]tags.State
}

type oEdge struct {
	from string
	kind lineage.EdgeKind
}

func (o *oracle) parents(node string) []oEdge {
	top, member := catalog.SplitMember(node)
	a := o.assets[top]
	if o.assets[node] != nil {
		a, member = o.assets[node], ""
	}
	var out []oEdge
	allFields := func() {
		for _, in := range a.Pipeline.Inputs {
			for _, m := range o.assets[in].Members {
				out = append(out, oEdge{catalog.MemberPath(in, m.Name), lineage.FailClosed})
			}
		}
	}
	if member == "" {
		if a.Pipeline != nil {
			for _, in := range a.Pipeline.Inputs {
				out = append(out, oEdge{in, lineage.Derivation})
			}
			if a.Pipeline.Columns == nil {
				allFields()
			}
		}
		return out
	}
	out = append(out, oEdge{top, lineage.Containment})
	m := a.Member(member)
	for _, f := range m.From {
		out = append(out, oEdge{f, lineage.Derivation})
	}
	if a.Pipeline != nil && a.Pipeline.Columns != nil {
		if from, ok := a.Pipeline.Columns[member]; ok {
			for _, f := range from {
				out = append(out, oEdge{f, lineage.Derivation})
			}
		} else {
			allFields()
		}
	}
	return out
}

func (o *oracle) own(node, tag string) tags.State {
	top, member := catalog.SplitMember(node)
	var defs, stewards []string
	if a := o.assets[node]; a != nil {
		defs, stewards = a.Tags, a.Steward
	} else {
		m := o.assets[top].Member(member)
		defs, stewards = m.Tags, m.Steward
	}
	st := tags.None
	for _, list := range [][]string{defs, stewards} {
		for _, d := range list {
			switch d {
			case tag:
				st = tags.Present
			case "~" + tag:
				st = tags.Cancelled
			}
		}
	}
	return st
}

func (o *oracle) state(node, tag string) tags.State {
	k := node + "\x00" + tag
	if s, ok := o.memo[k]; ok {
		return s
	}
	s := o.own(node, tag)
	if s == tags.None {
		def := o.vocab.Lookup(tag)
		for _, e := range o.parents(node) {
			p := o.state(e.from, tag)
			switch {
			case p == tags.None:
			case e.kind != lineage.Containment && !def.Propagate:
				p = tags.None
			case p == tags.Cancelled && (def.Negation == tags.NegationNode || e.kind == lineage.FailClosed):
				p = tags.None
			}
			s = max(s, p)
		}
	}
	o.memo[k] = s
	return s
}

// catalogGen makes random valid catalogs: datasets d0..d11 read only lower-numbered ones,
// features read fields, datasets and lower features, so that every state is acyclic.
type catalogGen struct {
	r      *rand.Rand
	assets map[string]*catalog.Asset
}

var tagPool = []string{"a", "b", "c"}

func (c *catalogGen) decls() []string {
	var out []string
	for _, t := range tagPool {
		switch c.r.IntN(9) {
		case 0:
			out = append(out, t)
		case 1:
			out = append(out, "~"+t)
		}
	}
	sort.Strings(out)
	return out
}

func (c *catalogGen) datasets(below int) []string {
	var out []string
	for i := 0; i < below; i++ {
		if c.assets[fmt.Sprintf("d%d", i)] != nil {
			out = append(out, fmt.Sprintf("d%d", i))
		}
	}
	return out
}

func (c *catalogGen) dataset(i int) *catalog.Asset {
	a := &catalog.Asset{Kind: catalog.KindDataset, Path: fmt.Sprintf("d%d", i), Tags: c.decls()}
	for j := 0; j < 4; j++ {
		if c.r.IntN(3) > 0 {
			a.Members = append(a.Members, catalog.Member{Name: fmt.Sprintf("x%d", j), Type: "int", Tags: c.decls()})
		}
	}
	if ins := c.datasets(i); len(ins) > 0 && c.r.IntN(4) > 0 {
		c.r.Shuffle(len(ins), func(x, y int) { ins[x], ins[y] = ins[y], ins[x] })
		pl := &catalog.Pipeline{Inputs: ins[:1+c.r.IntN(min(3, len(ins)))]}
		if c.r.IntN(2) == 0 {
			pl.Columns = map[string][]string{}
			for _, m := range a.Members {
				if c.r.IntN(3) == 0 {
					continue // unmapped: fail-closed
				}
				in := c.assets[pl.Inputs[c.r.IntN(len(pl.Inputs))]]
				if len(in.Members) > 0 {
					pl.Columns[m.Name] = []string{catalog.MemberPath(in.Path, in.Members[c.r.IntN(len(in.Members))].Name)}
				}
			}
		}
		a.Pipeline = pl
	}
	return a
}

func (c *catalogGen) featureset(i int) *catalog.Asset {
	path := fmt.Sprintf("f%d", i)
	a := &catalog.Asset{Kind: catalog.KindFeatureset, Path: path, Tags: c.decls()}
	var refs []string
	for _, d := range c.datasets(12) {
		refs = append(refs, d)
		for _, m := range c.assets[d].Members {
			refs = append(refs, catalog.MemberPath(d, m.Name))
		}
	}
	for k := 0; k < i; k++ {
		if f := c.assets[fmt.Sprintf("f%d", k)]; f != nil {
			for _, m := range f.Members {
				refs = append(refs, catalog.MemberPath(f.Path, m.Name))
			}
		}
	}
	for j := 0; j < 3; j++ {
		m := catalog.Member{Name: fmt.Sprintf("y%d", j), Type: "int", Tags: c.decls()}
		for n := c.r.IntN(3); n > 0 && len(refs) > 0; n-- {
			m.From = append(m.From, refs[c.r.IntN(len(refs))])
		}
		if j > 0 && c.r.IntN(3) == 0 {
			m.From = append(m.From, catalog.MemberPath(path, a.Members[c.r.IntN(j)].Name))
		}
		sort.Strings(m.From)
		m.From = dedup(m.From)
		a.Members = append(a.Members, m)
	}
	return a
}

func dedup(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// exists reports whether a reference resolves in the catalog.
func (c *catalogGen) exists(ref string) bool {
	if c.assets[ref] != nil {
		return true
	}
	top, m := catalog.SplitMember(ref)
	a := c.assets[top]
	return a != nil && a.Member(m) != nil
}

// repair drops references that no longer resolve, rewriting the assets that hold them,
// until the catalog is valid; it returns the paths it rewrote.
func (c *catalogGen) repair() []string {
	var fixed []string
	for again := true; again; {
		again = false
		for _, p := range sortedKeys(c.assets) {
			a := c.assets[p]
			cp := *a
			cp.Members = append([]catalog.Member(nil), a.Members...)
			changed := false
			if a.Pipeline != nil {
				pl := &catalog.Pipeline{Columns: nil}
				for _, in := range a.Pipeline.Inputs {
					if c.assets[in] != nil && c.assets[in].Kind == catalog.KindDataset {
						pl.Inputs = append(pl.Inputs, in)
					} else {
						changed = true
					}
				}
				if a.Pipeline.Columns != nil {
					pl.Columns = map[string][]string{}
					for f, from := range a.Pipeline.Columns {
						var keep []string
						for _, x := range from {
							ds, _ := catalog.SplitMember(x)
							if c.exists(x) && contains(pl.Inputs, ds) && cp.Member(f) != nil {
								keep = append(keep, x)
							} else {
								changed = true
							}
						}
						if len(keep) > 0 {
							pl.Columns[f] = keep
						}
					}
				}
				if len(pl.Inputs) == 0 {
					pl = nil
					changed = true
				}
				cp.Pipeline = pl
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
				c.assets[p] = &cp
				fixed = append(fixed, p)
				again = true
			}
		}
	}
	return fixed
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]*catalog.Asset) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// step mutates the catalog a little and returns the upserts and removes of the change.
func (c *catalogGen) step() (upserts []*catalog.Asset, removes []string) {
	touched := map[string]bool{}
	for n := 1 + c.r.IntN(3); n > 0; n-- {
		switch op := c.r.IntN(10); {
		case op < 5:
			i := c.r.IntN(12)
			a := c.dataset(i)
			if old := c.assets[a.Path]; old != nil && old.Kind != catalog.KindDataset {
				continue
			}
			c.assets[a.Path] = a
			touched[a.Path] = true
		case op < 7:
			a := c.featureset(c.r.IntN(4))
			c.assets[a.Path] = a
			touched[a.Path] = true
		case op < 8:
			// Stewards: replace one node's steward declarations.
			keys := sortedKeys(c.assets)
			if len(keys) == 0 {
				continue
			}
			a := *c.assets[keys[c.r.IntN(len(keys))]]
			if len(a.Members) > 0 && c.r.IntN(2) == 0 {
				a.Members = append([]catalog.Member(nil), a.Members...)
				a.Members[c.r.IntN(len(a.Members))].Steward = c.decls()
			} else {
				a.Steward = c.decls()
			}
			c.assets[a.Path] = &a
			touched[a.Path] = true
		default:
			keys := sortedKeys(c.assets)
			if len(keys) == 0 {
				continue
			}
			p := keys[c.r.IntN(len(keys))]
			delete(c.assets, p)
			touched[p] = true
		}
	}
	for _, p := range c.repair() {
		touched[p] = true
	}
	for _, p := range sortedKeys(mapOf(touched)) {
		if a := c.assets[p]; a != nil {
			upserts = append(upserts, a)
		} else {
			removes = append(removes, p)
		}
	}
	return upserts, removes
}

func mapOf(m map[string]bool) map[string]*catalog.Asset {
	out := map[string]*catalog.Asset{}
	for k := range m {
		out[k] = nil
	}
	return out
}

// nodes lists every node path of the catalog.
func nodes(assets map[string]*catalog.Asset) []string {
	var out []string
	for _, p := range sortedKeys(assets) {
		out = append(out, p)
		for _, m := range assets[p].Members {
			out = append(out, catalog.MemberPath(p, m.Name))
		}
	}
	return out
}

func check(t *testing.T, round int, b *tags.Branch, v *tags.Vocab, assets map[string]*catalog.Asset) {
	t.Helper()
	o := &oracle{assets: assets, vocab: v, memo: map[string]tags.State{}}
	all := nodes(assets)
	if b.Graph.Len() != len(all) {
		t.Fatalf("round %d: graph has %d nodes, catalog %d", round, b.Graph.Len(), len(all))
	}
	for _, n := range all {
		id, ok := b.Graph.Lookup(n)
		if !ok {
			t.Fatalf("round %d: node %s missing", round, n)
		}
		for _, tag := range tagPool {
			want := o.state(n, tag)
			got := tags.None
			if tid, ok := v.ID(tag); ok {
				got = b.States.Lookup(id, tid)
			}
			if got != want {
				t.Fatalf("round %d: %s %s = %d, oracle says %d\nparents %v", round, n, tag, got, want, o.parents(n))
			}
		}
	}
}

// TestIncrementalEqualsOracle: for random catalogs and random sequences of changes —
// deploys, removals, steward tags, tag definitions — the incremental engine always equals
// the from-scratch oracle, and so does a branch built anew from the same catalog.
func TestIncrementalEqualsOracle(t *testing.T) {
	cases := 1000 // × 12 changes each
	if testing.Short() {
		cases = 100
	}
	for seed := 0; seed < cases; seed++ {
		c := &catalogGen{r: rand.New(rand.NewPCG(uint64(seed), 99)), assets: map[string]*catalog.Asset{}}
		b := tags.EmptyBranch()
		v := tags.NewVocab()
		for round := 0; round < 12; round++ {
			if c.r.IntN(6) == 0 {
				// Redefine a tag: re-propagate it.
				name := tagPool[c.r.IntN(len(tagPool))]
				var err error
				v, err = v.Define(tags.Definition{Name: name, Propagate: c.r.IntN(3) > 0, Negation: tags.Negation(c.r.IntN(2))})
				if err != nil {
					t.Fatal(err)
				}
				b = b.Redefine(v, name)
				check(t, round, b, v, c.assets)
				continue
			}
			ups, rms := c.step()
			snapshot := c.assets
			adv := b.Advance(v, func(p string) *catalog.Asset { return snapshot[p] }, ups, rms)
			b, v = adv.Branch, adv.Vocab
			check(t, round, b, v, c.assets)
		}
		// A branch built from scratch from the final catalog agrees too.
		var all []*catalog.Asset
		for _, p := range sortedKeys(c.assets) {
			all = append(all, c.assets[p])
		}
		fresh := tags.EmptyBranch().Advance(v, func(p string) *catalog.Asset { return c.assets[p] }, all, nil)
		check(t, -1, fresh.Branch, fresh.Vocab, c.assets)
		fresh.Branch.States.FromScratch(fresh.Branch.Graph, fresh.Vocab)
		check(t, -2, fresh.Branch, fresh.Vocab, c.assets)
	}
}
