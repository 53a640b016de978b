package catalog

import (
	"bytes"
	"sort"
	"strings"
)

// PlanOptions say how a document is applied to a branch.
type PlanOptions struct {
	// Prune removes the assets under the document's namespace that it does not list.
	Prune bool
	// Deployer is the principal reference of who deploys; it owns the new assets that
	// declare no owner.
	Deployer string
}

// Change is a validated change to a branch's snapshot: what a deploy writes.
type Change struct {
	Base    *Snapshot
	Upserts []*Asset // new and changed assets, final records, sorted by path
	Removes []string // paths removed, sorted
	Added   []string // sorted paths of new datasets and featuresets
	Changed []string // sorted paths of changed ones (a changed member changes its parent)
	Removed []string // sorted paths of removed ones

	// OmittedProblems is how many problems Plan found beyond those it returned (at most
	// MaxProblems).
	OmittedProblems int

	lower map[string]string // lower-cased path -> path, built for hints on first need
}

// Empty reports whether the change changes nothing.
func (c *Change) Empty() bool { return len(c.Upserts) == 0 && len(c.Removes) == 0 }

// Lookup finds path in the state after the change: the asset and, for "Ds.col", the member.
func (c *Change) Lookup(path string) (*Asset, *Member, bool) { return lookup(c.Get, path) }

// Get returns the top-level asset at path after the change, or nil.
func (c *Change) Get(path string) *Asset {
	if i := sort.Search(len(c.Upserts), func(i int) bool { return c.Upserts[i].Path >= path }); i < len(c.Upserts) && c.Upserts[i].Path == path {
		return c.Upserts[i]
	}
	if i := sort.SearchStrings(c.Removes, path); i < len(c.Removes) && c.Removes[i] == path {
		return nil
	}
	return c.Base.Get(path)
}

// Plan checks a resolved document against the branch state base and returns the change it
// makes, and every problem at once. A change with problems may be checked further (for
// cycles) but must not be committed. Resolve's problems do not stop Plan: the assets it
// resolved are checked all the same, so that one deploy reports everything. An asset whose
// kind differs from the branch's (dataset ↔ featureset) is a problem: DESIGN §2.
func Plan(base *Snapshot, res *Resolved, opts PlanOptions) (*Change, []Problem) {
	var ps problems
	if opts.Prune && res.Namespace == "" {
		ps.add(0, "", "prune needs a namespace: the document must start with namespace: NS, and assets under NS/ that it does not list are removed")
		return nil, ps.list
	}
	ch := &Change{Base: base}
	listed := make(map[string]bool, len(res.Assets))
	for _, a := range res.Assets {
		listed[a.Path] = true
		old := base.Get(a.Path)
		rec := a
		if old != nil {
			if old.Kind != a.Kind {
				ps.add(res.Line(a.Path), a.Path, "%s is a %s on the branch and this document declares it a %s; an asset's kind never changes: remove it first (a prune deploy), then deploy it anew",
					a.Path, kindWord(old.Kind), kindWord(a.Kind))
			}
			rec = carryOver(a, old)
			if bytes.Equal(encodeAsset(old), encodeAsset(rec)) {
				continue
			}
			ch.Changed = append(ch.Changed, a.Path)
		} else {
			cp := *a
			cp.CreatedBy = opts.Deployer
			rec = &cp
			ch.Added = append(ch.Added, a.Path)
		}
		ch.Upserts = append(ch.Upserts, rec)
	}
	if opts.Prune {
		base.Range(res.Namespace+"/", "", func(a *Asset) bool {
			if !listed[a.Path] {
				ch.Removes = append(ch.Removes, a.Path)
			}
			return true
		})
		ch.Removed = ch.Removes
	}
	sort.Slice(ch.Upserts, func(i, j int) bool { return ch.Upserts[i].Path < ch.Upserts[j].Path })
	sort.Strings(ch.Added)
	sort.Strings(ch.Changed)

	for _, a := range res.Assets {
		checkRefs(ch, res, a, &ps)
	}
	checkDangling(ch, res, &ps, func(reader string) string {
		return "change or remove " + reader + " in the same deploy"
	})
	list, omitted := ps.done()
	ch.OmittedProblems = omitted
	return ch, list
}

// carryOver returns the record of a deployed over old: what a deploy does not own — the
// first deployer, the stewards' tags of the asset and of the members it keeps — comes from
// old.
func carryOver(a, old *Asset) *Asset {
	cp := *a
	cp.CreatedBy = old.CreatedBy
	cp.Steward = old.Steward
	if len(old.Members) > 0 && old.Kind == a.Kind {
		cp.Members = append([]Member(nil), a.Members...)
		for i := range cp.Members {
			if om := old.Member(cp.Members[i].Name); om != nil {
				cp.Members[i].Steward = om.Steward
			}
		}
	}
	return &cp
}

