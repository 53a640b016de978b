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
}

// Delete removes datasets and featuresets from a branch like a prune deploy removes them:
// serialized with the branch's other changes, refused (kind InvalidDefinition, every
// problem listed, nothing written) while an asset that stays still reads one of them, and
// otherwise one durable commit. Their stewards' tags go with them. With DryRun the problems
// come back in the result and nothing is written. The result lists the removed paths and
// the tag changes the removal causes downstream.
func (s *Service) Delete(ctx context.Context, req DeleteRequest) (*DeployResult, error) {
	op := "deleteAssets " + req.Branch
	unlock := s.lock(req.Org, req.Branch)
	defer unlock()
	view, err := s.View(req.Org, req.Branch)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ch, problems, err := catalog.RemovalChange(view.Snapshot, req.Paths)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		catalog.SortProblems(problems)
		if req.DryRun {
			out := emptyResult(view.Catalog.Version)
			out.Errors = problems
			return out, nil
		}
		return nil, &catalog.Error{Op: op, Kind: catalog.InvalidDefinition, Path: req.Branch,
			Msg: "other assets still read what would be deleted; nothing was deleted", Problems: problems}
	}
	out := emptyResult(view.Catalog.Version)
	out.Changed = true
	out.Removed = ch.Removed
	next, changes, count := s.advance(view, ch)
	out.TagChanges, out.TagChangeCount = changes, count
	if req.DryRun {
		return out, nil
	}
	version, err := s.commit(ctx, next, ch, catalog.CommitInfo{
		Author:  req.Deleter,
		Message: "deleteAssets: " + listSome(ch.Removed, 20),
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out.Version = version
	s.log.Info().Str("org", req.Org).Str("branch", req.Branch).Int64("version", version).
		Int("removed", len(ch.Removed)).Int("tag_changes", count).Msg("deleted")
	return out, nil
}

// listSome joins the first n paths and says how many more there are.
func listSome(paths []string, n int) string {
	if len(paths) <= n {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:n], ", "), len(paths)-n)
}
