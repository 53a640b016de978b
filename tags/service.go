package tags

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// Service is the governed catalog: every change of definitions and tags goes through it,
// so that validation, cycle checks, propagation and the durable commit happen as one step
// per branch. Every read uses a branch's published View: the catalog snapshot, the lineage
// graph and the tag states of one version, immutable. The View is attached to the branch's
// head in the catalog.Repo, the one owner of branch heads (the Service keeps none). Changes
// to one branch are serialized; changes to different branches run in parallel.
//
// Lock order: defineMu, then a branch's change lock (locks[k]; two at once never), then
// vocMu, then mu, then the Repo's own locks (leaves). locksMu is held only to find a
// branch's lock, with no other lock taken under it.
type Service struct {
	repo *catalog.Repo
	log  zerolog.Logger

	// defineMu keeps a branch from being created from a view that a defineTag in progress
	// has not re-propagated yet: defineTag holds it exclusively, createBranch shared.
	defineMu sync.RWMutex

	locksMu sync.Mutex
	locks   map[string]*sync.Mutex // org \0 branch -> change lock

	vocMu  sync.Mutex        // serializes changes of vocabularies
	mu     sync.RWMutex      // guards vocabs
	vocabs map[string]*Vocab // org -> its vocabulary
}

// View is one version of a branch: catalog, lineage and tag states that agree.
type View struct {
	Org      string
	Catalog  catalog.Branch
	Snapshot *catalog.Snapshot
	Lineage  *Branch
	Vocab    *Vocab
}

// Open loads every branch of every org: the catalog snapshot, its lineage graph and its tag
// states. main's are computed from scratch; every other branch starts from main's and is
// advanced by the difference of the two snapshots, so that branches share what they have in
// common after a restart as before it (copy on write).
func Open(ctx context.Context, repo *catalog.Repo, log zerolog.Logger) (*Service, error) {
	s := &Service{repo: repo, log: log, locks: map[string]*sync.Mutex{}, vocabs: map[string]*Vocab{}}
	for _, org := range repo.Orgs() {
		v, err := loadVocab(ctx, repo.Store(), org)
		if err != nil {
			return nil, err
		}
		// main is built from scratch; every other branch is main's graph and states
		// advanced by the difference of the snapshots, so that branches share memory
		// after a restart as they did before it.
		branches := repo.Branches(org)
		sort.SliceStable(branches, func(i, j int) bool {
			return branches[i].Name == catalog.MainBranch && branches[j].Name != catalog.MainBranch
		})
		built := map[string]*Branch{}
		var base *Branch
		var baseSnap *catalog.Snapshot
		var views []*View
		for _, b := range branches {
			_, snap, err := repo.Head(org, b.Name)
			if err != nil {
				return nil, err
			}
			lb, ok := built[b.Root]
			switch {
			case ok:
				lb = lb.Clone()
			case base == nil:
				var assets []*catalog.Asset
				snap.All(func(a *catalog.Asset) bool { assets = append(assets, a); return true })
				v = v.With(tagNames(assets)...)
				lb = Build(v, snap.Get, assets)
				base, baseSnap = lb, snap
				built[b.Root] = lb
			default:
				ups, rms := catalog.Diff(baseSnap, snap)
				adv := base.Advance(v, snap.Get, ups, rms)
				lb, v = adv.Branch, adv.Vocab
				built[b.Root] = lb
			}
			views = append(views, &View{Org: org, Catalog: b, Snapshot: snap, Lineage: lb})
		}
		for _, view := range views {
			view.Vocab = v // the vocabulary with every branch's tags interned
			s.publish(view)
		}
		s.vocabs[org] = v
	}
	return s, nil
}

func key(org, branch string) string { return org + "\x00" + branch }

// Repo is the catalog the service writes to.
func (s *Service) Repo() *catalog.Repo { return s.repo }

// View returns the published version of a branch, or NotFound.
func (s *Service) View(org, branch string) (*View, error) {
	v, _ := s.repo.Derived(org, branch).(*View)
	if v == nil {
		if _, _, err := s.repo.Head(org, branch); err != nil {
			return nil, err // with a "did you mean" for a case slip
		}
		return nil, &catalog.Error{Op: "branch", Kind: catalog.NotFound, Path: branch, Msg: fmt.Sprintf("branch %q does not exist", branch)}
	}
	return v, nil
}

