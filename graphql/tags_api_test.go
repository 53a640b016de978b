package graphql_test

// Tests of the lineage and tag parts of the API (DESIGN §3, §4, §6): lineage, impact,
// explainTag, setTags, defineTag and tagDefinitions, against a real server, with the
// exact JSON each answer must have.

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/graphql"
)

// gqlCase is one request and the answer it must get: exact data, or an error code.
type gqlCase struct {
	name  string
	query string
	vars  map[string]any
	data  string // expected data, JSON; "" to skip
	code  string // expected error code, "" for none
	msg   string // a part of the error's message, "" to skip
}

func (a *api) run(t *testing.T, cases []gqlCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Helper()
			a.expect(t, c)
		})
	}
}

// expect sends one case and fails the test unless the answer is exactly the expected one.
func (a *api) expect(t testing.TB, c gqlCase) {
	t.Helper()
	out := a.gql(t, c.query, c.vars)
	if got := errorCode(out); got != c.code {
		t.Fatalf("%s: error code = %q, want %q (%v)", c.name, got, c.code, out["errors"])
	}
	if c.msg != "" {
		errs, _ := out["errors"].([]any)
		if m, _ := errs[0].(map[string]any)["message"].(string); !strings.Contains(m, c.msg) {
			t.Fatalf("%s: error message %q does not contain %q", c.name, m, c.msg)
		}
	}
	if c.code != "" {
		if d, ok := out["data"]; ok && d != nil {
			// A refused field must not come with data: its parent is null.
			if m, _ := d.(map[string]any); len(m) > 0 {
				for k, v := range m {
					if v != nil {
						t.Fatalf("%s: refused with %s but data.%s = %v", c.name, c.code, k, v)
					}
				}
			}
		}
	}
	if c.data != "" && !reflect.DeepEqual(out["data"], js(t, c.data)) {
		got, _ := json.Marshal(out["data"])
		t.Fatalf("%s: data = %s\nwant %s", c.name, got, c.data)
	}
}

// lineageQuery asks for every field of a Lineage, its nodes by path and kind.
func lineageQuery(path, dir string, depth int, more string) string {
	return fmt.Sprintf(`{ lineage(path: %q, direction: %s, depth: %d%s) { nodes { path kind } edges { from to kind } redacted } }`,
		path, dir, depth, more)
}

// wantLineage is the JSON of Query.lineage with nodes (path and kind: "Path KIND") and
// edges ("From To KIND"), in the order given: the tests write them sorted, as the API must.
func wantLineage(nodes []string, edges ...string) string {
	type node struct {
		Path string `json:"path"`
		Kind string `json:"kind"`
	}
	type edge struct {
		From string `json:"from"`
		To   string `json:"to"`
		Kind string `json:"kind"`
	}
	l := struct {
		Nodes    []node   `json:"nodes"`
		Edges    []edge   `json:"edges"`
		Redacted []string `json:"redacted"`
	}{Nodes: []node{}, Edges: []edge{}, Redacted: []string{}}
	for _, n := range nodes {
		f := strings.Fields(n)
		l.Nodes = append(l.Nodes, node{f[0], f[1]})
	}
	for _, e := range edges {
		f := strings.Fields(e)
		l.Edges = append(l.Edges, edge{f[0], f[1], f[2]})
	}
	b, _ := json.Marshal(map[string]any{"lineage": l})
	return string(b)
}

// The Fennel fixture's edges (DESIGN §3), one hop each.
const (
	txnAmountC  = "Transaction Transaction.amount CONTAINMENT"
	txnAtC      = "Transaction Transaction.at CONTAINMENT"
	txnUIDC     = "Transaction Transaction.uid CONTAINMENT"
	txnD        = "Transaction TxnByCity DERIVATION"
	txnAmountF  = "Transaction.amount TxnByCity FAIL_CLOSED"
	txnAtF      = "Transaction.at TxnByCity FAIL_CLOSED"
	txnUIDF     = "Transaction.uid TxnByCity FAIL_CLOSED"
	byCityAtC   = "TxnByCity TxnByCity.at CONTAINMENT"
	byCityCityC = "TxnByCity TxnByCity.city CONTAINMENT"
	byCityTotC  = "TxnByCity TxnByCity.total CONTAINMENT"
	totalD      = "TxnByCity.total UserFeatures.total_in_hometown DERIVATION"
	userD       = "User TxnByCity DERIVATION"
	userCityC   = "User User.city CONTAINMENT"
	userUIDC    = "User User.uid CONTAINMENT"
	userUpdC    = "User User.updated_at CONTAINMENT"
	cityF       = "User.city TxnByCity FAIL_CLOSED"
	cityD       = "User.city UserFeatures.city DERIVATION"
	uidF        = "User.uid TxnByCity FAIL_CLOSED"
	updF        = "User.updated_at TxnByCity FAIL_CLOSED"
	ufCityC     = "UserFeatures UserFeatures.city CONTAINMENT"
	ufTotalC    = "UserFeatures UserFeatures.total_in_hometown CONTAINMENT"
	ufCityD     = "UserFeatures.city UserFeatures.total_in_hometown DERIVATION"
)

