package tags_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
	"github.com/tagflow/tagflow/tags"
)

// oracleOut is DESIGN §4's out(n, t) along an edge of kind k, from the oracle's states.
func (o *oracle) out(node, tag string, k lineage.EdgeKind) tags.State {
	st := o.state(node, tag)
	def := o.vocab.Lookup(tag)
	switch {
	case st == tags.None:
	case k != lineage.Containment && !def.Propagate:
		return tags.None
	case st == tags.Cancelled && (def.Negation == tags.NegationNode || k == lineage.FailClosed):
		return tags.None
	}
	return st
}

// kindOf is the kind of the edge from -> to, 0 when there is none.
func (o *oracle) kindOf(from, to string) lineage.EdgeKind {
	for _, e := range o.parents(to) {
		if e.from == from {
			return e.kind
		}
	}
	return 0
}

// classify reads a path (node paths, source first) literally against DESIGN §4: a source
// path passes the tag on as present at every node before the last; a stopped path passes
// something on (out is not none) up to a node that passes none: its index is stop.
func (o *oracle) classify(path []string, tag string) (source bool, stop int) {
	source, stop = true, -1
	for i := 0; i+1 < len(path); i++ {
		k := o.kindOf(path[i], path[i+1])
		if k == 0 {
			return false, -1
		}
		switch o.out(path[i], tag, k) {
		case tags.Present:
		case tags.None:
			return false, i
		default:
			source = false
		}
	}
	return source, -1
}

// paths calls fn with every path of the graph that ends at node, source first, until fn
// returns false or limit paths were seen; it reports whether it saw them all.
func (o *oracle) paths(node string, limit int, fn func([]string)) bool {
	n := 0
	var walk func(rev []string) bool
	walk = func(rev []string) bool {
		n++
		if n > limit {
			return false
		}
		p := slices.Clone(rev)
		slices.Reverse(p)
		fn(p)
		for _, e := range o.parents(rev[len(rev)-1]) {
			if !walk(append(rev, e.from)) {
				return false
			}
		}
		return true
	}
	return walk([]string{node})
}

