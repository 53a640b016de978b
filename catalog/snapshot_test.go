package catalog

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

func testAsset(path, desc string) *Asset {
	return &Asset{Kind: KindDataset, Path: path, Description: desc,
		Members: []Member{{Name: "m", Type: "int"}}}
}

// oracle is the simple model of a snapshot: a map of paths.
type oracle map[string]string // path -> description

func (o oracle) sorted() []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (o oracle) rangeOf(prefix, after string) []string { return rangeSorted(o.sorted(), prefix, after) }

// rangeSorted is what Range must return from the sorted paths keys.
func rangeSorted(keys []string, prefix, after string) []string {
	var out []string
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) && k > after {
			out = append(out, k)
		}
	}
	return out
}

func rangeOf(s *Snapshot, prefix, after string) []string {
	var out []string
	s.Range(prefix, after, func(a *Asset) bool {
		out = append(out, a.Path)
		return true
	})
	return out
}

func allOf(s *Snapshot) []string {
	var out []string
	s.All(func(a *Asset) bool {
		out = append(out, a.Path)
		return true
	})
	return out
}

// checkSnapshot compares s with the oracle and checks the invariants of its pages.
func checkSnapshot(t *testing.T, s *Snapshot, o oracle) {
	t.Helper()
	if s.Len() != len(o) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(o))
	}
	keys := o.sorted()
	if got := allOf(s); !slices.Equal(got, keys) {
		t.Fatalf("All differs from the oracle: %d paths, want %d", len(got), len(keys))
	}
	if (s.ID() == "") != (len(o) == 0) {
		t.Fatalf("ID %q for %d assets", s.ID(), len(o))
	}
	n := 0
	for i, p := range s.pages {
		if len(p.Assets) == 0 || len(p.Assets) > pageMax {
			t.Fatalf("page %d holds %d assets", i, len(p.Assets))
		}
		if i > 0 && s.pages[i-1].Assets[len(s.pages[i-1].Assets)-1].Path >= p.Assets[0].Path {
			t.Fatalf("page %d starts before the end of page %d", i, i-1)
		}
		n += len(p.Assets)
	}
	if n != len(o) {
		t.Fatalf("pages hold %d assets, want %d", n, len(o))
	}
	for i, path := range keys {
		if i%3 != 0 && len(keys) > 1000 {
			continue // a third of a large snapshot is enough
		}
		desc := o[path]
		a := s.Get(path)
		if a == nil || a.Description != desc {
			t.Fatalf("Get(%s) = %v, want description %q", path, a, desc)
		}
	}
}

func TestSnapshotEmpty(t *testing.T) {
	for _, s := range []*Snapshot{EmptySnapshot, func() *Snapshot { s, _ := EmptySnapshot.apply(nil, nil); return s }()} {
		if s.Len() != 0 || s.ID() != "" || s.Get("x") != nil || len(allOf(s)) != 0 || len(rangeOf(s, "", "")) != 0 {
			t.Errorf("empty snapshot is not empty: %d assets, id %q", s.Len(), s.ID())
		}
		if _, _, ok := s.Lookup("x.y"); ok {
			t.Error("Lookup finds something in the empty snapshot")
		}
	}
	// Removing what is not there changes nothing.
	s, fresh := EmptySnapshot.apply(nil, []string{"a", "b"})
	if s.Len() != 0 || s.ID() != "" || len(fresh) != 0 || s.Get("a") != nil {
		t.Errorf("removing from the empty snapshot: %d assets, %d fresh pages", s.Len(), len(fresh))
	}
}

func TestSnapshotEmptyChangeKeepsPages(t *testing.T) {
	s, _ := EmptySnapshot.apply([]*Asset{testAsset("a", ""), testAsset("b", "")}, nil)
	s2, fresh := s.apply(nil, nil)
	if s2.ID() != s.ID() || len(fresh) != 0 || s2.Len() != 2 {
		t.Errorf("empty change: id %q -> %q, %d fresh pages", s.ID(), s2.ID(), len(fresh))
	}
	// Removing everything gives the empty catalog again.
	s3, _ := s.apply(nil, []string{"a", "b"})
	if s3.Len() != 0 || s3.ID() != "" || s3.Get("a") != nil {
		t.Errorf("all removed: %d assets, id %q", s3.Len(), s3.ID())
	}
	s4, _ := s3.apply([]*Asset{testAsset("c", "")}, nil)
	if s4.Len() != 1 || s4.Get("c") == nil {
		t.Errorf("after emptying: %d assets", s4.Len())
	}
}

