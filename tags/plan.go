package tags

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/tagflow/tagflow/catalog"
)

// Writes are plan → authorize → commit (STYLE §9). Planning a deploy, a deleteAssets or a
// setTags parses, resolves, checks and computes the new lineage and tag states under the
// branch's lock, without writing; the plan names every path the write adds, changes or
// removes with its tags before and after; the caller's authorizer judges the plan; Commit
// applies it. A dry run is a plan that is not committed.
//
// Deploy, Delete and SetTags hold the branch's lock from the plan to the commit, with the
// authorizer (an in-process decision, microseconds) in between, so the base they planned on
// cannot move. PlanDeploy, PlanDelete and PlanSetTags plan alone, releasing the lock; their
// plan's Commit then fails with CONFLICT when the branch has moved since (another write, a
// defineTag's re-propagation): it does not plan again itself, since the new plan would need
// judging again — the caller plans, authorizes and commits anew.

// Authorizer judges a plan before it is committed: nil allows it, an error (a Forbidden
// *catalog.Error, see Plan.Judge) refuses the whole write. It is called exactly once per
// write, before any other error of planning is returned, so that a refusal never tells
// what planning found; a plan that could not be completed has no entries.
type Authorizer func(*Plan) error

// Recorder returns what to write in the transaction that commits a plan (access's audit
// record of the write, naming what it changed), so that the record and the change are
// durable together. It is called once, only for a plan that changes something and is being
// committed; a nil Recorder or a nil catalog.Also writes nothing more.
type Recorder func(*Plan) catalog.Also

// EntryChange is what a write does to one path.
type EntryChange uint8

// The changes a plan entry can make.
const (
	EntryAdded EntryChange = iota + 1
	EntryChanged
	EntryRemoved
)

func (c EntryChange) String() string {
	switch c {
	case EntryAdded:
		return "ADDED"
	case EntryChanged:
		return "CHANGED"
	case EntryRemoved:
		return "REMOVED"
	}
	return "UNKNOWN"
}

// PlanEntry is one path a write adds, changes or removes: a dataset or featureset, or one
// of their fields or features, each its own entry.
type PlanEntry struct {
	Path   string
	Kind   catalog.AssetKind
	Change EntryChange
	// Before and After are the tags present at the path (declared and propagated, DESIGN
	// §4) before and after the write, sorted; empty for an added (Before) or removed
	// (After) path.
	Before, After []string
	// CancelsBefore and CancelsAfter are the tags the path itself cancels (declares "~t")
	// before and after, sorted.
	CancelsBefore, CancelsAfter []string
}

// NewCancels are the tags the write makes the path cancel that it did not cancel before:
// declaring a new "~t" is declassifying (DESIGN §5).
func (e PlanEntry) NewCancels() []string {
	added, _ := diffSorted(e.CancelsBefore, e.CancelsAfter)
	return added
}

// Plan is a write computed and not yet applied; immutable once returned.
type Plan struct {
	Op     string // "deploy", "deleteAssets", "setTags"
	Org    string
	Branch string
	Base   int64 // the branch's version the plan was computed on
	DryRun bool
	Author string // the principal reference that asked for the write

	entriesOnce sync.Once
	entries     []PlanEntry

	result *DeployResult // what the write answers; Version is set at commit
	view   *View         // the published version planned on
	next   *View         // the version after the change; nil when nothing changes
	ch     *catalog.Change
	info   catalog.CommitInfo
	record Recorder // the request's; nil for none
}

// Entries are every path the write adds, changes or removes, sorted by path; empty for a
// plan that changes nothing or could not be completed. They are listed on first need, so
// that an authorizer that judges the write as a whole costs a large deploy nothing; the
// caller must not change the slice.
func (p *Plan) Entries() []PlanEntry {
	p.entriesOnce.Do(func() {
		p.entries = []PlanEntry{}
		if p.ch != nil && p.next != nil {
			p.entries = planEntries(p.view, p.next, p.ch)
		}
	})
	return p.entries
}

// Result is what the write answers when committed (for a dry run, what it would change):
// a copy, with the version the plan was computed on.
func (p *Plan) Result() *DeployResult {
	r := *p.result
	return &r
}

// Denial is one path of a plan an authorizer refuses, and why.
type Denial struct {
	Path   string
	Reason string
}

// Judge asks allow about every entry of the plan and refuses the whole write when it
// refuses any: a Forbidden error listing every denied path with its reason as problems (the
// first catalog.MaxProblems, and how many in all). Nil when every entry is allowed.
func (p *Plan) Judge(allow func(PlanEntry) (ok bool, reason string)) error {
	var denied []Denial
	for _, e := range p.Entries() {
		if ok, reason := allow(e); !ok {
			denied = append(denied, Denial{Path: e.Path, Reason: reason})
		}
	}
	return p.Refuse(denied)
}

// Refuse is the Forbidden error that refuses the plan for the denied paths; nil if none.
func (p *Plan) Refuse(denied []Denial) error {
	if len(denied) == 0 {
		return nil
	}
	problems := make([]catalog.Problem, len(denied))
	for i, d := range denied {
		problems[i] = catalog.Problem{Asset: d.Path, Msg: d.Reason}
	}
	total := len(problems)
	problems = catalog.FirstProblems(problems)
	noun := "path"
	if total > 1 {
		noun = "paths"
	}
	return &catalog.Error{Op: p.Op + " " + p.Branch, Kind: catalog.Forbidden, Path: p.Branch,
		Msg:      fmt.Sprintf("%d %s of the %s may not be written; nothing was written", total, noun, p.Op),
		Problems: problems, TotalProblems: total}
}

