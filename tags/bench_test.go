package tags_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"

	"github.com/tagflow/tagflow/fixtures/synth"
)

// The catalog of the targets: 10,000 datasets of 10 fields, with pipelines and
// column lineage on half of them.
var bench10k = synth.Options{Datasets: 10_000, Fields: 10, Seed: 1}

// BenchmarkDeploy10kDatasets deploys a 10,000 × 10 document to an empty branch, end to end:
// parse, validate, plan, cycle check, write the pages and the durable head commit.
func BenchmarkDeploy10kDatasets(b *testing.B) {
	doc := synth.YAML(bench10k)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, _ := newService(b)
		b.StartTimer()
		res := mustDeploy(b, s, "main", string(doc))
		if len(res.Added) != bench10k.Datasets {
			b.Fatalf("added %d", len(res.Added))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/deploy")
}

// BenchmarkDeployIdentical10kDatasets deploys the same document again: nothing to write.
func BenchmarkDeployIdentical10kDatasets(b *testing.B) {
	doc := synth.YAML(bench10k)
	s, _ := newService(b)
	mustDeploy(b, s, "main", string(doc))
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := mustDeploy(b, s, "main", string(doc)); res.Changed {
			b.Fatal("an identical deploy changed something")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/deploy")
}

// BenchmarkDeployOneChange10kDatasets changes one dataset of the 10,000: the cost of a small
// deploy to a large catalog (parse of the whole document dominates).
func BenchmarkDeploySmallDocTo10kCatalog(b *testing.B) {
	s, _ := newService(b)
	mustDeploy(b, s, "main", string(synth.YAML(bench10k)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		doc := fmt.Sprintf("datasets: [{name: small, description: \"v%d\", fields: [{name: x, type: int}]}]\n", i)
		if res := mustDeploy(b, s, "main", doc); !res.Changed {
			b.Fatal("no change")
		}
	}
}

// BenchmarkCreateBranch100kFields creates branches of the 10,000-dataset (100,000-field)
// catalog: one durable record, no copy.
func BenchmarkCreateBranch100kFields(b *testing.B) {
	s, _ := newService(b)
	mustDeploy(b, s, "main", string(synth.YAML(bench10k)))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.CreateBranch(ctx, org, fmt.Sprintf("b%d", i), "main"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartup1M opens a store holding the 100,000-dataset (1.1 M-node) catalog and
// gets ready to answer: the catalog read from Badger, the lineage graph built and every tag
// state computed. The catalog is deployed once, outside the timing.
func BenchmarkStartup1M(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	{
		store := openStore(b, dir)
		repo, err := catalog.Open(ctx, store)
		if err != nil {
			b.Fatal(err)
		}
		if err := repo.CreateOrg(ctx, org); err != nil {
			b.Fatal(err)
		}
		s, err := tags.Open(ctx, repo, zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		mustDeploy(b, s, "main", string(synth.YAML(bench100k)))
		b.Logf("deploy of the 1.1 M-node catalog: %v", time.Since(start))
		store.Close()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		store := openStore(b, dir)
		repo, err := catalog.Open(ctx, store)
		if err != nil {
			b.Fatal(err)
		}
		s, err := tags.Open(ctx, repo, zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		v, _ := s.View(org, "main")
		if v.Lineage.Graph.Len() < 1_000_000 {
			b.Fatalf("only %d nodes", v.Lineage.Graph.Len())
		}
		b.StopTimer()
		store.Close()
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/startup")
}

// BenchmarkDeployEquivalent10kDatasets deploys a document that differs from the deployed
// one only by a comment: the head's document mark does not match, so it is parsed,
// validated and planned in full, and changes nothing.
func BenchmarkDeployEquivalent10kDatasets(b *testing.B) {
	doc := string(synth.YAML(bench10k))
	s, _ := newService(b)
	mustDeploy(b, s, "main", doc)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := mustDeploy(b, s, "main", fmt.Sprintf("# run %d\n%s", i, doc)); res.Changed {
			b.Fatal("an equivalent deploy changed something")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/deploy")
}
