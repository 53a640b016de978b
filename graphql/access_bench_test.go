package graphql_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tagflow/tagflow/graphql"
)

// accessBenchAPI is issue 8's columnAccess target over the API (the catalog tagflow-load
// setup builds for `make load`): data/wide has 200 columns (every tenth PII, every seventh
// country:IN), jane@acme is in teams data, ml and ops with 20 grants (her own, her teams',
// the org's templates) of custom roles with tag rules. It answers jane's token: not admin.
func accessBenchAPI(b *testing.B) (*api, string) {
	a := newAPI(b, graphql.Config{})
	var doc strings.Builder
	doc.WriteString("datasets:\n  - name: data/wide\n    owner: team:platform\n    fields:\n")
	for i := 0; i < 200; i++ {
		tags := []string{"daily", "stripe"}
		if i%10 == 3 {
			tags = append(tags, "PII")
		}
		if i%7 == 5 {
			tags = append(tags, "country:IN")
		}
		fmt.Fprintf(&doc, "      - {name: col%03d, type: str, tags: [%s]}\n", i, strings.Join(tags, ", "))
	}
	must := func(q string, vars map[string]any) map[string]any {
		out := a.gql(b, q, vars)
		if out["errors"] != nil {
			b.Fatalf("%s: %v", q, out["errors"])
		}
		return out["data"].(map[string]any)
	}
	must(`mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": doc.String()})
	must(`mutation { createUser(name: "jane@acme") { ref } }`, nil)
	for _, team := range []string{"data", "ml", "ops"} {
		must(`mutation($n: String!) { createTeam(name: $n, members: ["user:jane@acme"]) { ref } }`, map[string]any{"n": team})
	}
	for name, rules := range map[string][]map[string]any{
		"analyst": {{"modes": []string{"READ_DATA", "READ_DEFINITIONS"}, "tags": "!PII"}},
		"writer":  {{"modes": []string{"WRITE_DATA", "WRITE_DEFINITIONS"}, "tags": "!PII"}},
		"devs":    {{"modes": []string{"READ_DATA"}, "branches": []string{"main", "dev/*"}}},
		"country": {{"modes": []string{"READ_DEFINITIONS"}}, {"modes": []string{"READ_DATA"}, "tags": "!sensitive || country:IN"}},
	} {
		must(`mutation($n: String!, $r: [RuleInput!]!) { createRole(name: $n, rules: $r) { name } }`, map[string]any{"n": name, "r": rules})
	}
	grant := func(p, r, s string) {
		must(`mutation($p: String!, $r: String!, $s: String!) { grant(principal: $p, role: $r, scope: $s) { scope } }`, map[string]any{"p": p, "r": r, "s": s})
	}
	holders := []string{"user:jane@acme", "team:data", "team:ml", "team:ops"}
	roles := []string{"analyst", "writer", "devs", "country", "viewer"}
	for i := 0; i < 17; i++ {
		scope := fmt.Sprintf("proj%d/**", i)
		if i%3 == 1 {
			scope = fmt.Sprintf("proj%d/ds", i)
		}
		grant(holders[i%len(holders)], roles[i%len(roles)], scope)
	}
	grant("team:data", "analyst", "data/**")
	grant("org:acme", "editor", "${user}/**")
	grant("org:acme", "writer", "${team}/**")
	tok := must(`mutation { createToken(principal: "user:jane@acme", name: "bench") { token } }`, nil)
	return a, tok["createToken"].(map[string]any)["token"].(string)
}

// BenchmarkColumnAccessLoopback asks columnAccess(data/wide) as jane over a real loopback
// connection (keep-alive): serial reports the median and p99 of one request; 16-in-flight
// runs 16 goroutines (as tagflow-load does) and reports requests/s.
func BenchmarkColumnAccessLoopback(b *testing.B) {
	a, jane := accessBenchAPI(b)
	body, _ := json.Marshal(map[string]any{"query": `query($d: String!) { columnAccess(dataset: $d) { result visible hidden { name reason } } }`, "variables": map[string]any{"d": "data/wide"}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	one := func() error {
		req, _ := http.NewRequest(http.MethodPost, a.url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+jane)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(raw, []byte(`"result":"PARTIAL"`)) || bytes.Count(raw, []byte(`"reason"`)) != 20 {
			return fmt.Errorf("answer %d %s", resp.StatusCode, raw)
		}
		return nil
	}
	b.Run("serial", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		for b.Loop() {
			start := time.Now()
			if err := one(); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "median-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	})
	b.Run("16-in-flight", func(b *testing.B) {
		b.SetParallelism(max(1, 16/runtimeProcs()))
		b.ReportAllocs()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := one(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	})
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