func TestFennelTags(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	const tih = "UserFeatures.total_in_hometown"
	a.run(t, []gqlCase{
		{name: "TxnByCity has stripe and cancels PII", query: `{ asset(path: "TxnByCity") { tags cancels declaredTags stewardTags } }`,
			data: `{"asset": {"tags": ["stripe"], "cancels": ["PII"], "declaredTags": ["~PII"], "stewardTags": []}}`},
		{name: "UserFeatures.city has PII", query: `{ asset(path: "UserFeatures.city") { tags cancels } }`,
			data: `{"asset": {"tags": ["PII"], "cancels": []}}`},
		{name: "total_in_hometown has stripe only", query: `{ asset(path: "UserFeatures.total_in_hometown") { tags cancels } }`,
			data: `{"asset": {"tags": ["stripe"], "cancels": []}}`},
		{name: "members of a dataset that cancels", query: `{ asset(path: "TxnByCity") { ... on Dataset { fields { path tags cancels } } } }`,
			data: `{"asset": {"fields": [{"path": "TxnByCity.city", "tags": ["stripe"], "cancels": []},
			  {"path": "TxnByCity.total", "tags": ["stripe"], "cancels": []}, {"path": "TxnByCity.at", "tags": ["stripe"], "cancels": []}]}}`},
		{name: "every node's tags", query: `{ lineage(path: "User", direction: DOWNSTREAM, depth: 100) { nodes { path tags cancels } } }`,
			data: `{"lineage": {"nodes": [
			  {"path": "TxnByCity", "tags": ["stripe"], "cancels": ["PII"]}, {"path": "TxnByCity.at", "tags": ["stripe"], "cancels": []},
			  {"path": "TxnByCity.city", "tags": ["stripe"], "cancels": []}, {"path": "TxnByCity.total", "tags": ["stripe"], "cancels": []},
			  {"path": "User", "tags": ["PII"], "cancels": []}, {"path": "User.city", "tags": ["PII"], "cancels": []},
			  {"path": "User.uid", "tags": ["PII"], "cancels": []}, {"path": "User.updated_at", "tags": ["PII"], "cancels": []},
			  {"path": "UserFeatures.city", "tags": ["PII"], "cancels": []}, {"path": "UserFeatures.total_in_hometown", "tags": ["stripe"], "cancels": []}]}}`},

		{name: "explain a cancelled tag", query: `{ explainTag(path: "UserFeatures.total_in_hometown", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": false, "sources": [{"source": "User", "path": ["User", "User.city", "UserFeatures.city", "UserFeatures.total_in_hometown"]}], "cancelledBy": ["TxnByCity"]}}`},
		{name: "explain a present tag", query: `{ explainTag(path: "User.city", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": true, "sources": [{"source": "User", "path": ["User", "User.city"]}], "cancelledBy": []}}`},
		{name: "explain at the source", query: `{ explainTag(path: "User", tag: "PII", branch: null) { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": true, "sources": [{"source": "User", "path": ["User"]}], "cancelledBy": []}}`},
		{name: "explain at the canceller", query: `{ explainTag(path: "TxnByCity", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": false, "sources": [{"source": "User", "path": ["User", "TxnByCity"]}], "cancelledBy": ["TxnByCity"]}}`},
		{name: "explain a tag that arrives through a pipeline", query: `{ explainTag(path: "` + tih + `", tag: "stripe", branch: "main") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": true, "sources": [{"source": "Transaction", "path": ["Transaction", "TxnByCity", "TxnByCity.total", "UserFeatures.total_in_hometown"]}], "cancelledBy": []}}`},
		{name: "explain a tag no source reaches", query: `{ explainTag(path: "UserFeatures.uid", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": false, "sources": [], "cancelledBy": []}}`},
		{name: "explain a tag nobody uses", query: `{ explainTag(path: "User", tag: "country:IN") { present sources { source } cancelledBy } }`,
			data: `{"explainTag": {"present": false, "sources": [], "cancelledBy": []}}`},
		{name: "explain on a missing asset", query: `{ explainTag(path: "Nope", tag: "PII") { present } }`, code: "NOT_FOUND", msg: "Nope does not exist on branch main"},
		{name: "explain on a missing field", query: `{ explainTag(path: "User.nope", tag: "PII") { present } }`, code: "NOT_FOUND"},
		{name: "explain on a missing branch", query: `{ explainTag(path: "User", tag: "PII", branch: "nope") { present } }`, code: "NOT_FOUND"},
		{name: "explain on a bad path", query: `{ explainTag(path: "a//b", tag: "PII") { present } }`, code: "INVALID_ARGUMENT"},
		{name: "explain a cancellation", query: `{ explainTag(path: "User", tag: "~PII") { present } }`, code: "INVALID_ARGUMENT",
			msg: `tag "~PII": explain a tag name, without "~"`},
		{name: "explain a bad tag", query: `{ explainTag(path: "User", tag: "bad tag!") { present } }`, code: "INVALID_ARGUMENT",
			msg: `tag "bad tag!" contains ' '`},
		{name: "explain an empty tag", query: `{ explainTag(path: "User", tag: "") { present } }`, code: "INVALID_ARGUMENT"},

		{name: "impact", query: `{ impact(path: "User.city") { totalCount nodes pageInfo { hasNextPage } } }`,
			data: `{"impact": {"totalCount": 6, "nodes": ["TxnByCity", "TxnByCity.at", "TxnByCity.city", "TxnByCity.total", "UserFeatures.city", "UserFeatures.total_in_hometown"], "pageInfo": {"hasNextPage": false}}}`},
		{name: "impact of a dataset", query: `{ impact(path: "Transaction", branch: "main") { nodes } }`,
			data: `{"impact": {"nodes": ["Transaction.amount", "Transaction.at", "Transaction.uid", "TxnByCity", "TxnByCity.at", "TxnByCity.city", "TxnByCity.total", "UserFeatures.total_in_hometown"]}}`},
		{name: "impact, a page", query: `{ impact(path: "Transaction", first: 2, after: "cDpUcmFuc2FjdGlvbi5hbW91bnQ") { totalCount nodes pageInfo { hasNextPage endCursor } } }`,
			data: `{"impact": {"totalCount": 8, "nodes": ["Transaction.at", "Transaction.uid"], "pageInfo": {"hasNextPage": true, "endCursor": "cDpUcmFuc2FjdGlvbi51aWQ"}}}`},
		{name: "impact, first 0", query: `{ impact(path: "Transaction", first: 0) { totalCount nodes pageInfo { hasNextPage endCursor } } }`,
			data: `{"impact": {"totalCount": 8, "nodes": [], "pageInfo": {"hasNextPage": true, "endCursor": null}}}`},
		{name: "impact of a leaf", query: `{ impact(path: "UserFeatures.total_in_hometown") { totalCount nodes } }`, data: `{"impact": {"totalCount": 0, "nodes": []}}`},
		{name: "impact of a missing asset", query: `{ impact(path: "Nope") { totalCount } }`, code: "NOT_FOUND"},
		{name: "impact on a missing branch", query: `{ impact(path: "User", branch: "nope") { totalCount } }`, code: "NOT_FOUND"},
		{name: "impact, page too large", query: `{ impact(path: "User", first: 10001) { totalCount } }`, code: "INVALID_ARGUMENT"},
		{name: "impact, negative page", query: `{ impact(path: "User", first: -1) { totalCount } }`, code: "INVALID_ARGUMENT"},
		{name: "impact, bad cursor", query: `{ impact(path: "User", after: "!!") { totalCount } }`, code: "INVALID_ARGUMENT"},
	})
}

