package lineage

import "unsafe"

// Column is a copy-on-write array indexed by dense node ids: a table of groups of 64
// chunks of 256 elements. A version of a branch's graph (or of its tag states) owns the
// groups and chunks stamped with its generation; all others are shared with older versions
// and other branches, and are copied before the first write. Cloning copies the group
// table only (one pointer per 16,384 ids), so a branch, or the next version of a branch,
// costs next to nothing and then grows with what it changes: one write copies one group
// (64 pointers) and one chunk.
//
// Published versions are never written: a writer clones, changes the clone, and publishes
// it, so readers need no locks.
type Column[T any] struct {
	groups []*group[T]
}

const (
	chunkBits = 8
	chunkSize = 1 << chunkBits
	chunkMask = chunkSize - 1
	groupBits = 6
	groupSize = 1 << groupBits
	groupMask = groupSize - 1
	idsPerGrp = chunkSize * groupSize
)

type group[T any] struct {
	gen    uint64
	chunks [groupSize]*chunk[T]
}

type chunk[T any] struct {
	gen uint64
	v   [chunkSize]T
}

// Get returns element i; ids past the end read as the zero value.
func (c *Column[T]) Get(i int32) T {
	gi := int(i >> (chunkBits + groupBits))
	if gi < len(c.groups) {
		if ch := c.groups[gi].chunks[(i>>chunkBits)&groupMask]; ch != nil {
			return ch.v[i&chunkMask]
		}
	}
	var zero T
	return zero
}

// Set writes element i in generation gen, copying its group and chunk first if another
// generation owns them, and growing the column as needed.
func (c *Column[T]) Set(gen uint64, i int32, v T) {
	gi := int(i >> (chunkBits + groupBits))
	for gi >= len(c.groups) {
		c.groups = append(c.groups, &group[T]{gen: gen})
	}
	g := c.groups[gi]
	if g.gen != gen {
		cp := *g
		cp.gen = gen
		g = &cp
		c.groups[gi] = g
	}
	ci := (i >> chunkBits) & groupMask
	ch := g.chunks[ci]
	switch {
	case ch == nil:
		ch = &chunk[T]{gen: gen}
		g.chunks[ci] = ch
	case ch.gen != gen:
		cp := *ch
		cp.gen = gen
		ch = &cp
		g.chunks[ci] = ch
	}
	ch.v[i&chunkMask] = v
}

// Clone returns a column that shares every group and chunk with c.
func (c *Column[T]) Clone() Column[T] {
	return Column[T]{groups: append([]*group[T](nil), c.groups...)}
}

// Chunks is the number of chunks, for memory accounting.
func (c *Column[T]) Chunks() int {
	n := 0
	for _, g := range c.groups {
		for _, ch := range g.chunks {
			if ch != nil {
				n++
			}
		}
	}
	return n
}

// OwnedChunks counts the chunks written in generation gen.
func (c *Column[T]) OwnedChunks(gen uint64) int {
	n := 0
	for _, g := range c.groups {
		for _, ch := range g.chunks {
			if ch != nil && ch.gen == gen {
				n++
			}
		}
	}
	return n
}

// OwnedBytes is the memory of the groups and chunks written in generation gen, plus the
// group table: what this version holds that it does not share.
func (c *Column[T]) OwnedBytes(gen uint64) int {
	var g group[T]
	var ch chunk[T]
	n := len(c.groups) * 8
	for _, gr := range c.groups {
		if gr.gen == gen {
			n += int(unsafe.Sizeof(g))
		}
		for _, x := range gr.chunks {
			if x != nil && x.gen == gen {
				n += int(unsafe.Sizeof(ch))
			}
		}
	}
	return n
}