func TestSnapshotLookup(t *testing.T) {
	s, _ := EmptySnapshot.apply([]*Asset{
		{Kind: KindDataset, Path: "jane.doe@acme/weather", Members: []Member{{Name: "temp", Type: "float"}}},
		{Kind: KindFeatureset, Path: "F", Members: []Member{{Name: "f", Type: "int"}}},
	}, nil)
	tests := []struct {
		path          string
		asset, member string
		ok            bool
	}{
		{"jane.doe@acme/weather", "jane.doe@acme/weather", "", true},
		{"jane.doe@acme/weather.temp", "jane.doe@acme/weather", "temp", true},
		{"jane.doe@acme/weather.rain", "jane.doe@acme/weather", "", false},
		{"F.f", "F", "f", true},
		{"F", "F", "", true},
		{"G.f", "", "", false},
		{"jane", "", "", false},
	}
	for _, tt := range tests {
		a, m, ok := s.Lookup(tt.path)
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

func TestSnapshotRange(t *testing.T) {
	paths := []string{"a", "a/b", "a/c", "a/c/d", "ab", "b", "b/a", "c"}
	var as []*Asset
	for _, p := range paths {
		as = append(as, testAsset(p, ""))
	}
	s, _ := EmptySnapshot.apply(as, nil)
	tests := []struct {
		prefix, after string
		want          []string
	}{
		{"", "", paths},
		{"a/", "", []string{"a/b", "a/c", "a/c/d"}},
		{"a/", "a/b", []string{"a/c", "a/c/d"}},
		{"a/", "a/c/d", nil},
		{"a/", "a", []string{"a/b", "a/c", "a/c/d"}}, // a cursor before the prefix
		{"a/", "b", nil},                             // a cursor after it
		{"a", "", []string{"a", "a/b", "a/c", "a/c/d", "ab"}},
		{"", "ab", []string{"b", "b/a", "c"}},
		{"", "aa", []string{"ab", "b", "b/a", "c"}}, // a cursor that is no path
		{"b/", "", []string{"b/a"}},
		{"x", "", nil},
		{"0", "", nil},
		{"a/c/d/", "", nil},
	}
	for _, tt := range tests {
		if got := rangeOf(s, tt.prefix, tt.after); !slices.Equal(got, tt.want) {
			t.Errorf("Range(%q, %q) = %v, want %v", tt.prefix, tt.after, got, tt.want)
		}
	}
	n := 0
	s.Range("", "", func(*Asset) bool { n++; return n < 3 })
	if n != 3 {
		t.Errorf("Range went on after fn returned false: %d calls", n)
	}
	n = 0
	s.All(func(*Asset) bool { n++; return false })
	if n != 1 {
		t.Errorf("All went on after fn returned false: %d calls", n)
	}
}

// TestSnapshotThousands applies thousands of upserts and removes, so that pages split, and
// checks every asset, page and range against the oracle.
func TestSnapshotThousands(t *testing.T) {
	o := oracle{}
	var as []*Asset
	for i := 0; i < 5000; i += 2 {
		p := fmt.Sprintf("ns%d/ds%05d", i%3, i)
		as = append(as, testAsset(p, "v1"))
		o[p] = "v1"
	}
	s, fresh := EmptySnapshot.apply(as, nil)
	checkSnapshot(t, s, o)
	if len(s.pages) < 2500/pageMax+1 || len(fresh) != len(s.pages) {
		t.Fatalf("%d assets in %d pages, %d fresh", s.Len(), len(s.pages), len(fresh))
	}

	// Fill the gaps, change some, remove others: pages split again, untouched pages stay.
	first := s
	as = as[:0]
	var removes []string
	for i := 0; i < 5000; i++ {
		if i%3 == 2 {
			continue // ns2/ stays as it was
		}
		p := fmt.Sprintf("ns%d/ds%05d", i%3, i)
		switch {
		case i%2 == 1 && i < 2500:
			as = append(as, testAsset(p, "v1"))
			o[p] = "v1"
		case i%2 == 0 && i%10 == 0 && i < 2500:
			as = append(as, testAsset(p, "v2"))
			o[p] = "v2"
		case i%2 == 0 && i%7 == 0:
			removes = append(removes, p)
			delete(o, p)
		}
	}
	s2, fresh := s.apply(as, removes)
	checkSnapshot(t, s2, o)
	if len(fresh) == 0 || len(fresh) >= len(s2.pages)+len(s.pages) {
		t.Errorf("%d fresh pages of %d", len(fresh), len(s2.pages))
	}
	shared := 0
	for _, p := range s2.pages {
		for _, q := range first.pages {
			if p == q {
				shared++
			}
		}
	}
	if ns2 := len(o.rangeOf("ns2/", "")); shared < ns2/pageMax {
		t.Errorf("%d pages of the old snapshot are shared by the new one; ns2/ alone fills %d", shared, ns2/pageMax)
	}
	for _, prefix := range []string{"", "ns0/", "ns1/ds01", "ns2/ds04999", "ns3/"} {
		for _, after := range []string{"", "ns0/ds00000", "ns1/ds02500", "ns2/ds0", "zz"} {
			if got, want := rangeOf(s2, prefix, after), o.rangeOf(prefix, after); !slices.Equal(got, want) {
				t.Errorf("Range(%q, %q): %d paths, want %d", prefix, after, len(got), len(want))
			}
		}
	}
	if first.Len() != 2500 || first.Get("ns1/ds00001") != nil {
		t.Error("apply changed the snapshot it was applied to")
	}
}

// TestSnapshotProperty applies random upserts and removes, a few hundred rounds, and
// compares every snapshot with a sorted-map oracle. Old snapshots must not change.
func TestSnapshotProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	prefixes := []string{"a/", "a/b/", "ab/", "b/", "b.c/", "z/"}
	randPath := func() string {
		return fmt.Sprintf("%s%d", prefixes[rng.IntN(len(prefixes))], rng.IntN(400))
	}
	s := EmptySnapshot
	o := oracle{}
	type kept struct {
		s *Snapshot
		o oracle
	}
	var old []kept
	maxPages := 0
	for round := 0; round < 250; round++ {
		n := 1 + rng.IntN(40)
		if round%40 == 10 {
			n = 600 // a burst that splits pages
		}
		seen := map[string]bool{}
		var ups []*Asset
		var rms []string
		next := oracle{}
		for k, v := range o {
			next[k] = v
		}
		for range n {
			p := randPath()
			if seen[p] {
				continue
			}
			seen[p] = true
			if rng.IntN(100) < 60 || round%40 == 10 {
				desc := fmt.Sprintf("r%d", round)
				ups = append(ups, testAsset(p, desc))
				next[p] = desc
			} else {
				rms = append(rms, p) // present or not
				delete(next, p)
			}
		}
		rng.Shuffle(len(ups), func(i, j int) { ups[i], ups[j] = ups[j], ups[i] })
		ns, fresh := s.apply(ups, rms)
		for _, p := range fresh {
			if p.ID != blobID(p.blob) {
				t.Fatalf("round %d: page id %s is not its content's", round, p.ID)
			}
		}
		checkSnapshot(t, ns, next)
		maxPages = max(maxPages, len(ns.pages))
		keys := next.sorted()
		for range 5 {
			prefix := prefixes[rng.IntN(len(prefixes))]
			if rng.IntN(3) == 0 {
				prefix = prefix[:1]
			}
			after := ""
			if rng.IntN(2) == 0 {
				after = randPath()
			}
			if got, want := rangeOf(ns, prefix, after), rangeSorted(keys, prefix, after); !slices.Equal(got, want) {
				t.Fatalf("round %d: Range(%q, %q) = %d paths, want %d", round, prefix, after, len(got), len(want))
			}
		}
		for range 10 {
			p := randPath()
			_, inOracle := next[p]
			a, m, ok := ns.Lookup(p + ".m")
			if ok != inOracle || (ok && (a.Path != p || m.Name != "m")) {
				t.Fatalf("round %d: Lookup(%s.m) = %v, want %v", round, p, ok, inOracle)
			}
		}
		if round%30 == 0 {
			old = append(old, kept{ns, next})
		}
		s, o = ns, next
	}
	for _, k := range old {
		checkSnapshot(t, k.s, k.o)
	}
	if maxPages < 4 {
		t.Errorf("the snapshots never held more than %d pages; the test does not split pages", maxPages)
	}
}

// Removals do not leave a trail of tiny pages: small rewritten pages join their neighbours.
func TestSnapshotRemovalsCoalescePages(t *testing.T) {
	var ups []*Asset
	for i := 0; i < 5000; i++ {
		ups = append(ups, testAsset(fmt.Sprintf("a%05d", i), ""))
	}
	s, _ := EmptySnapshot.apply(ups, nil)
	before := len(s.pages)
	r := rand.New(rand.NewPCG(5, 5))
	left := map[string]bool{}
	for _, a := range ups {
		left[a.Path] = true
	}
	// Ten rounds each remove a random fifth of what is left, in scattered places.
	for round := 0; round < 10; round++ {
		var rm []string
		for p := range left {
			if r.IntN(5) == 0 {
				rm = append(rm, p)
			}
		}
		for _, p := range rm {
			delete(left, p)
		}
		s, _ = s.apply(nil, rm)
	}
	if s.Len() != len(left) {
		t.Fatalf("%d assets, want %d", s.Len(), len(left))
	}
	small := 0
	for _, p := range s.pages {
		if len(p.Assets) < pageTarget/4 {
			small++
		}
	}
	if small > 1 || len(s.pages) > before {
		t.Fatalf("%d pages (%d under %d assets) for %d assets; %d pages before the removals", len(s.pages), small, pageTarget/4, s.Len(), before)
	}
	for _, p := range allOf(s) {
		if !left[p] {
			t.Fatalf("%s is still there", p)
		}
	}
}

// Diff(a, b) is the change that turns a into b.
func TestSnapshotDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	var ups []*Asset
	for i := 0; i < 2000; i++ {
		ups = append(ups, testAsset(fmt.Sprintf("d%05d", i), ""))
	}
	base, _ := EmptySnapshot.apply(ups, nil)
	for round := 0; round < 50; round++ {
		var ch []*Asset
		var rm []string
		for k := r.IntN(200); k > 0; k-- {
			p := fmt.Sprintf("d%05d", r.IntN(2400))
			switch r.IntN(3) {
			case 0:
				rm = append(rm, p)
			default:
				ch = append(ch, testAsset(p, fmt.Sprint(round, k)))
			}
		}
		// Keep the change well formed: one operation per path.
		seen := map[string]bool{}
		var ch2 []*Asset
		var rm2 []string
		for _, a := range ch {
			if !seen[a.Path] {
				seen[a.Path] = true
				ch2 = append(ch2, a)
			}
		}
		for _, p := range rm {
			if !seen[p] {
				seen[p] = true
				rm2 = append(rm2, p)
			}
		}
		other, _ := base.apply(ch2, rm2)
		du, dr := Diff(base, other)
		again, _ := base.apply(du, dr)
		if got, want := allOf(again), allOf(other); !slices.Equal(got, want) {
			t.Fatalf("round %d: applying the diff gives %d assets, want %d", round, len(got), len(want))
		}
		for _, a := range du {
			if other.Get(a.Path) != a {
				t.Fatalf("round %d: diff upserts %s, which is not b's record", round, a.Path)
			}
		}
		if u, d := Diff(other, other); len(u)+len(d) != 0 {
			t.Fatalf("round %d: a snapshot differs from itself: %d, %d", round, len(u), len(d))
		}
		base = other
	}
}