// Vocab returns the org's vocabulary.
func (s *Service) Vocab(org string) *Vocab {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if v := s.vocabs[org]; v != nil {
		return v
	}
	return NewVocab()
}

// publish attaches v to its branch's head, which is at v's version; the caller holds the
// branch's lock.
func (s *Service) publish(v *View) {
	s.repo.Attach(v.Org, v.Catalog.Name, v.Catalog.Version, v)
}

// intern returns the org's vocabulary with names interned, published.
func (s *Service) intern(org string, names []string) *Vocab {
	s.vocMu.Lock()
	defer s.vocMu.Unlock()
	v := s.Vocab(org)
	nv := v.With(names...)
	if nv != v {
		s.mu.Lock()
		s.vocabs[org] = nv
		s.mu.Unlock()
	}
	return nv
}

func (s *Service) lock(org, branch string) func() {
	k := key(org, branch)
	s.locksMu.Lock()
	m := s.locks[k]
	if m == nil {
		m = &sync.Mutex{}
		s.locks[k] = m
	}
	s.locksMu.Unlock()
	m.Lock()
	return m.Unlock
}

// DeployRequest is one deploy of a definitions document to a branch.
type DeployRequest struct {
	Org      string
	Branch   string
	Document []byte
	DryRun   bool
	Prune    bool
	Deployer string // principal reference
	// Authorize judges the plan before it is committed (see Authorizer); nil allows every
	// plan, for the server's own writes (loading fixtures) and tests.
	Authorize Authorizer
	// Record, if set, adds the audit record to the commit's transaction (see Recorder).
	Record Recorder
}

// DeployResult says what a deploy changed (or, for a dry run, would change).
type DeployResult struct {
	Changed       bool
	Added         []string
	ChangedAssets []string // changed datasets and featuresets
	Removed       []string
	TagChanges    []TagChange
	Errors        []catalog.Problem // dry run only: the problems that would refuse the deploy (the first catalog.MaxProblems)
	ProblemCount  int               // dry run only: how many problems there were in all
	Version       int64             // the branch's version after the deploy
	// TagChangeCount is how many assets' present tags changed; TagChanges holds the first
	// MaxTagChanges of them by path.
	TagChangeCount int
	// Warnings about the document that do not refuse it: a tag name that differs from
	// another of the org only by case.
	Warnings []string
}

// MaxTagChanges bounds the tag changes a write answers with: a first deploy of a large
// catalog changes the tags of every node below a tag (100k+ entries); the count says how
// many there were in all.
const MaxTagChanges = 10_000

// TagChange is one asset whose present tags a deploy changed.
type TagChange struct {
	Path    string
	Added   []string
	Removed []string
}

// Deploy applies a definitions document to a branch atomically. An invalid document is
// refused with an *catalog.Error of kind InvalidDefinition that lists every problem, and
// nothing is written; with DryRun the problems come back in the result instead. The result
// says which assets gained or lost which tags (a dry run too). It plans the deploy
// (PlanDeploy), asks req.Authorize about the plan and commits it, holding the branch's lock
// from the plan to the commit.
func (s *Service) Deploy(ctx context.Context, req DeployRequest) (*DeployResult, error) {
	start := time.Now()
	mark := appliedMark(req)
	if p, ok := s.appliedPlan(req, mark); ok {
		return s.authorizeAndCommit(ctx, p, nil, req.Authorize)
	}
	pre := parseDeploy(req)
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	p, err := s.planDeploy(req, mark, pre)
	out, err := s.authorizeAndCommit(ctx, p, err, req.Authorize)
	if err == nil && !p.DryRun && p.next != nil {
		ch := p.ch
		s.log.Info().Str("org", req.Org).Str("branch", req.Branch).Int64("version", out.Version).
			Int("added", len(ch.Added)).Int("changed", len(ch.Changed)).Int("removed", len(ch.Removed)).
			Int("tag_changes", out.TagChangeCount).Dur("parse", pre.took).Dur("total", time.Since(start)).Msg("deployed")
	}
	return out, err
}

