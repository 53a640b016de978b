package lineage_test

import (
	"fmt"
	"testing"

	"github.com/tagflow/tagflow/catalog"
)

// largeCatalog is a chain of n datasets of w fields, each reading the two before it (every
// other one with column lineage), and a featureset reading the first datasets' fields:
// large enough that one Apply touches thousands of nodes.
func largeCatalog(n, w int, shift int) []*catalog.Asset {
	var out []*catalog.Asset
	field := func(j int) string { return fmt.Sprintf("c%d", j+shift) }
	for i := range n {
		var fields []string
		for j := range w {
			fields = append(fields, field(j))
		}
		a := ds(fmt.Sprintf("big/d%03d", i), fields...)
		switch {
		case i >= 2 && i%2 == 0:
			cols := map[string][]string{}
			for j := 0; j < w; j += 2 { // the odd fields stay unmapped
				cols[field(j)] = []string{fmt.Sprintf("big/d%03d.%s", i-1, field(j)), fmt.Sprintf("big/d%03d.%s", i-2, field(j+1))}
			}
			mapped(a, cols, fmt.Sprintf("big/d%03d", i-1), fmt.Sprintf("big/d%03d", i-2))
		case i >= 2:
			reads(a, fmt.Sprintf("big/d%03d", i-1), fmt.Sprintf("big/d%03d", i-2))
		}
		out = append(out, a)
	}
	var feats []feat
	for k := range 200 {
		feats = append(feats, feat{fmt.Sprintf("f%d", k), []string{fmt.Sprintf("big/d%03d.%s", k%50, field(k%w))}})
	}
	return append(out, fs("big/features", feats...))
}

// TestLargeApply: a first deploy of thousands of nodes, a change to all of them and the
// removal of many, each checked against DESIGN §3 and a graph built from scratch.
func TestLargeApply(t *testing.T) {
	const n, w = 200, 20 // above the 4,096 nodes where Apply switches to dense id sets
	v := build(largeCatalog(n, w, 0)...)
	s := stateOf(t, v.g)
	if s.Len != n*(w+1)+201 {
		t.Fatalf("Len %d, want %d", s.Len, n*(w+1)+201)
	}
	checkAgainstCatalog(t, s, v.cat)

	// Every dataset drops its first field and gets a new last one.
	v2, d := v.next(largeCatalog(n, w, 1), nil)
	s2 := stateOf(t, v2.g)
	checkAgainstCatalog(t, s2, v2.cat)
	if len(d.Added) != n || len(d.Removed) != n {
		t.Errorf("added %d and removed %d nodes, want %d each", len(d.Added), len(d.Removed), n)
	}
	checkDeltaByIDs(t, v.g, v2.g, d)
	if diff := diffStates(stateOf(t, fromScratch(v2.cat, true)), s2); diff != "" {
		t.Fatalf("differs from the graph built from scratch:\n%s", diff)
	}

	// The second half of the chain goes; nothing outside it reads it.
	var removes []string
	for i := n / 2; i < n; i++ {
		removes = append(removes, fmt.Sprintf("big/d%03d", i))
	}
	v3, d := v2.next(nil, removes)
	checkAgainstCatalog(t, stateOf(t, v3.g), v3.cat)
	if len(d.Removed) != (n-n/2)*(w+1) {
		t.Errorf("removed %d nodes, want %d", len(d.Removed), (n-n/2)*(w+1))
	}
	checkDeltaByIDs(t, v2.g, v3.g, d)
}
