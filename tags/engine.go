package tags

import (
	"slices"

	"github.com/tagflow/tagflow/lineage"
)

// State of a tag at a node: none < present < cancelled (DESIGN §4).
type State uint8

// The states.
const (
	None State = iota
	Present
	Cancelled
)

// TagState is one tag's state at a node, packed: tag id << 2 | state. Lists of them are
// sorted by tag id and hold no None.
type TagState uint32

// MakeTagState packs a tag and a state.
func MakeTagState(t TagID, s State) TagState { return TagState(uint32(t)<<2 | uint32(s)) }

// Tag of the pair.
func (ts TagState) Tag() TagID { return TagID(ts >> 2) }

// State of the pair.
func (ts TagState) State() State { return State(ts & 3) }

// States holds, per node of a branch's graph, the declared tags (own) and the computed
// states, in copy-on-write columns like the graph's. Published States are immutable.
type States struct {
	gen uint64
	own lineage.Column[[]TagState]
	cur lineage.Column[[]TagState]
}

// NewStates returns empty states.
func NewStates() *States { return &States{gen: lineage.NewGen()} }

// Clone returns the next version of s, sharing all of it.
func (s *States) Clone() *States {
	return &States{gen: lineage.NewGen(), own: s.own.Clone(), cur: s.cur.Clone()}
}

// OwnedBytes is the memory of the parts this version does not share with its origin.
func (s *States) OwnedBytes() int { return s.own.OwnedBytes(s.gen) + s.cur.OwnedBytes(s.gen) }

// Own returns what node id declares. The slice is shared: do not modify it.
func (s *States) Own(id int32) []TagState { return s.own.Get(id) }

// State returns the computed states of node id. The slice is shared: do not modify it.
func (s *States) State(id int32) []TagState { return s.cur.Get(id) }

// SetOwn sets what node id declares; the caller recomputes from it.
func (s *States) SetOwn(id int32, own []TagState) { s.own.Set(s.gen, id, own) }

// Clear forgets a removed node.
func (s *States) Clear(id int32) {
	s.own.Set(s.gen, id, nil)
	s.cur.Set(s.gen, id, nil)
}

// Lookup returns the state of tag t at node id.
func (s *States) Lookup(id int32, t TagID) State { return find(s.cur.Get(id), t) }

func find(list []TagState, t TagID) State {
	lo, hi := 0, len(list)
	for lo < hi {
		m := (lo + hi) / 2
		switch tm := list[m].Tag(); {
		case tm == t:
			return list[m].State()
		case tm < t:
			lo = m + 1
		default:
			hi = m
		}
	}
	return None
}

// out is what a parent in state st passes on along an edge of kind k (DESIGN §4).
func out(st State, def *Definition, k lineage.EdgeKind) State {
	if st == None {
		return None
	}
	if k != lineage.Containment && !def.Propagate {
		return None
	}
	if st == Cancelled && (def.Negation == NegationNode || k == lineage.FailClosed) {
		return None
	}
	return st
}

// Out is the state node id passes on to a child along an edge of kind k, for tag t.
func (s *States) Out(v *Vocab, id int32, t TagID, k lineage.EdgeKind) State {
	return out(s.Lookup(id, t), v.Def(t), k)
}

// compute returns the states of node id from its declarations and its parents' states, in
// buf (reused).
func (s *States) compute(g *lineage.Graph, v *Vocab, id int32, buf []TagState) []TagState {
	buf = buf[:0]
	for _, e := range g.Parents(id) {
		for _, ts := range s.cur.Get(e.From) {
			st := out(ts.State(), v.Def(ts.Tag()), e.Kind)
			if st == None {
				continue
			}
			buf = join(buf, MakeTagState(ts.Tag(), st))
		}
	}
	for _, ts := range s.own.Get(id) {
		buf = override(buf, ts)
	}
	return buf
}

// join merges ts into the sorted list, keeping the higher state.
func join(list []TagState, ts TagState) []TagState {
	i, found := slices.BinarySearchFunc(list, ts.Tag(), func(x TagState, t TagID) int { return int(x.Tag()) - int(t) })
	if found {
		if ts.State() > list[i].State() {
			list[i] = ts
		}
		return list
	}
	return slices.Insert(list, i, ts)
}

