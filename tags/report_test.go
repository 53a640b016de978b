package tags_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

// changeList renders tag changes as "Path +a -b" lines.
func changeList(cs []tags.TagChange) []string {
	out := []string{}
	for _, c := range cs {
		s := c.Path
		for _, a := range c.Added {
			s += " +" + a
		}
		for _, r := range c.Removed {
			s += " -" + r
		}
		out = append(out, s)
	}
	return out
}

// TestTagChangesAreBounded: a deploy that changes the tags of more than MaxTagChanges
// assets answers the first MaxTagChanges of them by path, and how many there were in all.
func TestTagChangesAreBounded(t *testing.T) {
	s, _ := newService(t)
	const n = tags.MaxTagChanges + 1500
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("f%05d", i)
	}
	// Declared out of path order, so that the first by path are not the first by id.
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { names[i], names[j] = names[j], names[i] })
	var doc strings.Builder
	doc.WriteString("datasets:\n  - name: Src\n    tags: [PII]\n    fields:\n")
	for _, f := range names {
		fmt.Fprintf(&doc, "      - {name: %s, type: int}\n", f)
	}
	for _, dry := range []bool{true, false} {
		res := mustDeploy(t, s, "main", doc.String(), func(r *tags.DeployRequest) { r.DryRun = dry })
		if res.TagChangeCount != n+1 || len(res.TagChanges) != tags.MaxTagChanges {
			t.Fatalf("dry run %v: %d tag changes of %d, want %d of %d", dry, len(res.TagChanges), res.TagChangeCount, tags.MaxTagChanges, n+1)
		}
		want := []string{"Src +PII"}
		for i := 0; len(want) < tags.MaxTagChanges; i++ {
			want = append(want, fmt.Sprintf("Src.f%05d +PII", i))
		}
		if got := changeList(res.TagChanges); !reflect.DeepEqual(got, want) {
			t.Fatalf("dry run %v: the tag changes are not the first by path: %v ... %v", dry, got[:3], got[len(got)-3:])
		}
	}
	// Below the bound, every change is listed and counted.
	res := mustDeploy(t, s, "main", "datasets:\n  - {name: Other, tags: [x], fields: [{name: a, type: int}]}\n")
	if res.TagChangeCount != 2 || !reflect.DeepEqual(changeList(res.TagChanges), []string{"Other +x", "Other.a +x"}) {
		t.Fatalf("small deploy: %d %v", res.TagChangeCount, changeList(res.TagChanges))
	}
}

// TestWritesReportTagChanges: setTags and defineTag say which assets gained or lost which
// tags, defineTag per branch (sorted by branch).
func TestWritesReportTagChanges(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustDeploy(t, s, "main", fennel(t))
	if _, err := s.CreateBranch(ctx, org, "dev", "main"); err != nil {
		t.Fatal(err)
	}
	_, rep, err := s.SetTags(ctx, org, "dev", "User.city", []string{"gdpr"}, "user:steward")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"TxnByCity +gdpr", "TxnByCity.at +gdpr", "TxnByCity.city +gdpr", "TxnByCity.total +gdpr",
		"User.city +gdpr", "UserFeatures.city +gdpr", "UserFeatures.total_in_hometown +gdpr"}
	if got := changeList(rep.TagChanges); !reflect.DeepEqual(got, want) || rep.TagChangeCount != len(want) || len(rep.Warnings) != 0 {
		t.Fatalf("setTags report: %v (%d) %v, want %v", got, rep.TagChangeCount, rep.Warnings, want)
	}
	// The same tags again change nothing.
	if _, rep, err = s.SetTags(ctx, org, "dev", "User.city", []string{"gdpr"}, "user:steward"); err != nil || rep.TagChangeCount != 0 || len(rep.TagChanges) != 0 {
		t.Fatalf("setTags again: %+v %v", rep, err)
	}
	_, changes, err := s.DefineTag(ctx, org, tags.Definition{Name: "PII", Propagate: true, Negation: tags.NegationNode})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, fmt.Sprintf("%s %d %v", c.Branch, c.TagChangeCount, changeList(c.TagChanges)))
	}
	wantB := []string{"dev 1 [UserFeatures.total_in_hometown +PII]", "main 1 [UserFeatures.total_in_hometown +PII]"}
	if !reflect.DeepEqual(got, wantB) {
		t.Fatalf("defineTag changes = %v, want %v", got, wantB)
	}
	_, changes, err = s.DefineTag(ctx, org, tags.Definition{Name: "PII", Propagate: true, Negation: tags.NegationNode, Description: "same settings"})
	if err != nil || len(changes) != 2 || changes[0].TagChangeCount+changes[1].TagChangeCount != 0 {
		t.Fatalf("defineTag with the same settings: %+v %v", changes, err)
	}
}