// PlanDeploy plans a deploy without committing it: what Deploy would do, for Commit to
// apply after the caller judged it. An invalid document is an InvalidDefinition error
// (with DryRun, a plan whose result lists the problems).
func (s *Service) PlanDeploy(ctx context.Context, req DeployRequest) (*Plan, error) {
	mark := appliedMark(req)
	if p, ok := s.appliedPlan(req, mark); ok {
		return p, nil
	}
	pre := parseDeploy(req)
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	p, err := s.planDeploy(req, mark, pre)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// parsedDeploy is the part of planning a deploy that needs no branch: parse and resolve.
type parsedDeploy struct {
	res      *catalog.Resolved
	problems []catalog.Problem
	omitted  int // problems each step counted but did not keep
	took     time.Duration
}

func parseDeploy(req DeployRequest) parsedDeploy {
	start := time.Now()
	var pd parsedDeploy
	doc, problems := catalog.ParseDocument(req.Document)
	if doc != nil {
		var more []catalog.Problem
		pd.res, more = catalog.Resolve(doc)
		problems = append(problems, more...)
		pd.omitted += doc.OmittedProblems + pd.res.OmittedProblems
	}
	pd.problems = problems
	pd.took = time.Since(start)
	return pd
}

// planDeploy plans a parsed deploy on the branch's published version; the caller holds the
// branch's lock. The plan is never nil; with an error it may be partial.
func (s *Service) planDeploy(req DeployRequest, mark string, pre parsedDeploy) (*Plan, error) {
	op := "deploy " + req.Branch
	view, err := s.View(req.Org, req.Branch)
	p := newPlan("deploy", view, req.Org, req.Branch, req.Deployer, req.DryRun)
	p.record = req.Record
	if err != nil {
		return p, fmt.Errorf("%s: %w", op, err)
	}
	problems, omitted, res := pre.problems, pre.omitted, pre.res
	var ch *catalog.Change
	if res != nil {
		var more []catalog.Problem
		ch, more = catalog.Plan(view.Snapshot, res, catalog.PlanOptions{Prune: req.Prune, Deployer: req.Deployer})
		problems = append(problems, more...)
		if ch != nil {
			omitted += ch.OmittedProblems
		}
	}
	if ch != nil {
		for _, pr := range lineage.CheckCycles(ch) {
			pr.Line = res.Line(pr.Asset)
			problems = append(problems, pr)
		}
	}
	if len(problems) > 0 {
		total := len(problems) + omitted
		problems = catalog.FirstProblems(problems)
		if req.DryRun {
			p.result.Errors, p.result.ProblemCount = problems, total
			return p, nil
		}
		return p, &catalog.Error{Op: op, Kind: catalog.InvalidDefinition, Path: req.Branch,
			Msg: "the document is invalid; nothing was deployed", Problems: problems, TotalProblems: total}
	}
	out := p.result
	out.Changed = !ch.Empty()
	out.Added, out.ChangedAssets, out.Removed = nonNil(ch.Added), nonNil(ch.Changed), nonNil(ch.Removed)
	if ch.Empty() {
		return p, nil
	}
	next, changes, count := s.advance(view, ch)
	out.TagChanges, out.TagChangeCount = changes, count
	out.Warnings = caseWarnings(view, next, ch)
	p.setChange(ch, next)
	p.info = catalog.CommitInfo{
		Author:  req.Deployer,
		Message: fmt.Sprintf("deploy: %d added, %d changed, %d removed", len(ch.Added), len(ch.Changed), len(ch.Removed)),
		Applied: mark,
	}
	return p, nil
}

// advance computes the next version of a view for a change, and the tag changes it causes
// (at most MaxTagChanges, and how many in all). The catalog part of the returned view is
// the caller's to fill in after the commit.
func (s *Service) advance(view *View, ch *catalog.Change) (*View, []TagChange, int) {
	v := s.intern(view.Org, tagNames(ch.Upserts))
	adv := view.Lineage.Advance(v, ch.Get, ch.Upserts, ch.Removes)
	next := &View{Org: view.Org, Catalog: view.Catalog, Snapshot: view.Snapshot, Lineage: adv.Branch, Vocab: adv.Vocab}
	changes, count := tagChanges(view, next, adv.Changed, MaxTagChanges)
	return next, changes, count
}

// tagChanges lists the nodes whose present tags differ between two versions: the first
// limit of them by path, and how many there are in all. A first deploy changes every node
// below a tag, so the names of a node's tags are only built for the nodes kept: the others
// are compared by tag id (both vocabularies intern the org's names with the same ids) and
// selected with a bounded max-heap of paths.
func tagChanges(before, after *View, changed []int32, limit int) ([]TagChange, int) {
	gb, ga := before.Lineage.Graph, after.Lineage.Graph
	existed := func(id int32) bool { return gb.Exists(id) && gb.Path(id) == ga.Path(id) }
	count := 0
	keep := pathHeap{g: ga}
	for _, id := range changed {
		var was []TagState
		if existed(id) {
			was = before.Lineage.States.State(id)
		}
		if samePresent(was, after.Lineage.States.State(id)) {
			continue
		}
		count++
		keep.offer(id, limit)
	}
	ids := keep.ids
	sort.Slice(ids, func(i, j int) bool { return ga.Path(ids[i]) < ga.Path(ids[j]) })
	out := make([]TagChange, 0, len(ids))
	for _, id := range ids {
		was := []string{}
		if existed(id) {
			was = before.Lineage.Present(before.Vocab, id)
		}
		added, removed := diffSorted(was, after.Lineage.Present(after.Vocab, id))
		out = append(out, TagChange{Path: ga.Path(id), Added: added, Removed: removed})
	}
	return out, count
}

// samePresent reports whether two state lists (sorted by tag id) have the same present tags.
func samePresent(a, b []TagState) bool {
	i, j := 0, 0
	for {
		for i < len(a) && a[i].State() != Present {
			i++
		}
		for j < len(b) && b[j].State() != Present {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i].Tag() != b[j].Tag() {
			return false
		}
		i++
		j++
	}
}

// diffSorted returns what b has that a has not, and what a has that b has not.
func diffSorted(a, b []string) (added, removed []string) {
	added, removed = []string{}, []string{}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			removed = append(removed, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			added = append(added, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}

// appliedMark identifies a deploy's document and mode for Branch.Applied.
func appliedMark(req DeployRequest) string {
	sum := sha256.Sum256(req.Document)
	return fmt.Sprintf("sha256:%x prune:%t", sum, req.Prune)
}

// appliedPlan answers a deploy of the document whose deploy made the branch's head:
// applying it again changes nothing (a deploy is idempotent), so it is planned without
// parsing, as a plan with no entries. CI pipelines redeploy unchanged documents all the
// time; the mark is kept with the head, so this holds across restarts.
func (s *Service) appliedPlan(req DeployRequest, mark string) (*Plan, bool) {
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	view, err := s.View(req.Org, req.Branch)
	if err != nil || view.Catalog.Applied != mark {
		return nil, false
	}
	return newPlan("deploy", view, req.Org, req.Branch, req.Deployer, req.DryRun), true
}

// emptyResult is the result of a deploy that changes nothing: every list empty, not nil.
func emptyResult(version int64) *DeployResult {
	return &DeployResult{Added: []string{}, ChangedAssets: []string{}, Removed: []string{},
		TagChanges: []TagChange{}, Errors: []catalog.Problem{}, Version: version, Warnings: []string{}}
}

// CreateBranch creates a branch from another: one record in the store, and a view that
// shares the origin's graph and states. Each of also writes in the transaction that
// creates it (the audit record).
func (s *Service) CreateBranch(ctx context.Context, org, name, from string, also ...catalog.Also) (catalog.Branch, error) {
	if from == "" {
		from = catalog.MainBranch
	}
	s.defineMu.RLock()
	defer s.defineMu.RUnlock()
	unlock := s.lock(org, from)
	defer unlock()
	src, err := s.View(org, from)
	if err != nil {
		return catalog.Branch{}, &catalog.Error{Op: "createBranch", Kind: catalog.NotFound, Path: from,
			Msg: fmt.Sprintf("branch %q to create %q from does not exist", from, name)}
	}
	return s.repo.CreateBranchDerived(ctx, org, name, from, func(b catalog.Branch, snap *catalog.Snapshot, _ any) any {
		return &View{Org: org, Catalog: b, Snapshot: snap, Lineage: src.Lineage.Clone(), Vocab: src.Vocab}
	}, also...)
}

// DeleteBranch deletes a branch; changes to it in progress finish first. Each of also
// writes in the transaction that deletes it (the audit record).
func (s *Service) DeleteBranch(ctx context.Context, org, name string, also ...catalog.Also) error {
	unlock := s.lock(org, name)
	defer unlock()
	return s.repo.DeleteBranch(ctx, org, name, also...) // its View goes with its head
}

// Branches returns the org's branches, sorted by name.
func (s *Service) Branches(org string) []*View {
	var out []*View
	for _, b := range s.repo.Branches(org) { // sorted by name
		if v, _ := s.repo.Derived(org, b.Name).(*View); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// WriteReport is what a write other than a deploy changed: the tag changes it caused
// downstream (bounded like a deploy's), and warnings that did not refuse it.
type WriteReport struct {
	TagChanges     []TagChange // the first MaxTagChanges by path
	TagChangeCount int         // how many assets' present tags changed in all
	Warnings       []string
}

// BranchTagChanges are the tag changes a defineTag caused on one branch.
type BranchTagChanges struct {
	Branch         string
	TagChanges     []TagChange // the first MaxTagChanges by path
	TagChangeCount int
}

// SetTags sets the steward tag declarations of one asset on one branch: the full list of
// "t" and "~t". A deploy never removes them; they go with an asset a deploy removes. The
// report says which assets gained or lost which tags, and warns of a tag name that differs
// from another of the org only by case. It allows every plan; WriteTags judges it first.
func (s *Service) SetTags(ctx context.Context, org, branch, path string, decls []string, who string) (*View, *WriteReport, error) {
	return s.WriteTags(ctx, SetTagsRequest{Org: org, Branch: branch, Path: path, Tags: decls, Who: who})
}

// SetTagsRequest is one setTags: the steward declarations of one path on one branch.
type SetTagsRequest struct {
	Org, Branch, Path string
	Tags              []string // the full list of "t" and "~t"
	Who               string   // principal reference
	// DryRun plans and judges the write like any other but commits nothing: the report
	// says what the write would change, and the view answered is the branch as it is.
	DryRun bool
	// Authorize judges the plan before it is committed; nil allows every plan.
	Authorize Authorizer
	// Record, if set, adds the audit record to the commit's transaction (see Recorder).
	Record Recorder
}

// WriteTags is SetTags planned, judged by req.Authorize and committed under the branch's
// lock; it returns the branch's version after it (with DryRun, the version planned on).
func (s *Service) WriteTags(ctx context.Context, req SetTagsRequest) (*View, *WriteReport, error) {
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	p, err := s.planSetTags(req)
	out, err := s.authorizeAndCommit(ctx, p, err, req.Authorize)
	if err != nil {
		return nil, nil, err
	}
	view := p.view
	if p.next != nil && !p.DryRun {
		view = p.next
	}
	return view, &WriteReport{TagChanges: out.TagChanges, TagChangeCount: out.TagChangeCount, Warnings: out.Warnings}, nil
}

// PlanSetTags plans a setTags without committing it, for Commit.
func (s *Service) PlanSetTags(ctx context.Context, req SetTagsRequest) (*Plan, error) {
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	p, err := s.planSetTags(req)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// planSetTags plans a setTags; the caller holds the branch's lock. The plan is never nil.
func (s *Service) planSetTags(req SetTagsRequest) (*Plan, error) {
	view, err := s.View(req.Org, req.Branch)
	p := newPlan("setTags", view, req.Org, req.Branch, req.Who, req.DryRun)
	p.record = req.Record
	if err != nil {
		return p, err
	}
	ch, err := catalog.StewardChange(view.Snapshot, req.Path, req.Tags)
	if err != nil {
		return p, err
	}
	if ch.Empty() {
		return p, nil
	}
	out := p.result
	out.Changed = true
	out.ChangedAssets = ch.Changed
	next, changes, count := s.advance(view, ch)
	out.TagChanges, out.TagChangeCount = changes, count
	out.Warnings = caseWarnings(view, next, ch)
	p.setChange(ch, next)
	p.info = catalog.CommitInfo{Author: req.Who, Message: fmt.Sprintf("setTags %s: [%s]", req.Path, strings.Join(req.Tags, ", "))}
	return p, nil
}

// commit makes a change durable on next's branch and publishes next, the view that
// advance computed for it, with the new head; the caller holds the branch's lock. It
// returns the branch's new version.
func (s *Service) commit(ctx context.Context, next *View, ch *catalog.Change, info catalog.CommitInfo) (int64, error) {
	nb, _, err := s.repo.CommitDerived(ctx, next.Org, next.Catalog.Name, ch, info, func(nb catalog.Branch, snap *catalog.Snapshot) any {
		next.Catalog, next.Snapshot = nb, snap
		return next
	})
	if err != nil {
		return 0, err
	}
	return nb.Version, nil
}

// DefineTag sets every setting of a tag for the whole org and re-propagates it on every
// branch before it returns, with the tag changes it caused on each branch (sorted by
// branch). A name that differs from a tag defined or in use in the org only by case
// ("pii" next to "PII") is refused. Each of also writes in the transaction that stores the
// definition (the audit record).
func (s *Service) DefineTag(ctx context.Context, org string, d Definition, also ...catalog.Also) (Definition, []BranchTagChanges, error) {
	const op = "defineTag"
	if err := catalog.ValidateTagName(d.Name); err != nil {
		return Definition{}, nil, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Path: d.Name, Msg: err.Error()}
	}
	if !s.repo.HasOrg(org) {
		return Definition{}, nil, &catalog.Error{Op: op, Kind: catalog.NotFound, Msg: fmt.Sprintf("org %q does not exist", org)}
	}
	s.defineMu.Lock()
	defer s.defineMu.Unlock()
	if err := s.refuseCaseSibling(ctx, org, d.Name); err != nil {
		return Definition{}, nil, err
	}
	s.vocMu.Lock()
	v, err := s.Vocab(org).Define(d)
	if err == nil {
		err = saveDefinition(ctx, s.repo.Store(), org, *v.Def(mustID(v, d.Name)), also)
	}
	if err != nil {
		s.vocMu.Unlock()
		return Definition{}, nil, fmt.Errorf("%s %s: %w", op, d.Name, err)
	}
	s.mu.Lock()
	s.vocabs[org] = v
	s.mu.Unlock()
	s.vocMu.Unlock()
	changes := []BranchTagChanges{}
	for _, b := range s.Branches(org) {
		if c, ok := s.redefine(org, b.Catalog.Name, d.Name); ok {
			changes = append(changes, c)
		}
	}
	return *s.Vocab(org).Def(mustID(v, d.Name)), changes, nil
}

// redefine re-propagates one tag on one branch with the org's current vocabulary, and
// says what changed there; false when the branch was deleted meanwhile.
func (s *Service) redefine(org, branch, name string) (BranchTagChanges, bool) {
	unlock := s.lock(org, branch)
	defer unlock()
	view, err := s.View(org, branch)
	if err != nil {
		return BranchTagChanges{}, false
	}
	v := s.Vocab(org)
	nb, changed := view.Lineage.redefine(v, name)
	next := &View{Org: org, Catalog: view.Catalog, Snapshot: view.Snapshot, Lineage: nb, Vocab: v}
	s.publish(next)
	changes, count := tagChanges(view, next, changed, MaxTagChanges)
	return BranchTagChanges{Branch: branch, TagChanges: changes, TagChangeCount: count}, true
}

func mustID(v *Vocab, name string) TagID {
	id, _ := v.ID(name)
	return id
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