func TestLineage(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	const tih = "UserFeatures.total_in_hometown"
	var (
		txnFields  = []string{"Transaction DATASET", "Transaction.amount FIELD", "Transaction.at FIELD", "Transaction.uid FIELD"}
		byCity     = "TxnByCity DATASET"
		userFields = []string{"User DATASET", "User.city FIELD", "User.uid FIELD", "User.updated_at FIELD"}
	)
	cat := func(parts ...any) []string {
		var out []string
		for _, p := range parts {
			switch p := p.(type) {
			case string:
				out = append(out, p)
			case []string:
				out = append(out, p...)
			}
		}
		return out
	}
	upstreamOfByCity := wantLineage(cat(txnFields, byCity, userFields),
		txnAmountC, txnAtC, txnUIDC, txnD, txnAmountF, txnAtF, txnUIDF, userD, userCityC, userUIDC, userUpdC, cityF, uidF, updF)
	a.run(t, []gqlCase{
		// Upstream of a pipeline without column lineage: the input datasets and, by the
		// fail-closed rule, every field of each input.
		{name: "upstream depth 0", query: lineageQuery("TxnByCity", "UPSTREAM", 0, ""), data: wantLineage([]string{byCity})},
		{name: "upstream depth 1", query: lineageQuery("TxnByCity", "UPSTREAM", 1, ""), data: upstreamOfByCity},
		{name: "upstream depth 1 is the default", query: `{ lineage(path: "TxnByCity", direction: UPSTREAM) { nodes { path kind } edges { from to kind } redacted } }`, data: upstreamOfByCity},
		{name: "null depth is the default", query: `{ lineage(path: "TxnByCity", direction: UPSTREAM, depth: null, granularity: null, branch: null) { nodes { path kind } edges { from to kind } redacted } }`, data: upstreamOfByCity},
		{name: "upstream depth 2 of sources adds nothing", query: lineageQuery("TxnByCity", "UPSTREAM", 2, ""), data: upstreamOfByCity},

		{name: "feature upstream depth 0", query: lineageQuery(tih, "UPSTREAM", 0, ""), data: wantLineage([]string{tih + " FEATURE"})},
		{name: "feature upstream depth 1", query: lineageQuery(tih, "UPSTREAM", 1, ""),
			data: wantLineage([]string{"TxnByCity.total FIELD", "UserFeatures FEATURESET", "UserFeatures.city FEATURE", tih + " FEATURE"},
				totalD, ufCityC, ufTotalC, ufCityD)},
		// Depth 2 reaches TxnByCity and User.city, and the edge between those two, though
		// neither is a parent of the start.
		{name: "feature upstream depth 2", query: lineageQuery(tih, "UPSTREAM", 2, ""),
			data: wantLineage([]string{"TxnByCity DATASET", "TxnByCity.total FIELD", "User.city FIELD", "UserFeatures FEATURESET", "UserFeatures.city FEATURE", tih + " FEATURE"},
				byCityTotC, totalD, cityF, cityD, ufCityC, ufTotalC, ufCityD)},
		{name: "feature upstream, everything", query: lineageQuery(tih, "UPSTREAM", 1000000, ""),
			data: wantLineage(cat(txnFields, byCity, "TxnByCity.total FIELD", userFields, "UserFeatures FEATURESET", "UserFeatures.city FEATURE", tih+" FEATURE"),
				txnAmountC, txnAtC, txnUIDC, txnD, txnAmountF, txnAtF, txnUIDF, byCityTotC, totalD,
				userD, userCityC, userUIDC, userUpdC, cityF, cityD, uidF, updF, ufCityC, ufTotalC, ufCityD)},

		{name: "downstream depth 0", query: lineageQuery("User", "DOWNSTREAM", 0, ""), data: wantLineage([]string{"User DATASET"})},
		{name: "downstream depth 1", query: lineageQuery("User", "DOWNSTREAM", 1, ""),
			data: wantLineage(cat(byCity, userFields), userD, userCityC, userUIDC, userUpdC, cityF, uidF, updF)},
		{name: "downstream depth 2", query: lineageQuery("User", "DOWNSTREAM", 2, ""),
			data: wantLineage(cat(byCity, "TxnByCity.at FIELD", "TxnByCity.city FIELD", "TxnByCity.total FIELD", userFields, "UserFeatures.city FEATURE"),
				byCityAtC, byCityCityC, byCityTotC, userD, userCityC, userUIDC, userUpdC, cityF, cityD, uidF, updF)},
		{name: "downstream, everything", query: lineageQuery("User", "DOWNSTREAM", 50, ""),
			data: wantLineage(cat(byCity, "TxnByCity.at FIELD", "TxnByCity.city FIELD", "TxnByCity.total FIELD", userFields, "UserFeatures.city FEATURE", tih+" FEATURE"),
				byCityAtC, byCityCityC, byCityTotC, totalD, userD, userCityC, userUIDC, userUpdC, cityF, cityD, uidF, updF, ufCityD)},
		{name: "downstream of a field", query: lineageQuery("User.city", "DOWNSTREAM", 1, ""),
			data: wantLineage([]string{byCity, "User.city FIELD", "UserFeatures.city FEATURE"}, cityF, cityD)},
		{name: "downstream of a leaf", query: lineageQuery(tih, "DOWNSTREAM", 5, ""), data: wantLineage([]string{tih + " FEATURE"})},

		// DATASET granularity: members fold into their dataset or featureset; the many
		// edges between two of those appear once, and none from one to itself.
		{name: "datasets downstream depth 0", query: lineageQuery("User", "DOWNSTREAM", 0, ", granularity: DATASET"), data: wantLineage([]string{"User DATASET"})},
		{name: "datasets downstream depth 1", query: lineageQuery("User", "DOWNSTREAM", 1, ", granularity: DATASET"),
			data: wantLineage([]string{byCity, "User DATASET", "UserFeatures FEATURESET"},
				"TxnByCity UserFeatures DERIVATION", "User TxnByCity DERIVATION", "User UserFeatures DERIVATION")},
		{name: "datasets downstream of Transaction", query: lineageQuery("Transaction", "DOWNSTREAM", 10, ", granularity: DATASET"),
			data: wantLineage([]string{"Transaction DATASET", byCity, "UserFeatures FEATURESET"},
				"Transaction TxnByCity DERIVATION", "TxnByCity UserFeatures DERIVATION")},
		{name: "datasets downstream depth 1 of Transaction", query: lineageQuery("Transaction", "DOWNSTREAM", 1, ", granularity: DATASET"),
			data: wantLineage([]string{"Transaction DATASET", byCity}, "Transaction TxnByCity DERIVATION")},
		{name: "datasets upstream from a feature", query: lineageQuery(tih, "UPSTREAM", 1, ", granularity: DATASET"),
			data: wantLineage([]string{byCity, "User DATASET", "UserFeatures FEATURESET"},
				"TxnByCity UserFeatures DERIVATION", "User TxnByCity DERIVATION", "User UserFeatures DERIVATION")},
		{name: "datasets upstream, everything", query: lineageQuery("UserFeatures", "UPSTREAM", 100, ", granularity: DATASET"),
			data: wantLineage([]string{"Transaction DATASET", byCity, "User DATASET", "UserFeatures FEATURESET"},
				"Transaction TxnByCity DERIVATION", "TxnByCity UserFeatures DERIVATION", "User TxnByCity DERIVATION", "User UserFeatures DERIVATION")},
		{name: "column granularity by name", query: lineageQuery("User.city", "DOWNSTREAM", 1, ", granularity: COLUMN"),
			data: wantLineage([]string{byCity, "User.city FIELD", "UserFeatures.city FEATURE"}, cityF, cityD)},
		{name: "dataset nodes carry their tags", query: `{ lineage(path: "User", direction: DOWNSTREAM, depth: 3, granularity: DATASET) { nodes { path tags cancels ... on Dataset { fields { name } } } } }`,
			data: `{"lineage": {"nodes": [{"path": "TxnByCity", "tags": ["stripe"], "cancels": ["PII"], "fields": [{"name": "city"}, {"name": "total"}, {"name": "at"}]},
			  {"path": "User", "tags": ["PII"], "cancels": [], "fields": [{"name": "uid"}, {"name": "city"}, {"name": "updated_at"}]},
			  {"path": "UserFeatures", "tags": [], "cancels": []}]}}`},

		{name: "negative depth", query: lineageQuery("User", "DOWNSTREAM", -1, ""), code: "INVALID_ARGUMENT"},
		{name: "negative depth at dataset granularity", query: lineageQuery("User", "UPSTREAM", -5, ", granularity: DATASET"), code: "INVALID_ARGUMENT"},
		{name: "unknown path", query: lineageQuery("Nope", "DOWNSTREAM", 1, ""), code: "NOT_FOUND"},
		{name: "unknown field", query: lineageQuery("User.nope", "UPSTREAM", 1, ""), code: "NOT_FOUND"},
		{name: "unknown branch", query: lineageQuery("User", "DOWNSTREAM", 1, `, branch: "nope"`), code: "NOT_FOUND"},
		{name: "bad path", query: lineageQuery("a//b", "DOWNSTREAM", 1, ""), code: "INVALID_ARGUMENT"},
		{name: "direction is required", query: `{ lineage(path: "User") { redacted } }`, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "unknown direction", query: `{ lineage(path: "User", direction: SIDEWAYS) { redacted } }`, code: "GRAPHQL_VALIDATION_FAILED"},
	})
}

