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
}

// NewService returns a Service over repo.
func NewService(repo *catalog.Repo, log zerolog.Logger) *Service {
	return &Service{repo: repo, log: log, locks: map[string]*sync.Mutex{}}
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
	mark := appliedMark(req)
	if res, ok := s.alreadyApplied(req, mark); ok {
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
			out := emptyResult(branch.Version)
			out.Errors = problems
			return out, nil
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
		return out, nil
	}
	nb, _, err := s.repo.Commit(ctx, req.Org, req.Branch, ch, catalog.CommitInfo{
		Author:  req.Deployer,
		Message: fmt.Sprintf("deploy: %d added, %d changed, %d removed", len(ch.Added), len(ch.Changed), len(ch.Removed)),
		Applied: mark,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out.Version = nb.Version
	s.log.Info().Str("org", req.Org).Str("branch", req.Branch).Int64("version", nb.Version).
		Int("added", len(ch.Added)).Int("changed", len(ch.Changed)).Int("removed", len(ch.Removed)).
		Dur("parse", parsed).Dur("total", time.Since(start)).Msg("deployed")
	return out, nil
}

// appliedMark identifies a deploy's document and mode for Branch.Applied.
func appliedMark(req DeployRequest) string {
	sum := sha256.Sum256(req.Document)
	return fmt.Sprintf("sha256:%x prune:%t", sum, req.Prune)
}

// alreadyApplied answers a deploy of the document whose deploy made the branch's head:
// applying it again changes nothing (a deploy is idempotent), so it is answered without
// parsing. CI pipelines redeploy unchanged documents all the time; the mark is kept with
// the head, so this holds across restarts.
func (s *Service) alreadyApplied(req DeployRequest, mark string) (*DeployResult, bool) {
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	branch, _, err := s.repo.Head(req.Org, req.Branch)
	if err != nil || branch.Applied != mark {
		return nil, false
	}
	return emptyResult(branch.Version), true
}

// emptyResult is the result of a deploy that changes nothing: every list empty, not nil.
func emptyResult(version int64) *DeployResult {
	return &DeployResult{Added: []string{}, ChangedAssets: []string{}, Removed: []string{},
		TagChanges: []TagChange{}, Errors: []catalog.Problem{}, Version: version}
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