// TestExplainEqualsOracle holds Explain to a literal reading of DESIGN §4's explainTag on
// random catalogs: every path to the node is enumerated and classified; sources are the
// declaring nodes with a source path, stopped the other declaring nodes with a stopped
// path, each answered with a path that is one of those, of the shortest length, and the
// node where it stops with the reason out() gives there.
func TestExplainEqualsOracle(t *testing.T) {
	cases := 300
	if testing.Short() {
		cases = 40
	}
	checked, skipped, stops := 0, 0, 0
	reasons := map[tags.StopReason]int{}
	for seed := 0; seed < cases; seed++ {
		c := &catalogGen{r: rand.New(rand.NewPCG(uint64(seed), 7)), assets: map[string]*catalog.Asset{}}
		b := tags.EmptyBranch()
		v := tags.NewVocab()
		for round := 0; round < 6; round++ {
			if c.r.IntN(3) == 0 {
				name := tagPool[c.r.IntN(len(tagPool))]
				v, _ = v.Define(tags.Definition{Name: name, Propagate: c.r.IntN(3) > 0, Negation: tags.Negation(c.r.IntN(2))})
				b = b.Redefine(v, name)
			}
			ups, rms := c.step()
			snapshot := c.assets
			adv := b.Advance(v, func(p string) *catalog.Asset { return snapshot[p] }, ups, rms)
			b, v = adv.Branch, adv.Vocab
		}
		o := &oracle{assets: c.assets, vocab: v, memo: map[string]tags.State{}}
		for _, node := range nodes(c.assets) {
			id, _ := b.Graph.Lookup(node)
			for _, tag := range tagPool {
				srcLen := map[string]int{}
				stopLen := map[string]int{}
				complete := o.paths(node, 20000, func(p []string) {
					if o.own(p[0], tag) != tags.Present {
						return
					}
					source, stop := o.classify(p, tag)
					if source {
						if l, ok := srcLen[p[0]]; !ok || len(p) < l {
							srcLen[p[0]] = len(p)
						}
					}
					if stop >= 0 && p[0] != node {
						if l, ok := stopLen[p[0]]; !ok || len(p) < l {
							stopLen[p[0]] = len(p)
						}
					}
				})
				if !complete {
					skipped++
					continue
				}
				checked++
				for s := range srcLen {
					delete(stopLen, s)
				}
				ex, err := b.Explain(context.Background(), v, id, tag)
				if err != nil {
					t.Fatal(err)
				}
				if len(ex.Sources) != len(srcLen) {
					t.Fatalf("seed %d: %s %s: sources %v, oracle %v", seed, node, tag, ex.Sources, srcLen)
				}
				for _, s := range ex.Sources {
					if source, _ := o.classify(s.Path, tag); !source || len(s.Path) != srcLen[s.Source] || s.Path[0] != s.Source || s.Path[len(s.Path)-1] != node {
						t.Fatalf("seed %d: %s %s: source %v is not a shortest source path (oracle: %d)", seed, node, tag, s, srcLen[s.Source])
					}
				}
				if len(ex.Stopped) != len(stopLen) {
					t.Fatalf("seed %d: %s %s: stopped %+v, oracle %v", seed, node, tag, ex.Stopped, stopLen)
				}
				for i, s := range ex.Stopped {
					if i > 0 && ex.Stopped[i-1].Source >= s.Source {
						t.Fatalf("seed %d: %s %s: stopped not sorted: %+v", seed, node, tag, ex.Stopped)
					}
					_, stop := o.classify(s.Path, tag)
					want, ok := stopLen[s.Source]
					if !ok || stop < 0 || len(s.Path) != want || s.Path[0] != s.Source || s.Path[len(s.Path)-1] != node || s.Path[stop] != s.At {
						t.Fatalf("seed %d: %s %s: stop %+v is not a shortest stopped path (oracle: %d, stops at index %d)", seed, node, tag, s, want, stop)
					}
					k := o.kindOf(s.Path[stop], s.Path[stop+1])
					def := v.Lookup(tag)
					var reason tags.StopReason
					switch st := o.state(s.At, tag); {
					case k != lineage.Containment && !def.Propagate:
						reason = tags.StopNotPropagated
					case st == tags.Cancelled && def.Negation == tags.NegationNode:
						reason = tags.StopNodeNegation
					case st == tags.Cancelled && k == lineage.FailClosed:
						reason = tags.StopFailClosed
					}
					if s.Reason != reason {
						t.Fatalf("seed %d: %s %s: stop %+v has reason %v, oracle %v", seed, node, tag, s, s.Reason, reason)
					}
					reasons[reason]++
					stops++
				}
			}
		}
	}
	t.Logf("checked %d explanations (%d skipped: too many paths), %d stops: %v", checked, skipped, stops, reasons)
	if skipped > checked/10 || reasons[tags.StopNotPropagated] == 0 || reasons[tags.StopNodeNegation] == 0 || reasons[tags.StopFailClosed] == 0 {
		t.Fatalf("the random catalogs do not exercise explain enough: %d checked, %d skipped, reasons %v", checked, skipped, reasons)
	}
}

// TestExplainStopsAtDeadline: a done context stops the walks of Explain with its error.
func TestExplainStopsAtDeadline(t *testing.T) {
	c := &catalogGen{r: rand.New(rand.NewPCG(1, 7)), assets: map[string]*catalog.Asset{}}
	for len(c.assets) < 8 {
		c.step()
	}
	var all []*catalog.Asset
	for _, p := range sortedKeys(c.assets) {
		all = append(all, c.assets[p])
	}
	adv := tags.EmptyBranch().Advance(tags.NewVocab(), func(p string) *catalog.Asset { return c.assets[p] }, all, nil)
	id, _ := adv.Branch.Graph.Lookup(nodes(c.assets)[len(nodes(c.assets))-1])
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := adv.Branch.Explain(ctx, adv.Vocab, id, "a"); err != context.DeadlineExceeded {
		t.Fatalf("Explain after the deadline = %v, want %v", err, context.DeadlineExceeded)
	}
}
