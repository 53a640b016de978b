package importer

import (
	"sort"

	"github.com/tagflow/tagflow/catalog"
)

// Cycles returns the cycles the pipelines of doc make (each a strongly connected set of
// two or more datasets, sorted, smallest first): a deploy refuses them, so importers say
// so in a note. Self-loops are for the importers to leave out before.
func Cycles(doc *catalog.Document) [][]string {
	idx := make(map[string]int, len(doc.Assets))
	for i, a := range doc.Assets {
		idx[a.Name] = i
	}
	n := len(doc.Assets)
	index, low := make([]int, n), make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out [][]string
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		if pl := doc.Assets[v].Pipeline; pl != nil {
			for _, in := range pl.Inputs {
				w, ok := idx[in]
				if !ok {
					continue
				}
				if index[w] < 0 {
					visit(w)
					low[v] = min(low[v], low[w])
				} else if onStack[w] {
					low[v] = min(low[v], index[w])
				}
			}
		}
		if low[v] == index[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, doc.Assets[w].Name)
				if w == v {
					break
				}
			}
			if len(comp) > 1 {
				sort.Strings(comp)
				out = append(out, comp)
			}
		}
	}
	for v := range n {
		if index[v] < 0 {
			visit(v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
