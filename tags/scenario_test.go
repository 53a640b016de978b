package tags_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
	"go.yaml.in/yaml/v3"
)

// A scenario is a list of steps on a fresh catalog, each a change or an expectation:
//
//   - deploy: <document>          # or file: fennel.yaml (from fixtures/)
//     branch: dev                 # every step takes a branch; main by default
//     prune: true
//     tagChanges: {User.city: [+PII], X: [-PII]}   # expected exactly, when given
//     error: substring            # the deploy must be refused with this in a problem
//   - setTags: {path: X, tags: ["~PII"]}
//   - defineTag: {name: PII, negation: NODE, propagate: false}
//   - createBranch: {name: dev, from: main}
//   - tags: {User.city: [PII], TxnByCity: [stripe]}        # present tags, exactly
//   - cancels: {TxnByCity: [PII]}
//   - explain: {path: X, tag: PII, present: false, sources: {User: [User, User.city, X]}, cancelledBy: [T],
//     stopped: {S: {at: A, reason: NODE_NEGATION, path: [S, A, X]}}}   # exactly; none when left out
//
// Scenario files live in testdata/scenarios and, for the seed scenarios, in
// fixtures/scenarios; a new case is a new file.
type step struct {
	Branch     string              `yaml:"branch"`
	Deploy     string              `yaml:"deploy"`
	File       string              `yaml:"file"`
	Prune      bool                `yaml:"prune"`
	TagChanges map[string][]string `yaml:"tagChanges"`
	Error      string              `yaml:"error"`
	SetTags    *struct {
		Path string
		Tags []string
	} `yaml:"setTags"`
	DefineTag *struct {
		Name      string
		Propagate *bool
		Negation  string
	} `yaml:"defineTag"`
	CreateBranch *struct{ Name, From string } `yaml:"createBranch"`
	Tags         map[string][]string          `yaml:"tags"`
	Cancels      map[string][]string          `yaml:"cancels"`
	Explain      *struct {
		Path        string
		Tag         string
		Present     bool
		Sources     map[string][]string
		CancelledBy []string `yaml:"cancelledBy"`
		Stopped     map[string]stopWant
	} `yaml:"explain"`
}

// stopWant is an expected entry of an explanation's stopped list.
type stopWant struct {
	At     string   `yaml:"at"`
	Reason string   `yaml:"reason"`
	Path   []string `yaml:"path"`
}

type scenario struct {
	Description string `yaml:"description"`
	Steps       []step `yaml:"steps"`
}

func TestScenarios(t *testing.T) {
	var files []string
	for _, dir := range []string{"testdata/scenarios", "../fixtures/scenarios"} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %d scenario files", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var sc scenario
			dec := yaml.NewDecoder(strings.NewReader(string(b)))
			dec.KnownFields(true)
			if err := dec.Decode(&sc); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			runScenario(t, sc)
		})
	}
}

