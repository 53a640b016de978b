package openlineage_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer/openlineage"
)

// Applying the documents of Changed one after another, each entry replacing the one of its
// path (a deploy without prune), always gives what Result gives, however the events are
// cut into batches, ordered and repeated: the HTTP endpoint deploys only Changed.
func TestChangedCatchesUpWithResult(t *testing.T) {
	sets := map[string][][]byte{
		"marquez": splitEvents(t, marquezEvents(t)),
		"hive":    hiveEvents(t),
		"spec":    {specEvent(t, 1), specEvent(t, 2)},
	}
	for name, events := range sets {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(events))))
			for range 100 {
				all := append(append([][]byte{}, events...), events[:rng.IntN(len(events))]...)
				rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
				m, _ := openlineage.NewMerger(openlineage.Options{})
				applied := map[string]catalog.DocAsset{}
				for i := 0; i < len(all); {
					n := 1 + rng.IntN(4)
					for ; n > 0 && i < len(all); n, i = n-1, i+1 {
						if err := m.AddJSON(all[i]); err != nil {
							t.Fatal(err)
						}
					}
					ch, err := m.Changed()
					if err != nil {
						t.Fatal(err)
					}
					for _, a := range ch.Document.Assets {
						applied[a.Name] = a
					}
					full, err := m.Result()
					if err != nil {
						t.Fatal(err)
					}
					if len(applied) != len(full.Document.Assets) {
						t.Fatalf("after %d events: %d datasets applied, %d in Result", i, len(applied), len(full.Document.Assets))
					}
					for _, a := range full.Document.Assets {
						if !reflect.DeepEqual(applied[a.Name], a) {
							t.Fatalf("after %d events %s is\n%+v\nin Result but\n%+v\nafter the Changed documents", i, a.Name, a, applied[a.Name])
						}
					}
				}
			}
		})
	}
}
