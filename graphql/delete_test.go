package graphql_test

import (
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

const deleteMutation = `mutation($p: [String!]!, $b: String, $dry: Boolean) {
  deleteAssets(paths: $p, branch: $b, dryRun: $dry) { changed added changedAssets removed tagChanges { path added removed } errors { asset message line } version } }`

func TestDeleteAssets(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel") // version 1
	a.run(t, []gqlCase{
		{name: "a reader refuses", query: deleteMutation, vars: map[string]any{"p": []string{"User"}},
			code: "INVALID_DEFINITION", msg: "nothing was deleted"},
		{name: "a dry run shows the problems", query: deleteDryRunProblems, vars: map[string]any{"p": []string{"User"}},
			data: `{"deleteAssets": {"changed": false, "added": [], "changedAssets": [], "removed": [], "tagChanges": [], "version": 1, "errors": [
			  {"asset": "User", "line": null}, {"asset": "User.city", "line": null}]}}`},
		{name: "a dry run writes nothing", query: deleteMutation, vars: map[string]any{"p": []string{"UserFeatures"}, "dry": true},
			data: `{"deleteAssets": {"changed": true, "added": [], "changedAssets": [], "removed": ["UserFeatures"], "tagChanges": [], "errors": [], "version": 1}}`},
		{name: "still there", query: `{ asset(path: "UserFeatures") { path } branch(name: "main") { version assetCount } }`,
			data: `{"asset": {"path": "UserFeatures"}, "branch": {"version": 1, "assetCount": 4}}`},
		{name: "a path that does not exist", query: deleteMutation, vars: map[string]any{"p": []string{"UserFeatures", "Nope", "Gone"}},
			code: "NOT_FOUND", msg: "2 paths do not exist: Gone, Nope"},
		{name: "a member path", query: deleteMutation, vars: map[string]any{"p": []string{"User.city"}},
			code: "INVALID_ARGUMENT", msg: "delete removes datasets and featuresets; to drop a field or feature, deploy its dataset or featureset without it"},
		{name: "a bad path", query: deleteMutation, vars: map[string]any{"p": []string{"a//b"}}, code: "INVALID_ARGUMENT"},
		{name: "no paths", query: deleteMutation, vars: map[string]any{"p": []string{}}, code: "INVALID_ARGUMENT"},
		{name: "an unknown branch", query: deleteMutation, vars: map[string]any{"p": []string{"User"}, "b": "nope"}, code: "NOT_FOUND"},
		{name: "nothing was written", query: `{ branch(name: "main") { version assetCount } }`,
			data: `{"branch": {"version": 1, "assetCount": 4}}`},
		{name: "delete a leaf, listed twice", query: deleteMutation, vars: map[string]any{"p": []string{"UserFeatures", "UserFeatures"}},
			data: `{"deleteAssets": {"changed": true, "added": [], "changedAssets": [], "removed": ["UserFeatures"], "tagChanges": [], "errors": [], "version": 2}}`},
		{name: "gone", query: `{ asset(path: "UserFeatures") { path } m: asset(path: "UserFeatures.city") { path } featuresets { totalCount } }`,
			data: `{"asset": null, "m": null, "featuresets": {"totalCount": 0}}`},
		{name: "deleted again", query: deleteMutation, vars: map[string]any{"p": []string{"UserFeatures"}}, code: "NOT_FOUND", msg: "UserFeatures does not exist"},
		{name: "a reader and what it reads together", query: deleteMutation, vars: map[string]any{"p": []string{"User", "TxnByCity"}},
			data: `{"deleteAssets": {"changed": true, "added": [], "changedAssets": [], "removed": ["TxnByCity", "User"], "tagChanges": [], "errors": [], "version": 3}}`},
		{name: "what is left", query: `{ datasets { nodes { path } } search(tags: ["PII"]) { totalCount } }`,
			data: `{"datasets": {"nodes": [{"path": "Transaction"}]}, "search": {"totalCount": 0}}`},
	})
}

// The problems of a refused deletion name the removed asset, the reader and how it reads.
func TestDeleteAssetsProblems(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	problemsSay(t, a, []string{"User"},
		"User is removed, but TxnByCity still reads it (pipeline input)",
		"User.city is removed, but UserFeatures still reads it (from of feature city)")
	problemsSay(t, a, []string{"User", "TxnByCity"},
		"TxnByCity.total is removed, but UserFeatures still reads it",
		"User.city is removed, but UserFeatures still reads it")
}

// A feature that reads one field of a dataset alone refuses the dataset's deletion, the
// problem naming the field and the reader.
func TestDeleteAssetsMemberReader(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	out := a.gql(t, `mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": `datasets:
  - {name: Src, tags: [PII], fields: [{name: id, type: int}]}
  - {name: Other, fields: [{name: id, type: int}]}
featuresets:
  - name: F
    features: [{name: a, type: int, from: [Src.id, Other.id]}]
`})
	if out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	a.run(t, []gqlCase{
		{name: "refused while F reads Src.id", query: deleteMutation, vars: map[string]any{"p": []string{"Src"}}, code: "INVALID_DEFINITION"},
		{name: "the problems name the field", query: deleteDryRunProblems, vars: map[string]any{"p": []string{"Src"}},
			data: `{"deleteAssets": {"changed": false, "added": [], "changedAssets": [], "removed": [], "tagChanges": [], "version": 1, "errors": [
			  {"asset": "Src.id", "line": null}]}}`},
	})
	problemsSay(t, a, []string{"Src"}, "Src.id is removed, but F still reads it (from of feature a)")
}

const deleteDryRunProblems = `mutation($p: [String!]!) {
  deleteAssets(paths: $p, dryRun: true) { changed added changedAssets removed tagChanges { path } errors { asset line } version } }`

// problemsSay fails unless the problems of a dry-run deletion of paths say each of wants,
// in order (sorted by asset).
func problemsSay(t *testing.T, a *api, paths []string, wants ...string) {
	t.Helper()
	out := a.gql(t, deleteMutation, map[string]any{"p": paths, "dry": true})
	errs, _ := out["data"].(map[string]any)["deleteAssets"].(map[string]any)["errors"].([]any)
	if len(errs) != len(wants) {
		t.Fatalf("problems = %v, want %d", errs, len(wants))
	}
	for i, w := range wants {
		if m, _ := errs[i].(map[string]any)["message"].(string); !strings.Contains(m, w) {
			t.Errorf("problem %d = %q, want it to say %q", i, m, w)
		}
	}
}
