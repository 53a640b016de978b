package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/tags"
)

// DeleteAssets resolves Mutation.deleteAssets. Each path is authorized like a deploy's
// assets: WRITE_DEFINITIONS, or READ_DEFINITIONS for a dry run.
func (r *Resolver) DeleteAssets(ctx context.Context, args struct {
	Paths  []string
	Branch gql.NullString
	DryRun gql.NullBool
}) (*deployResultResolver, error) {
	branch := branchOr(args.Branch)
	mode := access.WriteDefinitions
	if boolOr(args.DryRun) {
		mode = access.ReadDefinitions
	}
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	res, err := r.svc.Delete(ctx, tags.DeleteRequest{
		Org: c.Org, Branch: branch, Paths: args.Paths, DryRun: boolOr(args.DryRun), Deleter: c.Principal.Ref(),
		Authorize: planAuthorizer(ctx, r.svc, r.reg, c, mode),
		Record:    auditWrite(ctx, c, "deleteAssets"),
	})
	if err != nil {
		return nil, toAPI(err)
	}
	return &deployResultResolver{res}, nil
}
