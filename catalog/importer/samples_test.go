package importer_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer/importertest"
)

// covered lists every JSON file of the lineage samples and the test that imports it, so
// that a sample added later is not silently left untested.
var covered = map[string]string{
	"marquez/docker/metadata.template.json": "openlineage TestSamples (marquez)",
	"openlineage/integration/hive/hive-openlineage-hook/integrations/container/cllSimpleQueryMaskingStart.json":    "openlineage TestSamples (hive)",
	"openlineage/integration/hive/hive-openlineage-hook/integrations/container/cllSimpleQueryMaskingComplete.json": "openlineage TestSamples (hive)",
	"openlineage/spec/tests/ColumnLineageDatasetFacet/1.json":                                                      "openlineage TestSamples (spec1)",
	"openlineage/spec/tests/ColumnLineageDatasetFacet/2.json":                                                      "openlineage TestSamples (spec2)",
	"openlineage/integration/common/tests/dbt/duckdb/target/manifest.json":                                         "dbt TestSamples (duckdb)",
	"openlineage/integration/common/tests/dbt/large/target/manifest.json":                                          "dbt TestSamples (large)",
	"openlineage/integration/common/tests/dbt/postgres/target/manifest.json":                                       "dbt TestSamples (postgres)",
	"datahub/metadata-ingestion/tests/integration/dbt/sample_dbt_manifest_1.extract.json":                          "dbt TestSamples (datahub)",
	"openlineage/spec/OpenLineage.json":                                                                            "a JSON Schema, for the HTTP endpoint",
	"openlineage/spec/facets/ColumnLineageDatasetFacet.json":                                                       "a JSON Schema, for the HTTP endpoint",
}

func TestEverySampleIsCovered(t *testing.T) {
	dir := importertest.SamplesDir(t)
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		if covered[rel] == "" {
			t.Errorf("sample %s is imported by no test: add it to a TestSamples and to covered", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for rel := range covered {
		if !seen[rel] {
			t.Errorf("sample %s is gone from %s", rel, dir)
		}
	}
}
