package graphql_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// Search on the Fennel fixture (DESIGN §7): every filter, alone and together.
func TestSearchFilters(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	const q = `query($t: String, $k: AssetKind, $tags: [String!], $o: String, $b: String) {
  search(text: $t, kind: $k, tags: $tags, owner: $o, branch: $b) { totalCount nodes { path } } }`
	paths := func(ps ...string) string {
		nodes := make([]string, len(ps))
		for i, p := range ps {
			nodes[i] = `{"path": "` + p + `"}`
		}
		return `{"search": {"totalCount": ` + strconv.Itoa(len(ps)) + `, "nodes": [` + strings.Join(nodes, ", ") + `]}}`
	}
	cases := []gqlCase{
		{name: "every PII column", query: q, vars: map[string]any{"tags": []string{"PII"}, "k": "FIELD"},
			data: paths("User.city", "User.uid", "User.updated_at")},
		{name: "PII of any kind", query: q, vars: map[string]any{"tags": []string{"PII"}},
			data: paths("User", "User.city", "User.uid", "User.updated_at", "UserFeatures.city")},
		{name: "a cancelled tag is not present", query: q, vars: map[string]any{"tags": []string{"PII"}, "t": "TxnByCity"},
			data: paths()},
		{name: "every tag listed must be present", query: q, vars: map[string]any{"tags": []string{"PII", "stripe"}},
			data: paths()},
		{name: "stripe datasets", query: q, vars: map[string]any{"tags": []string{"stripe"}, "k": "DATASET"},
			data: paths("Transaction", "TxnByCity")},
		{name: "stripe features", query: q, vars: map[string]any{"tags": []string{"stripe"}, "k": "FEATURE"},
			data: paths("UserFeatures.total_in_hometown")},
		{name: "a tag nobody uses", query: q, vars: map[string]any{"tags": []string{"unused"}}, data: paths()},
		{name: "text in paths, any case", query: q, vars: map[string]any{"t": "city"},
			data: paths("TxnByCity", "TxnByCity.at", "TxnByCity.city", "TxnByCity.total", "User.city", "UserFeatures.city")},
		{name: "text across the member dot", query: q, vars: map[string]any{"t": "USER.CI"}, data: paths("User.city")},
		{name: "text in descriptions", query: q, vars: map[string]any{"t": "stripe"}, data: paths("Transaction")},
		{name: "text and kind", query: q, vars: map[string]any{"t": "city", "k": "DATASET"}, data: paths("TxnByCity")},
		{name: "featuresets", query: q, vars: map[string]any{"k": "FEATURESET"}, data: paths("UserFeatures")},
		{name: "owner of datasets", query: q, vars: map[string]any{"o": "user:admin", "k": "DATASET"},
			data: paths("Transaction", "TxnByCity", "User")},
		{name: "a feature's owner is its featureset's", query: q, vars: map[string]any{"o": "user:admin", "k": "FEATURE"},
			data: paths("UserFeatures.city", "UserFeatures.total_in_hometown", "UserFeatures.uid")},
		{name: "another owner", query: q, vars: map[string]any{"o": "team:data"}, data: paths()},
		{name: "null filters mean none", query: q, vars: map[string]any{"t": nil, "k": nil, "tags": nil, "o": nil, "b": nil},
			data: `{"search": {"totalCount": 16, "nodes": [{"path": "Transaction"}, {"path": "Transaction.amount"}, {"path": "Transaction.at"}, {"path": "Transaction.uid"},
			  {"path": "TxnByCity"}, {"path": "TxnByCity.at"}, {"path": "TxnByCity.city"}, {"path": "TxnByCity.total"},
			  {"path": "User"}, {"path": "User.city"}, {"path": "User.uid"}, {"path": "User.updated_at"},
			  {"path": "UserFeatures"}, {"path": "UserFeatures.city"}, {"path": "UserFeatures.total_in_hometown"}, {"path": "UserFeatures.uid"}]}}`},
		{name: "nodes are assets", query: `{ search(tags: ["PII"], kind: FEATURE) { nodes { path kind tags owner ... on Feature { name featureset } } } }`,
			data: `{"search": {"nodes": [{"path": "UserFeatures.city", "kind": "FEATURE", "tags": ["PII"], "owner": "user:admin", "name": "city", "featureset": "UserFeatures"}]}}`},
		{name: "a cancellation is not a tag to search", query: q, vars: map[string]any{"tags": []string{"~PII"}}, code: "INVALID_ARGUMENT", msg: "~PII"},
		{name: "a bad tag name", query: q, vars: map[string]any{"tags": []string{"bad tag!"}}, code: "INVALID_ARGUMENT", msg: "bad tag!"},
		{name: "a bad owner", query: q, vars: map[string]any{"o": "admin"}, code: "INVALID_ARGUMENT", msg: "kind:name"},
		{name: "an unknown owner kind", query: q, vars: map[string]any{"o": "robot:x"}, code: "INVALID_ARGUMENT", msg: "unknown kind"},
		{name: "an unknown kind", query: q, vars: map[string]any{"k": "TABLE"}, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "an unknown branch", query: q, vars: map[string]any{"b": "nope"}, code: "NOT_FOUND"},
		{name: "first too large", query: `{ search(first: 1001) { totalCount } }`, code: "INVALID_ARGUMENT", msg: "first"},
		{name: "first negative", query: `{ search(first: -1) { totalCount } }`, code: "INVALID_ARGUMENT", msg: "first"},
		{name: "first 0 counts", query: `{ search(first: 0, kind: DATASET) { totalCount nodes { path } pageInfo { hasNextPage endCursor } } }`,
			data: `{"search": {"totalCount": 3, "nodes": [], "pageInfo": {"hasNextPage": true, "endCursor": null}}}`},
		{name: "a bad cursor", query: `{ search(after: "zzz") { totalCount } }`, code: "INVALID_ARGUMENT", msg: "cursor"},
	}
	a.run(t, cases)
}

