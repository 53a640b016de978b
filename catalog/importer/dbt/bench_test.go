package dbt_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer/dbt"
	"github.com/tagflow/tagflow/catalog/importer/importertest"
)

// syntheticManifest streams a manifest of about size bytes: models with 4 KB of raw and
// compiled SQL each and 20 documented columns, and macros, as a large dbt project has.
// Nothing of it is held in memory, so the measured heap is the translation's alone.
func syntheticManifest(size int64) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		sql := strings.Repeat("select a, b, c from {{ ref('x') }} where d > 1 -- padding\n", 70)
		fmt.Fprint(w, `{"metadata":{"dbt_schema_version":"https://schemas.getdbt.com/dbt/manifest/v12.json"},"macros":{`)
		for i := range 2000 {
			if i > 0 {
				w.WriteByte(',')
			}
			fmt.Fprintf(w, `"macro.p.m%d":{"name":"m%d","macro_sql":%q}`, i, i, sql[:2000])
		}
		fmt.Fprint(w, `},"nodes":{`)
		written := int64(5 << 20)
		for i := 0; written < size; i++ {
			if i > 0 {
				w.WriteByte(',')
			}
			n0 := w.Buffered()
			fmt.Fprintf(w, `"model.p.m%d":{"unique_id":"model.p.m%d","resource_type":"model","name":"m%d","raw_code":%q,"compiled_code":%q,"description":"model %d","tags":["nightly"],"meta":{"owner":"@a"},"columns":{`, i, i, i, sql, sql, i)
			for c := range 20 {
				if c > 0 {
					w.WriteByte(',')
				}
				fmt.Fprintf(w, `"col%d":{"name":"col%d","data_type":"varchar","description":"column %d of model %d, described at some length as real projects do","meta":{"contains_pii":%v},"tags":[]}`, c, c, c, i, c == 3)
			}
			dep := ""
			if i > 0 {
				dep = fmt.Sprintf(`"model.p.m%d"`, i-1)
			}
			fmt.Fprintf(w, `},"depends_on":{"nodes":[%s],"macros":["macro.p.m1"]}}`, dep)
			written += int64(w.Buffered() - n0)
			if w.Buffered() > 32<<10 {
				w.Flush()
			}
		}
		fmt.Fprint(w, `},"sources":{}}`)
		w.Flush()
		pw.Close()
	}()
	return pr
}

// BenchmarkManifest100MB translates a synthetic 100 MB manifest and reports the peak heap
// the translation needed, which must stay far below ten times the input.
// go test -run XXX -bench Manifest100MB -benchtime 1x ./catalog/importer/dbt
func BenchmarkManifest100MB(b *testing.B) {
	for range b.N {
		cr := &importertest.CountingReader{R: syntheticManifest(100 << 20)}
		var datasets int
		var live uint64
		peak := importertest.PeakHeap(func() {
			res, err := dbt.Translate(cr, dbt.Options{})
			if err != nil {
				b.Fatal(err)
			}
			datasets = len(res.Document.Assets)
			live = importertest.LiveHeap()
			runtime.KeepAlive(res)
		})
		b.ReportMetric(float64(live)/(1<<20), "result-heap-MB")
		b.SetBytes(cr.N)
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(cr.N)/(1<<20), "input-MB")
		b.ReportMetric(float64(datasets), "datasets")
		// The document itself is about half the peak here (160,000 described columns);
		// the bound is what the issue asks, with room: far below ten times the input.
		if peak > 3*uint64(cr.N) {
			b.Errorf("peak heap %d MB for a %d MB manifest", peak>>20, cr.N>>20)
		}
	}
}

// BenchmarkPostgresSample translates the largest manifest of the samples (379 KB, v7).
func BenchmarkPostgresSample(b *testing.B) {
	data := importertest.ReadSample(b, manifests["postgres.golden.yaml"])
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		if _, err := dbt.Translate(bytes.NewReader(data), dbt.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
