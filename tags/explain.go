package tags

import (
	"context"
	"sort"

	"github.com/tagflow/tagflow/lineage"
)

// Explanation says why a node has, or has not, a tag (DESIGN §4).
type Explanation struct {
	Present bool
	// Sources declare the tag and reach the node by a path on which every node before it
	// passes the tag on as present; each with one such path, from the source to the node.
	Sources []TagPath
	// CancelledBy are the nodes whose ~tag cancels it at the node (the node included).
	CancelledBy []string
	// Stopped are the other nodes that declare the tag and have a path to the node on
	// which it stops; each with one shortest such path and the node where it stops.
	Stopped []TagStop
	// Visited is how many steps the walks took: the work of the explanation, for the
	// request's budget.
	Visited int
}

// TagPath is a source and its witness path.
type TagPath struct {
	Source string
	Path   []string
}

// StopReason says why a tag stops at a node.
type StopReason uint8

// Why a tag stops at a node, in the order DESIGN §4's out() applies them.
const (
	// StopNotPropagated: the tag is defined with propagate: false, and the edge is a
	// derivation (or fail-closed) edge; At is the last node that has it.
	StopNotPropagated StopReason = iota + 1
	// StopNodeNegation: At declares ~t and the tag's negation is NODE.
	StopNodeNegation
	// StopFailClosed: At is cancelled and a cancellation does not travel fail-closed edges.
	StopFailClosed
)

func (r StopReason) String() string {
	switch r {
	case StopNotPropagated:
		return "NOT_PROPAGATED"
	case StopNodeNegation:
		return "NODE_NEGATION"
	case StopFailClosed:
		return "FAIL_CLOSED"
	}
	return "UNKNOWN"
}

// TagStop is a declaring node whose tag stops on its way to the explained node: one
// shortest path from Source to that node, inclusive, and At, the node on it where the tag
// (or, after a ~t, its cancellation) is passed on no further.
type TagStop struct {
	Source string
	At     string
	Reason StopReason
	Path   []string
}

// Explain explains tag at node id. Every list is sorted by path; each path is a shortest
// one. A path on which the tag stops: it starts at a node that declares the tag, every
// node on it up to At passes the tag or a cancellation of it on to the next (out is not
// none), and At passes none on to the next; the rest of the path is any path of the graph.
// The walks look at ctx now and then and stop with its error when it is done.
func (b *Branch) Explain(ctx context.Context, v *Vocab, id int32, tag string) (Explanation, error) {
	ex := Explanation{Sources: []TagPath{}, CancelledBy: []string{}, Stopped: []TagStop{}}
	t, ok := v.ID(tag)
	if !ok || !b.Graph.Exists(id) {
		return ex, nil
	}
	st := b.States.Lookup(id, t)
	ex.Present = st == Present
	g := b.Graph
	sources, isSource, visited, err := b.sources(ctx, v, id, t)
	if err != nil {
		return Explanation{}, err
	}
	ex.Sources = sources
	ex.Visited = visited
	// Cancellers: only where the tag is cancelled; walk upstream along edges that pass the
	// cancellation on.
	if st == Cancelled {
		seen := map[int32]bool{id: true}
		queue := []int32{id}
		for i := 0; i < len(queue); i++ {
			if i%ctxEvery == 0 && ctx.Err() != nil {
				return Explanation{}, ctx.Err()
			}
			n := queue[i]
			if find(b.States.Own(n), t) == Cancelled {
				ex.CancelledBy = append(ex.CancelledBy, g.Path(n))
			}
			for _, e := range g.Parents(n) {
				if !seen[e.From] && b.States.Out(v, e.From, t, e.Kind) == Cancelled {
					seen[e.From] = true
					queue = append(queue, e.From)
				}
			}
		}
		sort.Strings(ex.CancelledBy)
		ex.Visited += len(queue)
	}
	stopped, visited, err := b.stopped(ctx, v, id, t, isSource)
	if err != nil {
		return Explanation{}, err
	}
	ex.Stopped = stopped
	ex.Visited += visited
	return ex, nil
}

