package graphql

import (
	"context"
	"fmt"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

// Resolver is the root resolver: Query and Mutation fields are its methods.
type Resolver struct {
	svc *tags.Service
	reg *access.Registry
	// columns memoizes columnAccess answers by policy, view, dataset and mode (columncache.go).
	columns columnCache
}

// MaxPage is the largest page a connection returns (DESIGN §6).
const MaxPage = 1000

// authorize allows or refuses mode on path at branch for the caller's policy; "" is the
// whole org, judged at the org scope. A path is judged on its present tags at branch and
// its owner (a member's: its dataset's), read from the branch's view.
func (r *Resolver) authorize(ctx context.Context, mode access.Mode, path, branch string) (*Caller, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	var v *tags.View
	if path != "" {
		v, _ = r.svc.View(c.Org, branch) // a branch that does not exist: judged without tags
	}
	if err := r.judge(ctx, c, v, mode, path, branch); err != nil {
		return nil, err
	}
	return c, nil
}

// branchOr is the branch argument, main when it is null or unset. graphql-go fills an
// argument that has a default only into a plain value or a Null type; the Null types let an
// explicit null mean the default too (DESIGN §6).
func branchOr(b gql.NullString) string {
	if b.Value == nil || *b.Value == "" {
		return catalog.MainBranch
	}
	return *b.Value
}

func boolOr(b gql.NullBool) bool { return b.Value != nil && *b.Value }

// Me resolves Query.me.
func (r *Resolver) Me(ctx context.Context) (*meResolver, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	return &meResolver{c: c, reg: r.reg}, nil
}

type meResolver struct {
	c   *Caller
	reg *access.Registry
}

func (m *meResolver) Principal() *principalResolver {
	return &principalResolver{p: m.c.Principal, reg: m.reg}
}
func (m *meResolver) Org() string { return m.c.Org }

type principalResolver struct {
	p   access.Principal
	reg *access.Registry // for memberOf (principals.go)
}

func (p *principalResolver) Ref() string  { return p.p.Ref() }
func (p *principalResolver) Name() string { return p.p.Name }

// Asset resolves Query.asset.
func (r *Resolver) Asset(ctx context.Context, args struct {
	Path   string
	Branch gql.NullString
}) (*assetResolver, error) {
	branch := branchOr(args.Branch)
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := catalog.ValidateRef(args.Path); err != nil {
		return nil, argError("path %q: %v", args.Path, err)
	}
	v, err := r.svc.View(c.Org, branch)
	if err != nil {
		return nil, toAPI(err)
	}
	a, m, ok := v.Snapshot.Lookup(args.Path)
	if !ok {
		return nil, nil // missing (or another org's): null, whatever the caller's grants
	}
	// Listable (every org member may list names) but unreadable: FORBIDDEN naming it;
	// where the org keeps names private, null, as if it were not there.
	if err := r.judge(ctx, c, v, access.ReadDefinitions, args.Path, branch); err != nil {
		if !r.reg.Settings(c.Org).ListNames {
			return nil, nil
		}
		return nil, err
	}
	return readable(newAssetResolver(v, a, m), r.reader(c, v, branch)), nil
}

type pageArgs struct {
	Branch gql.NullString
	Prefix *string
	First  gql.NullInt
	After  *string
}

// Datasets resolves Query.datasets.
func (r *Resolver) Datasets(ctx context.Context, args pageArgs) (*connectionResolver, error) {
	return r.list(ctx, args, catalog.KindDataset)
}

// Featuresets resolves Query.featuresets.
func (r *Resolver) Featuresets(ctx context.Context, args pageArgs) (*connectionResolver, error) {
	return r.list(ctx, args, catalog.KindFeatureset)
}

func (r *Resolver) list(ctx context.Context, args pageArgs, kind catalog.AssetKind) (*connectionResolver, error) {
	branch := branchOr(args.Branch)
	// Names are listed to every member of the org (DESIGN §5); definitions only where
	// readable: an unreadable node answers its path and kind, and empty or null elsewhere.
	c, err := callerOf(ctx)
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
		var err error
		if after, err = decodeCursor(*args.After); err != nil {
			return nil, err
		}
	}
	prefix := ""
	if args.Prefix != nil {
		prefix = *args.Prefix
	}
	v, err := r.svc.View(c.Org, branch)
	if err != nil {
		return nil, toAPI(err)
	}
	canRead := r.reader(c, v, branch)
	// Where the org keeps names private, only what the caller may read is listed, and
	// counted.
	listed := func(*catalog.Asset) bool { return true }
	if !r.reg.Settings(c.Org).ListNames {
		listed = func(a *catalog.Asset) bool { return canRead(a.Path) }
	}
	snap := v.Snapshot
	out := &connectionResolver{}
	snap.Range(prefix, "", func(a *catalog.Asset) bool {
		if a.Kind == kind && listed(a) {
			out.total++
		}
		return true
	})
	if err := charge(ctx, 1+out.total+first); err != nil {
		return nil, err
	}
	snap.Range(prefix, after, func(a *catalog.Asset) bool {
		if a.Kind != kind || !listed(a) {
			return true
		}
		if len(out.nodes) == first {
			out.hasNext = true
			return false
		}
		if canRead(a.Path) {
			out.nodes = append(out.nodes, readable(newAssetResolver(v, a, nil), canRead))
		} else {
			out.nodes = append(out.nodes, redactedAsset(v, a))
		}
		return true
	})
	return out, nil
}

