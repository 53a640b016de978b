package graphql

import (
	"context"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// Roles and grants (DESIGN §5): Query.roles, role, grants and the mutations createRole,
// updateRole, deleteRole, grant and revoke. Each needs MANAGE on the org, except grant and
// revoke, which need MANAGE on a scope that covers the grant's.

type roleResolver struct{ r access.RoleInfo }

func (r *roleResolver) Name() string  { return r.r.Name }
func (r *roleResolver) BuiltIn() bool { return r.r.BuiltIn }
func (r *roleResolver) Rules() []*ruleResolver {
	out := make([]*ruleResolver, len(r.r.Rules))
	for i := range r.r.Rules {
		out[i] = &ruleResolver{r.r.Rules[i].Input()}
	}
	return out
}

type ruleResolver struct{ in access.RuleInput }

func (r *ruleResolver) Modes() []string    { return r.in.Modes }
func (r *ruleResolver) Branches() []string { return r.in.Branches }
func (r *ruleResolver) Tags() string       { return r.in.Tags }

type grantResolver struct{ g access.Grant }

func (g *grantResolver) Principal() string { return g.g.Principal }
func (g *grantResolver) Role() string      { return g.g.Role }
func (g *grantResolver) Scope() string     { return g.g.Scope }
func (g *grantResolver) CreatedAt() string {
	return g.g.CreatedAt.Format("2006-01-02T15:04:05.000Z07:00")
}

// ruleInput is the contract's RuleInput.
type ruleInput struct {
	Modes    []string
	Branches *[]string
	Tags     *string
}

type roleArgs struct {
	Name  string
	Rules []ruleInput
}

func (a roleArgs) rules() []access.RuleInput {
	out := make([]access.RuleInput, len(a.Rules))
	for i, ri := range a.Rules {
		out[i].Modes = ri.Modes
		if ri.Branches != nil {
			out[i].Branches = *ri.Branches
		}
		if ri.Tags != nil {
			out[i].Tags = *ri.Tags
		}
	}
	return out
}

// Roles resolves Query.roles.
func (r *Resolver) Roles(ctx context.Context) ([]*roleResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	all := r.reg.Roles(c.Org)
	out := make([]*roleResolver, len(all))
	for i := range all {
		out[i] = &roleResolver{all[i]}
	}
	return out, nil
}

// Role resolves Query.role.
func (r *Resolver) Role(ctx context.Context, args struct{ Name string }) (*roleResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	ri, ok := r.reg.RoleByName(c.Org, args.Name)
	if !ok {
		return nil, nil
	}
	return &roleResolver{ri}, nil
}

// CreateRole resolves Mutation.createRole.
func (r *Resolver) CreateRole(ctx context.Context, args roleArgs) (*roleResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	ri, err := r.reg.CreateRole(ctx, c.Org, args.Name, args.rules())
	if err != nil {
		return nil, toAPI(err)
	}
	return &roleResolver{ri}, nil
}

// UpdateRole resolves Mutation.updateRole.
func (r *Resolver) UpdateRole(ctx context.Context, args roleArgs) (*roleResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	ri, err := r.reg.UpdateRole(ctx, c.Org, args.Name, args.rules())
	if err != nil {
		return nil, toAPI(err)
	}
	return &roleResolver{ri}, nil
}

// DeleteRole resolves Mutation.deleteRole.
func (r *Resolver) DeleteRole(ctx context.Context, args struct{ Name string }) (bool, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return false, err
	}
	if err := r.reg.DeleteRole(ctx, c.Org, args.Name); err != nil {
		return false, toAPI(err)
	}
	return true, nil
}

type grantArgs struct{ Principal, Role, Scope string }

// Grants resolves Query.grants.
func (r *Resolver) Grants(ctx context.Context, args struct{ Principal, Scope *string }) ([]*grantResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	var principal, scope string
	if args.Principal != nil {
		principal = *args.Principal
	}
	if args.Scope != nil {
		scope = *args.Scope
	}
	all := r.reg.ListGrants(c.Org, principal, scope)
	if err := charge(ctx, len(all)); err != nil {
		return nil, err
	}
	out := make([]*grantResolver, len(all))
	for i := range all {
		out[i] = &grantResolver{all[i]}
	}
	return out, nil
}

// Grant resolves Mutation.grant.
func (r *Resolver) Grant(ctx context.Context, args grantArgs) (*grantResolver, error) {
	c, err := r.administer(ctx, args.Scope)
	if err != nil {
		return nil, err
	}
	g, err := r.reg.Grant(ctx, c.Org, args.Principal, args.Role, args.Scope)
	if err != nil {
		return nil, toAPI(err)
	}
	return &grantResolver{g}, nil
}

// Revoke resolves Mutation.revoke.
func (r *Resolver) Revoke(ctx context.Context, args grantArgs) (bool, error) {
	c, err := r.administer(ctx, args.Scope)
	if err != nil {
		return false, err
	}
	ok, err := r.reg.Revoke(ctx, c.Org, args.Principal, args.Role, args.Scope)
	if err != nil {
		return false, toAPI(err)
	}
	return ok, nil
}

// administer allows a grant or a revoke on scope to a caller holding MANAGE on a scope that
// covers it (DESIGN §5; access.Policy.MayAdminister), not only to whoever manages the whole
// org: a steward of data/** hands out rights under data/. A scope that does not parse is
// INVALID_ARGUMENT whoever asks: it reveals nothing.
func (r *Resolver) administer(ctx context.Context, scope string) (*Caller, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := access.ParseScope(scope); err != nil {
		return nil, toAPI(err)
	}
	if _, reason := r.reg.Policy(c.Org, c.Principal.Ref()).MayAdminister(scope); reason != "" {
		return nil, toAPI(&catalog.Error{Kind: catalog.Forbidden, Path: scope, Msg: "denied: " + reason})
	}
	return c, nil
}
