package catalog

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNamespaceResolvesNames(t *testing.T) {
	base := mustDeploy(t, EmptySnapshot, "datasets:\n  - name: shared/Country\n    fields: [{name: name, type: str}]\n", PlanOptions{})
	ch := mustPlan(t, base, readTestdata(t, "namespace.yaml"), PlanOptions{})
	if want := []string{"team/data/User", "team/data/UserFeatures", "team/data/sub/Orders"}; !slices.Equal(ch.Added, want) {
		t.Fatalf("Added = %v, want %v", ch.Added, want)
	}
	orders := ch.Get("team/data/sub/Orders")
	if got := encode(orders.Pipeline.Inputs); got != `["team/data/User","shared/Country"]` {
		t.Errorf("inputs = %s", got)
	}
	if got := encode(orders.Pipeline.Columns); got != `{"country":["shared/Country.name"],"uid":["team/data/User.uid"]}` {
		t.Errorf("columns = %s", got)
	}
	uf := ch.Get("team/data/UserFeatures")
	var froms []string
	for _, m := range uf.Members {
		froms = append(froms, m.From...)
	}
	if got := encode(froms); got != `["team/data/User.city","shared/Country.name","team/data/sub/Orders.country","team/data/sub/Orders"]` {
		t.Errorf("from = %s", got)
	}
	if ch.Get("User") != nil || ch.Get("shared/Country") == nil {
		t.Error("relative names leaked out of the namespace")
	}
}

func TestNamespaceProblems(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []wantProblem
	}{
		{"leading slash", "namespace: /team\ndatasets: []\n",
			[]wantProblem{{"", 1, `namespace "/team" must not start or end with "/"`}}},
		{"trailing slash", "namespace: team/\ndatasets: []\n",
			[]wantProblem{{"", 1, `must not start or end with "/"`}}},
		{"bad segment", "namespace: team//data\ndatasets: []\n",
			[]wantProblem{{"", 1, "namespace: segment 2"}}},
		{"not a string", "namespace: [a]\ndatasets: []\n",
			[]wantProblem{{"", 1, "namespace must be a string, not a list"}}},
		{"absolute name", "namespace: team\ndatasets:\n  - name: /User\n",
			[]wantProblem{{"/User", 3, `may not start with "/"`}}},
		{"relative reference stays in the namespace", "namespace: team\ndatasets:\n  - name: A\n    pipeline: {inputs: [User]}\n",
			[]wantProblem{{"team/A", 4, `pipeline input "team/User" does not exist`}}},
		{"absolute reference to a missing asset", "namespace: team\nfeaturesets:\n  - name: F\n    features: [{name: f, type: int, from: [/Nope.x]}]\n",
			[]wantProblem{{"team/F.f", 4, `from "Nope.x" does not exist`}}},
		// Every problem names the absolute path, the parser's too, wherever namespace: is.
		{"empty owner in a namespace", "namespace: o\ndatasets:\n  - name: D\n    owner: \"\"\n",
			[]wantProblem{{"o/D", 4, "owner is empty"}}},
		{"parser problems after the namespace key", "datasets:\n  - name: D\n    colour: red\n    fields: [{name: x}]\nnamespace: o\n",
			[]wantProblem{{"o/D", 3, `unknown key "colour"`}, {"o/D.x", 4, "field has no type"}}},
		{"featureset problems in a namespace", "namespace: o/p\nfeaturesets:\n  - name: F\n    pipeline: {inputs: [A]}\n    features: [{name: f, type: int, key: true}]\n",
			[]wantProblem{{"o/p/F", 4, "a featureset has no pipeline"}, {"o/p/F.f", 5, "a feature has no key"}}},
		{"document problems stay unnamed", "namespace: o\ndatasets:\n  - {fields: []}\nextra: 1\n",
			[]wantProblem{{"", 3, "a dataset without a name"}, {"", 4, `unknown key "extra"`}}},
		{"path too long with the namespace", "namespace: " + strings.Repeat("n", 200) + "/" + strings.Repeat("m", 200) + "/" + strings.Repeat("o", 200) +
			"/" + strings.Repeat("p", 200) + "/" + strings.Repeat("r", 200) + "\ndatasets:\n  - name: " + strings.Repeat("q", 200) + "\n",
			[]wantProblem{{strings.Repeat("n", 200) + "/" + strings.Repeat("m", 200) + "/" + strings.Repeat("o", 200) + "/" + strings.Repeat("p", 200) + "/" +
				strings.Repeat("r", 200) + "/" + strings.Repeat("q", 200), 3, "bad name: path is 1205 bytes, over the limit of 1024"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := plan(EmptySnapshot, tt.doc, PlanOptions{})
			checkProblems(t, got, tt.want)
		})
	}
}

