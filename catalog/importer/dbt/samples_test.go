package dbt_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
	"github.com/tagflow/tagflow/catalog/importer/dbt"
	"github.com/tagflow/tagflow/catalog/importer/importertest"
)

// The manifests of the samples, by golden file: schema v12 (dbt 1.8), v2 (0.21), v7 (1.3),
// and DataHub's extract of a v7 manifest with sources, a snapshot and column meta.
var manifests = map[string]string{
	"duckdb.golden.yaml":   "openlineage/integration/common/tests/dbt/duckdb/target/manifest.json",
	"large.golden.yaml":    "openlineage/integration/common/tests/dbt/large/target/manifest.json",
	"postgres.golden.yaml": "openlineage/integration/common/tests/dbt/postgres/target/manifest.json",
	"datahub.golden.yaml":  "datahub/metadata-ingestion/tests/integration/dbt/sample_dbt_manifest_1.extract.json",
}

func readSample(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(importertest.SamplesDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func translate(t testing.TB, data []byte, opts dbt.Options) *importer.Result {
	t.Helper()
	res, err := dbt.Translate(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	importertest.Deployable(t, res.Document)
	return res
}

func TestSamples(t *testing.T) {
	for golden, rel := range manifests {
		t.Run(golden, func(t *testing.T) {
			res := translate(t, readSample(t, rel), dbt.Options{})
			importertest.Golden(t, golden, importertest.GoldenText(t, res))
		})
	}
}

func asset(t testing.TB, doc *catalog.Document, path string) *catalog.DocAsset {
	t.Helper()
	for i := range doc.Assets {
		if doc.Assets[i].Name == path {
			return &doc.Assets[i]
		}
	}
	t.Fatalf("no dataset %s in the document", path)
	return nil
}

func member(t testing.TB, a *catalog.DocAsset, name string) *catalog.DocMember {
	t.Helper()
	for i := range a.Members {
		if a.Members[i].Name == name {
			return &a.Members[i]
		}
	}
	t.Fatalf("%s has no field %s", a.Name, name)
	return nil
}

func hasNote(ns []importer.Note, path, part string) bool {
	for _, n := range ns {
		if n.Path == path && strings.Contains(n.Msg, part) {
			return true
		}
	}
	return false
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// What the samples' README promises, and the tags their meta declares.
func TestSampleFacts(t *testing.T) {
	duck := translate(t, readSample(t, manifests["duckdb.golden.yaml"]), dbt.Options{})
	customers := asset(t, duck.Document, "model/jaffle_shop/customers")
	if !equal(customers.Tags, []string{"~PII"}) {
		t.Errorf("duckdb customers (meta.pii: false) tags = %v", customers.Tags)
	}
	if !equal(customers.Pipeline.Inputs, []string{"model/jaffle_shop/stg_customers", "model/jaffle_shop/stg_orders", "model/jaffle_shop/stg_payments"}) {
		t.Errorf("inputs = %v", customers.Pipeline.Inputs)
	}
	if ph := asset(t, duck.Document, "model/jaffle_shop/stg_orders"); ph.Pipeline != nil || len(ph.Members) != 0 {
		t.Errorf("placeholder = %+v", ph)
	}
	for _, part := range []string{"which the manifest does not hold", "parent_map disagrees with depends_on"} {
		if !hasNote(duck.Notes, "model/jaffle_shop/customers", part) {
			t.Errorf("no note saying %q: %v", part, duck.Notes)
		}
	}
	for _, a := range duck.Document.Assets {
		if strings.HasPrefix(a.Name, "test/") || strings.HasPrefix(a.Name, "doc/") {
			t.Errorf("%s became a dataset", a.Name)
		}
	}

	dh := translate(t, readSample(t, manifests["datahub.golden.yaml"]), dbt.Options{})
	col := member(t, asset(t, dh.Document, "model/sample_dbt/payments_by_customer_by_month"), "customer_id")
	if !equal(col.Tags, []string{"PII", "tag_from_dbt"}) {
		t.Errorf("customer_id (is_sensitive, terms pii) tags = %v", col.Tags)
	}
	if !hasNote(dh.Notes, "", `unknown top-level key "_extract"`) {
		t.Errorf("no note on _extract: %v", dh.Notes)
	}
	snap := asset(t, dh.Document, "snapshot/sample_dbt/customer_snapshot")
	if !equal(snap.Pipeline.Inputs, []string{"source/sample_dbt/pagila/customer"}) {
		t.Errorf("snapshot inputs = %v", snap.Pipeline.Inputs)
	}

	pg := translate(t, readSample(t, manifests["postgres.golden.yaml"]), dbt.Options{MapTags: map[string]string{"POSTGRES": "warehouse:pg"}})
	if got := asset(t, pg.Document, "model/jaffle_shop/stg_customers").Tags; !equal(got, []string{"test", "warehouse:pg"}) {
		t.Errorf("stg_customers tags = %v", got)
	}
}
