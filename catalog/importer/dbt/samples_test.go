package dbt_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

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
			res := translate(t, importertest.ReadSample(t, rel), dbt.Options{})
			importertest.Golden(t, golden, importertest.GoldenText(t, res))
		})
	}
}

// What the samples' README promises, and the tags their meta declares.
func TestSampleFacts(t *testing.T) {
	duck := translate(t, importertest.ReadSample(t, manifests["duckdb.golden.yaml"]), dbt.Options{})
	customers := importertest.Asset(t, duck.Document, "model/jaffle_shop/customers")
	if !slices.Equal(customers.Tags, []string{"~PII"}) {
		t.Errorf("duckdb customers (meta.pii: false) tags = %v", customers.Tags)
	}
	if !slices.Equal(customers.Pipeline.Inputs, []string{"model/jaffle_shop/stg_customers", "model/jaffle_shop/stg_orders", "model/jaffle_shop/stg_payments"}) {
		t.Errorf("inputs = %v", customers.Pipeline.Inputs)
	}
	if ph := importertest.Asset(t, duck.Document, "model/jaffle_shop/stg_orders"); ph.Pipeline != nil || len(ph.Members) != 0 {
		t.Errorf("placeholder = %+v", ph)
	}
	for _, part := range []string{"which the manifest does not hold", "parent_map disagrees with depends_on"} {
		if !importertest.HasNote(duck.Notes, "model/jaffle_shop/customers", part) {
			t.Errorf("no note saying %q: %v", part, duck.Notes)
		}
	}
	for _, a := range duck.Document.Assets {
		if strings.HasPrefix(a.Name, "test/") || strings.HasPrefix(a.Name, "doc/") {
			t.Errorf("%s became a dataset", a.Name)
		}
	}

	dh := translate(t, importertest.ReadSample(t, manifests["datahub.golden.yaml"]), dbt.Options{})
	col := importertest.Member(t, importertest.Asset(t, dh.Document, "model/sample_dbt/payments_by_customer_by_month"), "customer_id")
	if !slices.Equal(col.Tags, []string{"PII", "tag_from_dbt"}) {
		t.Errorf("customer_id (is_sensitive, terms pii) tags = %v", col.Tags)
	}
	if !importertest.HasNote(dh.Notes, "", `unknown top-level key "_extract"`) {
		t.Errorf("no note on _extract: %v", dh.Notes)
	}
	snap := importertest.Asset(t, dh.Document, "snapshot/sample_dbt/customer_snapshot")
	if !slices.Equal(snap.Pipeline.Inputs, []string{"source/sample_dbt/pagila/customer"}) {
		t.Errorf("snapshot inputs = %v", snap.Pipeline.Inputs)
	}

	pg := translate(t, importertest.ReadSample(t, manifests["postgres.golden.yaml"]), dbt.Options{MapTags: map[string]string{"POSTGRES": "warehouse:pg"}})
	if got := importertest.Asset(t, pg.Document, "model/jaffle_shop/stg_customers").Tags; !slices.Equal(got, []string{"test", "warehouse:pg"}) {
		t.Errorf("stg_customers tags = %v", got)
	}
}