// TestCustomerColumnLineage is DESIGN §3's example: with column lineage only the mapped
// input fields are parents; without it, every input field is (fail-closed).
func TestCustomerColumnLineage(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	const doc = `
datasets:
  - name: Customer
    fields: [{name: id, type: int, key: true}, {name: email, type: str, tags: [PII]}, {name: country, type: str}]
  - name: CustomerByCountry        # column lineage: only the mapped fields are parents
    fields: [{name: country, type: str, key: true}, {name: customers, type: int}]
    pipeline: {inputs: [Customer], columns: {country: [Customer.country], customers: [Customer.id]}}
  - name: CustomerExport           # no column lineage: every field of Customer is a parent
    fields: [{name: id, type: int, key: true}, {name: contact, type: str}]
    pipeline: {inputs: [Customer]}
`
	a.expect(t, gqlCase{name: "deploy", query: `mutation($d: String!) { deploy(document: $d) { added tagChanges { path added removed } } }`,
		vars: map[string]any{"d": doc},
		data: `{"deploy": {"added": ["Customer", "CustomerByCountry", "CustomerExport"], "tagChanges": [
		  {"path": "Customer.email", "added": ["PII"], "removed": []}, {"path": "CustomerExport", "added": ["PII"], "removed": []},
		  {"path": "CustomerExport.contact", "added": ["PII"], "removed": []}, {"path": "CustomerExport.id", "added": ["PII"], "removed": []}]}}`})
	const datasets = `{ datasets(prefix: "Customer") { nodes { path tags fields { path tags } } } }`
	a.run(t, []gqlCase{
		{name: "tags", query: datasets, data: `{"datasets": {"nodes": [
		  {"path": "Customer", "tags": [], "fields": [{"path": "Customer.id", "tags": []}, {"path": "Customer.email", "tags": ["PII"]}, {"path": "Customer.country", "tags": []}]},
		  {"path": "CustomerByCountry", "tags": [], "fields": [{"path": "CustomerByCountry.country", "tags": []}, {"path": "CustomerByCountry.customers", "tags": []}]},
		  {"path": "CustomerExport", "tags": ["PII"], "fields": [{"path": "CustomerExport.id", "tags": ["PII"]}, {"path": "CustomerExport.contact", "tags": ["PII"]}]}]}}`},
		{name: "with column lineage no input field is a parent of the dataset", query: lineageQuery("CustomerByCountry", "UPSTREAM", 1, ""),
			data: wantLineage([]string{"Customer DATASET", "CustomerByCountry DATASET"}, "Customer CustomerByCountry DERIVATION")},
		{name: "a mapped field has its input field as parent", query: lineageQuery("CustomerByCountry.country", "UPSTREAM", 1, ""),
			data: wantLineage([]string{"Customer.country FIELD", "CustomerByCountry DATASET", "CustomerByCountry.country FIELD"},
				"Customer.country CustomerByCountry.country DERIVATION", "CustomerByCountry CustomerByCountry.country CONTAINMENT")},
		{name: "without column lineage every input field is a parent", query: lineageQuery("CustomerExport", "UPSTREAM", 1, ""),
			data: wantLineage([]string{"Customer DATASET", "Customer.country FIELD", "Customer.email FIELD", "Customer.id FIELD", "CustomerExport DATASET"},
				"Customer Customer.country CONTAINMENT", "Customer Customer.email CONTAINMENT", "Customer Customer.id CONTAINMENT", "Customer CustomerExport DERIVATION",
				"Customer.country CustomerExport FAIL_CLOSED", "Customer.email CustomerExport FAIL_CLOSED", "Customer.id CustomerExport FAIL_CLOSED")},
		{name: "downstream of the PII column", query: lineageQuery("Customer.email", "DOWNSTREAM", 2, ""),
			data: wantLineage([]string{"Customer.email FIELD", "CustomerExport DATASET", "CustomerExport.contact FIELD", "CustomerExport.id FIELD"},
				"Customer.email CustomerExport FAIL_CLOSED", "CustomerExport CustomerExport.contact CONTAINMENT", "CustomerExport CustomerExport.id CONTAINMENT")},
		{name: "explain through a fail-closed edge", query: `{ explainTag(path: "CustomerExport.contact", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": true, "sources": [{"source": "Customer.email", "path": ["Customer.email", "CustomerExport", "CustomerExport.contact"]}], "cancelledBy": []}}`},
		{name: "explain where column lineage keeps PII out", query: `{ explainTag(path: "CustomerByCountry", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": false, "sources": [], "cancelledBy": []}}`},
		{name: "impact of the PII column", query: `{ impact(path: "Customer.email") { nodes } }`,
			data: `{"impact": {"nodes": ["CustomerExport", "CustomerExport.contact", "CustomerExport.id"]}}`},
	})
	// A ~PII on Customer.country does not cancel what the fail-closed edges bring
	// (DESIGN §4), and the cancellation does not reach CustomerExport.
	a.expect(t, gqlCase{name: "setTags ~PII", query: `mutation { setTags(path: "Customer.country", tags: ["~PII"]) { path tags cancels } }`,
		data: `{"setTags": {"path": "Customer.country", "tags": [], "cancels": ["PII"]}}`})
	a.run(t, []gqlCase{
		{name: "fail-closed edges do not pass a cancellation", query: `{ e: asset(path: "CustomerExport") { tags } c: asset(path: "CustomerExport.contact") { tags } }`,
			data: `{"e": {"tags": ["PII"]}, "c": {"tags": ["PII"]}}`},
		{name: "nor explain one", query: `{ explainTag(path: "CustomerExport", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": true, "sources": [{"source": "Customer.email", "path": ["Customer.email", "CustomerExport"]}], "cancelledBy": []}}`},
		{name: "a mapped column takes the cancellation", query: `{ explainTag(path: "CustomerByCountry.country", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": false, "sources": [], "cancelledBy": ["Customer.country"]}}`},
	})
}

