package graphql_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/graphql"
	"github.com/tagflow/tagflow/tags"
)

// FuzzQuery executes arbitrary query text against the schema over the Fennel catalog: it
// must never panic, and every error it answers carries a machine code.
func FuzzQuery(f *testing.F) {
	ctx := context.Background()
	a := newAPI(f, graphql.Config{})
	doc, _ := fixtures.Get("fennel")
	if _, err := a.svc.Deploy(ctx, tags.DeployRequest{Org: "acme", Branch: "main", Document: doc, Deployer: "user:admin"}); err != nil {
		f.Fatal(err)
	}
	schema, err := graphql.NewSchema(a.svc, a.reg)
	if err != nil {
		f.Fatal(err)
	}
	admin, _ := a.reg.Principal("acme", "user:admin")
	ctx = graphql.WithCaller(ctx, &graphql.Caller{Principal: admin, Org: "acme"})
	for _, q := range []string{
		`{ me { org } }`,
		`{ asset(path: "User") { path tags ... on Dataset { fields { name tags } } } }`,
		`{ lineage(path: "TxnByCity", direction: UPSTREAM, depth: 2, granularity: DATASET) { nodes { path } edges { from to kind } } }`,
		`{ explainTag(path: "UserFeatures.total_in_hometown", tag: "PII") { present sources { source path } cancelledBy } }`,
		`{ datasets(first: 2, after: "x") { totalCount } }`,
		`mutation { setTags(path: "User.city", tags: ["~PII"]) { tags } }`,
		`mutation { defineTag(name: "PII", negation: NODE) { name } }`,
		`{ asset(path: "a..b") { path } }`,
		`{ __schema { types { name } } }`,
		`{`, `query Q($x: Int!) { datasets(first: $x) { totalCount } }`,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		resp := schema.Exec(ctx, q, "", nil)
		for _, e := range resp.Errors {
			graphql.AddCode(e, resp.Data == nil)
			if code, _ := e.Extensions["code"].(string); code == "" {
				t.Fatalf("error without a code for %q: %v", q, e)
			}
		}
	})
}

// FuzzCountExpensive: the pre-check's tokenizer never panics, counts only names that are in
// the text, and a comment or a string holding expensive names adds nothing.
func FuzzCountExpensive(f *testing.F) {
	for _, q := range []string{
		`{ impact(path: "User") { totalCount } }`,
		`{ a: impact(path: "x") { nodes } b: lineage(path: "y", direction: UP) { nodes { path } } }`,
		`query Q($impact: String) { search(text: "impact lineage") { totalCount } } # impact`,
		`fragment F on Query { impact(path: """ block "impact" """) { nodes } } { ...F }`,
		`{ datasets(first: 1) { totalCount } explainTag(path: "a", tag: "b") { present } tagUsage { name } }`,
		"{ \"unterminated",
		`{ impact`,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n := graphql.CountExpensive(q)
		inText := 0
		for _, name := range []string{"impact", "lineage", "datasets", "featuresets", "explainTag", "search", "tagUsage"} {
			inText += strings.Count(q, name)
		}
		if n < 0 || n > inText {
			t.Fatalf("CountExpensive(%q) = %d, but the text names expensive fields %d times", q, n, inText)
		}
		if got := graphql.CountExpensive(q + "\n# impact lineage search\n"); got != n && !strings.Contains(q, `"`) {
			t.Fatalf("a trailing comment changed the count of %q from %d to %d", q, n, got)
		}
	})
}
