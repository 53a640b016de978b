package tags

import "sort"

// Explanation says why a node has, or has not, a tag (DESIGN §4).
type Explanation struct {
	Present bool
	// Sources declare the tag and reach the node by a path on which every node before it
	// passes the tag on as present; each with one such path, from the source to the node.
	Sources []TagPath
	// CancelledBy are the nodes whose ~tag cancels it at the node (the node included).
	CancelledBy []string
}

// TagPath is a source and its witness path.
type TagPath struct {
	Source string
	Path   []string
}

// Explain explains tag at node id. Both lists are sorted by path; each witness path is a
// shortest one.
func (b *Branch) Explain(v *Vocab, id int32, tag string) Explanation {
	ex := Explanation{Sources: []TagPath{}, CancelledBy: []string{}}
	t, ok := v.ID(tag)
	if !ok || !b.Graph.Exists(id) {
		return ex
	}
	st := b.States.Lookup(id, t)
	ex.Present = st == Present
	g := b.Graph
	// Sources: walk upstream along edges that pass t on as present.
	next := map[int32]int32{id: -1} // node -> the node after it on the way to id
	queue := []int32{id}
	var sources []int32
	for i := 0; i < len(queue); i++ {
		n := queue[i]
		if find(b.States.Own(n), t) == Present {
			sources = append(sources, n)
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
	for _, s := range sources {
		tp := TagPath{Source: g.Path(s)}
		for n := s; n != -1; n = next[n] {
			tp.Path = append(tp.Path, g.Path(n))
		}
		ex.Sources = append(ex.Sources, tp)
	}
	sort.Slice(ex.Sources, func(i, j int) bool { return ex.Sources[i].Source < ex.Sources[j].Source })
	// Cancellers: only where the tag is cancelled; walk upstream along edges that pass the
	// cancellation on.
	if st == Cancelled {
		seen := map[int32]bool{id: true}
		queue = append(queue[:0], id)
		for i := 0; i < len(queue); i++ {
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
	}
	return ex
}

// Declared reports the state node id declares for tag (None when it declares nothing).
func (b *Branch) Declared(v *Vocab, id int32, tag string) State {
	t, ok := v.ID(tag)
	if !ok {
		return None
	}
	return find(b.States.Own(id), t)
}
