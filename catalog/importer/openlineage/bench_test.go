package openlineage_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer/importertest"
	"github.com/tagflow/tagflow/catalog/importer/openlineage"
)

// syntheticLog streams JSON lines of about size bytes: runs of 2,000 jobs, each START and
// COMPLETE event reading three datasets and writing one with a 12-field schema and
// column lineage, as a busy scheduler's log holds day after day.
func syntheticLog(size int64) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		var written int64
		for i := 0; written < size; i++ {
			j := i % 2000
			typ := "START"
			if i%2 == 1 {
				typ = "COMPLETE"
			}
			n0 := w.Buffered()
			fmt.Fprintf(w, `{"eventType":%q,"eventTime":"2024-01-%02dT00:00:%02d.000Z","run":{"runId":"run-%d"},"job":{"namespace":"airflow","name":"dag_%d.task"},"producer":"p","schemaURL":"s","inputs":[`, typ, 1+i/200000%28, i%60, i/2, j)
			for k := range 3 {
				if k > 0 {
					w.WriteByte(',')
				}
				fmt.Fprintf(w, `{"namespace":"postgres://db:5432","name":"public.t%d"}`, (j+k*7)%2500)
			}
			fmt.Fprintf(w, `],"outputs":[{"namespace":"postgres://db:5432","name":"public.t%d","facets":{"schema":{"fields":[`, 500+j)
			for f := range 12 {
				if f > 0 {
					w.WriteByte(',')
				}
				fmt.Fprintf(w, `{"name":"c%d","type":"VARCHAR(64)","description":"column %d"}`, f, f)
			}
			fmt.Fprint(w, `]},"columnLineage":{"fields":{`)
			for f := range 12 {
				if f > 0 {
					w.WriteByte(',')
				}
				fmt.Fprintf(w, `"c%d":{"inputFields":[{"namespace":"postgres://db:5432","name":"public.t%d","field":"c%d","transformations":[{"type":"DIRECT","subtype":"IDENTITY","masking":%v}]}]}`, f, j%2500, f, f == 5)
			}
			fmt.Fprint(w, "}}}}]}\n")
			written += int64(w.Buffered() - n0)
			if w.Buffered() > 32<<10 {
				w.Flush()
			}
		}
		w.Flush()
		pw.Close()
	}()
	return pr
}

var logMB = flag.Int64("log-mb", 256, "the size of BenchmarkEventLog's synthetic log, in MiB")

// BenchmarkEventLog translates a synthetic event log (256 MB; -log-mb changes it) and
// reports the peak heap: the merged state, never the log.
// go test -run XXX -bench EventLog -benchtime 1x ./catalog/importer/openlineage
func BenchmarkEventLog(b *testing.B) {
	size := *logMB
	for range b.N {
		cr := &importertest.CountingReader{R: syntheticLog(size << 20)}
		var datasets int
		var live uint64
		peak := importertest.PeakHeap(func() {
			res, err := openlineage.Translate(cr, openlineage.Options{})
			if err != nil {
				b.Fatal(err)
			}
			datasets = len(res.Document.Assets)
			live = importertest.LiveHeap()
			runtime.KeepAlive(res)
		})
		b.SetBytes(cr.N)
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(live)/(1<<20), "result-heap-MB")
		b.ReportMetric(float64(cr.N)/(1<<20), "input-MB")
		b.ReportMetric(float64(datasets), "datasets")
		if peak > uint64(cr.N)/2 {
			b.Errorf("peak heap %d MB for a %d MB log", peak>>20, cr.N>>20)
		}
	}
}

// BenchmarkMarquez translates the Marquez food-delivery sample (26 events).
func BenchmarkMarquez(b *testing.B) {
	data := marquezEvents(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		if _, err := openlineage.Translate(bytes.NewReader(data), openlineage.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