// TestCaseSiblings: defineTag refuses a name that differs from a tag defined or in use
// only by case; a deploy or setTags that declares one is answered with a warning.
func TestCaseSiblings(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustDeploy(t, s, "main", fennel(t)) // PII and stripe in use, none defined
	if _, err := s.CreateBranch(ctx, org, "dev", "main"); err != nil {
		t.Fatal(err)
	}
	mustDeploy(t, s, "dev", "datasets:\n  - {name: Dev, tags: [Internal], fields: [{name: a, type: int}]}\n")
	if _, _, err := s.DefineTag(ctx, org, tags.Definition{Name: "Sensitive", Propagate: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, refused string }{
		{"pii", `tag "pii" differs only by case from the existing tag "PII": did you mean PII?`},
		{"STRIPE", `did you mean stripe?`},
		{"internal", `did you mean Internal?`},   // in use on dev only
		{"sensitive", `did you mean Sensitive?`}, // defined, in use nowhere
		{"PII", ""}, {"Sensitive", ""}, {"gdpr", ""},
	} {
		_, _, err := s.DefineTag(ctx, org, tags.Definition{Name: c.name, Propagate: true})
		if c.refused == "" {
			if err != nil {
				t.Errorf("defineTag %s: %v", c.name, err)
			}
			continue
		}
		if catalog.KindOf(err) != catalog.InvalidArgument || !strings.Contains(err.Error(), c.refused) {
			t.Errorf("defineTag %s = %v, want InvalidArgument with %q", c.name, err, c.refused)
		}
		if d := s.Vocab(org).Lookup(c.name); d.Defined {
			t.Errorf("defineTag %s was refused but defined it", c.name)
		}
	}
	// A name once used and no longer declared anywhere is no sibling.
	mustDeploy(t, s, "dev", "datasets:\n  - {name: Dev, fields: [{name: a, type: int}]}\n")
	if _, _, err := s.DefineTag(ctx, org, tags.Definition{Name: "INTERNAL", Propagate: true}); err != nil {
		t.Errorf("defineTag INTERNAL after Internal went out of use: %v", err)
	}

	res := mustDeploy(t, s, "main", "datasets:\n  - {name: Orders, fields: [{name: email, type: str, tags: [pii]}]}\n")
	wantW := []string{`tag "pii" (on Orders.email) differs only by case from the tag "PII": did you mean PII?`}
	if !reflect.DeepEqual(res.Warnings, wantW) {
		t.Errorf("deploy warnings = %q, want %q", res.Warnings, wantW)
	}
	if res := mustDeploy(t, s, "main", "datasets:\n  - {name: Plain, tags: [PII], fields: [{name: a, type: int}]}\n"); len(res.Warnings) != 1 {
		t.Errorf("a deploy declaring PII next to the pii now in use: warnings %q", res.Warnings)
	}
	_, rep, err := s.SetTags(ctx, org, "main", "User.city", []string{"Stripe", "~sensitive"}, "user:steward")
	if err != nil {
		t.Fatal(err)
	}
	wantW = []string{`tag "Stripe" (on User.city) differs only by case from the tag "stripe": did you mean stripe?`,
		`tag "sensitive" (on User.city) differs only by case from the tag "Sensitive": did you mean Sensitive?`}
	if !reflect.DeepEqual(rep.Warnings, wantW) {
		t.Errorf("setTags warnings = %q, want %q", rep.Warnings, wantW)
	}
	if res := mustDeploy(t, s, "main", "datasets:\n  - {name: Fine, tags: [gdpr], fields: [{name: a, type: int}]}\n"); len(res.Warnings) != 0 {
		t.Errorf("a deploy without case slips warns: %q", res.Warnings)
	}
}

// TestTagUsage: every tag defined or in use on the branch, with counts, sorted by name;
// the scan stops at the context's deadline.
func TestTagUsage(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustDeploy(t, s, "main", fennel(t))
	if _, _, err := s.DefineTag(ctx, org, tags.Definition{Name: "gdpr", Description: "EU", Propagate: false, Negation: tags.NegationNode}); err != nil {
		t.Fatal(err)
	}
	usage, err := s.TagUsage(ctx, org, "main")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range usage {
		got = append(got, fmt.Sprintf("%s defined=%v declared=%d cancelled=%d present=%d propagate=%v %v", u.Name, u.Defined, u.Declared, u.Cancelled, u.Present, u.Propagate, u.Negation))
	}
	want := []string{
		"PII defined=false declared=1 cancelled=1 present=5 propagate=true DOWNSTREAM",
		"gdpr defined=true declared=0 cancelled=0 present=0 propagate=false NODE",
		"stripe defined=false declared=1 cancelled=0 present=9 propagate=true DOWNSTREAM",
	}
	if !reflect.DeepEqual(got, want) || !sort.SliceIsSorted(usage, func(i, j int) bool { return usage[i].Name < usage[j].Name }) {
		t.Fatalf("usage:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := s.TagUsage(ctx, org, "nope"); catalog.KindOf(err) != catalog.NotFound {
		t.Errorf("usage of a missing branch: %v", err)
	}
	dctx, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	if _, err := s.TagUsage(dctx, org, "main"); err != context.DeadlineExceeded {
		t.Errorf("usage after the deadline: %v", err)
	}
}