func TestSetTags(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	const set = `mutation($p: String!, $t: [String!]!, $b: String) { setTags(path: $p, tags: $t, branch: $b) { path kind tags cancels declaredTags stewardTags } }`
	const tih = `{ asset(path: "UserFeatures.total_in_hometown") { tags } }`
	steps := []gqlCase{
		// A field: its tags at once, and what is computed from it in the next request.
		{name: "on a field", query: set, vars: map[string]any{"p": "Transaction.amount", "t": []string{"sensitive"}},
			data: `{"setTags": {"path": "Transaction.amount", "kind": "FIELD", "tags": ["sensitive", "stripe"], "cancels": [], "declaredTags": [], "stewardTags": ["sensitive"]}}`},
		{name: "the field's tag downstream", query: `{ b: asset(path: "TxnByCity") { tags } t: asset(path: "TxnByCity.total") { tags } f: asset(path: "UserFeatures.total_in_hometown") { tags } s: asset(path: "Transaction") { tags } }`,
			data: `{"b": {"tags": ["sensitive", "stripe"]}, "t": {"tags": ["sensitive", "stripe"]}, "f": {"tags": ["sensitive", "stripe"]}, "s": {"tags": ["stripe"]}}`},
		{name: "the field's tag explained", query: `{ explainTag(path: "TxnByCity.total", tag: "sensitive") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": true, "sources": [{"source": "Transaction.amount", "path": ["Transaction.amount", "TxnByCity", "TxnByCity.total"]}], "cancelledBy": []}}`},
		// A dataset: the steward's list sits beside the definition's.
		{name: "on a dataset", query: set, vars: map[string]any{"p": "User", "t": []string{"gdpr", "gdpr"}, "b": "main"},
			data: `{"setTags": {"path": "User", "kind": "DATASET", "tags": ["PII", "gdpr"], "cancels": [], "declaredTags": ["PII"], "stewardTags": ["gdpr"]}}`},
		{name: "the dataset's tag downstream", query: `{ c: asset(path: "User.city") { tags } u: asset(path: "UserFeatures.city") { tags } b: asset(path: "TxnByCity") { tags cancels } ` +
			`f: asset(path: "UserFeatures.total_in_hometown") { tags } }`,
			data: `{"c": {"tags": ["PII", "gdpr"]}, "u": {"tags": ["PII", "gdpr"]}, "b": {"tags": ["gdpr", "sensitive", "stripe"], "cancels": ["PII"]}, "f": {"tags": ["gdpr", "sensitive", "stripe"]}}`},
		// A steward's declaration of a tag name replaces the definition's: PII replaces ~PII.
		{name: "a steward's tag replaces the definition's cancellation", query: set, vars: map[string]any{"p": "TxnByCity", "t": []string{"PII"}},
			data: `{"setTags": {"path": "TxnByCity", "kind": "DATASET", "tags": ["PII", "gdpr", "sensitive", "stripe"], "cancels": [], "declaredTags": ["~PII"], "stewardTags": ["PII"]}}`},
		{name: "PII reaches total_in_hometown", query: tih, data: `{"asset": {"tags": ["PII", "gdpr", "sensitive", "stripe"]}}`},
		{name: "a steward cancels on a feature", query: set, vars: map[string]any{"p": "UserFeatures.city", "t": []string{"~gdpr", "~PII"}},
			data: `{"setTags": {"path": "UserFeatures.city", "kind": "FEATURE", "tags": [], "cancels": ["PII", "gdpr"], "declaredTags": [], "stewardTags": ["~PII", "~gdpr"]}}`},
		// total_in_hometown reads UserFeatures.city, which now cancels both (DOWNSTREAM).
		{name: "the cancellation downstream", query: tih, data: `{"asset": {"tags": ["sensitive", "stripe"]}}`},
		{name: "clearing the steward tags", query: set, vars: map[string]any{"p": "TxnByCity", "t": []string{}},
			data: `{"setTags": {"path": "TxnByCity", "kind": "DATASET", "tags": ["gdpr", "sensitive", "stripe"], "cancels": ["PII"], "declaredTags": ["~PII"], "stewardTags": []}}`},
		{name: "clearing the feature's", query: set, vars: map[string]any{"p": "UserFeatures.city", "t": []string{}},
			data: `{"setTags": {"path": "UserFeatures.city", "kind": "FEATURE", "tags": ["PII", "gdpr"], "cancels": [], "declaredTags": [], "stewardTags": []}}`},
		{name: "back to the definition's", query: tih, data: `{"asset": {"tags": ["gdpr", "sensitive", "stripe"]}}`},
		{name: "setting the same tags again", query: set, vars: map[string]any{"p": "User", "t": []string{"gdpr"}},
			data: `{"setTags": {"path": "User", "kind": "DATASET", "tags": ["PII", "gdpr"], "cancels": [], "declaredTags": ["PII"], "stewardTags": ["gdpr"]}}`},

		{name: "missing asset", query: set, vars: map[string]any{"p": "Nope", "t": []string{"PII"}}, code: "NOT_FOUND"},
		{name: "missing field", query: set, vars: map[string]any{"p": "User.nope", "t": []string{"PII"}}, code: "NOT_FOUND"},
		{name: "missing branch", query: set, vars: map[string]any{"p": "User", "t": []string{"PII"}, "b": "nope"}, code: "NOT_FOUND"},
		{name: "a tag and its cancellation", query: set, vars: map[string]any{"p": "User", "t": []string{"PII", "~PII"}}, code: "INVALID_ARGUMENT"},
		{name: "a bad tag", query: set, vars: map[string]any{"p": "User", "t": []string{"bad tag!"}}, code: "INVALID_ARGUMENT"},
		{name: "an empty tag", query: set, vars: map[string]any{"p": "User", "t": []string{""}}, code: "INVALID_ARGUMENT"},
		{name: "a bad path", query: set, vars: map[string]any{"p": "a//b", "t": []string{"PII"}}, code: "INVALID_ARGUMENT"},
		{name: "the refusals wrote nothing", query: `{ asset(path: "User") { tags stewardTags } }`,
			data: `{"asset": {"tags": ["PII", "gdpr"], "stewardTags": ["gdpr"]}}`},
	}
	for _, s := range steps {
		a.expect(t, s)
	}

	// A deploy keeps the stewards' tags: the same document, and a changed one.
	doc, _ := fixtures.Get("fennel")
	const deploy = `mutation($d: String!) { deploy(document: $d) { changed changedAssets tagChanges { path added removed } } }`
	a.expect(t, gqlCase{name: "the same document", query: deploy, vars: map[string]any{"d": string(doc)},
		data: `{"deploy": {"changed": false, "changedAssets": [], "tagChanges": []}}`})
	changed := strings.Replace(string(doc), "{name: amount, type: float}", "{name: amount, type: decimal}", 1)
	changed = strings.Replace(changed, "Users of the app, one row per user.", "Users.", 1)
	a.expect(t, gqlCase{name: "a changed document", query: deploy, vars: map[string]any{"d": changed},
		data: `{"deploy": {"changed": true, "changedAssets": ["Transaction", "User"], "tagChanges": []}}`})
	a.expect(t, gqlCase{name: "steward tags after the deploy",
		query: `{ u: asset(path: "User") { tags declaredTags stewardTags description } m: asset(path: "Transaction.amount") { tags stewardTags ... on Field { type } } f: asset(path: "UserFeatures.total_in_hometown") { tags } }`,
		data: `{"u": {"tags": ["PII", "gdpr"], "declaredTags": ["PII"], "stewardTags": ["gdpr"], "description": "Users."},
		        "m": {"tags": ["sensitive", "stripe"], "stewardTags": ["sensitive"], "type": "decimal"}, "f": {"tags": ["gdpr", "sensitive", "stripe"]}}`})
	// A deploy that drops a field drops its steward tags, and what they brought downstream.
	dropped := strings.Replace(changed, "      - {name: amount, type: decimal}\n", "", 1)
	if dropped == changed {
		t.Fatal("the fixture changed: cannot drop Transaction.amount")
	}
	a.expect(t, gqlCase{name: "a deploy that drops the field", query: deploy, vars: map[string]any{"d": dropped},
		data: `{"deploy": {"changed": true, "changedAssets": ["Transaction"], "tagChanges": [
		  {"path": "TxnByCity", "added": [], "removed": ["sensitive"]}, {"path": "TxnByCity.at", "added": [], "removed": ["sensitive"]},
		  {"path": "TxnByCity.city", "added": [], "removed": ["sensitive"]}, {"path": "TxnByCity.total", "added": [], "removed": ["sensitive"]},
		  {"path": "UserFeatures.total_in_hometown", "added": [], "removed": ["sensitive"]}]}}`})
}

