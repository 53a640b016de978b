package lineage

// Column is a copy-on-write array indexed by dense node ids, in chunks of 1,024. A version
// of a branch's graph (or of its tag states) owns the chunks stamped with its generation;
// all others are shared with older versions and other branches, and are copied before the
// first write. Cloning copies the chunk table only, so a branch, or the next version of a
// branch, costs O(n/1024) pointers and then grows with what it changes.
//
// Published versions are never written: a writer clones, changes the clone, and publishes
// it, so readers need no locks.
type Column[T any] struct {
	chunks []*chunk[T]
}

const (
	chunkBits = 10
	chunkSize = 1 << chunkBits
	chunkMask = chunkSize - 1
)

type chunk[T any] struct {
	gen uint64
	v   [chunkSize]T
}

// Get returns element i; ids past the end read as the zero value.
func (c *Column[T]) Get(i int32) T {
	ci := int(i >> chunkBits)
	if ci >= len(c.chunks) {
		var zero T
		return zero
	}
	return c.chunks[ci].v[i&chunkMask]
}

// Set writes element i in generation gen, copying its chunk first if another generation
// owns it, and growing the column as needed.
func (c *Column[T]) Set(gen uint64, i int32, v T) {
	ci := int(i >> chunkBits)
	for ci >= len(c.chunks) {
		c.chunks = append(c.chunks, &chunk[T]{gen: gen})
	}
	ch := c.chunks[ci]
	if ch.gen != gen {
		cp := *ch
		cp.gen = gen
		ch = &cp
		c.chunks[ci] = ch
	}
	ch.v[i&chunkMask] = v
}

// Clone returns a column that shares every chunk with c.
func (c *Column[T]) Clone() Column[T] {
	return Column[T]{chunks: append([]*chunk[T](nil), c.chunks...)}
}

// Chunks is the number of chunks, for memory accounting.
func (c *Column[T]) Chunks() int { return len(c.chunks) }

// OwnedChunks counts the chunks written in generation gen.
func (c *Column[T]) OwnedChunks(gen uint64) int {
	n := 0
	for _, ch := range c.chunks {
		if ch.gen == gen {
			n++
		}
	}
	return n
}