// Paging walks every match once, in string order of the paths, with members of one asset
// interleaved with other assets where the strings say so ("A b" < "A-b" < "A.x").
func TestSearchPaging(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	out := a.gql(t, `mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": `datasets:
  - {name: A, fields: [{name: x, type: int}]}
  - {name: A b, fields: [{name: y, type: int}]}
  - {name: A-b, fields: [{name: z, type: int}]}
`})
	if out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	want := "A,A b,A b.y,A-b,A-b.z,A.x,Transaction,Transaction.amount,Transaction.at,Transaction.uid,TxnByCity,TxnByCity.at,TxnByCity.city,TxnByCity.total,User,User.city,User.uid,User.updated_at,UserFeatures,UserFeatures.city,UserFeatures.total_in_hometown,UserFeatures.uid"
	for _, size := range []int{1, 2, 5, 22, 1000} {
		var seen []string
		after := any(nil)
		for page := 0; page < 30; page++ {
			out := a.gql(t, `query($a: String, $n: Int) { search(first: $n, after: $a) { totalCount nodes { path } pageInfo { hasNextPage endCursor } } }`,
				map[string]any{"a": after, "n": size})
			if out["errors"] != nil {
				t.Fatal(out["errors"])
			}
			d := out["data"].(map[string]any)["search"].(map[string]any)
			if n := d["totalCount"].(float64); n != 22 {
				t.Fatalf("page %d of %d: totalCount %v", page, size, n)
			}
			nodes := d["nodes"].([]any)
			if len(nodes) > size {
				t.Fatalf("page of %d nodes, asked for %d", len(nodes), size)
			}
			for _, n := range nodes {
				seen = append(seen, n.(map[string]any)["path"].(string))
			}
			pi := d["pageInfo"].(map[string]any)
			if !pi["hasNextPage"].(bool) {
				break
			}
			after = pi["endCursor"]
		}
		if got := strings.Join(seen, ","); got != want {
			t.Fatalf("pages of %d gave\n%s\nwant\n%s", size, got, want)
		}
	}
}
