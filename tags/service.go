package tags

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
)

// Service is the governed catalog: every change of definitions goes through it, so that
// validation, cycle checks and the durable commit happen as one step per branch. Deploys to
// one branch are serialized; deploys to different branches run in parallel.
type Service struct {
	repo *catalog.Repo
	log  zerolog.Logger

	locksMu sync.Mutex
	locks   map[string]*sync.Mutex // org \0 branch -> deploy lock

	// applied remembers, per branch, the last document deployed and the snapshot it left
	// the branch at. The same document again on the same snapshot (content-addressed, so
	// the same state) is a no-op by construction — a deploy is idempotent — and is answered
	// without parsing: CI pipelines redeploy unchanged documents all the time.
	appliedMu sync.Mutex
	applied   map[string]appliedDoc
}

type appliedDoc struct {
	sum   [sha256.Size]byte
	prune bool
	root  string // the snapshot the document left the branch at
}

// NewService returns a Service over repo.
func NewService(repo *catalog.Repo, log zerolog.Logger) *Service {
	return &Service{repo: repo, log: log, locks: map[string]*sync.Mutex{}, applied: map[string]appliedDoc{}}
}

// Repo is the catalog the service writes to, for reads.
func (s *Service) Repo() *catalog.Repo { return s.repo }

func (s *Service) lock(org, branch string) func() {
	k := org + "\x00" + branch
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
}

// DeployResult says what a deploy changed (or, for a dry run, would change).
type DeployResult struct {
	Changed       bool
	Added         []string
	ChangedAssets []string // changed datasets and featuresets
	Removed       []string
	TagChanges    []TagChange
	Errors        []catalog.Problem // dry run only: the problems that would refuse the deploy
	Version       int64             // the branch's version after the deploy
}

// TagChange is one asset whose present tags a deploy changed.
type TagChange struct {
	Path    string
	Added   []string
	Removed []string
}

// Deploy applies a definitions document to a branch atomically. An invalid document is
// refused with an *catalog.Error of kind InvalidDefinition that lists every problem, and
// nothing is written; with DryRun the problems come back in the result instead.
func (s *Service) Deploy(ctx context.Context, req DeployRequest) (*DeployResult, error) {
	op := "deploy " + req.Branch
	start := time.Now()
	key := req.Org + "\x00" + req.Branch
	mark := appliedDoc{sum: sha256.Sum256(req.Document), prune: req.Prune}
	if res, ok := s.alreadyApplied(req, key, mark); ok {
		return res, nil
	}
	doc, problems := catalog.ParseDocument(req.Document)
	var res *catalog.Resolved
	if doc != nil {
		var more []catalog.Problem
		res, more = catalog.Resolve(doc)
		problems = append(problems, more...)
	}
	parsed := time.Since(start)

	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	branch, snap, err := s.repo.Head(req.Org, req.Branch)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var ch *catalog.Change
	if res != nil {
		var more []catalog.Problem
		ch, more = catalog.Plan(snap, res, catalog.PlanOptions{Prune: req.Prune, Deployer: req.Deployer})
		problems = append(problems, more...)
	}
	if ch != nil {
		for _, p := range lineage.CheckCycles(ch) {
			p.Line = res.Line(p.Asset)
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		catalog.SortProblems(problems)
		if req.DryRun {
			return &DeployResult{Errors: problems, Version: branch.Version}, nil
		}
		return nil, &catalog.Error{Op: op, Kind: catalog.InvalidDefinition, Path: req.Branch,
			Msg: "the document is invalid; nothing was deployed", Problems: problems}
	}
	out := &DeployResult{
		Changed:       !ch.Empty(),
		Added:         nonNil(ch.Added),
		ChangedAssets: nonNil(ch.Changed),
		Removed:       nonNil(ch.Removed),
		Errors:        []catalog.Problem{},
		Version:       branch.Version,
	}
	out.TagChanges = []TagChange{}
	if req.DryRun || ch.Empty() {
		if !req.DryRun {
			mark.root = snap.ID()
			s.remember(key, mark)
		}
		return out, nil
	}
	nb, nsnap, err := s.repo.Commit(ctx, req.Org, req.Branch, ch, catalog.CommitInfo{
		Author:  req.Deployer,
		Message: fmt.Sprintf("deploy: %d added, %d changed, %d removed", len(ch.Added), len(ch.Changed), len(ch.Removed)),
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out.Version = nb.Version
	mark.root = nsnap.ID()
	s.remember(key, mark)
	s.log.Info().Str("org", req.Org).Str("branch", req.Branch).Int64("version", nb.Version).
		Int("added", len(ch.Added)).Int("changed", len(ch.Changed)).Int("removed", len(ch.Removed)).
		Dur("parse", parsed).Dur("total", time.Since(start)).Msg("deployed")
	return out, nil
}

// alreadyApplied answers a deploy of the document that last left the branch in its current
// state: nothing changes.
func (s *Service) alreadyApplied(req DeployRequest, key string, mark appliedDoc) (*DeployResult, bool) {
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	branch, snap, err := s.repo.Head(req.Org, req.Branch)
	if err != nil {
		return nil, false
	}
	s.appliedMu.Lock()
	last, ok := s.applied[key]
	s.appliedMu.Unlock()
	mark.root = snap.ID()
	if !ok || last != mark {
		return nil, false
	}
	return &DeployResult{Added: []string{}, ChangedAssets: []string{}, Removed: []string{},
		TagChanges: []TagChange{}, Errors: []catalog.Problem{}, Version: branch.Version}, true
}

func (s *Service) remember(key string, mark appliedDoc) {
	s.appliedMu.Lock()
	s.applied[key] = mark
	s.appliedMu.Unlock()
}

// CreateBranch creates a branch from another.
func (s *Service) CreateBranch(ctx context.Context, org, name, from string) (catalog.Branch, error) {
	if from == "" {
		from = catalog.MainBranch
	}
	return s.repo.CreateBranch(ctx, org, name, from)
}

// DeleteBranch deletes a branch; deploys to it in progress finish first.
func (s *Service) DeleteBranch(ctx context.Context, org, name string) error {
	unlock := s.lock(org, name)
	defer unlock()
	return s.repo.DeleteBranch(ctx, org, name)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
