package graphql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/fixtures/synth"
	"github.com/tagflow/tagflow/graphql"
	"github.com/tagflow/tagflow/tags"
)

// bigBranch is an API over a main of 8,000 datasets of 10 fields (88,000 nodes) whose
// first datasets have some 70,000 nodes downstream each.
func bigBranch(t *testing.T, cfg graphql.Config) (*api, synth.Options) {
	t.Helper()
	a := newAPI(t, cfg)
	o := synth.Options{Datasets: 8000, Fields: 10, Seed: 3, NoDescription: true}
	if _, err := a.svc.Deploy(context.Background(), tags.DeployRequest{Org: "acme", Branch: "main", Document: synth.YAML(o), Deployer: "user:admin"}); err != nil {
		t.Fatal(err)
	}
	return a, o
}

// withConfig is another server over the same catalog, with its own configuration.
func (a *api) withConfig(t *testing.T, cfg graphql.Config) *api {
	t.Helper()
	cfg.Log = zerolog.Nop()
	srv := graphql.NewServer(cfg)
	if err := srv.Attach(a.svc, a.reg); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	b := *a
	b.url = hs.URL
	return &b
}

// aliases is a query of n aliases of each field, field(i) giving the i-th.
func aliases(n int, fields ...func(i int) string) string {
	var q strings.Builder
	q.WriteString("{")
	for i := range n {
		for k, f := range fields {
			fmt.Fprintf(&q, " a%d_%d: %s", k, i, f(i))
		}
	}
	q.WriteString(" }")
	return q.String()
}

// allocated runs fn and returns the bytes the whole process allocated meanwhile: the
// server runs in this process.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func mustFail(t *testing.T, what string, out map[string]any, code string) string {
	t.Helper()
	if got := errorCode(out); got != code {
		t.Fatalf("%s: code %q, want %q: %.500v", what, got, code, out)
	}
	if out["data"] != nil {
		t.Fatalf("%s: refused, yet answers data: %.300v", what, out["data"])
	}
	msg, _ := out["errors"].([]any)[0].(map[string]any)["message"].(string)
	return msg
}

// The abusive query of issue 7 — 100 aliases of impact and 100 of lineage — is refused
// at once, before any walk, with COST_LIMIT; a query within the limit of expensive fields
// but over the request's budget is stopped with COST_LIMIT too; memory stays bounded and
// the same fields in requests of their own are answered.
func TestCostLimits(t *testing.T) {
	a, o := bigBranch(t, graphql.Config{})
	impact := func(i int) string {
		return fmt.Sprintf("impact(path: %q, first: 10000) { totalCount nodes }", o.DatasetPath(i%50))
	}
	lineage := func(i int) string {
		return fmt.Sprintf("lineage(path: %q, direction: DOWNSTREAM, depth: 10000, granularity: DATASET) { nodes { path } }", o.DatasetPath(i%50))
	}

	t.Run("100 aliases of impact and lineage", func(t *testing.T) {
		var out map[string]any
		var took time.Duration
		alloc := allocated(func() {
			start := time.Now()
			_, out = a.post(t, "/graphql", a.token, "application/json", mustJSON(map[string]any{"query": aliases(100, impact, lineage)}))
			took = time.Since(start)
		})
		msg := mustFail(t, "the abusive query", out, "COST_LIMIT")
		if !strings.Contains(msg, "200 fields") || !strings.Contains(msg, "split") {
			t.Errorf("message %q does not say how many fields and to split the request", msg)
		}
		if took > time.Second || alloc > 8<<20 {
			t.Errorf("the refusal took %v and %d KiB; want it at once, before any walk", took, alloc>>10)
		}
	})

	t.Run("over the budget", func(t *testing.T) {
		small := a.withConfig(t, graphql.Config{MaxRequestCost: 100_000})
		var out map[string]any
		var took time.Duration
		alloc := allocated(func() {
			start := time.Now()
			out = small.gql(t, aliases(graphql.MaxExpensiveFields, impact), nil)
			took = time.Since(start)
		})
		t.Logf("stopped after %v, %d KiB allocated", took, alloc>>10)
		msg := mustFail(t, "10 impacts of 70,000 nodes each, on a budget of 100,000", out, "COST_LIMIT")
		if !strings.Contains(msg, "100000") || !strings.Contains(msg, "split") {
			t.Errorf("message %q does not give the budget and say to split the request", msg)
		}
		if took > 5*time.Second || alloc > 32<<20 {
			t.Errorf("the refusal took %v and %d MiB", took, alloc>>20)
		}
		// One of them alone fits, and so do two lineages at dataset granularity.
		if out := small.gql(t, aliases(1, impact), nil); out["errors"] != nil {
			t.Fatalf("one impact: %v", out["errors"])
		}
		if out := small.gql(t, aliases(2, lineage), nil); out["errors"] != nil {
			t.Fatalf("two lineages: %v", out["errors"])
		}
	})

	t.Run("a search costs the nodes it scans", func(t *testing.T) {
		small := a.withConfig(t, graphql.Config{MaxRequestCost: 100_000})
		search := func(int) string { return `search(text: "no such text", first: 1) { totalCount }` }
		if out := small.gql(t, aliases(1, search), nil); out["errors"] != nil {
			t.Fatalf("one search of 88,000 nodes: %v", out["errors"])
		}
		mustFail(t, "two searches of 88,000 nodes on a budget of 100,000", small.gql(t, aliases(2, search), nil), "COST_LIMIT")
		usage := func(int) string { return `tagUsage { name }` }
		mustFail(t, "two tag usages of 88,000 nodes on a budget of 100,000", small.gql(t, aliases(2, usage), nil), "COST_LIMIT")
		explain := func(i int) string {
			return fmt.Sprintf(`explainTag(path: %q, tag: "PII") { present }`, o.DatasetPath(7999-i))
		}
		if out := a.gql(t, aliases(graphql.MaxExpensiveFields, explain), nil); out["errors"] != nil {
			t.Fatalf("10 explanations: %v", out["errors"])
		}
		tiny := a.withConfig(t, graphql.Config{MaxRequestCost: 10})
		mustFail(t, "explanations over a budget of 10", tiny.gql(t, aliases(graphql.MaxExpensiveFields, explain), nil), "COST_LIMIT")
	})

	t.Run("the limit of expensive fields counts aliases, not other fields", func(t *testing.T) {
		datasets := func(int) string { return "datasets(first: 1) { totalCount }" }
		if out := a.gql(t, aliases(graphql.MaxExpensiveFields, datasets)+"", nil); out["errors"] != nil {
			t.Fatalf("%d fields: %v", graphql.MaxExpensiveFields, out["errors"])
		}
		mustFail(t, "one field too many", a.gql(t, aliases(graphql.MaxExpensiveFields+1, datasets), nil), "COST_LIMIT")
		me := func(int) string { return "me { org }" }
		if out := a.gql(t, aliases(200, me), nil); out["errors"] != nil {
			t.Fatalf("200 aliases of me: %v", out["errors"])
		}
	})
}

