package tags

import (
	"context"
	"fmt"
	"strings"

	"github.com/tagflow/tagflow/catalog"
)

// DeleteRequest removes datasets and featuresets, with their members, from a branch.
type DeleteRequest struct {
	Org     string
	Branch  string
	Paths   []string
	DryRun  bool
	Deleter string // principal reference
	// Authorize judges the plan before it is committed; nil allows every plan.
	Authorize Authorizer
	// Record, if set, adds the audit record to the commit's transaction (see Recorder).
	Record Recorder
}

// Delete removes datasets and featuresets from a branch like a prune deploy removes them:
// serialized with the branch's other changes, refused (kind InvalidDefinition, every
// problem listed, nothing written) while an asset that stays still reads one of them, and
// otherwise one durable commit. Their stewards' tags go with them. With DryRun the problems
// come back in the result and nothing is written. The result lists the removed paths and
// the tag changes the removal causes downstream.
func (s *Service) Delete(ctx context.Context, req DeleteRequest) (*DeployResult, error) {
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	p, err := s.planDelete(req)
	out, err := s.authorizeAndCommit(ctx, p, err, req.Authorize)
	if err == nil && !p.DryRun && p.next != nil {
		s.log.Info().Str("org", req.Org).Str("branch", req.Branch).Int64("version", out.Version).
			Int("removed", len(p.ch.Removed)).Int("tag_changes", out.TagChangeCount).Msg("deleted")
	}
	return out, err
}

// PlanDelete plans a deleteAssets without committing it, for Commit.
func (s *Service) PlanDelete(ctx context.Context, req DeleteRequest) (*Plan, error) {
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	p, err := s.planDelete(req)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// planDelete plans a deleteAssets; the caller holds the branch's lock. The plan is never
// nil; with an error it may be partial.
func (s *Service) planDelete(req DeleteRequest) (*Plan, error) {
	op := "deleteAssets " + req.Branch
	view, err := s.View(req.Org, req.Branch)
	p := newPlan("deleteAssets", view, req.Org, req.Branch, req.Deleter, req.DryRun)
	p.record = req.Record
	if err != nil {
		return p, fmt.Errorf("%s: %w", op, err)
	}
	ch, problems, err := catalog.RemovalChange(view.Snapshot, req.Paths)
	if err != nil {
		return p, err
	}
	if len(problems) > 0 {
		catalog.SortProblems(problems)
		if req.DryRun {
			p.result.Errors = problems
			return p, nil
		}
		return p, &catalog.Error{Op: op, Kind: catalog.InvalidDefinition, Path: req.Branch,
			Msg: "other assets still read what would be deleted; nothing was deleted", Problems: problems}
	}
	out := p.result
	out.Changed = true
	out.Removed = ch.Removed
	next, changes, count := s.advance(view, ch)
	out.TagChanges, out.TagChangeCount = changes, count
	p.setChange(ch, next)
	p.info = catalog.CommitInfo{Author: req.Deleter, Message: "deleteAssets: " + listSome(ch.Removed, 20)}
	return p, nil
}

// listSome joins the first n paths and says how many more there are.
func listSome(paths []string, n int) string {
	if len(paths) <= n {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:n], ", "), len(paths)-n)
}