func TestNamespaceWithDots(t *testing.T) {
	ch := mustPlan(t, EmptySnapshot, "namespace: jane.doe@acme\ndatasets:\n  - name: weather\n    fields: [{name: temp, type: float}]\n"+
		"featuresets:\n  - name: F\n    features: [{name: t, type: float, from: [weather.temp]}]\n", PlanOptions{})
	if got := ch.Get("jane.doe@acme/F").Members[0].From; !slices.Equal(got, []string{"jane.doe@acme/weather.temp"}) {
		t.Errorf("from = %v", got)
	}
}

func TestPruneRemovesOnlyUnlistedAssetsUnderTheNamespace(t *testing.T) {
	base := mustDeploy(t, EmptySnapshot, `
datasets:
  - name: NS/A
  - name: NS/B
  - name: NS/sub/C
  - name: NSX/D
  - name: NS
  - name: Other
featuresets:
  - name: NS/F
`, PlanOptions{})
	ch := mustPlan(t, base, "namespace: NS\ndatasets:\n  - name: A\n  - name: New\n", PlanOptions{Prune: true})
	if want := []string{"NS/B", "NS/F", "NS/sub/C"}; !slices.Equal(ch.Removed, want) || !slices.Equal(ch.Removes, want) {
		t.Errorf("Removed = %v, Removes = %v, want %v", ch.Removed, ch.Removes, want)
	}
	if !slices.Equal(ch.Added, []string{"NS/New"}) || len(ch.Changed) != 0 {
		t.Errorf("Added = %v, Changed = %v", ch.Added, ch.Changed)
	}
	for _, p := range []string{"NS/A", "NSX/D", "NS", "Other", "NS/New"} {
		if ch.Get(p) == nil {
			t.Errorf("%s is gone after the change", p)
		}
	}
	for _, p := range ch.Removed {
		if ch.Get(p) != nil {
			t.Errorf("Get(%s) finds a removed asset", p)
		}
	}
	// Without prune, nothing is removed.
	if ch := mustPlan(t, base, "namespace: NS\ndatasets:\n  - name: A\n", PlanOptions{}); !ch.Empty() || len(ch.Removed) != 0 {
		t.Errorf("without prune: %+v", ch)
	}
	// Pruning everything of a namespace with an empty document.
	after := mustDeploy(t, base, "namespace: NS\ndatasets: []\n", PlanOptions{Prune: true})
	var left []string
	after.All(func(a *Asset) bool { left = append(left, a.Path); return true })
	if want := []string{"NS", "NSX/D", "Other"}; !slices.Equal(left, want) {
		t.Errorf("after pruning NS: %v, want %v", left, want)
	}
}

func TestPlanIsIdempotent(t *testing.T) {
	for _, name := range []string{"fennel.yaml", "fennel.json", "columns.yaml"} {
		doc := readTestdata(t, name)
		snap := mustDeploy(t, EmptySnapshot, doc, PlanOptions{Deployer: "user:jane"})
		ch := mustPlan(t, snap, doc, PlanOptions{Deployer: "user:bob"})
		if !ch.Empty() || len(ch.Added)+len(ch.Changed)+len(ch.Removed) != 0 {
			t.Errorf("%s deployed twice: upserts %d, removes %d, added %v, changed %v, removed %v",
				name, len(ch.Upserts), len(ch.Removes), ch.Added, ch.Changed, ch.Removed)
		}
	}
	// The same with a namespace and prune.
	base := mustDeploy(t, EmptySnapshot, "datasets:\n  - name: shared/Country\n    fields: [{name: name, type: str}]\n", PlanOptions{})
	doc := readTestdata(t, "namespace.yaml")
	snap := mustDeploy(t, base, doc, PlanOptions{Prune: true})
	if ch := mustPlan(t, snap, doc, PlanOptions{Prune: true}); !ch.Empty() {
		t.Errorf("namespace.yaml deployed twice with prune: %+v", ch)
	}
	// The same definitions spelled differently are the same definitions.
	respelled := strings.NewReplacer("[PII]", "[PII, PII]", "type: float", "type: ' float '").Replace(readTestdata(t, "fennel.yaml"))
	snap = mustDeploy(t, EmptySnapshot, readTestdata(t, "fennel.yaml"), PlanOptions{})
	if ch := mustPlan(t, snap, respelled, PlanOptions{}); !ch.Empty() {
		t.Errorf("respelled document changes %v %v", ch.Added, ch.Changed)
	}
}

