package lineage_test

import (
	"testing"

	"github.com/tagflow/tagflow/lineage"
)

// These tests do not depend on the chunk size: they use ids far apart (1<<16 steps) for
// different chunks, and neighbours of a multiple of 4,096 for one chunk.

func TestColumnGetPastTheEndIsZero(t *testing.T) {
	var c lineage.Column[string]
	for _, i := range []int32{0, 1, 1 << 20} {
		if got := c.Get(i); got != "" {
			t.Errorf("empty column: Get(%d) = %q", i, got)
		}
	}
	if c.Chunks() != 0 {
		t.Errorf("empty column has %d chunks", c.Chunks())
	}
	c.Set(lineage.NewGen(), 3, "x")
	for _, i := range []int32{2, 4, 1 << 16, 1 << 20, 1<<31 - 1} {
		if got := c.Get(i); got != "" {
			t.Errorf("Get(%d) = %q, want zero", i, got)
		}
	}
}

func TestColumnSetGrows(t *testing.T) {
	var c lineage.Column[int]
	gen := lineage.NewGen()
	c.Set(gen, 3<<16, 7)
	n := c.Chunks()
	if n < 1 || c.OwnedChunks(gen) != n {
		t.Fatalf("after Set(3<<16): %d chunks, %d owned by the writer; want at least 1, all owned", n, c.OwnedChunks(gen))
	}
	for i, want := range map[int32]int{0: 0, 1 << 16: 0, 3<<16 - 1: 0, 3 << 16: 7, 3<<16 + 1: 0, 4 << 16: 0} {
		if got := c.Get(i); got != want {
			t.Errorf("Get(%d) = %d, want %d", i, got, want)
		}
	}
	c.Set(gen, 5<<16, 8) // grows past the end
	if c.Chunks() <= n || c.Get(5<<16) != 8 || c.Get(3<<16) != 7 {
		t.Errorf("after Set(5<<16): %d chunks (was %d), Get = %d, %d", c.Chunks(), n, c.Get(5<<16), c.Get(3<<16))
	}
	n = c.Chunks()
	c.Set(gen, 0, 1) // inside the column
	if c.Get(0) != 1 || c.Get(3<<16) != 7 || c.Get(5<<16) != 8 || c.Chunks() < n {
		t.Errorf("after Set(0): Get(0) = %d, Get(3<<16) = %d, Get(5<<16) = %d, %d chunks (was %d)", c.Get(0), c.Get(3<<16), c.Get(5<<16), c.Chunks(), n)
	}
}

