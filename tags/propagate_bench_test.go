package tags_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/fixtures/synth"
	"github.com/tagflow/tagflow/tags"
)

// The catalog of the propagation targets: 100,000 datasets of ~10 fields, 1–3 inputs each,
// column lineage on half, 2,000 featuresets of 10 features on top, tags on 1% of the nodes
// and some ~t: about 1.1 M nodes.
var bench100k = synth.Options{Datasets: 100_000, Fields: 10, Featuresets: 2_000, Seed: 1, NoDescription: true}

var big struct {
	once   sync.Once
	assets []*catalog.Asset
	byPath map[string]*catalog.Asset
	vocab  *tags.Vocab
	branch *tags.Branch
	bytes  uint64 // heap growth of building the branch
}

// bigBranch builds the 1.1 M-node branch once per test binary.
func bigBranch(b *testing.B) (*tags.Branch, *tags.Vocab) {
	big.once.Do(func() {
		doc, ps := catalog.ParseDocument(synth.YAML(bench100k))
		if len(ps) > 0 {
			b.Fatal(ps[0])
		}
		res, ps := catalog.Resolve(doc)
		if len(ps) > 0 {
			b.Fatal(ps[0])
		}
		big.assets = res.Assets
		big.byPath = make(map[string]*catalog.Asset, len(res.Assets))
		var names []string
		for _, a := range res.Assets {
			big.byPath[a.Path] = a
			names = append(names, a.Tags...)
			for _, m := range a.Members {
				names = append(names, m.Tags...)
			}
		}
		for i, n := range names {
			if len(n) > 0 && n[0] == '~' {
				names[i] = n[1:]
			}
		}
		big.vocab = tags.NewVocab().With(names...)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		big.branch = tags.Build(big.vocab, func(p string) *catalog.Asset { return big.byPath[p] }, big.assets)
		runtime.GC()
		runtime.ReadMemStats(&after)
		big.bytes = after.HeapAlloc - before.HeapAlloc
	})
	return big.branch, big.vocab
}

// BenchmarkBuild1M builds the branch from its assets: the lineage graph, the declarations
// and one from-scratch propagation — what start-up does after reading the store.
func BenchmarkBuild1M(b *testing.B) {
	br, v := bigBranch(b)
	nodes := br.Graph.Len()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tags.Build(v, func(p string) *catalog.Asset { return big.byPath[p] }, big.assets)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(nodes), "ns/node")
	// The heap that the graph and the states of the branch hold, beyond the catalog's assets.
	b.ReportMetric(float64(big.bytes)/float64(nodes), "bytes/node")
	b.ReportMetric(float64(big.bytes)/(1<<20), "MiB")
}

// BenchmarkPropagateFromScratch1M is one from-scratch propagation over the 1.1 M nodes.
func BenchmarkPropagateFromScratch1M(b *testing.B) {
	br, v := bigBranch(b)
	nodes := br.Graph.Len()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := br.States.Clone()
		st.FromScratch(br.Graph, v)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(nodes), "ns/node")
	b.ReportMetric(float64(nodes), "nodes")
}

