package openlineage_test

import (
	"bytes"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer/importertest"
	"github.com/tagflow/tagflow/catalog/importer/openlineage"
)

// FuzzTranslate: no input crashes the translation, and every document it returns deploys.
// go test -fuzz FuzzTranslate ./catalog/importer/openlineage
func FuzzTranslate(f *testing.F) {
	f.Add([]byte(ev("COMPLETE", 1, ds("a", schema("x:int")), ds("b", schema("y:str")+`,"columnLineage":{"fields":{"y":{"inputFields":[`+in("a", "x", directMasked)+`]}},"dataset":[`+in("c", "z", indirect)+`]}`))))
	f.Add([]byte(`[{"job":{"namespace":"n","name":"j"},"outputs":[{"namespace":"hive://h:1/x","name":"..a.b./c"}]}]`))
	f.Add([]byte(`{"dataset":{"namespace":"n","name":"d","facets":{"schema":{"fields":[{"name":"a.b","type":"decimal(1,2)"}]}}}}`))
	f.Add([]byte("{}\n{}\n"))
	for _, e := range hiveEvents(f) {
		f.Add(e)
	}
	f.Add(specEvent(f, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := openlineage.Translate(bytes.NewReader(data), openlineage.Options{})
		if err != nil {
			return
		}
		if err := importertest.CheckDeployable(res.Document); err != nil {
			t.Fatalf("input %q: %v", data, err)
		}
	})
}