// newPlan is a plan on view with nothing in it yet.
func newPlan(op string, view *View, org, branch, author string, dryRun bool) *Plan {
	p := &Plan{Op: op, Org: org, Branch: branch, DryRun: dryRun, Author: author, view: view}
	if view != nil {
		p.Base = view.Catalog.Version
		p.result = emptyResult(view.Catalog.Version)
	} else {
		p.result = emptyResult(0)
	}
	return p
}

// setChange records the change and the version after it.
func (p *Plan) setChange(ch *catalog.Change, next *View) {
	p.ch, p.next = ch, next
}

// planEntries lists every path a change adds, changes or removes, each with its tags
// before and after. A changed dataset or featureset is an entry (a changed member changes
// its parent); of its members, those added, removed or whose definition or tags differ.
func planEntries(before, after *View, ch *catalog.Change) []PlanEntry {
	out := []PlanEntry{}
	tagsOf := func(v *View, path string) (present, cancels []string, ok bool) {
		if v == nil {
			return []string{}, []string{}, false
		}
		id, ok := v.Lineage.Graph.Lookup(path)
		if !ok {
			return []string{}, []string{}, false
		}
		return v.Lineage.Present(v.Vocab, id), v.Lineage.Cancels(v.Vocab, id), true
	}
	entry := func(path string, kind catalog.AssetKind, change EntryChange) PlanEntry {
		e := PlanEntry{Path: path, Kind: kind, Change: change}
		e.Before, e.CancelsBefore, _ = tagsOf(before, path)
		e.After, e.CancelsAfter, _ = tagsOf(after, path)
		if change == EntryAdded {
			e.Before, e.CancelsBefore = []string{}, []string{}
		}
		if change == EntryRemoved {
			e.After, e.CancelsAfter = []string{}, []string{}
		}
		return e
	}
	whole := func(a *catalog.Asset, change EntryChange) {
		out = append(out, entry(a.Path, a.Kind, change))
		for _, m := range a.Members {
			out = append(out, entry(a.Path+"."+m.Name, a.Kind.MemberKind(), change))
		}
	}
	for _, path := range ch.Added {
		whole(ch.Get(path), EntryAdded)
	}
	for _, path := range ch.Removed {
		whole(ch.Base.Get(path), EntryRemoved)
	}
	for _, path := range ch.Changed {
		was, now := ch.Base.Get(path), ch.Get(path)
		out = append(out, entry(path, now.Kind, EntryChanged))
		old := make(map[string]*catalog.Member, len(was.Members))
		for i := range was.Members {
			old[was.Members[i].Name] = &was.Members[i]
		}
		mk := now.Kind.MemberKind()
		for i := range now.Members {
			m := &now.Members[i]
			o := old[m.Name]
			delete(old, m.Name)
			switch {
			case o == nil:
				out = append(out, entry(path+"."+m.Name, mk, EntryAdded))
			default:
				e := entry(path+"."+m.Name, mk, EntryChanged)
				if !reflect.DeepEqual(*o, *m) || !equalStrings(e.Before, e.After) || !equalStrings(e.CancelsBefore, e.CancelsAfter) {
					out = append(out, e)
				}
			}
		}
		for name := range old {
			out = append(out, entry(path+"."+name, mk, EntryRemoved))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Commit applies a plan made by PlanDeploy, PlanDelete or PlanSetTags: nothing for a dry
// run or a plan that changes nothing (its result is answered as is); otherwise one durable
// commit, if the branch is still at the plan's base — the very version planned on, so that
// a defineTag's re-propagation since counts as a move too. Else it is refused with Conflict
// ("plan again"), and nothing is written. A plan is committed at most once.
func (s *Service) Commit(ctx context.Context, p *Plan) (*DeployResult, error) {
	unlock := s.lock(p.Org, p.Branch)
	defer unlock()
	return s.commitPlan(ctx, p)
}

// authorizeAndCommit is the end of every write: the authorizer first, then planning's
// error, then the commit; the caller holds the branch's lock.
func (s *Service) authorizeAndCommit(ctx context.Context, p *Plan, planErr error, authorize Authorizer) (*DeployResult, error) {
	if authorize != nil {
		if err := authorize(p); err != nil {
			return nil, err
		}
	}
	if planErr != nil {
		return nil, planErr
	}
	return s.commitPlan(ctx, p)
}

// commitPlan is Commit with the branch's lock held.
func (s *Service) commitPlan(ctx context.Context, p *Plan) (*DeployResult, error) {
	out := p.Result()
	if p.DryRun || p.next == nil {
		return out, nil
	}
	op := p.Op + " " + p.Branch
	if cur, err := s.View(p.Org, p.Branch); err != nil || cur != p.view {
		return nil, &catalog.Error{Op: op, Kind: catalog.Conflict, Path: p.Branch,
			Msg: fmt.Sprintf("branch %q changed since the write was planned on version %d; plan it again", p.Branch, p.Base)}
	}
	info := p.info
	if p.record != nil {
		info.Also = p.record(p)
	}
	version, err := s.commit(ctx, p.next, p.ch, info)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out.Version = version
	return out, nil
}
