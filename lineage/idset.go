package lineage

// idSet is a set of node ids: a map while it is small, a dense bitmap over all ids when a
// change touches a large part of the graph (a first deploy, a start-up), where maps of a
// million entries cost seconds.
type idSet struct {
	sparse map[int32]bool
	dense  []uint64
	n      int
}

func newIDSet(expected int, capacity int32) *idSet {
	if expected > int(capacity)/64 && expected > 4096 {
		return &idSet{dense: make([]uint64, (int(capacity)+64)/64+1)}
	}
	return &idSet{sparse: make(map[int32]bool, expected)}
}

func (s *idSet) has(id int32) bool {
	if s.dense != nil {
		w := int(id) >> 6
		return w < len(s.dense) && s.dense[w]&(1<<(uint(id)&63)) != 0
	}
	return s.sparse[id]
}

func (s *idSet) add(id int32) {
	if s.dense != nil {
		w := int(id) >> 6
		for w >= len(s.dense) {
			s.dense = append(s.dense, 0)
		}
		if s.dense[w]&(1<<(uint(id)&63)) == 0 {
			s.dense[w] |= 1 << (uint(id) & 63)
			s.n++
		}
		return
	}
	if !s.sparse[id] {
		s.sparse[id] = true
		s.n++
	}
}

func (s *idSet) len() int { return s.n }

// each calls fn for every id, in increasing order for the dense form and in no order for
// the sparse one.
func (s *idSet) each(fn func(int32)) {
	if s.dense != nil {
		for w, bits := range s.dense {
			for bits != 0 {
				b := 0
				for bits&(1<<b) == 0 {
					b++
				}
				fn(int32(w<<6 | b))
				bits &^= 1 << b
			}
		}
		return
	}
	for id := range s.sparse {
		fn(id)
	}
}
