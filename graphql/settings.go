package graphql

import (
	"context"
	"strconv"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/tags"
)

// OrgSettings resolves Query.orgSettings: MANAGE on the org, like changing them (a
// principal without grants gets nothing but me, names and its tokens, DESIGN §5).
func (r *Resolver) OrgSettings(ctx context.Context) (*orgSettingsResolver, error) {
	c, err := r.administer(ctx, "*")
	if err != nil {
		return nil, err
	}
	return &orgSettingsResolver{r.reg.Settings(c.Org)}, nil
}

// SetOrgSettings resolves Mutation.setOrgSettings: MANAGE on the org.
func (r *Resolver) SetOrgSettings(ctx context.Context, args struct{ ListNames gql.NullBool }) (*orgSettingsResolver, error) {
	c, err := r.administer(ctx, "*")
	if err != nil {
		return nil, err
	}
	s := r.reg.Settings(c.Org)
	if args.ListNames.Value != nil {
		s.ListNames = *args.ListNames.Value
	}
	if err := r.reg.SetSettings(ctx, c.Org, s); err != nil {
		return nil, toAPI(err)
	}
	return &orgSettingsResolver{s}, nil
}

type orgSettingsResolver struct{ s access.OrgSettings }

func (o *orgSettingsResolver) ListNames() bool { return o.s.ListNames }

// redactedName is how an unreadable path is shown where names are private: "(redacted)"
// holds parentheses, which no path may, so it never names an asset.
const redactedName = "(redacted)"

// namer shows paths to the caller: as they are where the org lists names to its members,
// else the unreadable ones as "(redacted)".
func (r *Resolver) namer(c *Caller, v *tags.View, branch string) func(path string) string {
	if r.reg.Settings(c.Org).ListNames {
		return func(p string) string { return p }
	}
	canRead := r.reader(c, v, branch)
	return func(p string) string {
		if canRead(p) {
			return p
		}
		return redactedName
	}
}

// numberedRedacted names the n-th distinct unreadable node of a lineage answer where names
// are private: "(redacted 1)", "(redacted 2)"..., so that edges still show the graph's shape.
func numberedRedacted(n int) string { return "(redacted " + strconv.Itoa(n) + ")" }
