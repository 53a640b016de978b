package lineage

import (
	"fmt"
	"strings"

	"github.com/tagflow/tagflow/catalog"
)

// CheckCycles reports every derivation cycle that the change would create. The graph before
// the change is acyclic, so a new cycle runs through an asset that the change adds or
// rewrites; the search starts there and walks upstream only, so it costs the upstream cone
// of the change, not the catalog.
//
// Derivation between top-level assets runs through pipeline inputs (dataset to dataset) and
// between features through from: (feature to feature). Column lineage only maps fields of a
// pipeline's inputs, so it cannot close a cycle that the inputs do not.
func CheckCycles(ch *catalog.Change) []catalog.Problem {
	c := &cycleFinder{ch: ch, state: map[string]int8{}}
	for _, a := range ch.Upserts {
		if a.Kind == catalog.KindDataset {
			c.visit(a.Path)
		} else {
			for _, m := range a.Members {
				c.visit(catalog.MemberPath(a.Path, m.Name))
			}
		}
	}
	return c.problems
}

const (
	unvisited int8 = iota
	onStack
	done
)

type cycleFinder struct {
	ch       *catalog.Change
	state    map[string]int8
	stack    []string
	problems []catalog.Problem
}

// parents are the derivation parents of a dataset (its pipeline inputs) or a feature (the
// features it is computed from). Fields and datasets read by features cannot lead back to a
// feature, so they end the walk.
func (c *cycleFinder) parents(node string) []string {
	a, m, ok := c.ch.Lookup(node)
	if !ok {
		return nil
	}
	if m == nil {
		if a.Kind == catalog.KindDataset && a.Pipeline != nil {
			return a.Pipeline.Inputs
		}
		return nil
	}
	if a.Kind != catalog.KindFeatureset {
		return nil
	}
	var out []string
	for _, f := range m.From {
		if t, tm, ok := c.ch.Lookup(f); ok && tm != nil && t.Kind == catalog.KindFeatureset {
			out = append(out, f)
		}
	}
	return out
}

// visit is an iterative depth-first search, so that a long chain cannot exhaust the stack.
func (c *cycleFinder) visit(start string) {
	if c.state[start] != unvisited {
		return
	}
	type frame struct {
		node    string
		parents []string
		next    int
	}
	frames := []frame{{node: start, parents: c.parents(start)}}
	c.state[start] = onStack
	c.stack = append(c.stack[:0], start)
	for len(frames) > 0 {
		f := &frames[len(frames)-1]
		if f.next == len(f.parents) {
			c.state[f.node] = done
			frames = frames[:len(frames)-1]
			c.stack = c.stack[:len(c.stack)-1]
			continue
		}
		p := f.parents[f.next]
		f.next++
		switch c.state[p] {
		case onStack:
			c.report(p)
		case unvisited:
			c.state[p] = onStack
			c.stack = append(c.stack, p)
			frames = append(frames, frame{node: p, parents: c.parents(p)})
		}
	}
}

// report names the cycle that closes at node: the stack from node's first appearance.
func (c *cycleFinder) report(node string) {
	i := len(c.stack) - 1
	for i >= 0 && c.stack[i] != node {
		i--
	}
	// The stack runs from child to parent, and node is a parent of the top: print the
	// cycle from node in the direction data flows.
	cyc := make([]string, 0, len(c.stack)-i+1)
	cyc = append(cyc, node)
	for j := len(c.stack) - 1; j > i; j-- {
		cyc = append(cyc, c.stack[j])
	}
	cyc = append(cyc, node)
	msg := fmt.Sprintf("cycle: %s; lineage must stay acyclic", strings.Join(cyc, " -> "))
	if len(cyc) == 2 {
		msg = fmt.Sprintf("%s reads itself; lineage must stay acyclic", node)
	}
	c.problems = append(c.problems, catalog.Problem{Asset: node, Msg: msg})
}
