package lineage

import (
	"container/heap"
	"context"
	"fmt"
	"sort"

	"github.com/tagflow/tagflow/catalog"
)

// Direction of a walk.
type Direction int

// The directions.
const (
	Upstream Direction = iota + 1
	Downstream
)

// Granularity of a walk: columns, or datasets and featuresets with their members folded in.
type Granularity int

// The granularities.
const (
	ColumnLevel Granularity = iota + 1
	DatasetLevel
)

// Walked is the part of the graph a walk reached: node ids, and the edges between them,
// each once.
type Walked struct {
	Nodes []int32
	Edges [][2]int32 // from, to
}

// checkEvery is how many nodes a walk visits between two looks at its context: often
// enough to stop within a millisecond of a deadline, rarely enough to cost nothing.
const checkEvery = 4096

// stopped is the reason ctx is done (context.Cause: the deadline, or what cancelled the
// request), or nil.
func stopped(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}

// Walk returns the start node and every node within depth hops of it in the direction,
// and exactly the edges of the graph between them (DESIGN §3). With DatasetLevel,
// members fold into their dataset or featureset, the walk runs on that folded graph, and
// edges between the same two top-level nodes appear once. It stops with the cause of
// ctx's end when ctx is done.
func (g *Graph) Walk(ctx context.Context, start int32, dir Direction, depth int, gran Granularity) (Walked, error) {
	return g.WalkAtMost(ctx, start, dir, depth, gran, 0)
}

// WalkAtMost is Walk that refuses, with InvalidArgument, a walk that reaches more than
// limit nodes (0: no limit), before it collects any edge.
func (g *Graph) WalkAtMost(ctx context.Context, start int32, dir Direction, depth int, gran Granularity, limit int) (Walked, error) {
	if depth < 0 {
		return Walked{}, &catalog.Error{Op: "lineage", Kind: catalog.InvalidArgument, Msg: fmt.Sprintf("depth must be 0 or more, not %d", depth)}
	}
	if !g.Exists(start) {
		return Walked{}, &catalog.Error{Op: "lineage", Kind: catalog.NotFound, Msg: fmt.Sprintf("no node %d", start)}
	}
	fold := gran == DatasetLevel
	if fold {
		start = g.Top(start)
	}
	in := map[int32]bool{start: true}
	frontier := []int32{start}
	visited := 0
	for d := 0; d < depth && len(frontier) > 0; d++ {
		var next []int32
		for _, n := range frontier {
			if visited++; visited%checkEvery == 0 {
				if err := stopped(ctx); err != nil {
					return Walked{}, err
				}
			}
			for _, m := range g.neighbours(n, dir, fold) {
				if !in[m] {
					in[m] = true
					next = append(next, m)
				}
			}
		}
		if limit > 0 && len(in) > limit {
			hint := "ask for a smaller depth, or granularity DATASET"
			if fold {
				hint = "ask for a smaller depth"
			}
			return Walked{}, &catalog.Error{Op: "lineage", Kind: catalog.InvalidArgument, Path: g.Path(start),
				Msg: fmt.Sprintf("the lineage of %s within depth %d has more than %d nodes; %s", g.Path(start), depth, limit, hint)}
		}
		frontier = next
	}
	if err := stopped(ctx); err != nil {
		return Walked{}, err
	}
	var w Walked
	for n := range in {
		w.Nodes = append(w.Nodes, n)
	}
	seen := map[[2]int32]bool{}
	for i, n := range w.Nodes {
		if i%checkEvery == checkEvery-1 {
			if err := stopped(ctx); err != nil {
				return Walked{}, err
			}
		}
		for _, x := range g.selfAndMembers(n, fold) {
			for _, e := range g.Parents(x) {
				p := e.From
				if fold {
					p = g.Top(p)
				}
				if p == n || !in[p] || seen[[2]int32{p, n}] {
					continue
				}
				seen[[2]int32{p, n}] = true
				w.Edges = append(w.Edges, [2]int32{p, n})
			}
		}
	}
	sort.Slice(w.Nodes, func(i, j int) bool { return g.Path(w.Nodes[i]) < g.Path(w.Nodes[j]) })
	sort.Slice(w.Edges, func(i, j int) bool {
		a, b := w.Edges[i], w.Edges[j]
		if pa, pb := g.Path(a[0]), g.Path(b[0]); pa != pb {
			return pa < pb
		}
		return g.Path(a[1]) < g.Path(b[1])
	})
	return w, nil
}

func (g *Graph) selfAndMembers(n int32, fold bool) []int32 {
	if !fold {
		return []int32{n}
	}
	return append([]int32{n}, g.Members(n)...)
}