// checkRefs checks that everything a (a document asset) reads exists after the change.
func checkRefs(ch *Change, res *Resolved, a *Asset, ps *problems) {
	if pl := a.Pipeline; pl != nil {
		line := 0
		if i, ok := res.byPath[a.Path]; ok && res.lines[i].Pipeline != nil {
			line = res.lines[i].Pipeline.InputsLine
		}
		inputs := make(map[string]*Asset, len(pl.Inputs))
		for _, in := range pl.Inputs {
			t := ch.Get(in)
			switch {
			case t == nil && ch.Base.Get(in) != nil:
				ps.add(line, a.Path, "pipeline input %q is removed by this deploy (prune) but %s still reads it", in, a.Path)
			case t == nil:
				ps.add(line, a.Path, "pipeline input %q does not exist%s", in, hint(ch, in))
			case t.Kind != KindDataset:
				ps.add(line, a.Path, "pipeline input %q is a featureset; pipelines read datasets", in)
			default:
				inputs[in] = t
			}
		}
		for _, m := range a.Members {
			for _, f := range pl.Columns[m.Name] {
				ds, col := SplitMember(f)
				t := inputs[ds]
				if t == nil {
					continue // the input itself was reported
				}
				if t.Member(col) == nil {
					ps.add(res.columnLine(a.Path, m.Name), MemberPath(a.Path, m.Name),
						"column lineage names %q, but %s has no field %q%s", f, ds, col, foldHint(ds, col, memberNames(t)))
				}
			}
		}
	}
	for _, m := range a.Members {
		mpath := MemberPath(a.Path, m.Name)
		for _, f := range m.From {
			t, tm, ok := ch.Lookup(f)
			switch {
			case !ok:
				ps.add(res.Line(mpath), mpath, "from %q does not exist%s", f, hint(ch, f))
			case tm == nil && t.Kind == KindFeatureset:
				ps.add(res.Line(mpath), mpath, "from %q is a whole featureset; name its features (%s.feature)", f, f)
			}
		}
	}
}

// checkDangling reports assets that still read something the change removes: a removed
// asset or a member dropped from a changed asset. (A change of kind is refused by Plan.)
// fix says what the user can do about a reader, in the words of the operation.
func checkDangling(ch *Change, res *Resolved, ps *problems, fix func(reader string) string) {
	gone := map[string]bool{}
	for _, p := range ch.Removes {
		gone[p] = true
		// Its members go with it: a column lineage or a from may name them alone.
		if old := ch.Base.Get(p); old != nil {
			for _, m := range old.Members {
				gone[MemberPath(p, m.Name)] = true
			}
		}
	}
	for _, a := range ch.Upserts {
		old := ch.Base.Get(a.Path)
		if old == nil {
			continue
		}
		for _, m := range old.Members {
			if a.Member(m.Name) == nil {
				gone[MemberPath(a.Path, m.Name)] = true
			}
		}
	}
	if len(gone) == 0 {
		return
	}
	// Document assets were checked by checkRefs; look at the others that remain.
	report := func(reader *Asset, target, how string) {
		owner, _ := SplitMember(target)
		line := res.Line(target)
		verb := "is removed"
		if ch.Get(owner) != nil {
			verb = "is removed from " + owner
		}
		ps.add(line, target, "%s %s, but %s still reads it (%s); %s", target, verb, reader.Path, how, fix(reader.Path))
	}
	visit := func(a *Asset) bool {
		if res.Lookup(a.Path) != nil {
			return true
		}
		if pl := a.Pipeline; pl != nil {
			for _, in := range pl.Inputs {
				if gone[in] {
					report(a, in, "pipeline input")
				}
			}
			for _, froms := range pl.Columns {
				for _, f := range froms {
					if gone[f] {
						report(a, f, "column lineage")
					}
				}
			}
		}
		for _, m := range a.Members {
			for _, f := range m.From {
				if gone[f] {
					report(a, f, "from of feature "+m.Name)
				}
			}
		}
		return true
	}
	ch.Base.All(func(a *Asset) bool {
		if ch.Get(a.Path) == a {
			return visit(a)
		}
		return true
	})
}

// hint suggests a near name for a missing reference: the same name with another case, of
// the asset or of the member ("User.City" for "User.city").
func hint(ch *Change, ref string) string {
	asset, member := SplitMember(ref)
	if member != "" {
		if a := ch.Get(asset); a != nil {
			return foldHint(asset, member, memberNames(a))
		}
	}
	if ch.lower == nil {
		ch.lower = make(map[string]string, ch.Base.Len()+len(ch.Upserts))
		ch.Base.All(func(a *Asset) bool {
			ch.lower[strings.ToLower(a.Path)] = a.Path
			return true
		})
		for _, a := range ch.Upserts {
			ch.lower[strings.ToLower(a.Path)] = a.Path
		}
	}
	found := ch.lower[strings.ToLower(asset)]
	if found == "" || found == asset {
		return ""
	}
	if member == "" {
		return didYouMean(found)
	}
	if a := ch.Get(found); a != nil {
		for _, m := range a.Members {
			if strings.EqualFold(m.Name, member) {
				member = m.Name
				break
			}
		}
	}
	return didYouMean(MemberPath(found, member))
}

func memberNames(a *Asset) []string {
	out := make([]string, len(a.Members))
	for i, m := range a.Members {
		out[i] = m.Name
	}
	return out
}

// SortProblems orders problems by line, then asset.
func SortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Asset < ps[j].Asset
	})
}
