package graphql_test

// Tests of what writes report (tag changes bounded and counted, warnings), explainTag's
// stopped sources, tagUsage, and the refusal of tag names that differ only by case.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// bigDoc is a dataset tagged PII with n fields: a first deploy changes n+1 assets' tags.
func bigDoc(n int) string {
	var b strings.Builder
	b.WriteString("datasets:\n  - name: Src\n    tags: [PII]\n    fields:\n")
	for i := n - 1; i >= 0; i-- { // declared in reverse: the first by path come last
		fmt.Fprintf(&b, "      - {name: f%05d, type: int}\n", i)
	}
	return b.String()
}

func TestDeployTagChangesBounded(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	const n = 10_500
	doc := bigDoc(n)
	const q = `mutation($d: String!, $f: Int) { deploy(document: $d, dryRun: true) { tagChangeCount warnings d: tagChanges { path } f: tagChanges(first: $f) { path added removed } } }`
	for _, c := range []struct {
		first any
		want  int
		code  string
	}{{nil, 1000, ""}, {0, 0, ""}, {1, 1, ""}, {10_000, 10_000, ""}, {10_001, 0, "INVALID_ARGUMENT"}, {-1, 0, "INVALID_ARGUMENT"}} {
		out := a.gql(t, q, map[string]any{"d": doc, "f": c.first})
		if got := errorCode(out); got != c.code {
			t.Fatalf("first %v: code %q, want %q (%v)", c.first, got, c.code, out["errors"])
		}
		if c.code != "" {
			continue
		}
		d := out["data"].(map[string]any)["deploy"].(map[string]any)
		f, def := d["f"].([]any), d["d"].([]any)
		if d["tagChangeCount"] != float64(n+1) || len(f) != c.want || len(def) != 1000 || len(d["warnings"].([]any)) != 0 {
			t.Fatalf("first %v: count %v, %d changes (%d by default), want %d of %d", c.first, d["tagChangeCount"], len(f), len(def), c.want, n+1)
		}
		for i, x := range f {
			want := "Src"
			if i > 0 {
				want = fmt.Sprintf("Src.f%05d", i-1)
			}
			if p := x.(map[string]any)["path"]; p != want {
				t.Fatalf("first %v: change %d is %v, want %s (the first by path)", c.first, i, p, want)
			}
		}
	}
	// REST answers the first 10,000 and the count.
	status, out := a.post(t, "/api/v1/deploy", a.token, "application/yaml", []byte(doc))
	if status != 200 || out["tagChangeCount"] != float64(n+1) || len(out["tagChanges"].([]any)) != 10_000 || len(out["warnings"].([]any)) != 0 {
		t.Fatalf("REST deploy %d: count %v, %d changes", status, out["tagChangeCount"], len(out["tagChanges"].([]any)))
	}
}

func TestExplainStopped(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	const q = `{ explainTag(path: "TxnByCity.total", tag: "PII") { present sources { source } cancelledBy stopped { source at path reason } } }`
	a.expect(t, gqlCase{name: "DOWNSTREAM: the cancellation reaches, nothing stops", query: q,
		data: `{"explainTag": {"present": false, "sources": [], "cancelledBy": ["TxnByCity"], "stopped": []}}`})
	a.expect(t, gqlCase{name: "PII NODE", query: `mutation { defineTag(name: "PII", negation: NODE) { name } }`, data: `{"defineTag": {"name": "PII"}}`})
	a.expect(t, gqlCase{name: "NODE: stopped at TxnByCity", query: q,
		data: `{"explainTag": {"present": false, "sources": [], "cancelledBy": [], "stopped": [
		  {"source": "User", "at": "TxnByCity", "path": ["User", "TxnByCity", "TxnByCity.total"], "reason": "NODE_NEGATION"}]}}`})
	a.expect(t, gqlCase{name: "a source is not repeated", query: `{ explainTag(path: "UserFeatures.total_in_hometown", tag: "PII") { present sources { source } stopped { source } } }`,
		data: `{"explainTag": {"present": true, "sources": [{"source": "User"}], "stopped": []}}`})
	a.expect(t, gqlCase{name: "stripe does not propagate", query: `mutation { defineTag(name: "stripe", propagate: false) { name } }`, data: `{"defineTag": {"name": "stripe"}}`})
	a.expect(t, gqlCase{name: "stopped by propagate false", query: `{ explainTag(path: "UserFeatures.total_in_hometown", tag: "stripe") { present sources { source } stopped { source at path reason } } }`,
		data: `{"explainTag": {"present": false, "sources": [], "stopped": [
		  {"source": "Transaction", "at": "Transaction", "path": ["Transaction", "TxnByCity", "TxnByCity.total", "UserFeatures.total_in_hometown"], "reason": "NOT_PROPAGATED"}]}}`})
}

