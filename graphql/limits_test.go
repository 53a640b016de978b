package graphql_test

import (
	"testing"

	"github.com/tagflow/tagflow/fixtures/synth"
	"github.com/tagflow/tagflow/graphql"
)

// A lineage answer past MaxLineageNodes is refused with INVALID_ARGUMENT and a hint; the
// same walk at dataset granularity fits.
func TestLineageAnswerIsBounded(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	o := synth.Options{Datasets: 1200, Fields: 10, Seed: 2, NoDescription: true}
	out := a.gql(t, `mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": string(synth.YAML(o))})
	if out["errors"] != nil {
		t.Fatalf("deploy: %v", out["errors"])
	}
	q := `query($p: String!, $g: Granularity) { lineage(path: $p, direction: DOWNSTREAM, depth: 10000, granularity: $g) { nodes { path } } }`
	out = a.gql(t, q, map[string]any{"p": o.DatasetPath(0)})
	if errorCode(out) != "INVALID_ARGUMENT" {
		t.Fatalf("a walk over %d nodes: %v", graphql.MaxLineageNodes, out)
	}
	out = a.gql(t, q, map[string]any{"p": o.DatasetPath(0), "g": "DATASET"})
	nodes, _ := out["data"].(map[string]any)["lineage"].(map[string]any)["nodes"].([]any)
	if errorCode(out) != "" || len(nodes) < 100 {
		t.Fatalf("the walk at dataset granularity: %d nodes, %v", len(nodes), out["errors"])
	}
}
