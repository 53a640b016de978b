package lineage_test

import (
	"cmp"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

var ctx = context.Background()

type walkWant struct {
	nodes []string
	edges [][2]string
}

func walkPaths(g *lineage.Graph, w lineage.Walked) walkWant {
	out := walkWant{nodes: pathsOf(g, w.Nodes), edges: [][2]string{}}
	for _, e := range w.Edges {
		out.edges = append(out.edges, [2]string{g.Path(e[0]), g.Path(e[1])})
	}
	return out
}

// edgesBetween lists every edge of g between nodes, from the parents lists: what a walk
// that reached exactly these nodes must return, sorted as Walk sorts.
func edgesBetween(g *lineage.Graph, nodes []string) [][2]string {
	in := map[string]bool{}
	for _, n := range nodes {
		in[n] = true
	}
	out := [][2]string{}
	for _, n := range nodes {
		id, _ := g.Lookup(n)
		for _, e := range g.Parents(id) {
			if in[g.Path(e.From)] {
				out = append(out, [2]string{g.Path(e.From), n})
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int {
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		return cmp.Compare(a[1], b[1])
	})
	return out
}

func TestWalk(t *testing.T) {
	g := build(fennel()...).g
	const tih = "UserFeatures.total_in_hometown"
	upAll := []string{
		"Transaction", "Transaction.amount", "Transaction.at", "Transaction.uid",
		"TxnByCity", "TxnByCity.total",
		"User", "User.city", "User.uid", "User.updated_at",
		"UserFeatures", "UserFeatures.city", tih,
	}
	downAll := []string{"TxnByCity", "TxnByCity.at", "TxnByCity.city", "TxnByCity.total", "User.city", "UserFeatures.city", tih}
	cases := []struct {
		name  string
		start string
		dir   lineage.Direction
		depth int
		gran  lineage.Granularity
		want  walkWant
	}{
		{"depth 0 is the start alone", tih, lineage.Upstream, 0, lineage.ColumnLevel,
			walkWant{[]string{tih}, nil}},
		{"depth 0 downstream", "User", lineage.Downstream, 0, lineage.ColumnLevel,
			walkWant{[]string{"User"}, nil}},
		{"upstream 1", tih, lineage.Upstream, 1, lineage.ColumnLevel, walkWant{
			[]string{"TxnByCity.total", "UserFeatures", "UserFeatures.city", tih},
			[][2]string{
				{"TxnByCity.total", tih},
				{"UserFeatures", "UserFeatures.city"}, // between reached nodes, though not walked
				{"UserFeatures", tih},
				{"UserFeatures.city", tih},
			}}},
		{"upstream 2", tih, lineage.Upstream, 2, lineage.ColumnLevel, walkWant{
			[]string{"TxnByCity", "TxnByCity.total", "User.city", "UserFeatures", "UserFeatures.city", tih},
			[][2]string{
				{"TxnByCity", "TxnByCity.total"},
				{"TxnByCity.total", tih},
				{"User.city", "TxnByCity"}, // fail-closed, between two nodes reached by other paths
				{"User.city", "UserFeatures.city"},
				{"UserFeatures", "UserFeatures.city"},
				{"UserFeatures", tih},
				{"UserFeatures.city", tih},
			}}},
		{"upstream, large depth", tih, lineage.Upstream, 1 << 30, lineage.ColumnLevel,
			walkWant{upAll, edgesBetween(g, upAll)}},
		{"downstream 1", "User.city", lineage.Downstream, 1, lineage.ColumnLevel, walkWant{
			[]string{"TxnByCity", "User.city", "UserFeatures.city"},
			[][2]string{{"User.city", "TxnByCity"}, {"User.city", "UserFeatures.city"}}}},
		{"downstream 2", "User.city", lineage.Downstream, 2, lineage.ColumnLevel, walkWant{
			downAll,
			[][2]string{
				{"TxnByCity", "TxnByCity.at"}, {"TxnByCity", "TxnByCity.city"}, {"TxnByCity", "TxnByCity.total"},
				{"TxnByCity.total", tih}, // both reached at depth 2
				{"User.city", "TxnByCity"}, {"User.city", "UserFeatures.city"},
				{"UserFeatures.city", tih},
			}}},
		{"downstream, large depth", "User.city", lineage.Downstream, 100, lineage.ColumnLevel,
			walkWant{downAll, edgesBetween(g, downAll)}},

		// Dataset granularity: members fold into their top node; edges between the same
		// two tops appear once, self loops (containment, UserFeatures.city -> tih) go.
		{"dataset level, depth 0 from a field", "User.city", lineage.Downstream, 0, lineage.DatasetLevel,
			walkWant{[]string{"User"}, nil}},
		{"dataset level upstream 1 from a feature", "UserFeatures.city", lineage.Upstream, 1, lineage.DatasetLevel, walkWant{
			[]string{"TxnByCity", "User", "UserFeatures"},
			[][2]string{{"TxnByCity", "UserFeatures"}, {"User", "TxnByCity"}, {"User", "UserFeatures"}}}},
		{"dataset level upstream 2", "UserFeatures", lineage.Upstream, 2, lineage.DatasetLevel, walkWant{
			[]string{"Transaction", "TxnByCity", "User", "UserFeatures"},
			[][2]string{{"Transaction", "TxnByCity"}, {"TxnByCity", "UserFeatures"}, {"User", "TxnByCity"}, {"User", "UserFeatures"}}}},
		{"dataset level downstream 1", "User", lineage.Downstream, 1, lineage.DatasetLevel, walkWant{
			[]string{"TxnByCity", "User", "UserFeatures"},
			[][2]string{{"TxnByCity", "UserFeatures"}, {"User", "TxnByCity"}, {"User", "UserFeatures"}}}},
		{"dataset level downstream from Transaction", "Transaction.amount", lineage.Downstream, 5, lineage.DatasetLevel, walkWant{
			[]string{"Transaction", "TxnByCity", "UserFeatures"},
			[][2]string{{"Transaction", "TxnByCity"}, {"TxnByCity", "UserFeatures"}}}},
		{"dataset level, a leaf", "UserFeatures.uid", lineage.Downstream, 3, lineage.DatasetLevel,
			walkWant{[]string{"UserFeatures"}, nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := g.Walk(ctx, mustID(t, g, c.start), c.dir, c.depth, c.gran)
			if err != nil {
				t.Fatal(err)
			}
			if c.want.edges == nil {
				c.want.edges = [][2]string{}
			}
			if got := walkPaths(g, w); !reflect.DeepEqual(got, c.want) {
				t.Errorf("walk:\n got %v\nwant %v", got, c.want)
			}
		})
	}
}

// Walk's outputs are sorted by path and hold each edge once, also where a fold merges many
// edges (User's three fields and User itself all feed TxnByCity).
func TestWalkSortedAndUnique(t *testing.T) {
	g := build(append(columnsCatalog(), fennel()...)...).g
	for id := int32(0); id < g.Cap(); id++ {
		for _, dir := range []lineage.Direction{lineage.Upstream, lineage.Downstream} {
			for _, gran := range []lineage.Granularity{lineage.ColumnLevel, lineage.DatasetLevel} {
				for _, depth := range []int{1, 2, 10} {
					w, err := g.Walk(ctx, id, dir, depth, gran)
					if err != nil {
						t.Fatal(err)
					}
					p := walkPaths(g, w)
					if !slices.IsSorted(p.nodes) || !slices.IsSortedFunc(p.edges, func(a, b [2]string) int {
						if a[0] != b[0] {
							return cmp.Compare(a[0], b[0])
						}
						return cmp.Compare(a[1], b[1])
					}) {
						t.Fatalf("walk from %s not sorted: %v", g.Path(id), p)
					}
					if len(slices.Compact(slices.Clone(p.nodes))) != len(p.nodes) || len(slices.Compact(slices.Clone(p.edges))) != len(p.edges) {
						t.Fatalf("walk from %s lists something twice: %v", g.Path(id), p)
					}
					for _, n := range w.Nodes {
						if gran == lineage.DatasetLevel && g.Top(n) != n {
							t.Fatalf("dataset-level walk from %s lists member %s", g.Path(id), g.Path(n))
						}
					}
					for _, e := range p.edges {
						if e[0] == e[1] {
							t.Fatalf("walk from %s has a self loop %v", g.Path(id), e)
						}
						if !slices.Contains(p.nodes, e[0]) || !slices.Contains(p.nodes, e[1]) {
							t.Fatalf("walk from %s has edge %v to a node it did not reach", g.Path(id), e)
						}
					}
					if gran == lineage.ColumnLevel {
						if want := edgesBetween(g, p.nodes); !reflect.DeepEqual(p.edges, want) {
							t.Fatalf("walk from %s %v depth %d: edges\n %v\nwant %v", g.Path(id), dir, depth, p.edges, want)
						}
					}
				}
			}
		}
	}
}

func TestWalkErrors(t *testing.T) {
	g := build(fennel()...).g
	id := mustID(t, g, "User")
	for _, depth := range []int{-1, -100} {
		if _, err := g.Walk(ctx, id, lineage.Upstream, depth, lineage.ColumnLevel); err == nil {
			t.Errorf("depth %d: no error", depth)
		}
	}
	if _, err := g.Walk(ctx, g.Cap(), lineage.Upstream, 1, lineage.ColumnLevel); err == nil {
		t.Errorf("a start past the last id: no error")
	}
	if _, err := g.Walk(ctx, -1, lineage.Downstream, 1, lineage.DatasetLevel); err == nil {
		t.Errorf("start -1: no error")
	}
	// A removed node is not a start either.
	v, _ := build(fennel()...).next(nil, []string{"UserFeatures"})
	gone := mustID(t, g, "UserFeatures")
	if _, err := v.g.Walk(ctx, gone, lineage.Upstream, 1, lineage.ColumnLevel); err == nil {
		t.Errorf("a removed node: no error")
	}
}

func TestDownstream(t *testing.T) {
	g := build(fennel()...).g
	cases := map[string][]string{
		"User.city": {"TxnByCity", "TxnByCity.at", "TxnByCity.city", "TxnByCity.total",
			"UserFeatures.city", "UserFeatures.total_in_hometown"},
		"User": {"TxnByCity", "TxnByCity.at", "TxnByCity.city", "TxnByCity.total",
			"User.city", "User.uid", "User.updated_at",
			"UserFeatures.city", "UserFeatures.total_in_hometown"},
		"TxnByCity.total":                {"UserFeatures.total_in_hometown"},
		"UserFeatures.total_in_hometown": {},
		"UserFeatures.uid":               {},
	}
	for start, want := range cases {
		ids, err := g.Downstream(ctx, mustID(t, g, start))
		if err != nil {
			t.Fatal(err)
		}
		if got := pathsOf(g, ids); !slices.Equal(got, want) {
			t.Errorf("Downstream(%s) =\n %v\nwant %v", start, got, want)
		}
	}
}

func TestWalkAtMostRefusesLargeWalks(t *testing.T) {
	g := build(fennel()...).g
	id, _ := g.Lookup("User")
	if _, err := g.WalkAtMost(ctx, id, lineage.Downstream, 5, lineage.ColumnLevel, 3); catalog.KindOf(err) != catalog.InvalidArgument {
		t.Fatalf("a walk past the limit: %v", err)
	}
	w, err := g.WalkAtMost(ctx, id, lineage.Downstream, 5, lineage.ColumnLevel, 1000)
	if err != nil || len(w.Nodes) < 4 {
		t.Fatalf("a walk within the limit: %v, %d nodes", err, len(w.Nodes))
	}
}

// Paging through DownstreamPage gives Downstream's answer, page by page, for every page
// size, with the total on each page.
func TestDownstreamPage(t *testing.T) {
	g := build(largeCatalog(60, 5, 0)...).g
	for _, start := range []string{"big/d000", "big/d010.c1", "big/d059", "big/features"} {
		id := mustID(t, g, start)
		all, err := g.Downstream(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := pathsOf(g, all)
		for _, first := range []int{1, 2, 7, 100, 10_000} {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				p, err := g.DownstreamPage(ctx, id, after, first)
				if err != nil {
					t.Fatal(err)
				}
				if p.Total != len(all) || len(p.Nodes) > first {
					t.Fatalf("%s first %d: total %d (want %d), %d nodes", start, first, p.Total, len(all), len(p.Nodes))
				}
				got = append(got, pathsOf(g, p.Nodes)...)
				if !p.HasNext {
					break
				}
				if pages > len(all) {
					t.Fatalf("%s first %d: paging does not end", start, first)
				}
				after = g.Path(p.Nodes[len(p.Nodes)-1])
			}
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s first %d: pages gave\n %v\nwant %v", start, first, got, want)
			}
		}
		// first 0 answers the total alone, and says whether anything is there.
		p, err := g.DownstreamPage(ctx, id, "", 0)
		if err != nil || p.Total != len(all) || len(p.Nodes) != 0 || p.HasNext != (len(all) > 0) {
			t.Errorf("%s first 0: %+v, %v", start, p, err)
		}
	}
}

// A walk stops with the reason of its context's end: the deadline, or the cause its
// request was cancelled with.
func TestWalksStopWithTheirContext(t *testing.T) {
	g := build(largeCatalog(200, 20, 0)...).g // above checkEvery nodes downstream
	id := mustID(t, g, "big/d000")
	cause := errors.New("over budget")
	cctx, cancel := context.WithCancelCause(ctx)
	cancel(cause)
	dctx, stop := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer stop()
	for name, c := range map[string]struct {
		ctx  context.Context
		want error
	}{"cancelled": {cctx, cause}, "past its deadline": {dctx, context.DeadlineExceeded}} {
		if _, err := g.Downstream(c.ctx, id); !errors.Is(err, c.want) {
			t.Errorf("%s: Downstream: %v", name, err)
		}
		if _, err := g.DownstreamPage(c.ctx, id, "", 10); !errors.Is(err, c.want) {
			t.Errorf("%s: DownstreamPage: %v", name, err)
		}
		if _, err := g.Walk(c.ctx, id, lineage.Downstream, 1000, lineage.ColumnLevel); !errors.Is(err, c.want) {
			t.Errorf("%s: Walk: %v", name, err)
		}
	}
}

// The hint of a refused walk suggests granularity DATASET only to a walk at column
// granularity.
func TestWalkAtMostHint(t *testing.T) {
	g := build(largeCatalog(60, 5, 0)...).g
	id := mustID(t, g, "big/d000")
	_, err := g.WalkAtMost(ctx, id, lineage.Downstream, 100, lineage.ColumnLevel, 10)
	if err == nil || !strings.Contains(err.Error(), "granularity DATASET") {
		t.Errorf("column granularity: %v", err)
	}
	_, err = g.WalkAtMost(ctx, id, lineage.Downstream, 100, lineage.DatasetLevel, 10)
	if err == nil || strings.Contains(err.Error(), "granularity DATASET") || !strings.Contains(err.Error(), "smaller depth") {
		t.Errorf("dataset granularity: %v", err)
	}
}
