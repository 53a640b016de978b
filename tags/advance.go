package tags

import (
	"slices"
	"sort"
	"strings"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// Branch is a branch's lineage graph and tag states at one version. It is immutable once
// built; Advance makes the next version, sharing what did not change.
type Branch struct {
	Graph  *lineage.Graph
	States *States
}

// EmptyBranch is the state of a branch with no assets.
func EmptyBranch() *Branch { return &Branch{Graph: lineage.NewGraph(), States: NewStates()} }

// Clone returns a copy that shares everything: a new branch, in O(n/1024).
func (b *Branch) Clone() *Branch { return &Branch{Graph: b.Graph.Clone(), States: b.States.Clone()} }

// Advanced is the outcome of Advance.
type Advanced struct {
	Branch  *Branch
	Vocab   *Vocab
	Changed []int32 // nodes whose states changed
	Delta   lineage.Delta
}

// Advance applies a catalog change to a branch: the graph is updated in place of a clone,
// the declarations of the written assets are set, and only what is downstream of a change
// is re-evaluated. upserts are the new records of the written datasets and featuresets,
// removes the removed paths; after looks an asset up after the change; v is the org's
// vocabulary, returned with any new tag names interned.
func (b *Branch) Advance(v *Vocab, after func(string) *catalog.Asset, upserts []*catalog.Asset, removes []string) Advanced {
	v = v.With(tagNames(upserts)...)
	g := b.Graph.Clone()
	st := b.States.Clone()
	d := g.Apply(after, upserts, removes)
	seeds := append(append([]int32(nil), d.Added...), d.Rewired...)
	for _, id := range d.Removed {
		st.Clear(id)
	}
	for _, a := range upserts {
		id, ok := g.Lookup(a.Path)
		if !ok {
			continue
		}
		if setOwn(st, v, id, a.Tags, a.Steward) {
			seeds = append(seeds, id)
		}
		for i, mid := range g.Members(id) {
			m := &a.Members[i]
			if setOwn(st, v, mid, m.Tags, m.Steward) {
				seeds = append(seeds, mid)
			}
		}
	}
	changed := st.Recompute(g, v, seeds)
	return Advanced{Branch: &Branch{Graph: g, States: st}, Vocab: v, Changed: changed, Delta: d}
}

// setOwn sets a node's declarations from its definition's and its stewards' (a steward's
// declaration of a tag name, t or ~t, replaces the definition's) and reports a change.
func setOwn(st *States, v *Vocab, id int32, defs, stewards []string) bool {
	own := declared(v, defs, stewards)
	if slices.Equal(own, st.Own(id)) {
		return false
	}
	st.SetOwn(id, own)
	return true
}

// declared turns declarations into sorted tag states.
func declared(v *Vocab, defs, stewards []string) []TagState {
	if len(defs) == 0 && len(stewards) == 0 {
		return nil
	}
	var out []TagState
	put := func(d string) {
		name, cancel := strings.CutPrefix(d, "~")
		id, ok := v.ID(name)
		if !ok {
			return // interned by Advance before; cannot happen
		}
		s := Present
		if cancel {
			s = Cancelled
		}
		out = override(out, MakeTagState(id, s))
	}
	for _, d := range defs {
		put(d)
	}
	for _, d := range stewards {
		put(d)
	}
	return out
}

func tagNames(assets []*catalog.Asset) []string {
	var names []string
	add := func(decls []string) {
		for _, d := range decls {
			names = append(names, strings.TrimPrefix(d, "~"))
		}
	}
	for _, a := range assets {
		add(a.Tags)
		add(a.Steward)
		for i := range a.Members {
			add(a.Members[i].Tags)
			add(a.Members[i].Steward)
		}
	}
	return names
}

// Present returns the names of the tags present at node id, sorted.
func (b *Branch) Present(v *Vocab, id int32) []string {
	return b.AppendPresent(make([]string, 0, len(b.States.State(id))), v, id)
}

// AppendPresent appends the names of the tags present at node id to dst, sorted.
func (b *Branch) AppendPresent(dst []string, v *Vocab, id int32) []string {
	start := len(dst)
	for _, ts := range b.States.State(id) {
		if ts.State() == Present {
			dst = append(dst, v.Name(ts.Tag()))
		}
	}
	if len(dst)-start > 1 {
		sort.Strings(dst[start:])
	}
	return dst
}

// Cancels returns the tags that node id itself cancels (declares ~t), sorted.
func (b *Branch) Cancels(v *Vocab, id int32) []string {
	var out []string
	for _, ts := range b.States.Own(id) {
		if ts.State() == Cancelled {
			out = append(out, v.Name(ts.Tag()))
		}
	}
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// Redefine re-propagates tag name after its definition changed in v: what every node that
// carries it (present or cancelled) passes on may have changed, so their children are
// re-evaluated, and from there whatever changes. The graph is shared, not copied.
func (b *Branch) Redefine(v *Vocab, name string) *Branch {
	nb, _ := b.redefine(v, name)
	return nb
}

func (b *Branch) redefine(v *Vocab, name string) (*Branch, []int32) {
	t, ok := v.ID(name)
	if !ok {
		return b, nil
	}
	st := b.States.Clone()
	g := b.Graph
	var seeds []int32
	for id := int32(0); id < g.Cap(); id++ {
		if g.Exists(id) && find(st.State(id), t) != None {
			seeds = append(seeds, g.Children(id)...)
		}
	}
	changed := st.Recompute(g, v, seeds)
	return &Branch{Graph: g, States: st}, changed
}

// Build makes a branch from scratch: the graph of all assets, their declarations, and one
// pass of propagation in level order. v must hold every tag name the assets use.
func Build(v *Vocab, get func(string) *catalog.Asset, assets []*catalog.Asset) *Branch {
	g := lineage.NewGraph()
	g.Apply(get, assets, nil)
	st := NewStates()
	for _, a := range assets {
		id, ok := g.Lookup(a.Path)
		if !ok {
			continue
		}
		setOwn(st, v, id, a.Tags, a.Steward)
		for i, mid := range g.Members(id) {
			setOwn(st, v, mid, a.Members[i].Tags, a.Members[i].Steward)
		}
	}
	st.FromScratch(g, v)
	return &Branch{Graph: g, States: st}
}