// sources walks upstream from id along the edges that pass t on as present: the declaring
// nodes it meets are the sources, each with the path it was first reached by, sorted by
// source. It also answers which nodes are sources, and how many nodes it visited.
func (b *Branch) sources(ctx context.Context, v *Vocab, id int32, t TagID) ([]TagPath, map[int32]bool, int, error) {
	g := b.Graph
	// The common case of a reason: the node declares t and no parent passes it on, so the
	// node is its only source (a column tagged PII in its own definition).
	if find(b.States.Own(id), t) == Present {
		inherits := false
		for _, e := range g.Parents(id) {
			if b.States.Out(v, e.From, t, e.Kind) == Present {
				inherits = true
				break
			}
		}
		if !inherits {
			p := g.Path(id)
			return []TagPath{{Source: p, Path: []string{p}}}, map[int32]bool{id: true}, 1, nil
		}
	}
	next := map[int32]int32{id: -1} // node -> the node after it on the way to id
	queue := []int32{id}
	var sources []int32
	isSource := map[int32]bool{}
	for i := 0; i < len(queue); i++ {
		if i%ctxEvery == 0 && ctx.Err() != nil {
			return nil, nil, 0, ctx.Err()
		}
		n := queue[i]
		if find(b.States.Own(n), t) == Present {
			sources = append(sources, n)
			isSource[n] = true
		}
		for _, e := range g.Parents(n) {
			if _, seen := next[e.From]; seen {
				continue
			}
			if b.States.Out(v, e.From, t, e.Kind) == Present {
				next[e.From] = n
				queue = append(queue, e.From)
			}
		}
	}
	out := make([]TagPath, 0, len(sources))
	for _, s := range sources {
		tp := TagPath{Source: g.Path(s)}
		for n := s; n != -1; n = next[n] {
			tp.Path = append(tp.Path, g.Path(n))
		}
		out = append(out, tp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out, isSource, len(queue), nil
}

// stopped finds the declaring nodes (other than id and the sources) with a path to id on
// which t stops. It is a breadth-first walk upstream from id over (node, phase): phase
// "after" is the part of a path below its stop, where any edge will do; an edge whose
// parent has t (or its cancellation) but passes none along it is the stop, and from there
// on upstream, phase "before", every edge must pass something on. A node reached in phase
// before that declares t is a stopped source, first reached by a shortest path.
func (b *Branch) stopped(ctx context.Context, v *Vocab, id int32, t TagID, isSource map[int32]bool) ([]TagStop, int, error) {
	g := b.Graph
	def := v.Def(t)
	type hop struct {
		node   int32
		before bool
	}
	type via struct {
		next hop  // the hop after this one on the way to id
		stop bool // this hop's node is the stop (the edge to next passes none)
		kind lineage.EdgeKind
	}
	seen := map[hop]via{{id, false}: {next: hop{-1, false}}}
	queue := []hop{{id, false}}
	var found []hop
	for i := 0; i < len(queue); i++ {
		if i%ctxEvery == 0 && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		h := queue[i]
		if h.before && find(b.States.Own(h.node), t) == Present && h.node != id && !isSource[h.node] {
			found = append(found, h)
		}
		visit := func(nh hop, stop bool, k lineage.EdgeKind) {
			if _, ok := seen[nh]; !ok {
				seen[nh] = via{next: h, stop: stop, kind: k}
				queue = append(queue, nh)
			}
		}
		for _, e := range g.Parents(h.node) {
			pst := b.States.Lookup(e.From, t)
			passes := out(pst, def, e.Kind) != None
			switch {
			case h.before:
				if passes {
					visit(hop{e.From, true}, false, e.Kind)
				}
			default:
				if pst != None && !passes {
					visit(hop{e.From, true}, true, e.Kind)
				}
				visit(hop{e.From, false}, false, e.Kind)
			}
		}
	}
	stops := make([]TagStop, 0, len(found))
	for _, f := range found {
		ts := TagStop{Source: g.Path(f.node)}
		for h := f; h.node != -1; {
			w := seen[h]
			ts.Path = append(ts.Path, g.Path(h.node))
			if w.stop {
				ts.At = g.Path(h.node)
				ts.Reason = stopReason(b.States.Lookup(h.node, t), def, w.kind)
			}
			h = w.next
		}
		stops = append(stops, ts)
	}
	sort.Slice(stops, func(i, j int) bool { return stops[i].Source < stops[j].Source })
	return stops, len(queue), nil
}

// stopReason says why a node in state st passes none of t along an edge of kind k.
func stopReason(st State, def *Definition, k lineage.EdgeKind) StopReason {
	switch {
	case k != lineage.Containment && !def.Propagate:
		return StopNotPropagated
	case st == Cancelled && def.Negation == NegationNode:
		return StopNodeNegation
	}
	return StopFailClosed
}

// Declared reports the state node id declares for tag (None when it declares nothing).
func (b *Branch) Declared(v *Vocab, id int32, tag string) State {
	t, ok := v.ID(tag)
	if !ok {
		return None
	}
	return find(b.States.Own(id), t)
}