func TestSetTagsOnBranch(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	a.expect(t, gqlCase{name: "branch", query: `mutation { createBranch(name: "dev") { name } }`, data: `{"createBranch": {"name": "dev"}}`})
	a.expect(t, gqlCase{name: "setTags on dev", query: `mutation { setTags(path: "UserFeatures.uid", tags: ["PII"], branch: "dev") { tags stewardTags } }`,
		data: `{"setTags": {"tags": ["PII"], "stewardTags": ["PII"]}}`})
	a.expect(t, gqlCase{name: "main is unchanged", query: `{ d: asset(path: "UserFeatures.uid", branch: "dev") { tags } m: asset(path: "UserFeatures.uid") { tags stewardTags } ` +
		`e: explainTag(path: "UserFeatures.uid", tag: "PII", branch: "dev") { present sources { source path } } }`,
		data: `{"d": {"tags": ["PII"]}, "m": {"tags": [], "stewardTags": []}, "e": {"present": true, "sources": [{"source": "UserFeatures.uid", "path": ["UserFeatures.uid"]}]}}`})
	// The same tag from two sources is explained with both, each with a shortest path.
	a.expect(t, gqlCase{name: "a second source", query: `mutation { setTags(path: "User.city", tags: ["stripe"], branch: "dev") { tags } }`,
		data: `{"setTags": {"tags": ["PII", "stripe"]}}`})
	a.expect(t, gqlCase{name: "two sources", query: `{ explainTag(path: "UserFeatures.total_in_hometown", tag: "stripe", branch: "dev") { present sources { source path } cancelledBy } }`,
		data: `{"explainTag": {"present": true, "sources": [
		  {"source": "Transaction", "path": ["Transaction", "TxnByCity", "TxnByCity.total", "UserFeatures.total_in_hometown"]},
		  {"source": "User.city", "path": ["User.city", "UserFeatures.city", "UserFeatures.total_in_hometown"]}], "cancelledBy": []}}`})
	a.expect(t, gqlCase{name: "one source on main", query: `{ explainTag(path: "UserFeatures.total_in_hometown", tag: "stripe") { sources { source } } }`,
		data: `{"explainTag": {"sources": [{"source": "Transaction"}]}}`})
}

