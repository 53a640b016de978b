package graphql

import (
	"context"
	"fmt"
	"sync"
	"weak"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

// Decisions on the request path (DESIGN §5): every resolver judges the caller's policy (the
// registry's, compiled from its grants, its teams', groups' and org's, and the roles) on the
// path it reads or the plan it writes. Check decides; Explain is asked only for a deny, to
// say why.

// policyOf is the caller's policy.
func (r *Resolver) policyOf(c *Caller) *access.Policy {
	return r.reg.Policy(c.Org, c.Principal.Ref())
}

// ownerOf is the owner reference of path on v (a member's is its dataset's), "" when it
// has none or v does not have it.
func ownerOf(v *tags.View, path string) string {
	if v == nil || path == "" {
		return ""
	}
	if a, _, ok := v.Snapshot.Lookup(path); ok {
		return a.EffectiveOwner()
	}
	return ""
}

// readRequest is the request for mode on path at branch, judged on the path's present
// tags and owner at v (nil, or a path v does not have: no tags, no owner).
func readRequest(v *tags.View, mode access.Mode, path, branch string) *access.Request {
	req := &access.Request{Mode: mode, Path: path, Branch: branch}
	if v != nil && path != "" {
		req.Tags, _ = v.Tags(path)
		req.Owner = ownerOf(v, path)
	}
	return req
}

// tagSource says where a present tag of path comes from, for reasons: "declared on X"
// when path (or its dataset) declares it, else "from X", the first source.
func tagSource(ctx context.Context, v *tags.View, path string) func(string) string {
	if v == nil || path == "" {
		return nil
	}
	return func(tag string) string {
		sources, err := v.Sources(ctx, path, tag)
		if err != nil || len(sources) == 0 {
			return ""
		}
		src := sources[0].Source
		if src == path || len(sources[0].Path) <= 1 {
			return "declared on " + src
		}
		return "from " + src
	}
}

// judge refuses mode on path at branch for the caller with FORBIDDEN and the reason, or
// allows it (nil).
func (r *Resolver) judge(ctx context.Context, c *Caller, v *tags.View, mode access.Mode, path, branch string) error {
	pol := r.policyOf(c)
	req := readRequest(v, mode, path, branch)
	if pol.Check(req).Allowed {
		return nil
	}
	req.TagSource = tagSource(ctx, v, path)
	d := pol.Explain(req)
	target := path // what the audit log names as refused
	if path == "" && branch != "" && branch != "*" {
		target = "branch:" + branch
	}
	return toAPI(&catalog.Error{Kind: catalog.Forbidden, Path: target, Msg: d.Reason})
}

// reader is what the caller may read on v at branch: READ_DEFINITIONS on the path.
func (r *Resolver) reader(c *Caller, v *tags.View, branch string) func(path string) bool {
	pol := r.policyOf(c)
	return func(path string) bool {
		return pol.Check(readRequest(v, access.ReadDefinitions, path, branch)).Allowed
	}
}

// readable is res with its members judged by canRead.
func readable(res *assetResolver, canRead func(string) bool) *assetResolver {
	res.canRead = canRead
	return res
}

// redactedAsset is an asset the caller may list but not read: its path and kind, nothing
// of its definitions (no tags, members, owner, description or pipeline).
func redactedAsset(v *tags.View, a *catalog.Asset) *assetResolver {
	return &assetResolver{v: v, a: &catalog.Asset{Path: a.Path, Kind: a.Kind}, redacted: true}
}

// asPolicy is the policy a question is asked for: the caller's, or with MANAGE on the org
// another principal's of the org (as).
func (r *Resolver) asPolicy(ctx context.Context, as *string) (*Caller, *access.Policy, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	if as == nil || *as == "" || *as == c.Principal.Ref() {
		return c, r.policyOf(c), nil
	}
	if err := r.judge(ctx, c, nil, access.Manage, "", "*"); err != nil {
		return nil, nil, toAPI(&catalog.Error{Kind: catalog.Forbidden, Path: *as,
			Msg: fmt.Sprintf("asking on behalf of %s needs MANAGE on the org", *as)})
	}
	if _, ok := r.reg.Principal(c.Org, *as); !ok {
		return nil, nil, argError("as %q: no principal of org %s has that reference", *as, c.Org)
	}
	return c, r.reg.Policy(c.Org, *as), nil
}

func modeOf(s string) (access.Mode, error) {
	m := access.Mode(s)
	if !m.Valid() {
		return "", argError("mode %q: the modes are %s", s, access.AllModes.String())
	}
	return m, nil
}

// Check resolves Query.check: the decision, with its reason, for mode on path at branch.
func (r *Resolver) Check(ctx context.Context, args struct {
	Mode   string
	Path   string
	Branch gql.NullString
	As     *string
}) (*decisionResolver, error) {
	c, pol, err := r.asPolicy(ctx, args.As)
	if err != nil {
		return nil, err
	}
	if err := charge(ctx, 1); err != nil {
		return nil, err
	}
	mode, err := modeOf(args.Mode)
	if err != nil {
		return nil, err
	}
	branch := branchOr(args.Branch)
	if args.Path != "" {
		if err := catalog.ValidateRef(args.Path); err != nil {
			return nil, argError("path %q: %v", args.Path, err)
		}
	}
	var v *tags.View
	if args.Path != "" {
		v, _ = r.svc.View(c.Org, branch)
	}
	req := readRequest(v, mode, args.Path, branch)
	req.TagSource = tagSource(ctx, v, args.Path)
	d := pol.Explain(req)
	return &decisionResolver{allowed: d.Allowed, reason: d.Reason}, nil
}

type decisionResolver struct {
	allowed bool
	reason  string
}

func (d *decisionResolver) Allowed() bool  { return d.allowed }
func (d *decisionResolver) Reason() string { return d.reason }

// ColumnAccess resolves Query.columnAccess: which columns of a dataset the principal may
// use in mode, each hidden one with its reason. The dataset must exist (NOT_FOUND).
func (r *Resolver) ColumnAccess(ctx context.Context, args struct {
	Dataset string
	Branch  gql.NullString
	Mode    nullMode
	As      *string
}) (*columnAccessResolver, error) {
	c, pol, err := r.asPolicy(ctx, args.As)
	if err != nil {
		return nil, err
	}
	mode := access.ReadData
	if args.Mode.Value != nil {
		if mode, err = modeOf(*args.Mode.Value); err != nil {
			return nil, err
		}
	}
	branch := branchOr(args.Branch)
	if err := catalog.ValidateRef(args.Dataset); err != nil {
		return nil, argError("dataset %q: %v", args.Dataset, err)
	}
	v, err := r.svc.View(c.Org, branch)
	if err != nil {
		return nil, toAPI(err)
	}
	a := v.Snapshot.Get(args.Dataset)
	if a == nil {
		return nil, toAPI(&catalog.Error{Kind: catalog.NotFound, Path: args.Dataset,
			Msg: args.Dataset + " does not exist on branch " + branch})
	}
	// The columns are definitions: the caller must read them (FORBIDDEN naming the dataset).
	if err := r.judge(ctx, c, v, access.ReadDefinitions, a.Path, branch); err != nil {
		return nil, err
	}
	if err := charge(ctx, 1+len(a.Members)); err != nil {
		return nil, err
	}
	key := columnKey{pol: weak.Make(pol), view: weak.Make(v), dataset: a.Path, mode: mode}
	if ca, ok := r.columns.get(key); ok {
		return &columnAccessResolver{ca: ca}, nil
	}
	req := &access.ColumnsRequest{Dataset: a.Path, Branch: branch, Mode: mode, Owner: a.EffectiveOwner(), Explain: true,
		TagSource: func(path, tag string) string { return tagSource(ctx, v, path)(tag) }}
	req.DatasetTags, _ = v.Tags(a.Path)
	// The request's lists are scratch: the answer keeps only the columns' names (the
	// catalog's own strings) and reasons, so they go back to a pool once it is decided.
	sc := columnScratchPool.Get().(*columnScratch)
	defer columnScratchPool.Put(sc)
	sc.names = sc.names[:0]
	for _, m := range a.Members {
		sc.names = append(sc.names, m.Name)
	}
	sc.tagsOf, sc.all = v.MemberTagsInto(sc.tagsOf, sc.all, a.Path, sc.names)
	sc.cols = sc.cols[:0]
	for i, name := range sc.names {
		sc.cols = append(sc.cols, access.Column{Name: name, Tags: sc.tagsOf[i]})
	}
	req.Columns = sc.cols
	ca := pol.ColumnAccess(req)
	req.Columns = nil
	r.columns.put(key, ca)
	return &columnAccessResolver{ca: ca}, nil
}

// columnScratch holds the lists one columnAccess decision uses and nothing keeps.
type columnScratch struct {
	names  []string
	tagsOf [][]string
	all    []string
	cols   []access.Column
}

var columnScratchPool = sync.Pool{New: func() any { return new(columnScratch) }}

type columnAccessResolver struct{ ca access.ColumnAccess }

func (c *columnAccessResolver) Result() string    { return string(c.ca.Result) }
func (c *columnAccessResolver) Visible() []string { return nonNil(c.ca.Visible) }
func (c *columnAccessResolver) Hidden() []*hiddenColumnResolver {
	out := make([]*hiddenColumnResolver, len(c.ca.Hidden))
	for i := range c.ca.Hidden {
		out[i] = &hiddenColumnResolver{c.ca.Hidden[i]}
	}
	return out
}

type hiddenColumnResolver struct{ h access.HiddenColumn }

func (h *hiddenColumnResolver) Name() string   { return h.h.Name }
func (h *hiddenColumnResolver) Reason() string { return h.h.Reason }

// nullMode is columnAccess's mode argument (Mode = READ_DATA): an explicit null means the
// default too.
type nullMode struct{ Value *string }

func (nullMode) ImplementsGraphQLType(name string) bool { return name == "Mode" }
func (n *nullMode) UnmarshalGraphQL(input any) error    { return unmarshalEnum(&n.Value, input) }
func (nullMode) Nullable()                              {}