func runScenario(t *testing.T, sc scenario) {
	s, _ := newService(t)
	ctx := context.Background()
	for i, st := range sc.Steps {
		at := fmt.Sprintf("step %d", i+1)
		branch := st.Branch
		if branch == "" {
			branch = "main"
		}
		switch {
		case st.Deploy != "" || st.File != "":
			doc := st.Deploy
			if st.File != "" {
				b, err := os.ReadFile(filepath.Join("../fixtures", st.File))
				if err != nil {
					t.Fatalf("%s: %v", at, err)
				}
				doc = string(b)
			}
			res, err := deploy(t, s, branch, doc, func(r *tags.DeployRequest) { r.Prune = st.Prune })
			if st.Error != "" {
				if !strings.Contains(fmt.Sprint(catalog.ProblemsOf(err)), st.Error) {
					t.Fatalf("%s: deploy error %v, want one with %q", at, err, st.Error)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: deploy: %v", at, err)
			}
			if st.TagChanges != nil {
				got := map[string][]string{}
				for _, c := range res.TagChanges {
					var l []string
					for _, a := range c.Added {
						l = append(l, "+"+a)
					}
					for _, r := range c.Removed {
						l = append(l, "-"+r)
					}
					got[c.Path] = l
				}
				if !reflect.DeepEqual(got, st.TagChanges) {
					t.Fatalf("%s: tag changes %v, want %v", at, got, st.TagChanges)
				}
			}
		case st.SetTags != nil:
			if _, _, err := s.SetTags(ctx, org, branch, st.SetTags.Path, st.SetTags.Tags, "user:steward"); err != nil {
				t.Fatalf("%s: setTags: %v", at, err)
			}
		case st.DefineTag != nil:
			d := tags.Definition{Name: st.DefineTag.Name, Propagate: st.DefineTag.Propagate == nil || *st.DefineTag.Propagate}
			var err error
			if d.Negation, err = tags.ParseNegation(st.DefineTag.Negation); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.DefineTag(ctx, org, d); err != nil {
				t.Fatalf("%s: defineTag: %v", at, err)
			}
		case st.CreateBranch != nil:
			if _, err := s.CreateBranch(ctx, org, st.CreateBranch.Name, st.CreateBranch.From); err != nil {
				t.Fatalf("%s: createBranch: %v", at, err)
			}
		case st.Tags != nil || st.Cancels != nil:
			v, err := s.View(org, branch)
			if err != nil {
				t.Fatal(err)
			}
			for _, exp := range []struct {
				want map[string][]string
				get  func(int32) []string
				what string
			}{
				{st.Tags, func(id int32) []string { return v.Lineage.Present(v.Vocab, id) }, "tags"},
				{st.Cancels, func(id int32) []string { return v.Lineage.Cancels(v.Vocab, id) }, "cancels"},
			} {
				for _, p := range sortedStrings(exp.want) {
					id, ok := v.Lineage.Graph.Lookup(p)
					if !ok {
						t.Fatalf("%s: %s does not exist on %s", at, p, branch)
					}
					got, want := exp.get(id), exp.want[p]
					if len(got) == 0 && len(want) == 0 {
						continue
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s: %s %s = %v, want %v", at, p, exp.what, got, want)
					}
				}
			}
		case st.Explain != nil:
			v, err := s.View(org, branch)
			if err != nil {
				t.Fatal(err)
			}
			id, ok := v.Lineage.Graph.Lookup(st.Explain.Path)
			if !ok {
				t.Fatalf("%s: %s does not exist", at, st.Explain.Path)
			}
			ex, err := v.Lineage.Explain(ctx, v.Vocab, id, st.Explain.Tag)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, src := range ex.Sources {
				got[src.Source] = src.Path
			}
			want := st.Explain.Sources
			if want == nil {
				want = map[string][]string{}
			}
			wantC := st.Explain.CancelledBy
			if wantC == nil {
				wantC = []string{}
			}
			if ex.Present != st.Explain.Present || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(ex.CancelledBy, wantC) {
				t.Errorf("%s: explain %s %s = present %v sources %v cancelledBy %v; want %v %v %v", at,
					st.Explain.Path, st.Explain.Tag, ex.Present, got, ex.CancelledBy, st.Explain.Present, want, wantC)
			}
			gotS := map[string]stopWant{}
			var order []string
			for _, x := range ex.Stopped {
				gotS[x.Source] = stopWant{At: x.At, Reason: x.Reason.String(), Path: x.Path}
				order = append(order, x.Source)
			}
			wantS := st.Explain.Stopped
			if wantS == nil {
				wantS = map[string]stopWant{}
			}
			if !reflect.DeepEqual(gotS, wantS) || !sort.StringsAreSorted(order) {
				t.Errorf("%s: explain %s %s: stopped = %+v (in order %v), want %+v", at, st.Explain.Path, st.Explain.Tag, gotS, order, wantS)
			}
		default:
			t.Fatalf("%s: a step that does nothing", at)
		}
	}
}

func sortedStrings(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
