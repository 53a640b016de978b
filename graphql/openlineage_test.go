package graphql_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer/importertest"
	"github.com/tagflow/tagflow/graphql"
)

// marquez are the Marquez food-delivery events, each as its own JSON.
func marquez(t testing.TB) [][]byte {
	t.Helper()
	var raw []json.RawMessage
	if err := json.Unmarshal(importertest.MarquezEvents(t), &raw); err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(raw))
	for i, r := range raw {
		out[i] = r
	}
	return out
}

// catalogState is every asset of a branch with its definition and, per node, the tags
// present and cancelled: what two ways of importing the same events must agree on.
func (a *api) catalogState(t testing.TB, branch string) string {
	t.Helper()
	v, err := a.svc.View("acme", branch)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	v.Snapshot.All(func(as *catalog.Asset) bool {
		def, _ := json.Marshal(as)
		tags, _ := v.Tags(as.Path)
		cancels, _ := v.Cancels(as.Path)
		fmt.Fprintf(&b, "%s %v ~%v\n", def, tags, cancels)
		for _, m := range as.Members {
			p := as.Path + "." + m.Name
			tags, _ := v.Tags(p)
			cancels, _ := v.Cancels(p)
			fmt.Fprintf(&b, "  %s %v ~%v\n", p, tags, cancels)
		}
		return true
	})
	return b.String()
}

func (a *api) postEvents(t testing.TB, query string, body []byte) map[string]any {
	t.Helper()
	status, out := a.post(t, "/api/v1/lineage"+query, a.token, "application/json", body)
	if status != 201 {
		t.Fatalf("POST /api/v1/lineage%s: %d %v", query, status, out)
	}
	return out
}

// The Marquez events posted one by one, shuffled and repeated, or from many goroutines at
// once give the catalog that the whole log posted at once gives.
func TestLineageEndpointOrderAndRepetition(t *testing.T) {
	events := marquez(t)
	whole := newAPI(t, graphql.Config{})
	out := whole.postEvents(t, "", importertest.MarquezEvents(t))
	if out["accepted"] != float64(len(events)) || !out["deploy"].(map[string]any)["changed"].(bool) {
		t.Fatalf("the whole log: %v", out)
	}
	want := whole.catalogState(t, "main")
	if !strings.Contains(want, "food_delivery/public/delivery_7_days") {
		t.Fatalf("the import lacks Marquez's datasets:\n%s", want)
	}

	t.Run("one by one", func(t *testing.T) {
		a := newAPI(t, graphql.Config{})
		for _, e := range events {
			a.postEvents(t, "", e)
		}
		if got := a.catalogState(t, "main"); got != want {
			t.Fatalf("one by one:\n%s\nwant:\n%s", got, want)
		}
	})
	t.Run("shuffled and duplicated", func(t *testing.T) {
		a := newAPI(t, graphql.Config{})
		r := rand.New(rand.NewPCG(1, 2))
		all := append(append([][]byte{}, events...), events[:10]...)
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		for _, e := range all {
			a.postEvents(t, "", e)
		}
		if got := a.catalogState(t, "main"); got != want {
			t.Fatalf("shuffled:\n%s\nwant:\n%s", got, want)
		}
		out := a.postEvents(t, "", events[3])
		if out["new"] != 0.0 || out["deploy"].(map[string]any)["changed"].(bool) {
			t.Fatalf("an event sent again: %v", out)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		a := newAPI(t, graphql.Config{RateLimit: -1})
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; i < len(events); i += 4 { // each event twice, from two goroutines
					status, out := a.post(t, "/api/v1/lineage", a.token, "application/json", events[i])
					if status != 201 {
						t.Errorf("event %d: %d %v", i, status, out)
					}
				}
			}()
		}
		wg.Wait()
		if got := a.catalogState(t, "main"); got != want {
			t.Fatalf("concurrent:\n%s\nwant:\n%s", got, want)
		}
	})
}

