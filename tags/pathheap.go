package tags

import "github.com/tagflow/tagflow/lineage"

// pathHeap keeps the node ids with the smallest paths, at most a limit of them: a max-heap
// by path, its largest path on top, so that a smaller one replaces it. Search collects a
// page with it, and writes the first tag changes by path.
type pathHeap struct {
	g   *lineage.Graph
	ids []int32
}

func (h *pathHeap) above(i, j int) bool { return h.g.Path(h.ids[i]) > h.g.Path(h.ids[j]) }

// offer keeps id if fewer than limit ids are kept, or if its path is smaller than the
// largest kept, which it then replaces.
func (h *pathHeap) offer(id int32, limit int) {
	switch {
	case limit <= 0:
	case len(h.ids) < limit:
		h.push(id)
	case h.g.Path(id) < h.g.Path(h.ids[0]):
		h.ids[0] = id
		h.down(0)
	}
}

func (h *pathHeap) push(id int32) {
	h.ids = append(h.ids, id)
	for i := len(h.ids) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.above(i, parent) {
			break
		}
		h.ids[i], h.ids[parent] = h.ids[parent], h.ids[i]
		i = parent
	}
}

func (h *pathHeap) down(i int) {
	for {
		big, l, r := i, 2*i+1, 2*i+2
		if l < len(h.ids) && h.above(l, big) {
			big = l
		}
		if r < len(h.ids) && h.above(r, big) {
			big = r
		}
		if big == i {
			return
		}
		h.ids[i], h.ids[big] = h.ids[big], h.ids[i]
		i = big
	}
}

// pop removes and returns the id with the largest path.
func (h *pathHeap) pop() int32 {
	top := h.ids[0]
	n := len(h.ids) - 1
	h.ids[0] = h.ids[n]
	h.ids = h.ids[:n]
	if n > 0 {
		h.down(0)
	}
	return top
}