func TestDefineTag(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	const def = `{ name description propagate negation }`
	const tih = `{ asset(path: "UserFeatures.total_in_hometown") { tags } }`
	steps := []gqlCase{
		{name: "no definitions yet", query: `{ tagDefinitions ` + def + ` }`, data: `{"tagDefinitions": []}`},
		// NODE: TxnByCity's ~PII stops PII there only; PII still reaches total_in_hometown
		// through UserFeatures.city.
		{name: "PII with negation NODE", query: `mutation { defineTag(name: "PII", negation: NODE) ` + def + ` }`,
			data: `{"defineTag": {"name": "PII", "description": null, "propagate": true, "negation": "NODE"}}`},
		{name: "PII reaches total_in_hometown", query: tih, data: `{"asset": {"tags": ["PII", "stripe"]}}`},
		{name: "TxnByCity still cancels PII", query: `{ b: asset(path: "TxnByCity") { tags cancels } t: asset(path: "TxnByCity.total") { tags cancels } }`,
			data: `{"b": {"tags": ["stripe"], "cancels": ["PII"]}, "t": {"tags": ["stripe"], "cancels": []}}`},
		{name: "explained", query: `{ explainTag(path: "UserFeatures.total_in_hometown", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": true, "sources": [{"source": "User", "path": ["User", "User.city", "UserFeatures.city", "UserFeatures.total_in_hometown"]}], "cancelledBy": []}}`},
		{name: "explained at the canceller", query: `{ explainTag(path: "TxnByCity", tag: "PII") { present sources { source path } cancelledBy } }`,
			data: `{"explainTag": {"present": false, "sources": [{"source": "User", "path": ["User", "TxnByCity"]}], "cancelledBy": ["TxnByCity"]}}`},
		{name: "listed", query: `{ tagDefinitions ` + def + ` }`,
			data: `{"tagDefinitions": [{"name": "PII", "description": null, "propagate": true, "negation": "NODE"}]}`},

		// Explicit nulls mean the defaults: every setting is set, so negation is DOWNSTREAM again.
		{name: "explicit nulls are the defaults", query: `mutation { defineTag(name: "PII", description: null, propagate: null, negation: null) ` + def + ` }`,
			data: `{"defineTag": {"name": "PII", "description": null, "propagate": true, "negation": "DOWNSTREAM"}}`},
		{name: "cancelled again", query: tih, data: `{"asset": {"tags": ["stripe"]}}`},
		{name: "null variables are the defaults too", query: `mutation($p: Boolean, $n: Negation) { defineTag(name: "PII", propagate: $p, negation: $n) ` + def + ` }`,
			vars: map[string]any{"p": nil, "n": nil},
			data: `{"defineTag": {"name": "PII", "description": null, "propagate": true, "negation": "DOWNSTREAM"}}`},
		{name: "variables", query: `mutation($p: Boolean, $n: Negation) { defineTag(name: "PII", propagate: $p, negation: $n) ` + def + ` }`,
			vars: map[string]any{"p": true, "n": "NODE"},
			data: `{"defineTag": {"name": "PII", "description": null, "propagate": true, "negation": "NODE"}}`},
		{name: "PII back on total_in_hometown", query: tih, data: `{"asset": {"tags": ["PII", "stripe"]}}`},

		// propagate: false keeps stripe on Transaction and its fields only.
		{name: "stripe does not propagate", query: `mutation { defineTag(name: "stripe", description: "From Stripe.", propagate: false) ` + def + ` }`,
			data: `{"defineTag": {"name": "stripe", "description": "From Stripe.", "propagate": false, "negation": "DOWNSTREAM"}}`},
		{name: "stripe stays at its source", query: `{ s: asset(path: "Transaction") { tags } f: asset(path: "Transaction.amount") { tags } b: asset(path: "TxnByCity") { tags } t: asset(path: "UserFeatures.total_in_hometown") { tags } ` +
			`e: explainTag(path: "TxnByCity", tag: "stripe") { present sources { source } cancelledBy } }`,
			data: `{"s": {"tags": ["stripe"]}, "f": {"tags": ["stripe"]}, "b": {"tags": []}, "t": {"tags": ["PII"]}, "e": {"present": false, "sources": [], "cancelledBy": []}}`},
		{name: "a tag nobody uses", query: `mutation { defineTag(name: "country:IN", negation: NODE) ` + def + ` }`,
			data: `{"defineTag": {"name": "country:IN", "description": null, "propagate": true, "negation": "NODE"}}`},
		{name: "all listed by name", query: `{ tagDefinitions ` + def + ` }`,
			data: `{"tagDefinitions": [{"name": "PII", "description": null, "propagate": true, "negation": "NODE"},
			  {"name": "country:IN", "description": null, "propagate": true, "negation": "NODE"},
			  {"name": "stripe", "description": "From Stripe.", "propagate": false, "negation": "DOWNSTREAM"}]}`},
		// Back to propagating: stripe flows down again.
		{name: "stripe propagates again", query: `mutation { defineTag(name: "stripe") { propagate negation } }`,
			data: `{"defineTag": {"propagate": true, "negation": "DOWNSTREAM"}}`},
		{name: "stripe downstream again", query: tih, data: `{"asset": {"tags": ["PII", "stripe"]}}`},

		{name: "bad name", query: `mutation { defineTag(name: "bad tag!") { name } }`, code: "INVALID_ARGUMENT"},
		{name: "a cancellation is not a name", query: `mutation { defineTag(name: "~PII") { name } }`, code: "INVALID_ARGUMENT"},
		{name: "empty name", query: `mutation { defineTag(name: "") { name } }`, code: "INVALID_ARGUMENT"},
		{name: "unknown negation", query: `mutation { defineTag(name: "PII", negation: SIDEWAYS) { name } }`, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "the refusals defined nothing", query: `{ tagDefinitions { name } }`,
			data: `{"tagDefinitions": [{"name": "PII"}, {"name": "country:IN"}, {"name": "stripe"}]}`},
	}
	for _, s := range steps {
		a.expect(t, s)
	}
}

// TestDefineTagEveryBranch: defineTag re-propagates the tag on every branch before it
// returns.
func TestDefineTagEveryBranch(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	a.expect(t, gqlCase{name: "branch", query: `mutation { createBranch(name: "dev") { name } }`, data: `{"createBranch": {"name": "dev"}}`})
	a.expect(t, gqlCase{name: "define", query: `mutation { defineTag(name: "PII", negation: NODE) { negation } }`, data: `{"defineTag": {"negation": "NODE"}}`})
	a.expect(t, gqlCase{name: "both branches", query: `{ m: asset(path: "UserFeatures.total_in_hometown") { tags } d: asset(path: "UserFeatures.total_in_hometown", branch: "dev") { tags } }`,
		data: `{"m": {"tags": ["PII", "stripe"]}, "d": {"tags": ["PII", "stripe"]}}`})
}

