package lineage

import (
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

// Walk returns the start node and every node within depth hops of it in the direction,
// and exactly the edges of the graph between them (DESIGN §3). With DatasetLevel,
// members fold into their dataset or featureset, the walk runs on that folded graph, and
// edges between the same two top-level nodes appear once.
func (g *Graph) Walk(start int32, dir Direction, depth int, gran Granularity) (Walked, error) {
	return g.WalkAtMost(start, dir, depth, gran, 0)
}

// WalkAtMost is Walk that refuses, with InvalidArgument, a walk that reaches more than
// limit nodes (0: no limit), before it collects any edge.
func (g *Graph) WalkAtMost(start int32, dir Direction, depth int, gran Granularity, limit int) (Walked, error) {
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
	for d := 0; d < depth && len(frontier) > 0; d++ {
		var next []int32
		for _, n := range frontier {
			for _, m := range g.neighbours(n, dir, fold) {
				if !in[m] {
					in[m] = true
					next = append(next, m)
				}
			}
		}
		if limit > 0 && len(in) > limit {
			return Walked{}, &catalog.Error{Op: "lineage", Kind: catalog.InvalidArgument, Path: g.Path(start),
				Msg: fmt.Sprintf("the lineage of %s within depth %d has more than %d nodes; ask for a smaller depth, or granularity DATASET", g.Path(start), depth, limit)}
		}
		frontier = next
	}
	var w Walked
	for n := range in {
		w.Nodes = append(w.Nodes, n)
	}
	seen := map[[2]int32]bool{}
	for _, n := range w.Nodes {
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

// Downstream returns every node downstream of start (impact analysis), sorted by path.
func (g *Graph) Downstream(start int32) []int32 {
	seen := map[int32]bool{start: true}
	queue := []int32{start}
	for i := 0; i < len(queue); i++ {
		for _, c := range g.Children(queue[i]) {
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	out := queue[1:]
	sort.Slice(out, func(i, j int) bool { return g.Path(out[i]) < g.Path(out[j]) })
	return out
}
