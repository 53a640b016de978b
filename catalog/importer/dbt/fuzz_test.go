package dbt_test

import (
	"bytes"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer/dbt"
	"github.com/tagflow/tagflow/catalog/importer/importertest"
)

// FuzzTranslate: no manifest crashes the translation, and every document it returns
// deploys. go test -fuzz FuzzTranslate ./catalog/importer/dbt
func FuzzTranslate(f *testing.F) {
	f.Add([]byte(manifest(model("model.p.m", `"tags":["a"],"meta":{"pii":false},"columns":{"c":{"name":"c","meta":{"terms":"pii"}}},"depends_on":{"nodes":["seed.p.s","model.p.gone"]}`)+","+model("seed.p.s", ""), `"parent_map":{"model.p.m":[]}`)))
	f.Add([]byte(`{"nodes":{"model..x":{"resource_type":"model","columns":{"a/b":{}}}},"sources":null}`))
	f.Add([]byte(`{"x":[[[]]],"disabled":{"model.a.b":[{}]}}`))
	f.Add([]byte(`{"metadata":{"dbt_schema_version":"https://schemas.getdbt.com/dbt/manifest/v7.json"},"nodes":{"snapshot.s.c":{"resource_type":"snapshot","depends_on":{"nodes":["source.s.p.c"]}}},"sources":{"source.s.p.c":{"resource_type":"source","meta":{"owner":"@bob"},"columns":{"id":{"name":"id","data_type":"int4","meta":{"is_sensitive":true,"terms":"pii, id"},"tags":["t"]}}}},"parent_map":{"snapshot.s.c":["source.s.p.c"]},"_extract":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := dbt.Translate(bytes.NewReader(data), dbt.Options{MapTags: map[string]string{"pii": "PII"}})
		if err != nil {
			return
		}
		if err := importertest.CheckDeployable(res.Document); err != nil {
			t.Fatalf("input %q: %v", data, err)
		}
	})
}
