package graphql

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/tags"
)

// A write refused on its plan answers FORBIDDEN (403 over REST) with every denied path and
// its reason in extensions.problems, and the message does not repeat them.
func TestPlanRefusalIsForbiddenWithEveryDeniedPath(t *testing.T) {
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
	_, err = svc.Deploy(ctx, tags.DeployRequest{Org: "acme", Branch: "main", Deployer: "user:bob",
		Document: []byte("datasets:\n  - {name: jane/A, fields: [{name: x, type: int}]}\n  - {name: ops/B, fields: [{name: y, type: int}]}\n"),
		Authorize: func(p *tags.Plan) error {
			return p.Judge(func(e tags.PlanEntry) (bool, string) {
				if strings.HasPrefix(e.Path, "ops/") {
					return false, "denied: user:bob has no grant on ops/**"
				}
				return true, ""
			})
		}})
	ae := toAPI(err)
	ext := ae.Extensions()
	problems, _ := ext["problems"].([]problemJSON)
	if ext["code"] != "FORBIDDEN" || statusOf(ae.kind) != http.StatusForbidden || len(problems) != 2 || ext["problemCount"] != 2 {
		t.Fatalf("refusal: %q %v", ae.msg, ext)
	}
	for i, want := range []string{"ops/B", "ops/B.y"} {
		if *problems[i].Asset != want || problems[i].Message != "denied: user:bob has no grant on ops/**" {
			t.Errorf("problem %d: %v %q", i, *problems[i].Asset, problems[i].Message)
		}
	}
	if ae.msg != "deploy main: 2 paths of the deploy may not be written; nothing was written" {
		t.Errorf("message %q", ae.msg)
	}
	if _, snap, _ := repo.Head("acme", "main"); snap.Len() != 0 {
		t.Fatal("a refused deploy wrote")
	}
}
