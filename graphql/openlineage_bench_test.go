package graphql_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagflow/tagflow/graphql"
)

// smallEvent is a run event of one of jobs jobs (one input, one output, three fields):
// what a scheduler sends for every task run.
func smallEvent(i, jobs int, newDatasets bool) []byte {
	j := i % jobs
	in, out := fmt.Sprintf("raw.t%d", j), fmt.Sprintf("clean.t%d", j)
	if newDatasets {
		in, out = fmt.Sprintf("raw.t%d", i), fmt.Sprintf("clean.t%d", i)
	}
	typ := [2]string{"START", "COMPLETE"}[i%2]
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)
	ds := func(name string) string {
		return fmt.Sprintf(`{"namespace":"postgres://db:5432","name":%q,"facets":{"schema":{"_producer":"https://bench","_schemaURL":"https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json","fields":[{"name":"id","type":"bigint"},{"name":"email","type":"varchar"},{"name":"at","type":"timestamp"}]}}}`, name)
	}
	return fmt.Appendf(nil, `{"eventType":%q,"eventTime":%q,"run":{"runId":"0190c0b0-0000-7000-8000-%012d"},"job":{"namespace":"airflow","name":"dag.task%d"},"inputs":[%s],"outputs":[%s],"producer":"https://bench","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}`,
		typ, at, i/2, j, ds(in), ds(out))
}

// BenchmarkLineageEndpoint posts small events one per POST, as OpenLineage's HTTP
// transport does, from 64 clients at once to a real server on 127.0.0.1 with a real
// (synced) Badger store; events that arrive together share a commit. It reports events/s
// and the p50 and p99 of a POST's latency. "repeating" runs 200 jobs again and again (the
// steady state of a scheduler); "growing" gives every event datasets of its own.
func BenchmarkLineageEndpoint(b *testing.B) {
	for _, c := range []struct {
		name string
		grow bool
	}{{"repeating", false}, {"growing", true}} {
		b.Run(c.name, func(b *testing.B) {
			a := newAPI(b, graphql.Config{RateLimit: -1})
			const clients = 64
			events := make([][]byte, b.N)
			for i := range events {
				events[i] = smallEvent(i, 200, c.grow)
			}
			tr := &http.Transport{MaxIdleConnsPerHost: clients}
			hc := &http.Client{Transport: tr}
			defer tr.CloseIdleConnections()
			var next atomic.Int64
			lat := make([]time.Duration, b.N)
			var wg sync.WaitGroup
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1) - 1)
						if i >= len(events) {
							return
						}
						req, _ := http.NewRequest(http.MethodPost, a.url+"/api/v1/lineage", bytes.NewReader(events[i]))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+a.token)
						t0 := time.Now()
						resp, err := hc.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
						lat[i] = time.Since(t0)
						if resp.StatusCode != http.StatusCreated {
							b.Errorf("event %d: %s", i, resp.Status)
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
