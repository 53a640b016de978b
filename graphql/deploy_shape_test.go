package graphql_test

import (
	"reflect"
	"testing"

	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/graphql"
)

// REST and GraphQL deploys are one function with one result shape: the REST body of a
// deploy is, field for field, the GraphQL DeployResult of the same deploy (dry runs, so
// that both see the same branch state).
func TestRESTAndGraphQLDeployAnswerOneShape(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	doc, _ := fixtures.Get("fennel")
	for _, dry := range []string{"true", "false"} {
		t.Run("dryRun="+dry, func(t *testing.T) {
			out := a.gql(t, `mutation($d: String!, $dry: Boolean) { deploy(document: $d, dryRun: $dry) {
				changed added changedAssets removed version problemCount tagChangeCount warnings
				tagChanges(first: 10000) { path added removed } errors { asset message line } } }`,
				map[string]any{"d": string(doc), "dry": dry == "true"})
			if out["errors"] != nil {
				t.Fatal(out["errors"])
			}
			gql := out["data"].(map[string]any)["deploy"].(map[string]any)
			status, rest := a.post(t, "/api/v1/deploy?dryRun="+dry, a.token, "application/yaml", doc)
			if dry == "false" {
				// The same document again is the already-applied short-cut: unchanged.
				if status != 200 || rest["changed"] != false || rest["version"] != gql["version"] {
					t.Fatalf("redeploy %d %v", status, rest)
				}
				return
			}
			if status != 200 || !reflect.DeepEqual(gql, rest) {
				t.Fatalf("REST %d\n%v\nGraphQL\n%v", status, rest, gql)
			}
		})
	}
}

// An error's message does not repeat its problems, over REST as over GraphQL: they are in
// their own field, which clients read (STYLE §9).
func TestRESTErrorMessageLeavesProblemsToTheirField(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	status, out := a.post(t, "/api/v1/deploy", a.token, "application/yaml", []byte("datasets:\n  - {name: \"B/\"}\n  - {name: A, colour: red}\n"))
	if status != 400 || out["message"] != "deploy main: the document is invalid; nothing was deployed" || out["problemCount"] != float64(2) {
		t.Fatalf("%d %v", status, out)
	}
}
