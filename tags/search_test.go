package tags_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/fixtures/synth"
	"github.com/tagflow/tagflow/tags"
)

// synthView deploys a synthetic catalog and returns main's view.
func synthView(t testing.TB, o synth.Options) *tags.View {
	t.Helper()
	s, _ := newService(t)
	mustDeploy(t, s, "main", string(synth.YAML(o)))
	v, err := s.View(org, "main")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The scan stops when the request's context ends, not only the answer.
func TestSearchStopsWithTheContext(t *testing.T) {
	v := synthView(t, synth.Options{Datasets: 200, Seed: 3})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := v.Search(ctx, tags.SearchQuery{First: 10}); !errors.Is(err, context.Canceled) {
		t.Fatalf("search with an ended context: %v", err)
	}
}

// A search allocates for what it returns, never for a node it looks at and rejects: the
// allocations of a search that matches nothing do not grow with the catalog.
func TestSearchAllocatesForMatchesOnly(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's own allocations make the counts meaningless")
	}
	small := synthView(t, synth.Options{Datasets: 300, Seed: 5})
	large := synthView(t, synth.Options{Datasets: 1000, Seed: 5})
	ctx := context.Background()
	for _, q := range []tags.SearchQuery{
		{Text: "no such text anywhere", First: 100},
		{Text: "no such text anywhere", Owner: "user:admin", First: 100},
		{Tags: []string{"PII", "stripe", "finance"}, Kind: catalog.KindFeature, First: 100},
		{Kind: catalog.KindFeatureset, First: 100},
	} {
		allocs := func(v *tags.View) float64 {
			return testing.AllocsPerRun(5, func() {
				if res, err := v.Search(ctx, q); err != nil || res.Total != 0 {
					t.Fatalf("%+v: %d matches, %v", q, res.Total, err)
				}
			})
		}
		if a, b := allocs(small), allocs(large); b > a || b > 8 {
			t.Errorf("%+v: %v allocations on 300 datasets, %v on 1,000", q, a, b)
		}
	}
	res, err := large.Search(ctx, tags.SearchQuery{Tags: []string{"PII"}, Kind: catalog.KindField, First: 1000})
	if err != nil || res.Total == 0 {
		t.Fatalf("no PII field in the synthetic catalog: %+v %v", res, err)
	}
	for i, h := range res.Hits {
		p := catalog.MemberPath(h.Asset.Path, h.Member.Name)
		if i > 0 && p <= catalog.MemberPath(res.Hits[i-1].Asset.Path, res.Hits[i-1].Member.Name) {
			t.Fatalf("hits out of order at %d: %s", i, p)
		}
	}
}

// BenchmarkSearchTag is "every PII column" on the 10,000 × 10 catalog (110,000 nodes): a
// scan of the tag states of every node.
func BenchmarkSearchTag(b *testing.B) {
	v := synthView(b, bench10k)
	q := tags.SearchQuery{Tags: []string{"PII"}, Kind: catalog.KindField, First: 100}
	ctx := context.Background()
	res, err := v.Search(ctx, q)
	if err != nil || res.Total == 0 {
		b.Fatalf("%+v %v", res, err)
	}
	nodes := v.Lineage.Graph.Len()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(nodes), "ns/node")
	b.ReportMetric(float64(res.Total), "matches")
}

// BenchmarkSearchText is a text search of paths and descriptions on the same catalog.
func BenchmarkSearchText(b *testing.B) {
	v := synthView(b, bench10k)
	q := tags.SearchQuery{Text: "F3", First: 100}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}
