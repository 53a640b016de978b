package tags

import (
	"context"
	"unsafe"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// Reads of a branch view by path: transports and access see paths, tag names and values,
// never the graph's dense ids or the vocabulary (STYLE §9).

// Has reports whether path (a dataset, featureset, field or feature) is on the view.
func (v *View) Has(path string) bool {
	_, ok := v.Lineage.Graph.Lookup(path)
	return ok
}

// Nodes is how many nodes the view's lineage graph has: what a scan of it costs.
func (v *View) Nodes() int { return v.Lineage.Graph.Len() }

// Tags returns the tags present at path (DESIGN §4), sorted; false when path is not on the
// view.
func (v *View) Tags(path string) ([]string, bool) {
	id, ok := v.Lineage.Graph.Lookup(path)
	if !ok {
		return []string{}, false
	}
	return v.Lineage.Present(v.Vocab, id), true
}

// MemberTags returns the tags present at each member of asset (members are names, as in
// catalog.Asset.Members), sorted, in the order of members; an empty list for a member not
// on the view. The lists share one backing array (each capped, so that appending to one
// copies it): a 200-column dataset costs a handful of allocations, not 400.
func (v *View) MemberTags(asset string, members []string) [][]string {
	out, _ := v.MemberTagsInto(nil, nil, asset, members)
	return out
}

// MemberTagsInto is MemberTags reusing the lists out and all of an earlier call (their
// contents are overwritten); it returns both for the next one. A caller that keeps
// nothing of the answer past its use can pool them.
func (v *View) MemberTagsInto(out [][]string, all []string, asset string, members []string) ([][]string, []string) {
	if cap(out) < len(members) {
		out = make([][]string, len(members))
	}
	out = out[:len(members)]
	if cap(all) < 3*len(members) {
		all = make([]string, 0, 3*len(members))
	}
	all = all[:0]
	path := make([]byte, 0, len(asset)+64)
	for i, m := range members {
		path = append(append(append(path[:0], asset...), '.'), m...)
		// Lookup only compares the path with the graph's own strings and keeps none of it,
		// so the bytes are not copied into a string of their own.
		id, ok := v.Lineage.Graph.Lookup(unsafe.String(unsafe.SliceData(path), len(path)))
		if !ok {
			out[i] = []string{}
			continue
		}
		start := len(all)
		all = v.Lineage.AppendPresent(all, v.Vocab, id)
		out[i] = all[start:len(all):len(all)]
	}
	return out, all
}

// Cancels returns the tags path itself cancels (declares "~t", from definitions or
// stewards), sorted; false when path is not on the view.
func (v *View) Cancels(path string) ([]string, bool) {
	id, ok := v.Lineage.Graph.Lookup(path)
	if !ok {
		return []string{}, false
	}
	return v.Lineage.Cancels(v.Vocab, id), true
}

// notOnView is the NotFound error of a path the view does not have.
func (v *View) notOnView(path string) error {
	return &catalog.Error{Kind: catalog.NotFound, Path: path, Msg: path + " does not exist on branch " + v.Catalog.Name}
}

// Explain says why tag is or is not present at path (see Branch.Explain); NotFound when
// path is not on the view.
func (v *View) Explain(ctx context.Context, path, tag string) (Explanation, error) {
	id, ok := v.Lineage.Graph.Lookup(path)
	if !ok {
		return Explanation{}, v.notOnView(path)
	}
	return v.Lineage.Explain(ctx, v.Vocab, id, tag)
}

// Sources are Explain's sources of tag at path alone (the declaring nodes that reach it as
// present, each with one witness path, sorted by source), without the walks for
// cancellations and stops: what a reason needs to say where a tag comes from. NotFound
// when path is not on the view.
func (v *View) Sources(ctx context.Context, path, tag string) ([]TagPath, error) {
	id, ok := v.Lineage.Graph.Lookup(path)
	if !ok {
		return nil, v.notOnView(path)
	}
	t, ok := v.Vocab.ID(tag)
	if !ok {
		return []TagPath{}, nil
	}
	src, _, _, err := v.Lineage.sources(ctx, v.Vocab, id, t)
	return src, err
}

// WalkEdge is one edge of a walk, by path.
type WalkEdge struct {
	From, To string
	Kind     lineage.EdgeKind
}

// Walk is a lineage walk by path: the nodes reached and the edges between them.
type Walk struct {
	Nodes []string
	Edges []WalkEdge
}

// Walk walks the lineage from path in dir up to depth steps at granularity gran, at most
// limit nodes (see lineage.Graph.WalkAtMost). At dataset level an edge between members of
// two datasets is folded into a Derivation between the datasets. NotFound when path is not
// on the view.
func (v *View) Walk(ctx context.Context, path string, dir lineage.Direction, depth int, gran lineage.Granularity, limit int) (Walk, error) {
	g := v.Lineage.Graph
	id, ok := g.Lookup(path)
	if !ok {
		return Walk{}, v.notOnView(path)
	}
	w, err := g.WalkAtMost(ctx, id, dir, depth, gran, limit)
	if err != nil {
		return Walk{}, err
	}
	out := Walk{Nodes: make([]string, len(w.Nodes)), Edges: make([]WalkEdge, len(w.Edges))}
	for i, n := range w.Nodes {
		out.Nodes[i] = g.Path(n)
	}
	for i, e := range w.Edges {
		kind := g.EdgeKind(e[0], e[1])
		if kind == 0 {
			kind = lineage.Derivation // folded: an edge between members of two datasets
		}
		out.Edges[i] = WalkEdge{From: g.Path(e[0]), To: g.Path(e[1]), Kind: kind}
	}
	return out, nil
}

// ImpactPage is one page of the paths downstream of a path.
type ImpactPage struct {
	Total   int      // every path downstream
	Paths   []string // at most first of them, by path, after the cursor
	HasNext bool
}

// Impact returns the first paths downstream of path that sort after after ("" for the
// first page), and how many there are in all. NotFound when path is not on the view.
func (v *View) Impact(ctx context.Context, path string, first int, after string) (ImpactPage, error) {
	return v.ImpactOf(ctx, path, first, after, nil)
}

// ImpactOf is Impact over the downstream paths keep holds (all when keep is nil): what a
// caller may see of them, counted and paged alike.
func (v *View) ImpactOf(ctx context.Context, path string, first int, after string, keep func(path string) bool) (ImpactPage, error) {
	g := v.Lineage.Graph
	id, ok := g.Lookup(path)
	if !ok {
		return ImpactPage{}, v.notOnView(path)
	}
	p, err := g.DownstreamPageOf(ctx, id, after, first, keep)
	if err != nil {
		return ImpactPage{}, err
	}
	out := ImpactPage{Total: p.Total, Paths: make([]string, len(p.Nodes)), HasNext: p.HasNext}
	for i, n := range p.Nodes {
		out.Paths[i] = g.Path(n)
	}
	return out, nil
}

// Definitions returns the tag definitions of the org, sorted by name.
func (s *Service) Definitions(org string) []Definition { return s.Vocab(org).Defined() }
