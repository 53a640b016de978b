package graphql

import (
	"context"
	"strings"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// The principals of an org (DESIGN §5): Query.principals and Query.principal, and the
// mutations that create, change and delete users, teams, groups and workloads. Every
// mutation needs MANAGE on the org, the queries READ_DEFINITIONS on the org.

func (p *principalResolver) Kind() string { return strings.ToUpper(p.p.Kind) }

// Members charges what it answers: a synchronized group may have many members.
func (p *principalResolver) Members(ctx context.Context) (*[]string, error) {
	if p.p.Kind != "team" && p.p.Kind != "group" {
		return nil, nil
	}
	if err := charge(ctx, len(p.p.Members)); err != nil {
		return nil, err
	}
	m := p.p.Members
	if m == nil {
		m = []string{}
	}
	return &m, nil
}
func (p *principalResolver) MemberOf() []string {
	m := p.reg.MemberOf(p.p.Org, p.p.Ref())
	if m == nil {
		m = []string{}
	}
	return m
}
func (p *principalResolver) CreatedAt() string {
	return p.p.CreatedAt.Format("2006-01-02T15:04:05.000Z07:00")
}

func (r *Resolver) principalResolver(p access.Principal) *principalResolver {
	return &principalResolver{p: p, reg: r.reg}
}

// Principals resolves Query.principals.
func (r *Resolver) Principals(ctx context.Context, args struct {
	Kind  *string
	First gql.NullInt
	After *string
}) (*principalConnectionResolver, error) {
	c, err := r.authorize(ctx, access.ReadDefinitions, "", "*")
	if err != nil {
		return nil, err
	}
	first := 100
	if args.First.Value != nil {
		first = int(*args.First.Value)
	}
	if first < 0 || first > MaxPage {
		return nil, argError("first must be between 0 and %d, not %d", MaxPage, first)
	}
	after := ""
	if args.After != nil && *args.After != "" {
		if after, err = decodeCursor(*args.After); err != nil {
			return nil, err
		}
	}
	kind := ""
	if args.Kind != nil {
		kind = strings.ToLower(*args.Kind)
	}
	all := r.reg.Principals(c.Org, kind)
	if err := charge(ctx, 1+len(all)+first); err != nil {
		return nil, err
	}
	out := &principalConnectionResolver{total: len(all)}
	for _, p := range all {
		if p.Ref() <= after {
			continue
		}
		if len(out.nodes) == first {
			out.hasNext = true
			break
		}
		out.nodes = append(out.nodes, r.principalResolver(p))
	}
	return out, nil
}

type principalConnectionResolver struct {
	total   int
	nodes   []*principalResolver
	hasNext bool
}

func (c *principalConnectionResolver) TotalCount() int32           { return int32(c.total) }
func (c *principalConnectionResolver) Nodes() []*principalResolver { return c.nodes }
func (c *principalConnectionResolver) PageInfo() *pageInfoResolver {
	return newPageInfo(c.hasNext, len(c.nodes), func() string { return c.nodes[len(c.nodes)-1].p.Ref() })
}

// Principal resolves Query.principal.
func (r *Resolver) Principal(ctx context.Context, args struct{ Ref string }) (*principalResolver, error) {
	c, err := r.authorize(ctx, access.ReadDefinitions, "", "*")
	if err != nil {
		return nil, err
	}
	if _, _, err := catalog.ParsePrincipalRef(args.Ref); err != nil {
		return nil, argError("ref: %v", err)
	}
	p, ok := r.reg.Principal(c.Org, args.Ref)
	if !ok {
		return nil, nil
	}
	return r.principalResolver(p), nil
}

// create makes a principal of kind, after checking MANAGE on the org.
func (r *Resolver) create(ctx context.Context, kind, name string, members *[]string) (*principalResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	var ms []string
	if members != nil {
		ms = *members
	}
	p, err := r.reg.CreatePrincipal(ctx, c.Org, kind, name, ms...)
	if err != nil {
		return nil, toAPI(err)
	}
	return r.principalResolver(p), nil
}

type nameArgs struct{ Name string }

type groupArgs struct {
	Name    string
	Members *[]string
}

// CreateUser resolves Mutation.createUser.
func (r *Resolver) CreateUser(ctx context.Context, args nameArgs) (*principalResolver, error) {
	return r.create(ctx, "user", args.Name, nil)
}

// CreateWorkload resolves Mutation.createWorkload.
func (r *Resolver) CreateWorkload(ctx context.Context, args nameArgs) (*principalResolver, error) {
	return r.create(ctx, "workload", args.Name, nil)
}

// CreateTeam resolves Mutation.createTeam.
func (r *Resolver) CreateTeam(ctx context.Context, args groupArgs) (*principalResolver, error) {
	return r.create(ctx, "team", args.Name, args.Members)
}

// CreateGroup resolves Mutation.createGroup.
func (r *Resolver) CreateGroup(ctx context.Context, args groupArgs) (*principalResolver, error) {
	return r.create(ctx, "group", args.Name, args.Members)
}

// setMembers replaces the members of ref, which must be a reference of kind.
func (r *Resolver) setMembers(ctx context.Context, kind, ref string, members []string) (*principalResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	k, _, ok := strings.Cut(ref, ":")
	switch {
	case !ok && catalog.ValidatePrincipalName(ref) == nil:
		return nil, argError("%s %q is a name, not a reference: write %s:%s", kind, ref, kind, ref)
	case ok && k != kind:
		return nil, argError("%s %q is not a %s reference (%s:NAME)", kind, ref, kind, kind)
	}
	p, err := r.reg.SetMembers(ctx, c.Org, ref, members)
	if err != nil {
		return nil, toAPI(err)
	}
	return r.principalResolver(p), nil
}

// SetTeamMembers resolves Mutation.setTeamMembers.
func (r *Resolver) SetTeamMembers(ctx context.Context, args struct {
	Team    string
	Members []string
}) (*principalResolver, error) {
	return r.setMembers(ctx, "team", args.Team, args.Members)
}

// SetGroupMembers resolves Mutation.setGroupMembers.
func (r *Resolver) SetGroupMembers(ctx context.Context, args struct {
	Group   string
	Members []string
}) (*principalResolver, error) {
	return r.setMembers(ctx, "group", args.Group, args.Members)
}

// DeletePrincipal resolves Mutation.deletePrincipal.
func (r *Resolver) DeletePrincipal(ctx context.Context, args struct{ Ref string }) (bool, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return false, err
	}
	if !strings.Contains(args.Ref, ":") && catalog.ValidatePrincipalName(args.Ref) == nil {
		return false, argError("ref %q is a name, not a reference: write user:%s (or team:, group:, workload:)", args.Ref, args.Ref)
	}
	if err := r.reg.DeletePrincipal(ctx, c.Org, args.Ref); err != nil {
		return false, toAPI(err)
	}
	return true, nil
}