func TestDryRunTagChanges(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	doc, _ := fixtures.Get("fennel")
	without := strings.Replace(string(doc), `    tags: ["~PII"]`+"\n", "", 1)
	if without == string(doc) {
		t.Fatal("the fixture changed: cannot remove TxnByCity's ~PII")
	}
	const deploy = `mutation($d: String!, $dry: Boolean) { deploy(document: $d, dryRun: $dry) { changed added changedAssets removed tagChanges { path added removed } errors { message } version } }`
	const plan = `{"deploy": {"changed": true, "added": [], "changedAssets": ["TxnByCity"], "removed": [], "tagChanges": [
	  {"path": "TxnByCity", "added": ["PII"], "removed": []}, {"path": "TxnByCity.at", "added": ["PII"], "removed": []},
	  {"path": "TxnByCity.city", "added": ["PII"], "removed": []}, {"path": "TxnByCity.total", "added": ["PII"], "removed": []},
	  {"path": "UserFeatures.total_in_hometown", "added": ["PII"], "removed": []}], "errors": [], "version": %d}}`
	const state = `{ b: asset(path: "TxnByCity") { tags cancels declaredTags } t: asset(path: "UserFeatures.total_in_hometown") { tags } branch(name: "main") { version } }`
	a.expect(t, gqlCase{name: "plan", query: deploy, vars: map[string]any{"d": without, "dry": true}, data: fmt.Sprintf(plan, 1)})
	a.expect(t, gqlCase{name: "the plan wrote nothing", query: state,
		data: `{"b": {"tags": ["stripe"], "cancels": ["PII"], "declaredTags": ["~PII"]}, "t": {"tags": ["stripe"]}, "branch": {"version": 1}}`})
	a.expect(t, gqlCase{name: "the plan again", query: deploy, vars: map[string]any{"d": without, "dry": true}, data: fmt.Sprintf(plan, 1)})
	a.expect(t, gqlCase{name: "deploy", query: deploy, vars: map[string]any{"d": without}, data: fmt.Sprintf(plan, 2)})
	a.expect(t, gqlCase{name: "the deploy wrote", query: state,
		data: `{"b": {"tags": ["PII", "stripe"], "cancels": [], "declaredTags": []}, "t": {"tags": ["PII", "stripe"]}, "branch": {"version": 2}}`})
}

// TestDemoTagsExplained: for every node of the demo catalog and every tag it shows,
// explainTag says present, with a source whose witness path starts at that source, ends at
// the node, and follows edges of the lineage graph.
func TestDemoTagsExplained(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	for _, d := range fixtures.Documents() {
		a.deployFixture(t, d.Name)
	}
	var nodes []struct{ path, tag string }
	declares := map[string][]string{} // path -> declared and steward tags
	for _, list := range []string{"datasets", "featuresets"} {
		members := "fields"
		if list == "featuresets" {
			members = "features"
		}
		out := a.gql(t, `{ `+list+`(first: 1000) { nodes { path tags declaredTags `+members+` { path tags declaredTags } } } }`, nil)
		if out["errors"] != nil {
			t.Fatalf("%s: %v", list, out["errors"])
		}
		for _, n := range out["data"].(map[string]any)[list].(map[string]any)["nodes"].([]any) {
			n := n.(map[string]any)
			all := []any{n}
			all = append(all, n[members].([]any)...)
			for _, x := range all {
				x := x.(map[string]any)
				p := x["path"].(string)
				for _, d := range x["declaredTags"].([]any) {
					declares[p] = append(declares[p], d.(string))
				}
				for _, tag := range x["tags"].([]any) {
					nodes = append(nodes, struct{ path, tag string }{p, tag.(string)})
				}
			}
		}
	}
	if len(nodes) < 30 {
		t.Fatalf("the demo catalog shows only %d tags; the fixtures changed?", len(nodes))
	}
	// The explanation and the upstream lineage of each node, as many nodes a request as
	// its limit of expensive fields allows.
	data := map[string]any{}
	for lo, per := 0, graphql.MaxExpensiveFields/2; lo < len(nodes); lo += per {
		var q strings.Builder
		q.WriteString("{")
		for i := lo; i < min(lo+per, len(nodes)); i++ {
			n := nodes[i]
			fmt.Fprintf(&q, " e%d: explainTag(path: %s, tag: %s) { present sources { source path } cancelledBy }", i, strconv.Quote(n.path), strconv.Quote(n.tag))
			fmt.Fprintf(&q, " l%d: lineage(path: %s, direction: UPSTREAM, depth: 1000) { edges { from to } }", i, strconv.Quote(n.path))
		}
		q.WriteString(" }")
		out := a.gql(t, q.String(), nil)
		if out["errors"] != nil {
			t.Fatalf("explain: %v", out["errors"])
		}
		maps.Copy(data, out["data"].(map[string]any))
	}
	for i, n := range nodes {
		e := data["e"+strconv.Itoa(i)].(map[string]any)
		edges := map[[2]string]bool{}
		for _, x := range data["l"+strconv.Itoa(i)].(map[string]any)["edges"].([]any) {
			x := x.(map[string]any)
			edges[[2]string{x["from"].(string), x["to"].(string)}] = true
		}
		if e["present"] != true {
			t.Errorf("%s shows %s but explainTag says %v", n.path, n.tag, e)
			continue
		}
		if c := e["cancelledBy"].([]any); len(c) != 0 {
			t.Errorf("%s has %s, yet explainTag lists cancellers %v", n.path, n.tag, c)
		}
		found := false
		for _, s := range e["sources"].([]any) {
			s := s.(map[string]any)
			src := s["source"].(string)
			var path []string
			for _, p := range s["path"].([]any) {
				path = append(path, p.(string))
			}
			if len(path) == 0 || path[0] != src || path[len(path)-1] != n.path {
				t.Errorf("%s %s: the witness path %v of %s does not run from the source to the node", n.path, n.tag, path, src)
				continue
			}
			if !contains(declares[src], n.tag) {
				t.Errorf("%s %s: the source %s does not declare it (it declares %v)", n.path, n.tag, src, declares[src])
			}
			for j := 1; j < len(path); j++ {
				if !edges[[2]string{path[j-1], path[j]}] {
					t.Errorf("%s %s: the witness path %v has %s -> %s, which is no edge", n.path, n.tag, path, path[j-1], path[j])
				}
			}
			found = true
		}
		if !found {
			t.Errorf("%s has %s but explainTag gives no source: %v", n.path, n.tag, e)
		}
	}
}
