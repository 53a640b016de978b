package graphql_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/tagflow/tagflow/fixtures/synth"
	"github.com/tagflow/tagflow/graphql"
)

// BenchmarkAssetLookupLoopback asks for one dataset with its fields through GraphQL over a
// real loopback connection (keep-alive), on the 10,000-dataset catalog. It reports the
// median latency of one request besides the mean.
func BenchmarkAssetLookupLoopback(b *testing.B) {
	a := newAPI(b, graphql.Config{})
	o := synth.Options{Datasets: 10_000, Fields: 10, Seed: 1}
	body, _ := json.Marshal(map[string]any{"query": `mutation($d: String!) { deploy(document: $d) { changed } }`, "variables": map[string]any{"d": string(synth.YAML(o))}})
	if status, out := a.post(b, "/graphql", a.token, "application/json", body); status != 200 || out["errors"] != nil {
		b.Fatalf("deploy: %d %v", status, out["errors"])
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	queries := make([][]byte, 64)
	for i := range queries {
		queries[i], _ = json.Marshal(map[string]any{
			"query":     `query($p: String!) { asset(path: $p) { path kind tags owner ... on Dataset { fields { name type key tags } } } }`,
			"variables": map[string]any{"p": o.DatasetPath(i * 150)},
		})
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodPost, a.url+"/graphql", bytes.NewReader(queries[i%len(queries)]))
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != 200 || !bytes.Contains(raw, []byte(`"fields":[{"name":"f0"`)) {
			b.Fatalf("answer %d %s", resp.StatusCode, raw)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