type connectionResolver struct {
	total   int
	nodes   []*assetResolver
	hasNext bool
}

func (c *connectionResolver) TotalCount() int32       { return int32(c.total) }
func (c *connectionResolver) Nodes() []*assetResolver { return c.nodes }
func (c *connectionResolver) PageInfo() *pageInfoResolver {
	return newPageInfo(c.hasNext, len(c.nodes), func() string { return c.nodes[len(c.nodes)-1].a.Path })
}

// pageInfoResolver is the PageInfo of every connection: whether a next page exists, and
// the cursor of the last item of this one (nil for an empty page).
type pageInfoResolver struct {
	hasNext bool
	end     *string
}

// newPageInfo builds a PageInfo for a page of n items; last gives the cursor key (a path or
// a reference) of its last item.
func newPageInfo(hasNext bool, n int, last func() string) *pageInfoResolver {
	p := &pageInfoResolver{hasNext: hasNext}
	if n > 0 {
		s := encodeCursor(last())
		p.end = &s
	}
	return p
}

func (p *pageInfoResolver) HasNextPage() bool  { return p.hasNext }
func (p *pageInfoResolver) EndCursor() *string { return p.end }

// Branches resolves Query.branches.
// A branch is listed to whoever may read definitions somewhere on it (README "Org-level
// operations"); a caller who may read nowhere is FORBIDDEN.
func (r *Resolver) Branches(ctx context.Context) ([]*branchResolver, error) {
	c, err := r.holdsSomewhere(ctx, access.ReadDefinitions, "")
	if err != nil {
		return nil, err
	}
	pol := r.policyOf(c)
	var out []*branchResolver
	for _, v := range r.svc.Branches(c.Org) {
		if pol.HoldsSomewhere(access.ReadDefinitions, v.Catalog.Name) {
			out = append(out, &branchResolver{b: v.Catalog, count: v.Snapshot.Len()})
		}
	}
	return out, nil
}

// holdsSomewhere is the caller when some grant of its policy holds mode on branch ("":
// any), whatever the scope: what a branch's name and the tag vocabulary need. Else
// FORBIDDEN, saying so.
func (r *Resolver) holdsSomewhere(ctx context.Context, mode access.Mode, branch string) (*Caller, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if r.policyOf(c).HoldsSomewhere(mode, branch) {
		return c, nil
	}
	where := "on any branch"
	if branch != "" {
		where = "on branch " + branch
	}
	return nil, toAPI(&catalog.Error{Kind: catalog.Forbidden,
		Msg: fmt.Sprintf("denied: no grant of %s or its teams, groups and org holds %s anywhere %s", c.Principal.Ref(), mode, where)})
}

// Branch resolves Query.branch.
func (r *Resolver) Branch(ctx context.Context, args struct{ Name string }) (*branchResolver, error) {
	c, err := r.holdsSomewhere(ctx, access.ReadDefinitions, args.Name)
	if err != nil {
		return nil, err
	}
	v, err := r.svc.View(c.Org, args.Name)
	if err != nil {
		return nil, nil
	}
	return &branchResolver{b: v.Catalog, count: v.Snapshot.Len()}, nil
}

func (r *Resolver) branchResolver(b catalog.Branch) *branchResolver {
	n := 0
	if v, err := r.svc.View(b.Org, b.Name); err == nil {
		n = v.Snapshot.Len()
	}
	return &branchResolver{b: b, count: n}
}

type branchResolver struct {
	b     catalog.Branch
	count int
}