func TestColumnCloneIsCopyOnWrite(t *testing.T) {
	var orig lineage.Column[int]
	g1 := lineage.NewGen()
	ids := []int32{0, 4096, 4097, 1 << 16, 2 << 16, 3 << 16}
	for _, i := range ids {
		orig.Set(g1, i, int(i)+1)
	}
	chunks := orig.Chunks()
	clone := orig.Clone()
	g2 := lineage.NewGen()
	if clone.Chunks() != chunks || clone.OwnedChunks(g2) != 0 || clone.OwnedChunks(g1) != chunks {
		t.Fatalf("clone: %d chunks, %d owned by its generation, %d by the original's; want %d, 0, %d",
			clone.Chunks(), clone.OwnedChunks(g2), clone.OwnedChunks(g1), chunks, chunks)
	}
	for _, i := range ids {
		if clone.Get(i) != int(i)+1 {
			t.Errorf("clone.Get(%d) = %d, want %d", i, clone.Get(i), i+1)
		}
	}

	// A write on the clone copies one chunk and leaves the original alone.
	clone.Set(g2, 4096, -1)
	if clone.Get(4096) != -1 || orig.Get(4096) != 4097 {
		t.Errorf("after clone.Set(4096): clone %d, original %d; want -1 and 4097", clone.Get(4096), orig.Get(4096))
	}
	if clone.Get(4097) != 4098 {
		t.Errorf("the copied chunk lost its other values: clone.Get(4097) = %d", clone.Get(4097))
	}
	if clone.OwnedChunks(g2) != 1 || orig.OwnedChunks(g1) != chunks || orig.OwnedChunks(g2) != 0 {
		t.Errorf("owned chunks: clone %d (its gen), original %d (its gen), %d (the clone's); want 1, %d, 0",
			clone.OwnedChunks(g2), orig.OwnedChunks(g1), orig.OwnedChunks(g2), chunks)
	}

	// More writes to that chunk in the same generation write in place.
	clone.Set(g2, 4097, -2)
	if clone.OwnedChunks(g2) != 1 || clone.Get(4096) != -1 || clone.Get(4097) != -2 || orig.Get(4097) != 4098 {
		t.Errorf("second write: owned %d, clone %d %d, original %d", clone.OwnedChunks(g2), clone.Get(4096), clone.Get(4097), orig.Get(4097))
	}
	if allocs := testing.AllocsPerRun(100, func() { clone.Set(g2, 4098, 5) }); allocs != 0 {
		t.Errorf("a write to an owned chunk allocates %v times, want 0 (no copy)", allocs)
	}

	// Growing the clone does not grow the original.
	clone.Set(g2, 9<<16, 9)
	if clone.Chunks() != chunks+1 || orig.Chunks() != chunks || orig.Get(9<<16) != 0 {
		t.Errorf("after growing the clone: clone %d chunks, original %d (want %d, %d), original Get(9<<16) = %d",
			clone.Chunks(), orig.Chunks(), chunks+1, chunks, orig.Get(9<<16))
	}

	// And the other way round: the original's next version, in a new generation, does
	// not reach the clone. (Writing a column in a generation that a clone shares is
	// outside the contract: published versions are never written.)
	g3 := lineage.NewGen()
	orig.Set(g3, 0, -3)
	orig.Set(g3, 2<<16, -4)
	orig.Set(g3, 4096, -5)
	if orig.Get(0) != -3 || clone.Get(0) != 1 || clone.Get(2<<16) != 2<<16+1 {
		t.Errorf("after writes on the original: original Get(0) = %d, clone Get(0) = %d, Get(2<<16) = %d",
			orig.Get(0), clone.Get(0), clone.Get(2<<16))
	}
	if clone.Get(4096) != -1 {
		t.Errorf("the clone's own write was lost: Get(4096) = %d", clone.Get(4096))
	}
	if clone.OwnedChunks(g3) != 0 || clone.OwnedChunks(g2) != 2 {
		t.Errorf("clone owns %d chunks of the original's new generation, %d of its own; want 0, 2", clone.OwnedChunks(g3), clone.OwnedChunks(g2))
	}
}

func TestColumnCloneOfCloneSharesUnwrittenChunks(t *testing.T) {
	var a lineage.Column[int]
	ga := lineage.NewGen()
	a.Set(ga, 1<<16, 1)
	b := a.Clone()
	gb := lineage.NewGen()
	b.Set(gb, 0, 2)
	c := b.Clone()
	gc := lineage.NewGen()
	if c.OwnedChunks(ga) != 1 || c.OwnedChunks(gb) != 1 || c.OwnedChunks(gc) != 0 {
		t.Errorf("grandchild owns %d/%d/%d chunks of generations a/b/c, want 1/1/0", c.OwnedChunks(ga), c.OwnedChunks(gb), c.OwnedChunks(gc))
	}
	c.Set(gc, 1<<16, 3)
	if a.Get(1<<16) != 1 || b.Get(1<<16) != 1 || c.Get(1<<16) != 3 || c.Get(0) != 2 || a.Get(0) != 0 {
		t.Errorf("a=%d b=%d c=%d at 1<<16; c=%d a=%d at 0", a.Get(1<<16), b.Get(1<<16), c.Get(1<<16), c.Get(0), a.Get(0))
	}
}
