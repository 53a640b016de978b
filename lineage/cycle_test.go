package lineage_test

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// change is a catalog.Change that writes assets onto the empty catalog.
func change(assets ...*catalog.Asset) *catalog.Change {
	ups := slices.Clone(assets)
	slices.SortFunc(ups, func(a, b *catalog.Asset) int { return cmp.Compare(a.Path, b.Path) })
	return &catalog.Change{Base: catalog.EmptySnapshot, Upserts: ups}
}

func TestCheckCycles(t *testing.T) {
	cases := []struct {
		name   string
		assets []*catalog.Asset
		want   []catalog.Problem // Asset and Msg
	}{
		{"two datasets", []*catalog.Asset{reads(ds("A", "x"), "B"), reads(ds("B", "y"), "A")},
			[]catalog.Problem{{Asset: "A", Msg: "cycle: A -> B -> A; lineage must stay acyclic"}}},
		{"three datasets, named in the direction data flows",
			// C feeds A, A feeds B, B feeds C.
			[]*catalog.Asset{reads(ds("A"), "C"), reads(ds("B"), "A"), reads(ds("C"), "B"), ds("Src")},
			[]catalog.Problem{{Asset: "A", Msg: "cycle: A -> B -> C -> A; lineage must stay acyclic"}}},
		{"a cycle reached from outside it", []*catalog.Asset{reads(ds("A"), "M"), reads(ds("M"), "N"), reads(ds("N"), "M")},
			[]catalog.Problem{{Asset: "M", Msg: "cycle: M -> N -> M; lineage must stay acyclic"}}},
		{"self input", []*catalog.Asset{reads(ds("A", "x"), "A")},
			[]catalog.Problem{{Asset: "A", Msg: "A reads itself; lineage must stay acyclic"}}},
		{"self input among other inputs", []*catalog.Asset{ds("S"), reads(ds("A"), "S", "A")},
			[]catalog.Problem{{Asset: "A", Msg: "A reads itself; lineage must stay acyclic"}}},
		{"two features", []*catalog.Asset{fs("F", feat{"x", []string{"F.y"}}, feat{"y", []string{"F.x"}})},
			[]catalog.Problem{{Asset: "F.x", Msg: "cycle: F.x -> F.y -> F.x; lineage must stay acyclic"}}},
		{"features of two featuresets", []*catalog.Asset{
			ds("D", "c"),
			fs("F", feat{"a", []string{"D.c", "G.b"}}),
			fs("G", feat{"b", []string{"F.a", "D"}}),
		}, []catalog.Problem{{Asset: "F.a", Msg: "cycle: F.a -> G.b -> F.a; lineage must stay acyclic"}}},
		{"a feature reads itself", []*catalog.Asset{fs("F", feat{"x", []string{"F.x"}})},
			[]catalog.Problem{{Asset: "F.x", Msg: "F.x reads itself; lineage must stay acyclic"}}},
		{"two separate cycles", []*catalog.Asset{
			reads(ds("A"), "B"), reads(ds("B"), "A"),
			fs("F", feat{"x", []string{"F.y"}}, feat{"y", []string{"F.x"}}),
		}, []catalog.Problem{
			{Asset: "A", Msg: "cycle: A -> B -> A; lineage must stay acyclic"},
			{Asset: "F.x", Msg: "cycle: F.x -> F.y -> F.x; lineage must stay acyclic"},
		}},
		{"paths with namespaces", []*catalog.Asset{reads(ds("ns/a b"), "ns/c"), reads(ds("ns/c"), "ns/a b")},
			[]catalog.Problem{{Asset: "ns/a b", Msg: "cycle: ns/a b -> ns/c -> ns/a b; lineage must stay acyclic"}}},
		{"Fennel", fennel(), nil},
		{"diamonds", []*catalog.Asset{
			ds("A", "x"),
			reads(ds("B", "x"), "A"),
			mapped(ds("C", "x"), map[string][]string{"x": {"A.x"}}, "A"),
			reads(ds("D", "x"), "B", "C", "A"),
			reads(ds("E"), "D", "B"),
			fs("F",
				feat{"a", []string{"A.x", "D"}},
				feat{"b", []string{"F.a"}},
				feat{"c", []string{"F.a", "B.x"}},
				feat{"d", []string{"F.b", "F.c", "F.a"}}),
			fs("G", feat{"e", []string{"F.d", "F.b", "E"}}),
		}, nil},
		// Fields and datasets do not lead back to features: no cycle.
		{"feature reads fields only", []*catalog.Asset{ds("A", "x"), fs("F", feat{"x", []string{"A.x", "A"}})}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := lineage.CheckCycles(change(c.assets...))
			for i := range got {
				got[i].Line = 0
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

// A cycle's message lists each node once, in the direction data flows: each node feeds
// the next, and it ends where it starts.
func TestCheckCyclesMessageFollowsDataFlow(t *testing.T) {
	// d0 reads d5, d(i) reads d(i-1): d0 -> d1 -> ... -> d5 -> d0.
	var assets []*catalog.Asset
	for i := 0; i < 6; i++ {
		assets = append(assets, reads(ds(fmt.Sprintf("d%d", i)), fmt.Sprintf("d%d", (i+5)%6)))
	}
	ch := change(assets...)
	ps := lineage.CheckCycles(ch)
	if len(ps) != 1 {
		t.Fatalf("problems %q, want one", ps)
	}
	msg, ok := strings.CutPrefix(ps[0].Msg, "cycle: ")
	msg, ok2 := strings.CutSuffix(msg, "; lineage must stay acyclic")
	if !ok || !ok2 {
		t.Fatalf("message %q", ps[0].Msg)
	}
	nodes := strings.Split(msg, " -> ")
	if len(nodes) != 7 || nodes[0] != nodes[6] || nodes[0] != ps[0].Asset {
		t.Fatalf("cycle %v for asset %s", nodes, ps[0].Asset)
	}
	for i := 1; i < len(nodes); i++ {
		if !slices.Contains(ch.Get(nodes[i]).Pipeline.Inputs, nodes[i-1]) {
			t.Errorf("%s -> %s: %s does not read %s", nodes[i-1], nodes[i], nodes[i], nodes[i-1])
		}
	}
}

// A long chain is checked without exhausting the stack, and without a report.
func TestCheckCyclesLongChain(t *testing.T) {
	const n = 5000
	assets := []*catalog.Asset{ds("p0")}
	for i := 1; i < n; i++ {
		assets = append(assets, reads(ds("p"+strconv.Itoa(i)), "p"+strconv.Itoa(i-1)))
	}
	if ps := lineage.CheckCycles(change(assets...)); len(ps) != 0 {
		t.Fatalf("chain: %q", ps)
	}
	assets[0] = reads(ds("p0"), "p"+strconv.Itoa(n-1))
	ps := lineage.CheckCycles(change(assets...))
	if len(ps) != 1 || strings.Count(ps[0].Msg, " -> ") != n {
		t.Fatalf("closed chain: %d problems, first with %d arrows", len(ps), strings.Count(firstMsg(ps), " -> "))
	}
}

func firstMsg(ps []catalog.Problem) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].Msg
}