func (b *branchResolver) Name() string { return b.b.Name }
func (b *branchResolver) From() *string {
	if b.b.From == "" {
		return nil
	}
	return &b.b.From
}
func (b *branchResolver) Version() int32    { return int32(b.b.Version) }
func (b *branchResolver) AssetCount() int32 { return int32(b.count) }
func (b *branchResolver) CreatedAt() string {
	return b.b.CreatedAt.Format("2006-01-02T15:04:05.000Z07:00")
}
func (b *branchResolver) UpdatedAt() string {
	return b.b.UpdatedAt.Format("2006-01-02T15:04:05.000Z07:00")
}

type deployArgs struct {
	Document string
	Branch   gql.NullString
	DryRun   gql.NullBool
	Prune    gql.NullBool
}

// Deploy resolves Mutation.deploy.
func (r *Resolver) Deploy(ctx context.Context, args deployArgs) (*deployResultResolver, error) {
	res, err := deploy(ctx, r.svc, r.reg, deployInput{Branch: branchOr(args.Branch), Document: []byte(args.Document),
		DryRun: boolOr(args.DryRun), Prune: boolOr(args.Prune)})
	if err != nil {
		return nil, toAPI(err)
	}
	return &deployResultResolver{res}, nil
}

// CreateBranch resolves Mutation.createBranch.
func (r *Resolver) CreateBranch(ctx context.Context, args struct {
	Name string
	From gql.NullString
}) (*branchResolver, error) {
	// Whoever may write somewhere on the new branch and read somewhere on the one it comes
	// from: every read and write on it is judged per path as on any branch.
	c, err := r.holdsSomewhere(ctx, access.WriteDefinitions, args.Name)
	if err != nil {
		return nil, err
	}
	if _, err := r.holdsSomewhere(ctx, access.ReadDefinitions, branchOr(args.From)); err != nil {
		return nil, err
	}
	from := branchOr(args.From)
	b, err := r.svc.CreateBranch(ctx, c.Org, args.Name, from,
		access.AuditAlso(ctx, auditEntry(c, "createBranch", "branch:"+args.Name, map[string]string{"from": from})))
	if err != nil {
		return nil, toAPI(err)
	}
	return r.branchResolver(b), nil
}

// DeleteBranch resolves Mutation.deleteBranch.
func (r *Resolver) DeleteBranch(ctx context.Context, args struct{ Name string }) (bool, error) {
	c, err := r.authorize(ctx, access.WriteDefinitions, "", args.Name)
	if err != nil {
		return false, err
	}
	if err := r.svc.DeleteBranch(ctx, c.Org, args.Name, access.AuditAlso(ctx, auditEntry(c, "deleteBranch", "branch:"+args.Name, nil))); err != nil {
		return false, toAPI(err)
	}
	return true, nil
}

type deployResultResolver struct{ r *tags.DeployResult }

func (d *deployResultResolver) Changed() bool           { return d.r.Changed }
func (d *deployResultResolver) Added() []string         { return d.r.Added }
func (d *deployResultResolver) ChangedAssets() []string { return d.r.ChangedAssets }
func (d *deployResultResolver) Removed() []string       { return d.r.Removed }
func (d *deployResultResolver) Version() int32          { return int32(d.r.Version) }
func (d *deployResultResolver) ProblemCount() int32     { return int32(d.r.ProblemCount) }
func (d *deployResultResolver) TagChanges(args firstArgs) ([]*tagChangeResolver, error) {
	return tagChangeList(d.r.TagChanges, args)
}
func (d *deployResultResolver) TagChangeCount() int32 { return int32(d.r.TagChangeCount) }
func (d *deployResultResolver) Warnings() []string    { return nonNil(d.r.Warnings) }
func (d *deployResultResolver) Errors() []*definitionErrorResolver {
	out := make([]*definitionErrorResolver, len(d.r.Errors))
	for i, p := range problemList(d.r.Errors) {
		out[i] = &definitionErrorResolver{p}
	}
	return out
}

type tagChangeResolver struct{ c tags.TagChange }

func (t *tagChangeResolver) Path() string      { return t.c.Path }
func (t *tagChangeResolver) Added() []string   { return t.c.Added }
func (t *tagChangeResolver) Removed() []string { return t.c.Removed }

type definitionErrorResolver struct{ p problemJSON }

func (d *definitionErrorResolver) Asset() *string  { return d.p.Asset }
func (d *definitionErrorResolver) Message() string { return d.p.Message }
func (d *definitionErrorResolver) Line() *int32    { return d.p.Line }