// coneOf is the size of the downstream cone of id, counted up to limit.
func coneOf(br *tags.Branch, id int32, limit int) int {
	seen := map[int32]bool{id: true}
	queue := []int32{id}
	for i := 0; i < len(queue) && len(queue) <= limit; i++ {
		for _, c := range br.Graph.Children(queue[i]) {
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	return len(queue) - 1
}

// findCone finds a node whose downstream cone is about want nodes (within a factor of 2).
func findCone(b *testing.B, br *tags.Branch, want int) (int32, int) {
	best, bestSize := int32(-1), 0
	// Cones shrink towards the end of the generated catalog: search from there.
	for id := br.Graph.Cap() - 1; id >= 0; id -= 97 {
		if !br.Graph.Exists(id) || br.Graph.Kind(id) != catalog.KindField {
			continue
		}
		n := coneOf(br, id, 2*want+1)
		if n >= want/2 && n <= want*2 {
			if best < 0 || absDiff(n, want) < absDiff(bestSize, want) {
				best, bestSize = id, n
			}
			if absDiff(n, want) < want/10 {
				break
			}
		}
	}
	if best < 0 {
		b.Fatalf("no node with a cone of about %d", want)
	}
	return best, bestSize
}

func absDiff(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}

// toggle sets or clears a declaration of the tag "bench" at one node and re-propagates: a
// new version of the states, as a setTags makes it, without the durable write.
func toggle(b *testing.B, br *tags.Branch, v *tags.Vocab, id int32) {
	t, _ := v.ID("bench")
	b.ReportAllocs()
	b.ResetTimer()
	changed := 0
	for i := 0; i < b.N; i++ {
		st := br.States.Clone()
		own := append([]tags.TagState(nil), st.Own(id)...)
		if i%2 == 0 {
			own = append(own, tags.MakeTagState(t, tags.Present)) // "bench" is the last id: stays sorted
		}
		st.SetOwn(id, own)
		changed += len(st.Recompute(br.Graph, v, []int32{id}))
	}
	b.ReportMetric(float64(changed)/float64(b.N), "nodes-changed/op")
}

func benchVocab(v *tags.Vocab) *tags.Vocab { return v.With("bench") }

// BenchmarkIncrementalLeaf changes a tag at a node with no children.
func BenchmarkIncrementalLeaf(b *testing.B) {
	br, v := bigBranch(b)
	v = benchVocab(v)
	for id := br.Graph.Cap() - 1; id >= 0; id-- {
		if br.Graph.Exists(id) && len(br.Graph.Children(id)) == 0 {
			toggle(b, br, v, id)
			return
		}
	}
}

// BenchmarkIncremental01Percent changes a tag at a node whose downstream cone is about
// 0.1% of the graph; BenchmarkIncremental1Percent, about 1%.
func BenchmarkIncremental01Percent(b *testing.B) { benchCone(b, 0.001) }
func BenchmarkIncremental1Percent(b *testing.B)  { benchCone(b, 0.01) }

func benchCone(b *testing.B, share float64) {
	br, v := bigBranch(b)
	v = benchVocab(v)
	id, size := findCone(b, br, int(share*float64(br.Graph.Len())))
	toggle(b, br, v, id)
	b.ReportMetric(float64(size), "cone-nodes")
}

// BenchmarkReadTags reads the present tags of a node with tags, by id: the engine's read.
func BenchmarkReadTags(b *testing.B) {
	br, v := bigBranch(b)
	var ids []int32
	for id := int32(0); id < br.Graph.Cap() && len(ids) < 4096; id += 97 {
		if br.Graph.Exists(id) && len(br.States.State(id)) > 0 {
			ids = append(ids, id)
		}
	}
	buf := make([]string, 0, 8)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		buf = br.AppendPresent(buf[:0], v, ids[i%len(ids)])
		n += len(buf)
	}
	if n == 0 {
		b.Fatal("no tags read")
	}
}

// BenchmarkReadTagsByPath looks the node up by path first, as the API does.
func BenchmarkReadTagsByPath(b *testing.B) {
	br, v := bigBranch(b)
	var paths []string
	for id := int32(0); id < br.Graph.Cap() && len(paths) < 1024; id += 1009 {
		if br.Graph.Exists(id) {
			paths = append(paths, br.Graph.Path(id))
		}
	}
	buf := make([]string, 0, 8)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id, ok := br.Graph.Lookup(paths[i%len(paths)])
		if !ok {
			b.Fatal("lookup failed")
		}
		buf = br.AppendPresent(buf[:0], v, id)
	}
}

// BenchmarkCloneBranch1M creates a branch of the 1.1 M-node graph and states: the copy of
// the chunk tables, no node copied.
func BenchmarkCloneBranch1M(b *testing.B) {
	br, _ := bigBranch(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = br.Clone()
	}
}

// BenchmarkBranchChangeMemory1M measures what a branch of the 1.1 M-node catalog costs
// beyond its origin after one changed dataset: the parts of the columns it had to copy
// (KiB-copied/branch), and all it allocated doing so (B/op).
func BenchmarkBranchChangeMemory1M(b *testing.B) {
	br, v := bigBranch(b)
	a := *big.assets[len(big.assets)-2_100] // a late dataset: a small downstream cone
	a.Description = "changed on the branch"
	a.Tags = []string{"PII"}
	after := func(p string) *catalog.Asset {
		if p == a.Path {
			return &a
		}
		return big.byPath[p]
	}
	b.ReportAllocs()
	copied, changed := 0, 0
	for i := 0; i < b.N; i++ {
		adv := br.Clone().Advance(v, after, []*catalog.Asset{&a}, nil)
		copied += adv.Branch.Graph.OwnedBytes() + adv.Branch.States.OwnedBytes()
		changed += len(adv.Changed)
	}
	b.ReportMetric(float64(copied)/float64(b.N)/1024, "KiB-copied/branch")
	b.ReportMetric(float64(changed)/float64(b.N), "nodes-changed")
}
