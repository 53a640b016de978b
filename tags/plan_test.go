package tags_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

const planBase = `datasets:
  - {name: Users, fields: [{name: email, type: str, tags: [PII]}, {name: id, type: int}]}
  - {name: Summary, fields: [{name: n, type: int}, {name: old, type: int}], pipeline: {inputs: [Users]}}
  - {name: Gone, fields: [{name: x, type: int}]}
`

// A plan names every path the deploy adds, changes or removes, members each as their own
// entry, with the tags present before and after and the tags it newly cancels; planning
// writes nothing, and Commit applies the plan.
func TestPlanNamesEveryPathWithItsTags(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", planBase)
	doc := `datasets:
  - {name: Users, fields: [{name: email, type: str, tags: [PII]}, {name: id, type: int}]}
  - {name: Summary, fields: [{name: n, type: int, tags: ["~PII"]}, {name: added, type: int}], pipeline: {inputs: [Users]}}
  - {name: New, fields: [{name: y, type: int}]}
`
	p, err := s.PlanDeploy(context.Background(), tags.DeployRequest{Org: org, Branch: "main", Document: []byte(doc), Deployer: "user:admin"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.Entries() {
		got = append(got, fmt.Sprintf("%s %s %s [%s]->[%s] new~[%s]", e.Change, e.Kind, e.Path,
			strings.Join(e.Before, ","), strings.Join(e.After, ","), strings.Join(e.NewCancels(), ",")))
	}
	want := []string{
		"ADDED DATASET New []->[] new~[]",
		"ADDED FIELD New.y []->[] new~[]",
		"CHANGED DATASET Summary [PII]->[PII] new~[]",
		"ADDED FIELD Summary.added []->[PII] new~[]",
		"CHANGED FIELD Summary.n [PII]->[] new~[PII]",
		"REMOVED FIELD Summary.old [PII]->[] new~[]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if b, _ := head(t, s, "main"); b.Version != p.Base {
		t.Fatalf("planning wrote: version %d, plan's base %d", b.Version, p.Base)
	}
	res, err := s.Commit(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if b, snap := head(t, s, "main"); b.Version != res.Version || res.Version != p.Base+1 || snap.Get("New") == nil {
		t.Fatalf("commit: version %d, result %+v", b.Version, res)
	}
	// A plan is committed at most once: the branch has moved from its base.
	if _, err := s.Commit(context.Background(), p); catalog.KindOf(err) != catalog.Conflict {
		t.Fatalf("second commit: %v", err)
	}
}

// A plan whose branch moved after it was planned is refused with CONFLICT and writes
// nothing; planning again succeeds.
func TestCommitOfAStalePlanIsAConflict(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", planBase)
	ctx := context.Background()
	p, err := s.PlanDelete(ctx, tags.DeleteRequest{Org: org, Branch: "main", Paths: []string{"Gone"}, Deleter: "user:admin"})
	if err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, s, "main", "datasets: [{name: Other, fields: [{name: x, type: int}]}]\n")
	before, _ := head(t, s, "main")
	_, err = s.Commit(ctx, p)
	if catalog.KindOf(err) != catalog.Conflict || !strings.Contains(err.Error(), "plan it again") {
		t.Fatalf("stale commit: %v", err)
	}
	if after, snap := head(t, s, "main"); after.Version != before.Version || snap.Get("Gone") == nil {
		t.Fatalf("a stale commit wrote: version %d -> %d", before.Version, after.Version)
	}
	p, err = s.PlanDelete(ctx, tags.DeleteRequest{Org: org, Branch: "main", Paths: []string{"Gone"}, Deleter: "user:admin"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, p); err != nil {
		t.Fatal(err)
	}
}

// An authorizer that refuses one path refuses the whole write — deploy, dry run,
// deleteAssets, setTags — with FORBIDDEN listing every denied path with its reason, and
// nothing is written. It is asked once, before planning's own errors.
func TestAuthorizerRefusingOnePathRefusesTheWholeWrite(t *testing.T) {
	s, _ := newService(t)
	mustDeploy(t, s, "main", planBase+"  - {name: secret/Keys, fields: [{name: k, type: str}]}\n")
	calls := 0
	refuseSecret := func(p *tags.Plan) error {
		calls++
		return p.Judge(func(e tags.PlanEntry) (bool, string) {
			if strings.HasPrefix(e.Path, "secret/") {
				return false, "denied: " + e.Path + " is secret"
			}
			return true, ""
		})
	}
	ctx := context.Background()
	deployReq := func(doc string, dry bool) func() error {
		return func() error {
			_, err := s.Deploy(ctx, tags.DeployRequest{Org: org, Branch: "main", Document: []byte(doc), DryRun: dry,
				Deployer: "user:bob", Authorize: refuseSecret})
			return err
		}
	}
	twoSecrets := "datasets:\n  - {name: Open, fields: [{name: a, type: int}]}\n  - {name: secret/A, fields: [{name: a, type: int}]}\n  - {name: secret/Keys, fields: [{name: k, type: str}, {name: k2, type: str}]}\n"
	for _, tc := range []struct {
		name   string
		write  func() error
		denied []string
	}{
		{"deploy", deployReq(twoSecrets, false), []string{"secret/A", "secret/A.a", "secret/Keys", "secret/Keys.k2"}},
		{"dry run", deployReq(twoSecrets, true), []string{"secret/A", "secret/A.a", "secret/Keys", "secret/Keys.k2"}},
		{"deleteAssets", func() error {
			_, err := s.Delete(ctx, tags.DeleteRequest{Org: org, Branch: "main", Paths: []string{"Gone", "secret/Keys"}, Deleter: "user:bob", Authorize: refuseSecret})
			return err
		}, []string{"secret/Keys", "secret/Keys.k"}},
		{"setTags", func() error {
			_, _, err := s.WriteTags(ctx, tags.SetTagsRequest{Org: org, Branch: "main", Path: "secret/Keys.k", Tags: []string{"~PII"}, Who: "user:bob", Authorize: refuseSecret})
			return err
		}, []string{"secret/Keys", "secret/Keys.k"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := head(t, s, "main")
			calls = 0
			err := tc.write()
			if catalog.KindOf(err) != catalog.Forbidden || calls != 1 {
				t.Fatalf("err = %v (asked %d times)", err, calls)
			}
			var got []string
			for _, p := range catalog.ProblemsOf(err) {
				got = append(got, p.Asset)
				if p.Msg != "denied: "+p.Asset+" is secret" {
					t.Errorf("reason of %s: %q", p.Asset, p.Msg)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.denied, ",") {
				t.Fatalf("denied = %v, want %v", got, tc.denied)
			}
			if after, snap := head(t, s, "main"); after.Version != before.Version || snap.Get("Open") != nil || snap.Get("Gone") == nil {
				t.Fatalf("a refused write wrote: version %d -> %d", before.Version, after.Version)
			}
		})
	}
	// A refusal comes before planning's errors: an invalid document is FORBIDDEN, not
	// INVALID_DEFINITION, for a caller refused everything.
	refuseAll := func(p *tags.Plan) error {
		return p.Refuse([]tags.Denial{{Path: p.Branch, Reason: "denied: no grants"}})
	}
	_, err := s.Deploy(ctx, tags.DeployRequest{Org: org, Branch: "main", Document: []byte("datasets: [{name: 1bad}]"), Authorize: refuseAll})
	if catalog.KindOf(err) != catalog.Forbidden {
		t.Fatalf("invalid document, refused caller: %v", err)
	}
	_, err = s.Deploy(ctx, tags.DeployRequest{Org: org, Branch: "nope", Document: []byte(planBase), Authorize: refuseAll})
	if catalog.KindOf(err) != catalog.Forbidden {
		t.Fatalf("missing branch, refused caller: %v", err)
	}
}
