package openlineage_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
	"github.com/tagflow/tagflow/catalog/importer/importertest"
	"github.com/tagflow/tagflow/catalog/importer/openlineage"
)

// marquezEvents is Marquez's food-delivery template with its time placeholders filled as
// Marquez's docker/seed.sh does (importertest.MarquezEvents).
func marquezEvents(t testing.TB) []byte { return importertest.MarquezEvents(t) }

const hiveDir = "openlineage/integration/hive/hive-openlineage-hook/integrations/container/"

// hiveEvents are the Hive integration's expected START and COMPLETE events, which are
// json-unit templates ("${json-unit.any-string}" for the times and run id, and the COMPLETE
// one has no eventTime at all), made into a complete run: one run id, real times, the
// producer and schema URL every run event carries.
func hiveEvents(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	for i, name := range []string{"cllSimpleQueryMaskingStart.json", "cllSimpleQueryMaskingComplete.json"} {
		var ev map[string]any
		if err := json.Unmarshal(importertest.ReadSample(t, hiveDir+name), &ev); err != nil {
			t.Fatal(err)
		}
		ev["eventTime"] = time.Date(2024, 5, 1, 12, 0, i, 0, time.UTC).Format(time.RFC3339Nano)
		run, _ := ev["run"].(map[string]any)
		if run == nil {
			run = map[string]any{}
			ev["run"] = run
		}
		run["runId"] = "0190a8d2-8b2e-7c4e-9a7b-5f4d3c2b1a00"
		ev["producer"] = "https://github.com/OpenLineage/OpenLineage/tree/main/integration/hive"
		ev["schemaURL"] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// specEvent wraps the spec's bare columnLineage facet test n in a COMPLETE run event that
// writes one output carrying the facet and lists as inputs the datasets the facet reads
// (without schemas: the producer of the facet did not send them).
func specEvent(t testing.TB, n int) []byte {
	t.Helper()
	var facets map[string]any
	if err := json.Unmarshal(importertest.ReadSample(t, fmt.Sprintf("openlineage/spec/tests/ColumnLineageDatasetFacet/%d.json", n)), &facets); err != nil {
		t.Fatal(err)
	}
	type ref struct{ Namespace, Name string }
	seen := map[ref]bool{}
	var inputs []any
	addRefs := func(list any) {
		for _, e := range asList(list) {
			m := e.(map[string]any)
			r := ref{m["namespace"].(string), m["name"].(string)}
			if !seen[r] {
				seen[r] = true
				inputs = append(inputs, map[string]any{"namespace": r.Namespace, "name": r.Name})
			}
		}
	}
	cl := facets["columnLineage"].(map[string]any)
	fields, _ := cl["fields"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		addRefs(fields[k].(map[string]any)["inputFields"])
	}
	addRefs(cl["dataset"])
	ev := map[string]any{
		"eventType": "COMPLETE",
		"eventTime": "2024-05-01T12:00:00Z",
		"run":       map[string]any{"runId": fmt.Sprintf("0190a8d2-8b2e-7c4e-9a7b-5f4d3c2b1a0%d", n)},
		"job":       map[string]any{"namespace": "spec-tests", "name": fmt.Sprintf("column_lineage_%d", n)},
		"inputs":    inputs,
		"outputs":   []any{map[string]any{"namespace": "spec-tests", "name": fmt.Sprintf("column_lineage_output_%d", n), "facets": facets}},
		"producer":  "https://github.com/OpenLineage/OpenLineage/tree/main/spec/tests",
		"schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func translate(t testing.TB, data []byte, opts openlineage.Options) *importer.Result {
	t.Helper()
	res, err := openlineage.Translate(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func jsonLines(events [][]byte) []byte {
	return append(bytes.Join(events, []byte("\n")), '\n')
}

// Every OpenLineage sample imports, deploys, and matches its golden document.
func TestSamples(t *testing.T) {
	cases := []struct {
		golden string
		data   func(t testing.TB) []byte
	}{
		{"marquez.golden.yaml", marquezEvents},
		{"hive.golden.yaml", func(t testing.TB) []byte { return jsonLines(hiveEvents(t)) }},
		{"spec1.golden.yaml", func(t testing.TB) []byte { return specEvent(t, 1) }},
		{"spec2.golden.yaml", func(t testing.TB) []byte { return specEvent(t, 2) }},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			res := translate(t, c.data(t), openlineage.Options{})
			importertest.Deployable(t, res.Document)
			importertest.Golden(t, c.golden, importertest.GoldenText(t, res))
		})
	}
}

func columns(a *catalog.DocAsset) map[string][]string {
	out := map[string][]string{}
	if a.Pipeline != nil {
		for _, c := range a.Pipeline.Columns {
			out[c.Field] = c.From
		}
	}
	return out
}

// The Hive masking sample: mt and ma are sha1 of their inputs (masking: true), so they
// cancel PII; the GROUP BY column a reaches every output field through the whole-dataset list.
func TestHiveMasking(t *testing.T) {
	res := translate(t, jsonLines(hiveEvents(t)), openlineage.Options{})
	out := importertest.Asset(t, res.Document, "hive/localhost_9083/test/xxx")
	for name, want := range map[string][]string{"i": nil, "t": nil, "mt": {"~PII"}, "a": nil, "ma": {"~PII"}} {
		if got := importertest.Member(t, out, name).Tags; !slices.Equal(got, want) {
			t.Errorf("%s tags = %v, want %v", name, got, want)
		}
	}
	cols := columns(out)
	const a, b = "hive/localhost_9083/test/t1.a", "hive/localhost_9083/test/t1.b"
	for name, want := range map[string][]string{"i": {a}, "t": {a}, "mt": {a}, "a": {a, b}, "ma": {a, b}} {
		if !slices.Equal(cols[name], want) {
			t.Errorf("columns[%s] = %v, want %v", name, cols[name], want)
		}
	}
	if got := out.Pipeline.Inputs; !slices.Equal(got, []string{"hive/localhost_9083/test/t1"}) {
		t.Errorf("inputs = %v", got)
	}
}

// Marquez: customers.email reaches delivery_7_days.customer_email, and the flaws the
// samples' README names are notes, with placeholders.
func TestMarquezFlaws(t *testing.T) {
	res := translate(t, marquezEvents(t), openlineage.Options{})
	d7 := importertest.Asset(t, res.Document, "food_delivery/public/delivery_7_days")
	if got := columns(d7)["customer_email"]; !slices.Equal(got, []string{"food_delivery/public/customers.email"}) {
		t.Errorf("customer_email from %v", got)
	}
	ph := importertest.Asset(t, res.Document, "food_delivery/public/menu_item_id")
	if ph.Pipeline != nil || len(ph.Members) != 1 || ph.Members[0].Name != "category_id" {
		t.Errorf("placeholder = %+v", ph)
	}
	wantNotes := map[string]string{
		"food_delivery/public/menu_item_id":             "no event lists it",
		"food_delivery/public/delivery_7_days":          "added to the pipeline's inputs",
		"food_delivery/public/restaurants.menu_item_id": "no schema facet",
	}
	for path, part := range wantNotes {
		if !importertest.HasNote(res.Notes, path, part) {
			t.Errorf("no note on %s saying %q; notes: %v", path, part, res.Notes)
		}
	}
	// email_discounts reads and writes nothing new: no dataset of its own.
	for _, a := range res.Document.Assets {
		if strings.Contains(a.Name, "email_discounts") {
			t.Errorf("a job became a dataset: %s", a.Name)
		}
	}
}
