package graphql

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/tags"
)

// FuzzQuery executes arbitrary query text against the schema over the Fennel catalog: it
// must never panic, and every error it answers carries a machine code.
func FuzzQuery(f *testing.F) {
	ctx := context.Background()
	store, err := badgerstore.Open(badgerstore.Options{GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		f.Fatal(err)
	}
	if err := repo.CreateOrg(ctx, "acme"); err != nil {
		f.Fatal(err)
	}
	reg, err := access.OpenRegistry(ctx, store)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil }); err != nil {
		f.Fatal(err)
	}
	svc, err := tags.Open(ctx, repo, zerolog.Nop())
	if err != nil {
		f.Fatal(err)
	}
	doc, _ := fixtures.Get("fennel")
	if _, err := svc.Deploy(ctx, tags.DeployRequest{Org: "acme", Branch: "main", Document: doc, Deployer: "user:admin"}); err != nil {
		f.Fatal(err)
	}
	schema, err := NewSchema(svc, reg)
	if err != nil {
		f.Fatal(err)
	}
	admin, _ := reg.Principal("acme", "user:admin")
	ctx = withCaller(ctx, &Caller{Principal: admin, Org: "acme"})
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
			addCode(e, resp.Data == nil)
			if code, _ := e.Extensions["code"].(string); code == "" {
				t.Fatalf("error without a code for %q: %v", q, e)
			}
		}
	})
}
