package dbt_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer/dbt"
	"github.com/tagflow/tagflow/catalog/importer/importertest"
)

// manifest writes a v12 manifest with the given nodes (JSON entries "uid": {...}) and
// optional extra top-level entries.
func manifest(nodes string, extra ...string) string {
	s := `{"metadata":{"dbt_schema_version":"https://schemas.getdbt.com/dbt/manifest/v12.json"},"nodes":{` + nodes + `},"sources":{}`
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

func model(uid, body string) string {
	kind := strings.SplitN(uid, ".", 2)[0]
	if body != "" {
		body = "," + body
	}
	return fmt.Sprintf(`%q:{"unique_id":%q,"resource_type":%q%s}`, uid, uid, kind, body)
}

func withColumn(meta string) string {
	return `"columns":{"c":{"name":"c","data_type":"varchar(20)","meta":` + meta + `}}`
}

// meta: pii, contains_pii, is_sensitive or sensitive set to boolean true, or pii among the
// comma-separated terms, declares PII on the column or model; a model's meta.pii: false
// declares ~PII; nothing else does.
func TestMeta(t *testing.T) {
	cases := []struct {
		meta   string
		model  []string // the model's tags with this meta on the model
		column []string // the column's tags with this meta on the column
	}{
		{`{"pii":true}`, []string{"PII"}, []string{"PII"}},
		{`{"contains_pii":true}`, []string{"PII"}, []string{"PII"}},
		{`{"is_sensitive":true}`, []string{"PII"}, []string{"PII"}},
		{`{"sensitive":true}`, []string{"PII"}, []string{"PII"}},
		{`{"terms":"pii"}`, []string{"PII"}, []string{"PII"}},
		{`{"terms":"finance, PII ,other"}`, []string{"PII"}, []string{"PII"}},
		{`{"terms":"piiish, customer_id"}`, nil, nil},
		{`{"pii":"true"}`, nil, nil}, // a string, not boolean true (noted)
		{`{"pii":1}`, nil, nil},
		{`{"PII":true}`, nil, nil},               // keys as dbt writes them
		{`{"pii":false}`, []string{"~PII"}, nil}, // ~PII for a model only
		{`{"contains_pii":false}`, nil, nil},
		{`{"pii":false,"is_sensitive":true}`, []string{"PII"}, []string{"PII"}},
		{`{"owner":"@alice"}`, nil, nil}, // owners are not imported
		{`{}`, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.meta, func(t *testing.T) {
			res := translate(t, []byte(manifest(model("model.p.m", `"meta":`+c.meta))), dbt.Options{})
			if got := importertest.Asset(t, res.Document, "model/p/m").Tags; !slices.Equal(got, c.model) {
				t.Errorf("model tags = %v, want %v", got, c.model)
			}
			res = translate(t, []byte(manifest(model("model.p.m", withColumn(c.meta)))), dbt.Options{})
			if got := importertest.Member(t, importertest.Asset(t, res.Document, "model/p/m"), "c").Tags; !slices.Equal(got, c.column) {
				t.Errorf("column tags = %v, want %v", got, c.column)
			}
		})
	}
	// config.meta counts like meta (dbt moves meta there in newer versions).
	res := translate(t, []byte(manifest(model("model.p.m", `"config":{"meta":{"contains_pii":true}}`))), dbt.Options{})
	if got := importertest.Asset(t, res.Document, "model/p/m").Tags; !slices.Equal(got, []string{"PII"}) {
		t.Errorf("config.meta: tags = %v", got)
	}
	res = translate(t, []byte(manifest(model("model.p.m", `"meta":{"pii":"yes"}`))), dbt.Options{})
	if !importertest.HasNote(res.Notes, "model/p/m", "not a boolean") {
		t.Errorf("no note on a string pii: %v", res.Notes)
	}
}

// dbt tags are tags as they are, renamed case-insensitively by MapTags; a tag tagflow
// cannot hold is left out with a note; PII beats ~PII on one node.
func TestTags(t *testing.T) {
	cases := []struct {
		tags string
		opts dbt.Options
		want []string
	}{
		{`["nightly","finance"]`, dbt.Options{}, []string{"finance", "nightly"}},
		{`"nightly"`, dbt.Options{}, []string{"nightly"}},
		{`["pii"]`, dbt.Options{}, []string{"pii"}},
		{`["pii"]`, dbt.Options{MapTags: map[string]string{"pii": "PII"}}, []string{"PII"}},
		{`["Pii","PII"]`, dbt.Options{MapTags: map[string]string{"pII": "PII"}}, []string{"PII"}},
		{`["has space"]`, dbt.Options{}, nil},
		{`["nightly","nightly"]`, dbt.Options{}, []string{"nightly"}},
	}
	for _, c := range cases {
		res := translate(t, []byte(manifest(model("model.p.m", `"tags":`+c.tags+`,"columns":{"c":{"name":"c","tags":`+c.tags+`}}`))), c.opts)
		a := importertest.Asset(t, res.Document, "model/p/m")
		if !slices.Equal(a.Tags, c.want) || !slices.Equal(importertest.Member(t, a, "c").Tags, c.want) {
			t.Errorf("tags %s %v: model %v, column %v; want %v", c.tags, c.opts.MapTags, a.Tags, importertest.Member(t, a, "c").Tags, c.want)
		}
	}
	res := translate(t, []byte(manifest(model("model.p.m", `"tags":["PII"],"meta":{"pii":false}`))), dbt.Options{})
	if got := importertest.Asset(t, res.Document, "model/p/m").Tags; !slices.Equal(got, []string{"PII"}) || !importertest.HasNote(res.Notes, "model/p/m", "is kept") {
		t.Errorf("PII and ~PII: %v, notes %v", got, res.Notes)
	}
	for in, ok := range map[string]bool{"pii=PII": true, "a=b:c": true, "pii": false, "=PII": false, "pii=": false, "pii=bad tag": false} {
		from, to, err := dbt.ParseMapTag(in)
		if (err == nil) != ok {
			t.Errorf("ParseMapTag(%q) = %q, %q, %v", in, from, to, err)
		}
	}
	if _, err := dbt.Translate(strings.NewReader(manifest("")), dbt.Options{MapTags: map[string]string{"a": "bad tag"}}); err == nil {
		t.Error("a mapping to a bad tag is accepted")
	}
}

// Models, seeds, snapshots and sources are datasets; the rest are not. depends_on gives
// the inputs (fail-closed: no column lineage); a missing target is a placeholder.
func TestKindsAndInputs(t *testing.T) {
	nodes := strings.Join([]string{
		model("model.p.m", `"description":"the model","columns":{"id":{"name":"id","data_type":"BIGINT","description":"key"},"ts":{"name":"ts","data_type":"timestamp_ntz"}},"depends_on":{"nodes":["seed.p.s","snapshot.p.snap","source.p.src.t","model.p.gone","test.p.t1","macro.p.x","model.p.m"]}`),
		model("seed.p.s", ""),
		model("snapshot.p.snap", ""),
		model("test.p.t1", `"depends_on":{"nodes":["model.p.m"]}`),
		model("analysis.p.a", ""),
	}, ",")
	src := `"sources":{"source.p.src.t":{"unique_id":"source.p.src.t","resource_type":"source","columns":{"x":{"name":"x"}}}}`
	data := strings.Replace(manifest(nodes, `"macros":{"macro.p.x":{"name":"x"}}`, `"exposures":{"exposure.p.e":{}}`, `"metrics":{}`, `"docs":{"doc.p.d":{}}`), `"sources":{}`, src, 1)
	res := translate(t, []byte(data), dbt.Options{})
	var paths []string
	for _, a := range res.Document.Assets {
		paths = append(paths, a.Name)
	}
	if !slices.Equal(paths, []string{"model/p/gone", "model/p/m", "seed/p/s", "snapshot/p/snap", "source/p/src/t"}) {
		t.Errorf("datasets = %v", paths)
	}
	m := importertest.Asset(t, res.Document, "model/p/m")
	if !slices.Equal(m.Pipeline.Inputs, []string{"model/p/gone", "seed/p/s", "snapshot/p/snap", "source/p/src/t"}) || m.Pipeline.HasColumns {
		t.Errorf("pipeline = %+v", m.Pipeline)
	}
	if m.Description != "the model" || importertest.Member(t, m, "id").Type != "int" || importertest.Member(t, m, "id").Description != "key" || importertest.Member(t, m, "ts").Type != "datetime" {
		t.Errorf("model = %+v", m)
	}
	for part, path := range map[string]string{"which the manifest does not hold": "model/p/m", "names the node itself": "model/p/m", "is a test": "model/p/m"} {
		if !importertest.HasNote(res.Notes, path, part) {
			t.Errorf("no note saying %q: %v", part, res.Notes)
		}
	}
	if !importertest.HasNote(res.Notes, "", `resource type "analysis"`) && importertest.HasNote(res.Notes, "", "analysis") {
		t.Errorf("analysis noted oddly: %v", res.Notes)
	}
}

func TestNamespace(t *testing.T) {
	data := manifest(model("model.p.m", `"depends_on":{"nodes":["seed.p.s"]}`) + "," + model("seed.p.s", ""))
	res := translate(t, []byte(data), dbt.Options{Namespace: "warehouse/dbt"})
	if res.Document.Namespace != "warehouse/dbt" || !slices.Equal(importertest.Asset(t, res.Document, "model/p/m").Pipeline.Inputs, []string{"seed/p/s"}) {
		t.Errorf("document = %+v", res.Document)
	}
	for _, ns := range []string{"/abs", "trailing/", "bad:ns"} {
		if _, err := dbt.Translate(strings.NewReader(data), dbt.Options{Namespace: ns}); err == nil {
			t.Errorf("namespace %q accepted", ns)
		}
	}
}

func TestParentMap(t *testing.T) {
	nodes := model("model.p.a", `"depends_on":{"nodes":["seed.p.s"]}`) + "," + model("seed.p.s", "") + "," + model("model.p.b", `"depends_on":{"nodes":["seed.p.s"]}`)
	res := translate(t, []byte(manifest(nodes, `"parent_map":{"model.p.a":["seed.p.s"],"model.p.b":["model.p.a"],"seed.p.s":[],"test.p.gone":["model.p.a"]}`)), dbt.Options{})
	if importertest.HasNote(res.Notes, "model/p/a", "parent_map") {
		t.Errorf("an agreeing parent_map is noted: %v", res.Notes)
	}
	if !importertest.HasNote(res.Notes, "model/p/b", "only depends_on names seed.p.s; only parent_map names model.p.a") {
		t.Errorf("no note on b: %v", res.Notes)
	}
	if !importertest.HasNote(res.Notes, "", "lists 1 node(s) the manifest does not hold (test.p.gone)") {
		t.Errorf("no note on test.p.gone: %v", res.Notes)
	}
}

func TestCollisionsAndErrors(t *testing.T) {
	_, err := dbt.Translate(strings.NewReader(manifest(model("model.p.a_b", "")+","+model("model.p.a:b", ""))), dbt.Options{})
	if err == nil || !strings.Contains(err.Error(), `"model.p.a:b"`) || !strings.Contains(err.Error(), `"model.p.a_b"`) {
		t.Errorf("collision: %v", err)
	}
	_, err = dbt.Translate(strings.NewReader(manifest(model("model.p.m", `"columns":{"a.b":{"name":"a.b"},"a_b":{"name":"a_b"}}`))), dbt.Options{})
	if err == nil || !strings.Contains(err.Error(), `column "a.b"`) {
		t.Errorf("column collision: %v", err)
	}
	bad := []struct{ name, data, want string }{
		{"empty", "", "empty"},
		{"not an object", "[]", "a dbt manifest is a JSON object"},
		{"syntax", `{"nodes":{"model.p.m":{"name": x}}}`, `nodes["model.p.m"]: not valid JSON`},
		{"type", `{"nodes":{"model.p.m":{"resource_type":"model","depends_on":{"nodes":"seed.p.s"}}}}`, `nodes["model.p.m"]: key "depends_on.nodes" is a JSON string, expected an array`},
		{"columns", `{"nodes":{"model.p.m":{"resource_type":"model","columns":[]}}}`, `nodes["model.p.m"]`},
		{"truncated", `{"nodes":{"model.p.m":{"resource_type":"model"`, "ends too early"},
		{"trailing", `{} {}`, "after the manifest"},
		{"section", `{"nodes":[]}`, "nodes must be an object"},
	}
	for _, c := range bad {
		_, err := dbt.Translate(strings.NewReader(c.data), dbt.Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
		if err != nil && c.name != "empty" && !strings.Contains(err.Error(), "byte ") {
			t.Errorf("%s: %v names no byte offset", c.name, err)
		}
	}
	res := translate(t, []byte(`{"nodes":{},"future_key":{"a":[1,2,{"b":null}]},"metadata":{"dbt_schema_version":"https://schemas.getdbt.com/dbt/manifest/v1.json"}}`), dbt.Options{})
	if !importertest.HasNote(res.Notes, "", `unknown top-level key "future_key"`) || !importertest.HasNote(res.Notes, "", "older than v2") {
		t.Errorf("notes = %v", res.Notes)
	}
}
