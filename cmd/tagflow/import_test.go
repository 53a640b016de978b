package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer/importertest"
)

// catalogOf is every dataset of a branch with its fields, each with its type and its
// present and cancelled tags, as GraphQL answers them.
func catalogOf(t *testing.T, s *server, branch string) string {
	t.Helper()
	var out struct {
		Datasets struct {
			Nodes []json.RawMessage `json:"nodes"`
		} `json:"datasets"`
	}
	s.query(t, `query($b: String) { datasets(branch: $b, first: 1000) { nodes { path tags cancels
		fields { name type tags cancels } pipeline { inputs columns { field from } } } } }`, map[string]any{"b": branch}, &out)
	var b strings.Builder
	for _, n := range out.Datasets.Nodes {
		b.Write(n)
		b.WriteByte('\n')
	}
	return b.String()
}

func postLineage(t *testing.T, s *server, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/lineage", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// The Marquez events posted one by one, as a pipeline's OpenLineage client sends them,
// give the catalog that `tagflow import openlineage FILE` gives; after a restart, the
// merge goes on from what was accepted before.
func TestImportOpenLineage(t *testing.T) {
	log := importertest.MarquezEvents(t)
	file := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(file, log, 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile := startServer(t, t.TempDir())
	r := mustRun(t, 0, fromFile.env(), "", "import", "openlineage", file)
	mustContain(t, "import", r.stdout, "26 events accepted, 26 new.", "Deployed to main:")
	want := catalogOf(t, fromFile, "main")
	mustContain(t, "the imported catalog", want, `"path":"food_delivery/public/delivery_7_days"`, `"customer_email"`)
	r = mustRun(t, 0, fromFile.env(), "", "import", "openlineage", file)
	mustContain(t, "second import", r.stdout, "26 events accepted, 0 new.", "no changes")
	r = mustRun(t, 0, fromFile.env(), "", "import", "openlineage", "--print", file)
	mustContain(t, "--print", r.stdout, "datasets:", "name: food_delivery/public/delivery_7_days")

	var events []json.RawMessage
	if err := json.Unmarshal(log, &events); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	s := startServer(t, data)
	half := len(events) / 2
	for _, e := range events[:half] {
		if status, body := postLineage(t, s, e); status != 201 {
			t.Fatalf("POST: %d %s", status, body)
		}
	}
	s.stop()
	s = startServer(t, data)
	for i := len(events) - 1; i >= half-3; i-- { // the rest backwards, and three again
		if status, body := postLineage(t, s, events[i]); status != 201 {
			t.Fatalf("POST after the restart: %d %s", status, body)
		}
	}
	if got := catalogOf(t, s, "main"); got != want {
		t.Fatalf("posted one by one across a restart:\n%s\nwant (the file import):\n%s", got, want)
	}
	r = mustRun(t, 0, s.env(), "", "import", "openlineage", "--dry-run", file)
	mustContain(t, "dry run", r.stdout, "26 events accepted, 0 new.", "no changes")

	// A bad event refuses the whole file, naming it, and changes nothing.
	bad := bytes.Replace(log, []byte(`"eventType": "START"`), []byte(`"eventType": "BEGIN"`), 1)
	if bytes.Equal(bad, log) {
		t.Fatal("the sample has no START event to spoil")
	}
	os.WriteFile(file, bad, 0o600)
	r = mustRun(t, exitRefused, s.env(), "", "import", "openlineage", file)
	mustContain(t, "a bad event", r.stderr, "event 0", "eventType")

	// A file larger than one batch goes in several requests, read one event at a time,
	// and gives the same catalog; a dry run of it is refused, and a flaw in the middle of
	// the file says which events were applied before it.
	os.WriteFile(file, log, 0o600)
	batched := startServer(t, t.TempDir())
	mustRun(t, exitUsage, batched.env(), "", "import", "openlineage", "--batch-bytes", "8192", "--dry-run", file)
	r = mustRun(t, 0, batched.env(), "", "import", "openlineage", "--batch-bytes", "8192", file)
	mustContain(t, "a batched import", r.stdout, "26 events accepted in ", " batches, 26 new.")
	if got := catalogOf(t, batched, "main"); got != want {
		t.Fatalf("imported in batches:\n%s\nwant (one request):\n%s", got, want)
	}
	var lines bytes.Buffer
	for i, e := range events {
		if i == 20 {
			lines.WriteString("{\"eventType\": \n")
		}
		var c bytes.Buffer
		json.Compact(&c, e)
		lines.Write(c.Bytes())
		lines.WriteByte('\n')
	}
	os.WriteFile(file, lines.Bytes(), 0o600)
	r = mustRun(t, exitRefused, batched.env(), "", "import", "openlineage", "--batch-bytes", "8192", file)
	mustContain(t, "a flaw after some batches", r.stderr, "event 20", "events 0 to ", "were applied, in ")
}

// A dbt CI step: import, import again ("no changes"), import with a model deleted and
// --prune (gone); dbt tags renamed by --map-tag, meta PII on the right column, and
// explainTag saying where PII comes from.
func TestImportDBT(t *testing.T) {
	s := startServer(t, t.TempDir())
	src := importertest.ReadSample(t, "datahub/metadata-ingestion/tests/integration/dbt/sample_dbt_manifest_1.extract.json")
	dir := t.TempDir()
	manifest := filepath.Join(dir, "manifest.json")
	os.WriteFile(manifest, src, 0o600)
	args := []string{"import", "dbt", manifest, "--namespace", "dbt", "--prune", "--map-tag", "tag_from_dbt=from_dbt"}

	r := mustRun(t, 0, s.env(), "", args...)
	mustContain(t, "first import", r.stdout, "Deployed to main:", "+ dbt/model/sample_dbt/monthly_billing_with_cust")
	r = mustRun(t, 0, s.env(), "", args...)
	mustContain(t, "re-import", r.stdout, "no changes")

	var field struct {
		Asset struct {
			Tags         []string `json:"tags"`
			DeclaredTags []string `json:"declaredTags"`
		} `json:"asset"`
		Why struct {
			Present bool `json:"present"`
			Sources []struct {
				Source string   `json:"source"`
				Path   []string `json:"path"`
			} `json:"sources"`
		} `json:"why"`
	}
	const col = "dbt/model/sample_dbt/payments_by_customer_by_month.customer_id"
	const down = "dbt/model/sample_dbt/monthly_billing_with_cust.email"
	s.query(t, `query($p: String!, $d: String!) { asset(path: $p) { tags ... on Field { declaredTags } }
		why: explainTag(path: $d, tag: "PII") { present sources { source path } } }`, map[string]any{"p": col, "d": down}, &field)
	if !slices.Equal(field.Asset.DeclaredTags, []string{"PII", "from_dbt"}) || !slices.Contains(field.Asset.Tags, "PII") {
		t.Errorf("%s: tags %v, declared %v; want PII from meta and tag_from_dbt renamed from_dbt", col, field.Asset.Tags, field.Asset.DeclaredTags)
	}
	if !field.Why.Present || len(field.Why.Sources) == 0 || !slices.ContainsFunc(field.Why.Sources, func(p struct {
		Source string   `json:"source"`
		Path   []string `json:"path"`
	}) bool {
		return p.Source == col
	}) {
		t.Errorf("explainTag(%s, PII) = %+v; want present with source %s", down, field.Why, col)
	}

	var m map[string]any
	json.Unmarshal(src, &m)
	delete(m["nodes"].(map[string]any), "model.sample_dbt.monthly_billing_with_cust")
	pruned, _ := json.Marshal(m)
	os.WriteFile(manifest, pruned, 0o600)
	r = mustRun(t, 0, s.env(), "", append(args, "--dry-run")...)
	mustContain(t, "dry run", r.stdout, "Plan for main:", "- dbt/model/sample_dbt/monthly_billing_with_cust")
	r = mustRun(t, 0, s.env(), "", args...)
	mustContain(t, "pruned", r.stdout, "0 added, 0 changed, 1 removed", "- dbt/model/sample_dbt/monthly_billing_with_cust")
	if got := catalogOf(t, s, "main"); strings.Contains(got, "monthly_billing_with_cust") {
		t.Errorf("the deleted model is still there:\n%s", got)
	}

	r = mustRun(t, 0, s.env(), "", "import", "dbt", manifest, "--print", "--namespace", "dbt")
	mustContain(t, "--print", r.stdout, "namespace: dbt", "name: model/sample_dbt/payments_base")
	r = mustRun(t, exitUsage, s.env(), "", "import", "dbt", manifest, "--prune")
	mustContain(t, "prune without namespace", r.stderr, "--prune needs --namespace")
	r = mustRun(t, exitUsage, s.env(), "", "import", "dbt", manifest, "--map-tag", "pii")
	mustContain(t, "bad --map-tag", r.stderr, "from=to")
	os.WriteFile(manifest, []byte(`{"nodes": [`), 0o600)
	r = mustRun(t, exitRefused, s.env(), "", "import", "dbt", manifest)
	mustContain(t, "broken manifest", r.stderr, manifest)
}