// A batch with one event the OpenLineage schema refuses is refused whole, naming the event
// by its index, and changes nothing; so do an unknown parameter, no token and a body that
// is no JSON.
func TestLineageEndpointRefusals(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	events := marquez(t)
	var bad map[string]any
	json.Unmarshal(events[2], &bad)
	delete(bad["run"].(map[string]any), "runId")
	badJSON, _ := json.Marshal(bad)
	batch := []byte("[" + string(events[0]) + "," + string(events[1]) + "," + string(badJSON) + "]")
	status, out := a.post(t, "/api/v1/lineage", a.token, "application/json", batch)
	errs, _ := out["errors"].([]any)
	if status != 400 || out["code"] != "INVALID_ARGUMENT" || len(errs) == 0 {
		t.Fatalf("a bad event: %d %v", status, out)
	}
	first := errs[0].(map[string]any)
	if first["asset"] != "event 2" || !strings.Contains(first["message"].(string), "runId") {
		t.Fatalf("the problem does not name event 2 and runId: %v", first)
	}
	if v, _ := a.svc.View("acme", "main"); v.Catalog.Version != 0 {
		t.Fatalf("a refused batch wrote version %d", v.Catalog.Version)
	}
	for _, c := range []struct {
		query, token, body, code string
		status                   int
	}{
		{"?brnach=dev", a.token, string(events[0]), "INVALID_ARGUMENT", 400},
		{"?branch=main&branch=dev", a.token, string(events[0]), "INVALID_ARGUMENT", 400},
		{"?branch=nope", a.token, string(events[0]), "NOT_FOUND", 404},
		{"", "", string(events[0]), "UNAUTHENTICATED", 401},
		{"", a.token, `{"eventType": "START",`, "INVALID_ARGUMENT", 400},
		{"", a.token, ``, "INVALID_ARGUMENT", 400},
		{"", a.token, `[1]`, "INVALID_ARGUMENT", 400},
	} {
		status, out := a.post(t, "/api/v1/lineage"+c.query, c.token, "application/json", []byte(c.body))
		if status != c.status || out["code"] != c.code {
			t.Errorf("%q %q: %d %v, want %d %s", c.query, c.body, status, out, c.status, c.code)
		}
	}
	if v, _ := a.svc.View("acme", "main"); v.Catalog.Version != 0 {
		t.Fatalf("a refused request wrote version %d", v.Catalog.Version)
	}
	// A dry run plans and writes nothing, and the events stay unaccepted.
	out = a.postEvents(t, "?dryRun=true", events[0])
	if d := out["deploy"].(map[string]any); !d["changed"].(bool) {
		t.Fatalf("dry run: %v", out)
	}
	if v, _ := a.svc.View("acme", "main"); v.Catalog.Version != 0 {
		t.Fatalf("a dry run wrote version %d", v.Catalog.Version)
	}
	if out := a.postEvents(t, "", events[0]); out["new"] != 1.0 {
		t.Fatalf("after a dry run the event is new: %v", out)
	}
}

// A principal without WRITE_DEFINITIONS is refused with 403 and the paths it may not write.
func TestLineageEndpointForbidden(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	tok := a.userToken(t, "jane")
	status, out := a.post(t, "/api/v1/lineage", tok, "application/json", marquez(t)[0])
	errs, _ := out["errors"].([]any)
	if status != 403 || out["code"] != "FORBIDDEN" || len(errs) == 0 {
		t.Fatalf("no rights: %d %v", status, out)
	}
	if v, _ := a.svc.View("acme", "main"); v.Catalog.Version != 0 {
		t.Fatalf("a refused request wrote version %d", v.Catalog.Version)
	}
}

// A branch made from another starts with its origin's events, so events posted to it merge
// with them; a branch deleted and made again under the same name does not keep the
// deleted one's events.
func TestLineageEndpointBranches(t *testing.T) {
	events := marquez(t)
	whole := newAPI(t, graphql.Config{})
	whole.postEvents(t, "", importertest.MarquezEvents(t))
	want := whole.catalogState(t, "main")
	first := newAPI(t, graphql.Config{})
	first.postEvents(t, "", events[0])
	wantFirst := first.catalogState(t, "main")

	a := newAPI(t, graphql.Config{})
	a.mustGQL(t, `mutation { createBranch(name: "empty") { name } }`, nil)
	half := len(events) / 2
	for _, e := range events[:half] {
		a.postEvents(t, "", e)
	}
	a.mustGQL(t, `mutation { createBranch(name: "dev") { name } }`, nil)
	for _, e := range events[half:] {
		a.postEvents(t, "?branch=dev", e)
	}
	if got := a.catalogState(t, "dev"); got != want {
		t.Fatalf("dev, made from main after half the events, then given the other half:\n%s\nwant:\n%s", got, want)
	}

	a.mustGQL(t, `mutation { deleteBranch(name: "dev") }`, nil)
	a.mustGQL(t, `mutation { createBranch(name: "dev", from: "empty") { name } }`, nil)
	a.postEvents(t, "?branch=dev", events[0])
	if got := a.catalogState(t, "dev"); got != wantFirst {
		t.Fatalf("dev made again from an empty branch, given one event:\n%s\nwant:\n%s", got, wantFirst)
	}
}

// A gzipped body (the OpenLineage client's compression: gzip) is accepted like a plain
// one, bounded after unpacking; a body that is not gzip and another encoding are refused.
func TestLineageEndpointGzip(t *testing.T) {
	a := newAPI(t, graphql.Config{OpenLineage: graphql.OpenLineageConfig{MaxBytes: 64 << 10}})
	events := marquez(t)
	send := func(enc string, body []byte) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, a.url+"/api/v1/lineage", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", enc)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	if status, out := send("gzip", gz(events[0])); status != 201 || out["new"] != 1.0 {
		t.Fatalf("a gzipped event: %d %v", status, out)
	}
	big := bytes.Repeat([]byte(" "), 128<<10) // unpacks past the 64 KiB limit
	big = append(big, events[1]...)
	if status, out := send("gzip", gz(big)); status != 413 || out["code"] != "PAYLOAD_TOO_LARGE" {
		t.Errorf("a gzipped body over the limit once unpacked: %d %v", status, out)
	}
	if status, out := send("gzip", events[1]); status != 400 || out["code"] != "INVALID_ARGUMENT" || !strings.Contains(fmt.Sprint(out["message"]), "not gzip") {
		t.Errorf("a plain body said to be gzip: %d %v", status, out)
	}
	if status, out := send("br", events[1]); status != 400 || !strings.Contains(fmt.Sprint(out["message"]), `"br"`) {
		t.Errorf("Content-Encoding br: %d %v", status, out)
	}
}
