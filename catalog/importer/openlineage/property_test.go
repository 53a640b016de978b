package openlineage_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer"
	"github.com/tagflow/tagflow/catalog/importer/openlineage"
)

// splitEvents returns the events of a JSON array, each as its own JSON.
func splitEvents(t testing.TB, data []byte) [][]byte {
	t.Helper()
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(raw))
	for i, r := range raw {
		out[i] = r
	}
	return out
}

// Any permutation and duplication of the same events gives the same document, whether
// the events come as one log or are added one by one (as the HTTP endpoint will).
func TestAnyOrderAnyRepetition(t *testing.T) {
	sets := map[string][][]byte{
		"marquez": splitEvents(t, marquezEvents(t)),
		"hive":    hiveEvents(t),
		"spec":    {specEvent(t, 1), specEvent(t, 2)},
	}
	for name, events := range sets {
		t.Run(name, func(t *testing.T) {
			want, err := importer.YAML(translate(t, jsonLines(events), openlineage.Options{}).Document)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(11, uint64(len(events))))
			for trial := range 200 {
				shuffled := make([][]byte, 0, 2*len(events))
				for _, e := range events {
					for range 1 + rng.IntN(3) {
						shuffled = append(shuffled, e)
					}
				}
				rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				var got []byte
				if trial%2 == 0 {
					got, err = importer.YAML(translate(t, jsonLines(shuffled), openlineage.Options{}).Document)
				} else {
					m, _ := openlineage.NewMerger(openlineage.Options{})
					for _, e := range shuffled {
						if err := m.AddJSON(e); err != nil {
							t.Fatal(err)
						}
					}
					res, rerr := m.Result()
					if rerr != nil {
						t.Fatal(rerr)
					}
					got, err = importer.YAML(res.Document)
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("trial %d: %d events in another order give another document", trial, len(shuffled))
				}
			}
		})
	}
}
