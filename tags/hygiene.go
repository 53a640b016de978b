package tags

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tagflow/tagflow/catalog"
)

// Tag vocabulary hygiene: names that differ only by case ("pii" next to "PII") are almost
// always a slip that splits one tag in two, so defineTag refuses them and a deploy or
// setTags warns of them; TagUsage shows every tag defined or in use, with counts.

// caseSiblings returns the names of v that differ from name only by case, sorted, for which
// keep holds.
func caseSiblings(v *Vocab, name string, keep func(TagID) bool) []string {
	var out []string
	for id := range v.defs {
		d := &v.defs[id]
		if d.Name != name && strings.EqualFold(d.Name, name) && keep(TagID(id)) {
			out = append(out, d.Name)
		}
	}
	sort.Strings(out)
	return out
}

// declaredOn reports whether some node of b declares t or ~t. ctx, when done, stops the
// scan (reported as not found; the caller checks ctx).
func declaredOn(ctx context.Context, b *Branch, t TagID) bool {
	g := b.Graph
	for id := int32(0); id < g.Cap(); id++ {
		if id%ctxEvery == 0 && ctx.Err() != nil {
			return false
		}
		if g.Exists(id) && find(b.States.Own(id), t) != None {
			return true
		}
	}
	return false
}

// ctxEvery is how many nodes a scan or walk visits between looks at its context.
const ctxEvery = 4096

// refuseCaseSibling refuses to define name when a tag that differs from it only by case is
// defined in the org or declared on one of its branches.
func (s *Service) refuseCaseSibling(ctx context.Context, org, name string) error {
	views := s.Branches(org)
	v := s.Vocab(org)
	sib := caseSiblings(v, name, func(t TagID) bool {
		if v.Def(t).Defined {
			return true
		}
		for _, view := range views {
			if declaredOn(ctx, view.Lineage, t) {
				return true
			}
		}
		return false
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(sib) == 0 {
		return nil
	}
	return &catalog.Error{Op: "defineTag", Kind: catalog.InvalidArgument, Path: name,
		Msg: fmt.Sprintf("tag %q differs only by case from the existing tag %s: did you mean %s? (tag names are case-sensitive)", name, quoteAll(sib), sib[0])}
}

// caseWarnings warns of each tag name that a change introduces (a node declares it, t or
// ~t, and did not before) and that differs only by case from a tag defined in the org or
// declared on the branch after the change.
func caseWarnings(before, next *View, ch *catalog.Change) []string {
	out := []string{}
	where := map[string]string{} // name -> the first node of the change that introduces it
	note := func(path string, decls []string, had func(string) bool) {
		for _, d := range decls {
			n := strings.TrimPrefix(d, "~")
			if _, ok := where[n]; !ok && !had(n) {
				where[n] = path
			}
		}
	}
	declares := func(lists ...[]string) func(string) bool {
		return func(n string) bool {
			for _, l := range lists {
				for _, d := range l {
					if strings.TrimPrefix(d, "~") == n {
						return true
					}
				}
			}
			return false
		}
	}
	for _, a := range ch.Upserts {
		old := before.Snapshot.Get(a.Path)
		if old == nil {
			old = &catalog.Asset{}
		}
		had := declares(old.Tags, old.Steward)
		note(a.Path, a.Tags, had)
		note(a.Path, a.Steward, had)
		for i := range a.Members {
			m := &a.Members[i]
			had := declares()
			if om := old.Member(m.Name); om != nil {
				had = declares(om.Tags, om.Steward)
			}
			p := catalog.MemberPath(a.Path, m.Name)
			note(p, m.Tags, had)
			note(p, m.Steward, had)
		}
	}
	names := make([]string, 0, len(where))
	for n := range where {
		names = append(names, n)
	}
	sort.Strings(names)
	v := next.Vocab
	for _, n := range names {
		sib := caseSiblings(v, n, func(t TagID) bool {
			return v.Def(t).Defined || declaredOn(context.Background(), next.Lineage, t)
		})
		if len(sib) > 0 {
			out = append(out, fmt.Sprintf("tag %q (on %s) differs only by case from the tag %s: did you mean %s?", n, where[n], quoteAll(sib), sib[0]))
		}
	}
	return out
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// TagUsage is one tag of an org on one branch: whether it is defined, and on how many
// nodes it is declared (t), cancelled (~t) and present.
type TagUsage struct {
	Definition
	Declared  int
	Cancelled int
	Present   int
}

// TagUsage lists every tag defined in the org or in use on the branch (declared, cancelled
// or present on some node), sorted by name. It scans the branch and stops, with ctx's
// error, when ctx is done.
func (s *Service) TagUsage(ctx context.Context, org, branch string) ([]TagUsage, error) {
	view, err := s.View(org, branch)
	if err != nil {
		return nil, err
	}
	v, b := view.Vocab, view.Lineage
	counts := make([]TagUsage, v.Len())
	g := b.Graph
	for id := int32(0); id < g.Cap(); id++ {
		if id%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !g.Exists(id) {
			continue
		}
		for _, ts := range b.States.Own(id) {
			if ts.State() == Cancelled {
				counts[ts.Tag()].Cancelled++
			} else {
				counts[ts.Tag()].Declared++
			}
		}
		for _, ts := range b.States.State(id) {
			if ts.State() == Present {
				counts[ts.Tag()].Present++
			}
		}
	}
	// The org's current vocabulary has the latest definitions (and may know more tags).
	cur := s.Vocab(org)
	out := []TagUsage{}
	for id := range counts {
		u := counts[id]
		u.Definition = cur.Lookup(v.Name(TagID(id)))
		if u.Defined || u.Declared+u.Cancelled+u.Present > 0 {
			out = append(out, u)
		}
	}
	for _, d := range cur.Defined() {
		if id, ok := v.ID(d.Name); !ok || int(id) >= len(counts) {
			out = append(out, TagUsage{Definition: d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