func (g *Graph) neighbours(n int32, dir Direction, fold bool) []int32 {
	var out []int32
	for _, x := range g.selfAndMembers(n, fold) {
		if dir == Upstream {
			for _, e := range g.Parents(x) {
				out = append(out, g.fold(e.From, fold))
			}
		} else {
			for _, c := range g.Children(x) {
				out = append(out, g.fold(c, fold))
			}
		}
	}
	return out
}

func (g *Graph) fold(n int32, fold bool) int32 {
	if fold {
		return g.Top(n)
	}
	return n
}

// Downstream returns every node downstream of start (impact analysis), sorted by path. It
// stops with the cause of ctx's end when ctx is done.
func (g *Graph) Downstream(ctx context.Context, start int32) ([]int32, error) {
	out, err := g.downstream(ctx, start)
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return g.Path(out[i]) < g.Path(out[j]) })
	return out, nil
}

// downstream returns the ids downstream of start, in no order: a breadth-first walk over a
// bitmap of visited ids, 4 bytes per node reached and one bit per node of the graph.
func (g *Graph) downstream(ctx context.Context, start int32) ([]int32, error) {
	if !g.Exists(start) {
		return nil, &catalog.Error{Op: "impact", Kind: catalog.NotFound, Msg: fmt.Sprintf("no node %d", start)}
	}
	seen := make([]uint64, int(g.Cap())/64+1)
	mark := func(id int32) bool {
		w, b := id>>6, uint64(1)<<(uint(id)&63)
		if seen[w]&b != 0 {
			return false
		}
		seen[w] |= b
		return true
	}
	mark(start)
	queue := []int32{start}
	for i := 0; i < len(queue); i++ {
		if i%checkEvery == checkEvery-1 {
			if err := stopped(ctx); err != nil {
				return nil, err
			}
		}
		for _, c := range g.Children(queue[i]) {
			if mark(c) {
				queue = append(queue, c)
			}
		}
	}
	return queue[1:], nil
}

// Page is one page of the nodes downstream of a node, sorted by path.
type Page struct {
	Total   int     // every node downstream
	Nodes   []int32 // at most first of them, the first by path after the cursor
	HasNext bool    // more follow the last of Nodes
}

// DownstreamPage returns the first nodes downstream of start (by path) whose path sorts
// after after ("" for the first page), and how many there are in all. Besides the walk's
// ids it holds only the page: the paths are the graph's own, compared, never copied.
func (g *Graph) DownstreamPage(ctx context.Context, start int32, after string, first int) (Page, error) {
	return g.DownstreamPageOf(ctx, start, after, first, nil)
}

// DownstreamPageOf is DownstreamPage over the downstream nodes whose paths keep holds (all
// of them when keep is nil): Total counts those, and the page lists only those.
func (g *Graph) DownstreamPageOf(ctx context.Context, start int32, after string, first int, keep func(path string) bool) (Page, error) {
	ids, err := g.downstream(ctx, start)
	if err != nil {
		return Page{}, err
	}
	if keep != nil {
		kept := ids[:0]
		for i, id := range ids {
			if i%checkEvery == checkEvery-1 {
				if err := stopped(ctx); err != nil {
					return Page{}, err
				}
			}
			if keep(g.Path(id)) {
				kept = append(kept, id)
			}
		}
		ids = kept
	}
	p := Page{Total: len(ids)}
	// A max-heap of the first smallest paths after the cursor: its top is the one to drop.
	h := &pathHeap{g: g}
	for i, id := range ids {
		if i%checkEvery == checkEvery-1 {
			if err := stopped(ctx); err != nil {
				return Page{}, err
			}
		}
		path := g.Path(id)
		if path <= after {
			continue
		}
		switch {
		case len(h.ids) < first:
			heap.Push(h, id)
		case first > 0 && path < g.Path(h.ids[0]):
			h.ids[0] = id
			heap.Fix(h, 0)
			p.HasNext = true
		default:
			p.HasNext = true
		}
	}
	p.Nodes = make([]int32, len(h.ids))
	for i := len(h.ids) - 1; i >= 0; i-- {
		p.Nodes[i] = heap.Pop(h).(int32)
	}
	return p, nil
}

// pathHeap is a max-heap of node ids by path.
type pathHeap struct {
	g   *Graph
	ids []int32
}

func (h *pathHeap) Len() int           { return len(h.ids) }
func (h *pathHeap) Less(i, j int) bool { return h.g.Path(h.ids[i]) > h.g.Path(h.ids[j]) }
func (h *pathHeap) Swap(i, j int)      { h.ids[i], h.ids[j] = h.ids[j], h.ids[i] }
func (h *pathHeap) Push(x any)         { h.ids = append(h.ids, x.(int32)) }
func (h *pathHeap) Pop() any {
	x := h.ids[len(h.ids)-1]
	h.ids = h.ids[:len(h.ids)-1]
	return x
}