// override sets ts in the sorted list, whatever was there.
func override(list []TagState, ts TagState) []TagState {
	i, found := slices.BinarySearchFunc(list, ts.Tag(), func(x TagState, t TagID) int { return int(x.Tag()) - int(t) })
	if found {
		list[i] = ts
		return list
	}
	return slices.Insert(list, i, ts)
}

// FromScratch computes every node's states in topological (level) order. It is one pass
// over dense ids; the results share one backing array.
func (s *States) FromScratch(g *lineage.Graph, v *Vocab) {
	n := g.Cap()
	maxLevel := int32(0)
	for id := int32(0); id < n; id++ {
		if g.Exists(id) {
			maxLevel = max(maxLevel, g.Level(id))
		}
	}
	// Counting sort of the ids by level.
	counts := make([]int32, maxLevel+2)
	for id := int32(0); id < n; id++ {
		if g.Exists(id) {
			counts[g.Level(id)+1]++
		}
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	order := make([]int32, counts[len(counts)-1])
	for id := int32(0); id < n; id++ {
		if g.Exists(id) {
			l := g.Level(id)
			order[counts[l]] = id
			counts[l]++
		}
	}
	// Every node is written: start from fresh chunks rather than copying the old ones.
	s.cur = lineage.Column[[]TagState]{}
	var arena []TagState
	buf := make([]TagState, 0, 16)
	for _, id := range order {
		buf = s.compute(g, v, id, buf)
		if len(buf) == 0 {
			continue
		}
		if cap(arena)-len(arena) < len(buf) {
			arena = make([]TagState, 0, max(1<<16, len(buf)))
		}
		start := len(arena)
		arena = append(arena, buf...)
		s.cur.Set(s.gen, id, arena[start:len(arena):len(arena)])
	}
}

// Recompute re-evaluates the seeds and, where a node's states change, its descendants, in
// level order; it stops where nothing changes. It returns the nodes whose states changed.
func (s *States) Recompute(g *lineage.Graph, v *Vocab, seeds []int32) []int32 {
	q := levelQueue{queued: make(map[int32]struct{}, 2*len(seeds))}
	for _, id := range seeds {
		q.push(g, id)
	}
	var changed []int32
	var arena []TagState
	buf := make([]TagState, 0, 16)
	for len(q.items) > 0 {
		id := q.pop()
		if !g.Exists(id) {
			continue
		}
		buf = s.compute(g, v, id, buf)
		if slices.Equal(buf, s.cur.Get(id)) {
			continue
		}
		var next []TagState
		if len(buf) > 0 {
			if cap(arena)-len(arena) < len(buf) {
				arena = make([]TagState, 0, max(256, len(buf)))
			}
			start := len(arena)
			arena = append(arena, buf...)
			next = arena[start:len(arena):len(arena)]
		}
		s.cur.Set(s.gen, id, next)
		changed = append(changed, id)
		for _, c := range g.Children(id) {
			q.push(g, c)
		}
	}
	return changed
}

// levelQueue pops nodes in increasing level, each once: a node's parents have lower
// levels, so once it is popped none of them can change again. A binary heap of
// (level, id), without interface boxing.
type levelQueue struct {
	items  []queued
	queued map[int32]struct{}
}

type queued struct{ level, id int32 }

func (q *levelQueue) push(g *lineage.Graph, id int32) {
	if _, ok := q.queued[id]; ok {
		return
	}
	q.queued[id] = struct{}{}
	q.items = append(q.items, queued{g.Level(id), id})
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if q.items[p].level <= q.items[i].level {
			break
		}
		q.items[p], q.items[i] = q.items[i], q.items[p]
		i = p
	}
}

func (q *levelQueue) pop() int32 {
	top := q.items[0].id
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items = q.items[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && q.items[l].level < q.items[m].level {
			m = l
		}
		if r < last && q.items[r].level < q.items[m].level {
			m = r
		}
		if m == i {
			return top
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
}