// A request past its deadline stops its work, not only its answer: with a deadline of a
// tenth of what the request takes, it ends well before it would have, with TIMEOUT. Timing
// on a shared machine is noisy (other packages' tests run at the same time), so each
// attempt measures the full request afresh and one of three attempts must stop early; a
// server whose work goes on past the deadline fails all three.
func TestDeadlineStopsTheWork(t *testing.T) {
	a, o := bigBranch(t, graphql.Config{})
	q := aliases(graphql.MaxExpensiveFields, func(i int) string {
		return fmt.Sprintf("impact(path: %q, first: 10000) { totalCount nodes }", o.DatasetPath(i))
	})
	var report []string
	for attempt := 1; attempt <= 3; attempt++ {
		start := time.Now()
		if out := a.gql(t, q, nil); out["errors"] != nil {
			t.Fatalf("without a short deadline: %v", out["errors"])
		}
		full := time.Since(start)
		timeout := max(full/10, 5*time.Millisecond)
		short := a.withConfig(t, graphql.Config{QueryTimeout: timeout})
		start = time.Now()
		out := short.gql(t, q, nil)
		took := time.Since(start)
		msg := mustFail(t, "a request past its deadline", out, "TIMEOUT")
		if !strings.Contains(msg, "longer than its limit of "+timeout.String()) {
			t.Errorf("message %q does not give the limit", msg)
		}
		t.Logf("attempt %d: full %v, deadline %v, stopped after %v", attempt, full, timeout, took)
		if took <= full/2 {
			return
		}
		report = append(report, fmt.Sprintf("deadline %v, took %v of %v", timeout, took, full))
	}
	t.Errorf("the work went on past the deadline in every attempt: %s", strings.Join(report, "; "))
}

func TestCountExpensive(t *testing.T) {
	for _, c := range []struct {
		q    string
		want int
	}{
		{`{ me { org } }`, 0},
		{`{ impact(path: "x") { totalCount } }`, 1},
		{`{ a: impact(path: "x") { totalCount } b: impact(path: "y") { totalCount } lineage(path: "x", direction: UP) { redacted } }`, 3},
		{`query impact($impact: String!) { asset(path: $impact) { path } }`, 0},
		{`{ asset(path: "impact lineage") { path } } # impact lineage`, 0},
		{`{ asset(path: """impact "" lineage""") { path } }`, 0},
		{`{ ...impact } fragment impact on Query { x: datasets { totalCount } y: featuresets { totalCount } }`, 2},
		{`{ ... on Query { explainTag(path: "a", tag: "b") @include(if: true) { present } } }`, 1},
		{`{ lineage: me { org } }`, 0},
		{`{ me { org } impact(path: "a", first: 10, after: "b") { nodes } search { totalCount } }`, 2},
		{`{ impact`, 1},
	} {
		if got := graphql.CountExpensive(c.q); got != c.want {
			t.Errorf("CountExpensive(%s) = %d, want %d", c.q, got, c.want)
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
