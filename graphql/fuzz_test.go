package graphql_test

import (
	"context"
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
