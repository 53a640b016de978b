package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// crashDocument is a definitions document of n datasets PREFIXdsNNNN, each with nf fields
// f0.. of type typ, so that documents that differ only in typ touch the same assets.
func crashDocument(n, nf int, prefix, typ string) []byte {
	var b strings.Builder
	b.WriteString("datasets:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: %sds%04d\n    fields:\n", prefix, i)
		for j := range nf {
			fmt.Fprintf(&b, "      - {name: f%d, type: %q}\n", j, typ)
		}
	}
	return []byte(b.String())
}

// crashState is what main holds under crash/: how many datasets, the one type of all their
// fields ("" when there are none, "mixed" when they disagree) and main's version.
type crashState struct {
	count   int
	typ     string
	version int
}

func (c crashState) String() string {
	return fmt.Sprintf("%d datasets of %q at version %d", c.count, c.typ, c.version)
}

// readCrashState reads main's crash/ datasets through GraphQL, every page of them, and
// fails the test on any sign of a partial deploy.
func readCrashState(t *testing.T, s *server, n, nf int) crashState {
	t.Helper()
	var head struct {
		Datasets struct{ TotalCount int }
		Branches []branchState
	}
	s.query(t, `{ datasets(prefix: "crash/", first: 1) { totalCount } branches { name version } }`, nil, &head)
	st := crashState{count: head.Datasets.TotalCount, version: -1}
	for _, b := range head.Branches {
		if b.Name == "main" {
			st.version = b.Version
		}
	}
	if st.count != 0 && st.count != n {
		t.Fatalf("main holds %d crash/ datasets: a deploy of %d was applied in part", st.count, n)
	}

	seen := map[string]bool{}
	types := map[string]int{}
	var after any
	for {
		var page struct {
			Datasets struct {
				TotalCount int
				Nodes      []struct {
					Path   string
					Fields []struct{ Name, Type string }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		s.query(t, `query($a: String) { datasets(prefix: "crash/", first: 1000, after: $a) {
			totalCount nodes { path fields { name type } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"a": after}, &page)
		if page.Datasets.TotalCount != st.count {
			t.Fatalf("totalCount changed between pages: %d then %d", st.count, page.Datasets.TotalCount)
		}
		for _, d := range page.Datasets.Nodes {
			if seen[d.Path] {
				t.Fatalf("%s listed twice", d.Path)
			}
			seen[d.Path] = true
			if len(d.Fields) != nf {
				t.Fatalf("%s has %d fields, want %d", d.Path, len(d.Fields), nf)
			}
			for _, f := range d.Fields {
				types[f.Type]++
			}
		}
		if !page.Datasets.PageInfo.HasNextPage || page.Datasets.PageInfo.EndCursor == nil {
			break
		}
		after = *page.Datasets.PageInfo.EndCursor
	}
	if len(seen) != st.count {
		t.Fatalf("totalCount is %d but the pages list %d datasets", st.count, len(seen))
	}
	for i := range st.count {
		if p := fmt.Sprintf("crash/ds%04d", i); !seen[p] {
			t.Fatalf("%s is missing", p)
		}
	}
	switch len(types) {
	case 0:
	case 1:
		for typ := range types {
			st.typ = typ
		}
	default:
		st.typ = "mixed"
		t.Fatalf("the crash/ fields have several types %v: a deploy was applied in part", types)
	}
	return st
}

// TestCrashDuringDeployIsAtomic kills the server with SIGKILL while it commits a large
// deploy, at several points of the deploy, and checks after each restart that main holds
// exactly the old catalog or exactly the new one, and that a deploy the server
// acknowledged survived.
func TestCrashDuringDeployIsAtomic(t *testing.T) {
	const n, nf = 3000, 10
	data := t.TempDir()
	s := startServer(t, data)

	// How long one deploy of this size takes, measured on another branch so that main
	// starts empty: once adding, once changing every field, as the rounds below do.
	s.query(t, `mutation { createBranch(name: "probe") { name } }`, nil, nil)
	var took time.Duration
	for _, typ := range []string{"bytes", "datetime"} {
		doc := crashDocument(n, nf, "crash/", typ)
		start := time.Now()
		s.mustDeploy(t, doc, "probe")
		took = max(took, time.Since(start))
	}
	t.Logf("one deploy of %d datasets x %d fields (%d KB) takes up to %v", n, nf, len(crashDocument(n, nf, "crash/", "int"))>>10, took)

	state := readCrashState(t, s, n, nf)
	if state != (crashState{count: 0, typ: "", version: 0}) {
		t.Fatalf("main before the first round: %v", state)
	}
	// Where the kills land: the first two rounds bracket the deploy (a few ms in, and after
	// its usual end); the others bisect between the latest kill that left the old state and
	// the latest that left the new one. Parsing and planning come first, so that boundary
	// is where the pages are written and the head moves.
	const rounds = 7
	types := []string{"int", "str", "float", "bool", "date", "decimal", "optional[int]"}
	var lo, hi time.Duration // latest delays that left the old and the new state; 0: none yet
	outcomes := map[string]int{}
	for round := range rounds {
		var delay time.Duration
		switch {
		case round == 0:
			delay = 3 * time.Millisecond
		case round == 1:
			delay = took + took/10
		case hi == 0:
			delay = lo + took
		default:
			delay = (lo + hi) / 2
		}
		typ := types[round]
		doc := crashDocument(n, nf, "crash/", typ)
		type answer struct {
			status int
			body   []byte
			err    error
		}
		done := make(chan answer, 1)
		go func() {
			status, body, err := s.deploy(doc, "main")
			done <- answer{status, body, err}
		}()
		time.Sleep(delay)
		s.kill(t)
		a := <-done
		acked := a.err == nil && a.status == http.StatusOK
		if a.err == nil && a.status != http.StatusOK {
			t.Errorf("round %d: the deploy was refused: %d %.300s", round, a.status, a.body)
		}

		s = startServer(t, data)
		got := readCrashState(t, s, n, nf)
		want := crashState{count: n, typ: typ, version: state.version + 1}
		var outcome string
		switch got {
		case state:
			if acked {
				t.Errorf("round %d: the server answered 200 to the deploy, but after the crash main is %v", round, got)
			}
			outcome, lo = "old", delay
		case want:
			outcome, hi = "new, answered", delay
			if !acked {
				outcome = "new, not answered"
			}
		default:
			t.Fatalf("round %d: after a crash %v into deploying %v over %v, main is %v", round, delay, want, state, got)
		}
		outcomes[outcome]++
		t.Logf("round %d: killed %v into the deploy: %s (%v)", round, delay, outcome, got)
		state = got
	}
	t.Logf("outcomes: %v", outcomes)

	// After all that the server still takes deploys, on main and on the other branch.
	final := crashState{count: n, typ: "list[int]", version: state.version + 1}
	s.mustDeploy(t, crashDocument(n, nf, "crash/", final.typ), "main")
	if got := readCrashState(t, s, n, nf); got != final {
		t.Errorf("the deploy after the crashes: main is %v, want %v", got, final)
	}
	if b := s.branches(t)["probe"]; b.Version != 2 || b.AssetCount != n {
		t.Errorf("probe after the crashes: %+v", b)
	}
	r := mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	mustContain(t, "deploy of Fennel after the crashes", r.stdout, "4 added")
}