func TestWriteReports(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	a.expect(t, gqlCase{name: "branch", query: `mutation { createBranch(name: "dev") { name } }`, data: `{"createBranch": {"name": "dev"}}`})
	const report = `writeReport { tagChangeCount warnings tagChanges { path added removed } }`
	a.expect(t, gqlCase{name: "setTags reports", query: `mutation { setTags(path: "Transaction.amount", tags: ["~stripe", "money"], branch: "dev") { path ` + report + ` } }`,
		data: `{"setTags": {"path": "Transaction.amount", "writeReport": {"tagChangeCount": 6, "warnings": [], "tagChanges": [
		  {"path": "Transaction.amount", "added": ["money"], "removed": ["stripe"]}, {"path": "TxnByCity", "added": ["money"], "removed": []},
		  {"path": "TxnByCity.at", "added": ["money"], "removed": []}, {"path": "TxnByCity.city", "added": ["money"], "removed": []},
		  {"path": "TxnByCity.total", "added": ["money"], "removed": []}, {"path": "UserFeatures.total_in_hometown", "added": ["money"], "removed": []}]}}}`})
	a.expect(t, gqlCase{name: "bounded like a deploy's", query: `mutation { setTags(path: "User.uid", tags: ["x"]) { writeReport { tagChangeCount tagChanges(first: 1) { path } } } }`,
		data: `{"setTags": {"writeReport": {"tagChangeCount": 6, "tagChanges": [{"path": "TxnByCity"}]}}}`})
	// The write is done before its report is read: a bad first nulls the report only.
	out := a.gql(t, `mutation { setTags(path: "User.uid", tags: ["x"]) { path writeReport { tagChanges(first: 10001) { path } } } }`, nil)
	if errorCode(out) != "INVALID_ARGUMENT" || fmt.Sprint(out["data"]) != "map[setTags:map[path:User.uid writeReport:<nil>]]" {
		t.Fatalf("first: 10001 = %v", out)
	}
	a.expect(t, gqlCase{name: "no change, empty report", query: `mutation { setTags(path: "User.uid", tags: ["x"]) { ` + report + ` } }`,
		data: `{"setTags": {"writeReport": {"tagChangeCount": 0, "warnings": [], "tagChanges": []}}}`})
	a.expect(t, gqlCase{name: "null elsewhere", query: `{ asset(path: "User.uid") { writeReport { tagChangeCount } ... on Field { dataset } } d: asset(path: "User") { writeReport { tagChangeCount } ... on Dataset { fields { writeReport { tagChangeCount } } } } }`,
		data: `{"asset": {"writeReport": null, "dataset": "User"}, "d": {"writeReport": null, "fields": [{"writeReport": null}, {"writeReport": null}, {"writeReport": null}]}}`})
	a.expect(t, gqlCase{name: "defineTag reports per branch", query: `mutation { defineTag(name: "PII", negation: NODE) { name changes { branch tagChangeCount tagChanges { path added removed } } } }`,
		data: `{"defineTag": {"name": "PII", "changes": [
		  {"branch": "dev", "tagChangeCount": 1, "tagChanges": [{"path": "UserFeatures.total_in_hometown", "added": ["PII"], "removed": []}]},
		  {"branch": "main", "tagChangeCount": 1, "tagChanges": [{"path": "UserFeatures.total_in_hometown", "added": ["PII"], "removed": []}]}]}}`})
	a.expect(t, gqlCase{name: "defineTag bounded", query: `mutation { defineTag(name: "PII") { changes { branch tagChangeCount tagChanges(first: 0) { path } } } }`,
		data: `{"defineTag": {"changes": [{"branch": "dev", "tagChangeCount": 1, "tagChanges": []}, {"branch": "main", "tagChangeCount": 1, "tagChanges": []}]}}`})
	a.expect(t, gqlCase{name: "null on tagDefinitions", query: `{ tagDefinitions { name changes { branch } } }`,
		data: `{"tagDefinitions": [{"name": "PII", "changes": null}]}`})
}

func TestTagVocabularyHygiene(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	a.run(t, []gqlCase{
		{name: "defineTag of a case sibling", query: `mutation { defineTag(name: "pii") { name } }`, code: "INVALID_ARGUMENT", msg: "did you mean PII?"},
		{name: "defineTag of the tag itself", query: `mutation { defineTag(name: "PII", description: "Personal data.") { name } }`, data: `{"defineTag": {"name": "PII"}}`},
		{name: "a deploy warns", query: `mutation($d: String!) { deploy(document: $d) { changed warnings } }`,
			vars: map[string]any{"d": "datasets:\n  - {name: Orders, fields: [{name: email, type: str, tags: [pii]}]}\n"},
			data: `{"deploy": {"changed": true, "warnings": ["tag \"pii\" (on Orders.email) differs only by case from the tag \"PII\": did you mean PII?"]}}`},
		{name: "setTags warns", query: `mutation { setTags(path: "User.city", tags: ["Stripe"]) { writeReport { warnings } } }`,
			data: `{"setTags": {"writeReport": {"warnings": ["tag \"Stripe\" (on User.city) differs only by case from the tag \"stripe\": did you mean stripe?"]}}}`},
		{name: "tagUsage", query: `{ tagUsage { name defined declared cancelled present propagate negation description } }`,
			data: `{"tagUsage": [
			  {"name": "PII", "defined": true, "declared": 1, "cancelled": 1, "present": 5, "propagate": true, "negation": "DOWNSTREAM", "description": "Personal data."},
			  {"name": "Stripe", "defined": false, "declared": 1, "cancelled": 0, "present": 7, "propagate": true, "negation": "DOWNSTREAM", "description": null},
			  {"name": "pii", "defined": false, "declared": 1, "cancelled": 0, "present": 1, "propagate": true, "negation": "DOWNSTREAM", "description": null},
			  {"name": "stripe", "defined": false, "declared": 1, "cancelled": 0, "present": 9, "propagate": true, "negation": "DOWNSTREAM", "description": null}]}`},
		{name: "tagUsage on a branch", query: `{ tagUsage(branch: null) { name } }`,
			data: `{"tagUsage": [{"name": "PII"}, {"name": "Stripe"}, {"name": "pii"}, {"name": "stripe"}]}`},
		{name: "tagUsage of a missing branch", query: `{ tagUsage(branch: "nope") { name } }`, code: "NOT_FOUND"},
	})
}
