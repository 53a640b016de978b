package graphql

import (
	"context"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/tags"
)

// A writer whose only rule is WRITE_DEFINITIONS where !PII cannot drop PII from an asset
// to escape the rule: the write is judged on the tags before and after it (DESIGN §5).
// The custom role is compiled directly (role storage comes with its own change); the
// service, the store and the plan judge are the real ones.
func TestPlanJudgeNoEscapeFromNotPII(t *testing.T) {
	ctx := context.Background()
	store, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	svc, err := tags.Open(ctx, repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	const withPII = "datasets:\n  - {name: ns/Users, fields: [{name: email, type: str, tags: [PII]}, {name: n, type: int}]}\n"
	if _, err := svc.Deploy(ctx, tags.DeployRequest{Org: "acme", Branch: "main", Deployer: "user:admin", Document: []byte(withPII)}); err != nil {
		t.Fatal(err)
	}
	rule, err := access.ParseRule([]string{"READ_DEFINITIONS", "WRITE_DEFINITIONS"}, nil, "!PII")
	if err != nil {
		t.Fatal(err)
	}
	pol := access.Compile(access.Subject{Principal: "user:w", Memberships: []string{"org:acme"}},
		[]access.Grant{{Org: "acme", Principal: "user:w", Role: "clean-writer", Scope: "ns/**"}},
		map[string]*access.Role{"clean-writer": {Name: "clean-writer", Rules: []access.Rule{rule}}})
	c := &Caller{Principal: access.Principal{Org: "acme", Kind: "user", Name: "w"}, Org: "acme"}
	judge := planJudge(ctx, svc, c, access.WriteDefinitions, func() *access.Policy { return pol }, func() bool { return true })

	for _, tc := range []struct{ name, doc, denied, reason string }{
		{"drop PII from the field", strings.Replace(withPII, ", tags: [PII]", "", 1), "ns/Users.email",
			"before the change, ns/Users.email has PII, declared on ns/Users.email"},
		{"write a clean field", strings.Replace(withPII, "{name: n, type: int}", "{name: n, type: int, description: count}", 1), "", ""},
		{"create a PII field", strings.Replace(withPII, "{name: n, type: int}", "{name: n, type: int, tags: [PII]}", 1), "ns/Users.n",
			"after the change, ns/Users.n has PII"},
	} {
		_, err := svc.Deploy(ctx, tags.DeployRequest{Org: "acme", Branch: "main", Deployer: "user:w", Document: []byte(tc.doc), DryRun: false, Authorize: judge})
		if tc.denied == "" {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			continue
		}
		ps := catalog.ProblemsOf(err)
		if len(ps) != 1 || ps[0].Asset != tc.denied || !strings.Contains(ps[0].Msg, "allows WRITE_DEFINITIONS only where !PII") || !strings.Contains(ps[0].Msg, tc.reason) {
			t.Fatalf("%s: %v %v", tc.name, err, ps)
		}
	}
}

// A dataset the caller may read shows each field it may not read (a field is judged on its
// own tags) by name and kind only: a viewer of !PII sees that Users has an email field,
// not its type, tags or description.
func TestMembersJudgedOnTheirOwnTags(t *testing.T) {
	ctx := context.Background()
	store, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	svc, err := tags.Open(ctx, repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	const doc = "datasets:\n  - {name: ns/Users, fields: [{name: email, type: str, tags: [PII], description: mail}, {name: n, type: int}]}\n"
	if _, err := svc.Deploy(ctx, tags.DeployRequest{Org: "acme", Branch: "main", Deployer: "user:admin", Document: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	rule, err := access.ParseRule([]string{"READ_DEFINITIONS"}, nil, "!PII")
	if err != nil {
		t.Fatal(err)
	}
	pol := access.Compile(access.Subject{Principal: "user:v"},
		[]access.Grant{{Org: "acme", Principal: "user:v", Role: "clean-viewer", Scope: "ns/**"}},
		map[string]*access.Role{"clean-viewer": {Name: "clean-viewer", Rules: []access.Rule{rule}}})
	v, err := svc.View("acme", "main")
	if err != nil {
		t.Fatal(err)
	}
	canRead := func(path string) bool {
		return pol.Check(readRequest(v, access.ReadDefinitions, path, "main")).Allowed
	}
	if !canRead("ns/Users") || canRead("ns/Users.email") || !canRead("ns/Users.n") {
		t.Fatal("the policy does not judge as expected")
	}
	res := readable(newAssetResolver(v, v.Snapshot.Get("ns/Users"), nil), canRead)
	fields := res.Fields()
	email, n := fields[0], fields[1]
	if email.Path() != "ns/Users.email" || email.Kind() != "FIELD" || email.Type() != "" || len(email.Tags()) != 0 ||
		len(email.DeclaredTags()) != 0 || email.Description() != nil {
		t.Errorf("unreadable field: %s %s %q %v %v %v", email.Path(), email.Kind(), email.Type(), email.Tags(), email.DeclaredTags(), email.Description())
	}
	if n.Type() != "int" || n.Path() != "ns/Users.n" {
		t.Errorf("readable field: %s %q", n.Path(), n.Type())
	}
}