func TestPlanListsAreSorted(t *testing.T) {
	base := mustDeploy(t, EmptySnapshot, "datasets:\n  - name: ns/q\n  - name: ns/c\n  - name: ns/x\n  - name: ns/a\n  - name: ns/m\n", PlanOptions{})
	doc := `
namespace: ns
datasets:
  - name: z
  - name: m
    description: changed
  - name: b
  - name: q
    fields: [{name: f, type: int}]
  - name: y/k
featuresets:
  - name: d
`
	ch := mustPlan(t, base, doc, PlanOptions{Prune: true})
	checks := []struct {
		what      string
		got, want []string
	}{
		{"Added", ch.Added, []string{"ns/b", "ns/d", "ns/y/k", "ns/z"}},
		{"Changed", ch.Changed, []string{"ns/m", "ns/q"}},
		{"Removed", ch.Removed, []string{"ns/a", "ns/c", "ns/x"}},
	}
	for _, c := range checks {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	var ups []string
	for _, a := range ch.Upserts {
		ups = append(ups, a.Path)
	}
	if want := []string{"ns/b", "ns/d", "ns/m", "ns/q", "ns/y/k", "ns/z"}; !slices.Equal(ups, want) {
		t.Errorf("Upserts = %v, want %v", ups, want)
	}
}

func TestPlanChangedMemberChangesItsParent(t *testing.T) {
	base := mustDeploy(t, EmptySnapshot, readTestdata(t, "fennel.yaml"), PlanOptions{})
	edits := []struct {
		name, old, new string
		changed        []string
	}{
		{"field type", "{name: amount, type: float}", "{name: amount, type: decimal}", []string{"Transaction"}},
		{"field tag", "{name: city, type: str}", "{name: city, type: str, tags: [PII]}", []string{"User"}},
		{"field key", "{name: uid, type: int}, {name: amount", "{name: uid, type: int, key: true}, {name: amount", []string{"Transaction"}},
		{"field added", "{name: at, type: datetime}]\n    pipeline", "{name: at, type: datetime}, {name: n, type: int}]\n    pipeline", []string{"TxnByCity"}},
		{"feature from", "from: [User.city]}", "from: [User.city, User.uid]}", []string{"UserFeatures"}},
		{"feature removed", "      - {name: uid, type: int}\n", "", []string{"UserFeatures"}},
		{"pipeline input", "inputs: [Transaction, User]", "inputs: [Transaction]", []string{"TxnByCity"}},
		{"column lineage declared", "inputs: [Transaction, User]}", "inputs: [Transaction, User], columns: {city: [User.city]}}", []string{"TxnByCity"}},
		{"field order", "{name: uid, type: int, key: true}, {name: city, type: str}", "{name: city, type: str}, {name: uid, type: int, key: true}", []string{"User"}},
		{"dataset tags and description", "tags: [stripe]", "tags: [stripe, finance]\n    description: d", []string{"Transaction"}},
	}
	for _, e := range edits {
		doc := readTestdata(t, "fennel.yaml")
		if !strings.Contains(doc, e.old) {
			t.Fatalf("%s: %q not in the document", e.name, e.old)
		}
		ch := mustPlan(t, base, strings.Replace(doc, e.old, e.new, 1), PlanOptions{})
		if !slices.Equal(ch.Changed, e.changed) || len(ch.Added) != 0 || len(ch.Removed) != 0 {
			t.Errorf("%s: Added %v, Changed %v, Removed %v; want Changed %v", e.name, ch.Added, ch.Changed, ch.Removed, e.changed)
		}
		if len(ch.Upserts) != len(e.changed) {
			t.Errorf("%s: %d upserts, want %d", e.name, len(ch.Upserts), len(e.changed))
		}
	}
}

func TestPlanOwners(t *testing.T) {
	doc := "datasets:\n  - name: A\n  - name: B\n    owner: team:data\n"
	ch := mustPlan(t, EmptySnapshot, doc, PlanOptions{Deployer: "user:jane"})
	a, b := ch.Get("A"), ch.Get("B")
	if a.CreatedBy != "user:jane" || a.Owner != "" || a.EffectiveOwner() != "user:jane" {
		t.Errorf("A: CreatedBy %q, Owner %q, EffectiveOwner %q", a.CreatedBy, a.Owner, a.EffectiveOwner())
	}
	if b.CreatedBy != "user:jane" || b.EffectiveOwner() != "team:data" {
		t.Errorf("B: CreatedBy %q, EffectiveOwner %q", b.CreatedBy, b.EffectiveOwner())
	}
	snap, _ := EmptySnapshot.apply(ch.Upserts, ch.Removes)

	// Another deployer changes A and takes B's declared owner away: the creator stays.
	ch = mustPlan(t, snap, "datasets:\n  - name: A\n    description: now described\n  - name: B\n  - name: C\n", PlanOptions{Deployer: "user:bob"})
	if !slices.Equal(ch.Changed, []string{"A", "B"}) || !slices.Equal(ch.Added, []string{"C"}) {
		t.Fatalf("Changed %v, Added %v", ch.Changed, ch.Added)
	}
	a, b, c := ch.Get("A"), ch.Get("B"), ch.Get("C")
	if a.CreatedBy != "user:jane" || a.EffectiveOwner() != "user:jane" || a.Description != "now described" {
		t.Errorf("A after bob's deploy: %s", encode(a))
	}
	if b.CreatedBy != "user:jane" || b.EffectiveOwner() != "user:jane" {
		t.Errorf("B after bob's deploy: %s", encode(b))
	}
	if c.CreatedBy != "user:bob" {
		t.Errorf("C: CreatedBy %q", c.CreatedBy)
	}
	// A redeploy by someone else of the same definitions changes nothing.
	if ch := mustPlan(t, snap, doc, PlanOptions{Deployer: "user:bob"}); !ch.Empty() {
		t.Errorf("redeploy by another principal changes %v", ch.Changed)
	}
}

func TestChangeLookup(t *testing.T) {
	base := mustDeploy(t, EmptySnapshot, readTestdata(t, "fennel.yaml"), PlanOptions{})
	base = mustDeploy(t, base, "namespace: ns\ndatasets:\n  - name: Old\n    fields: [{name: x, type: int}]\n", PlanOptions{Prune: true})
	ch := mustPlan(t, base, "namespace: ns\ndatasets:\n  - name: New\n    fields: [{name: y, type: int}]\n", PlanOptions{Prune: true})
	tests := []struct {
		path   string
		asset  string
		member string
		ok     bool
	}{
		{"User", "User", "", true},
		{"User.city", "User", "city", true},
		{"User.nope", "User", "", false},
		{"ns/New", "ns/New", "", true},
		{"ns/New.y", "ns/New", "y", true},
		{"ns/Old", "", "", false},
		{"ns/Old.x", "", "", false},
		{"Nope.x", "", "", false},
	}
	for _, tt := range tests {
		a, m, ok := ch.Lookup(tt.path)
		var an, mn string
		if a != nil {
			an = a.Path
		}
		if m != nil {
			mn = m.Name
		}
		if ok != tt.ok || an != tt.asset || mn != tt.member {
			t.Errorf("Lookup(%s) = (%q, %q, %v), want (%q, %q, %v)", tt.path, an, mn, ok, tt.asset, tt.member, tt.ok)
		}
	}
}

// TestPlanDoesNotChangeItsBase checks that planning and applying leave the base snapshot as
// it was: snapshots are immutable values shared by branches.
func TestPlanDoesNotChangeItsBase(t *testing.T) {
	base := mustDeploy(t, EmptySnapshot, readTestdata(t, "fennel.yaml"), PlanOptions{Deployer: "user:jane"})
	before := snapshotJSON(base)
	doc := strings.Replace(readTestdata(t, "fennel.yaml"), "tags: [PII]", "tags: [PII, gdpr]", 1)
	_ = mustDeploy(t, base, "namespace: x\ndatasets: []\n", PlanOptions{Prune: true})
	_ = mustDeploy(t, base, doc, PlanOptions{Deployer: "user:bob"})
	if after := snapshotJSON(base); after != before {
		t.Errorf("base changed:\n%s\n%s", before, after)
	}
}

func snapshotJSON(s *Snapshot) string {
	var b strings.Builder
	s.All(func(a *Asset) bool {
		fmt.Fprintln(&b, encode(a))
		return true
	})
	return b.String()
}
