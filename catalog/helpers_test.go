package catalog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// plan parses, resolves and plans doc against base the way a deploy does, and returns the
// change and every problem of the three steps.
func plan(base *Snapshot, doc string, opts PlanOptions) (*Change, []Problem) {
	d, ps := ParseDocument([]byte(doc))
	if d == nil {
		return nil, ps
	}
	res, more := Resolve(d)
	ps = append(ps, more...)
	ch, more := Plan(base, res, opts)
	return ch, append(ps, more...)
}

// mustPlan plans doc and fails the test on any problem.
func mustPlan(t *testing.T, base *Snapshot, doc string, opts PlanOptions) *Change {
	t.Helper()
	ch, ps := plan(base, doc, opts)
	if len(ps) > 0 || ch == nil {
		t.Fatalf("unexpected problems:\n%s", problemList(ps))
	}
	return ch
}

// mustDeploy plans doc against base and returns the snapshot after the change.
func mustDeploy(t *testing.T, base *Snapshot, doc string, opts PlanOptions) *Snapshot {
	t.Helper()
	ch := mustPlan(t, base, doc, opts)
	snap, _ := base.apply(ch.Upserts, ch.Removes)
	return snap
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantProblem is a problem a test expects: the exact asset and line, and a part of the
// message.
type wantProblem struct {
	asset string
	line  int
	msg   string
}

// checkProblems fails unless got holds exactly the wanted problems, in any order.
func checkProblems(t *testing.T, got []Problem, want []wantProblem) {
	t.Helper()
	used := make([]bool, len(got))
	var missing []wantProblem
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && g.Asset == w.asset && g.Line == w.line && strings.Contains(g.Msg, w.msg) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	var extra []Problem
	for i, g := range got {
		if !used[i] {
			extra = append(extra, g)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return
	}
	var b strings.Builder
	for _, w := range missing {
		b.WriteString("  missing: asset=" + w.asset + " line=" + itoa(w.line) + " msg~" + w.msg + "\n")
	}
	for _, p := range extra {
		b.WriteString("  unexpected: " + describe(p) + "\n")
	}
	t.Errorf("problems differ:\n%sgot:\n%s", b.String(), problemList(got))
}

func describe(p Problem) string {
	return "asset=" + p.Asset + " line=" + itoa(p.Line) + " msg=" + p.Msg
}

func problemList(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + describe(p) + "\n")
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

// encode is the JSON of v, for comparisons in failure messages.
func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
