package graphql

import (
	"context"
	"sort"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/lineage"
	"github.com/tagflow/tagflow/tags"
)

// MaxLineageNodes bounds one lineage answer; impact is paged (MaxImpactPage).
const MaxLineageNodes = 10_000

type lineageArgs struct {
	Path        string
	Branch      gql.NullString
	Direction   string
	Depth       gql.NullInt
	Granularity nullGranularity
}

// node finds path on a branch the caller may read: the view that has it.
func (r *Resolver) node(ctx context.Context, path, branch string) (*tags.View, error) {
	c, err := r.authorize(ctx, access.ReadDefinitions, path, branch)
	if err != nil {
		// Where names are private, an unreadable path is answered like a missing one.
		if c, cerr := callerOf(ctx); cerr == nil && toAPI(err).kind == catalog.Forbidden && !r.reg.Settings(c.Org).ListNames {
			return nil, toAPI(&catalog.Error{Kind: catalog.NotFound, Path: path, Msg: path + " is not on branch " + branch + ", or you may not read it"})
		}
		return nil, err
	}
	if err := catalog.ValidateRef(path); err != nil {
		return nil, argError("path %q: %v", path, err)
	}
	v, err := r.svc.View(c.Org, branch)
	if err != nil {
		return nil, toAPI(err)
	}
	if !v.Has(path) {
		return nil, toAPI(&catalog.Error{Kind: catalog.NotFound, Path: path, Msg: path + " does not exist on branch " + branch})
	}
	return v, nil
}

// Lineage resolves Query.lineage.
func (r *Resolver) Lineage(ctx context.Context, args lineageArgs) (*lineageResolver, error) {
	branch := branchOr(args.Branch)
	depth := 1
	if args.Depth.Value != nil {
		depth = int(*args.Depth.Value)
	}
	if depth < 0 {
		return nil, argError("depth must be 0 or more, not %d", depth)
	}
	v, err := r.node(ctx, args.Path, branch)
	if err != nil {
		return nil, err
	}
	dir := lineage.Upstream
	if args.Direction == "DOWNSTREAM" {
		dir = lineage.Downstream
	}
	gran := lineage.ColumnLevel
	if args.Granularity.Value != nil && *args.Granularity.Value == "DATASET" {
		gran = lineage.DatasetLevel
	}
	w, err := v.Walk(ctx, args.Path, dir, depth, gran, MaxLineageNodes)
	if err != nil {
		return nil, stopErr(ctx, err)
	}
	if err := charge(ctx, 1+len(w.Nodes)+len(w.Edges)); err != nil {
		return nil, err
	}
	c, _ := callerOf(ctx)
	l := &lineageResolver{v: v, w: w, redacted: []string{}}
	canRead := r.reader(c, v, branch)
	private := !r.reg.Settings(c.Org).ListNames
	for _, path := range w.Nodes {
		a, m, ok := v.Snapshot.Lookup(path)
		if !ok {
			continue
		}
		if canRead(path) {
			l.nodes = append(l.nodes, readable(newAssetResolver(v, a, m), canRead))
			continue
		}
		if private { // names private: numbered in walk order, the edges renamed alike
			if l.rename == nil {
				l.rename = map[string]string{}
			}
			l.rename[path] = numberedRedacted(len(l.rename) + 1)
			path = l.rename[path]
		}
		l.redacted = append(l.redacted, path)
	}
	return l, nil
}

// lineageResolver is a walk as the caller may see it: the nodes it may read, the others
// only by path (redacted), every edge kept (DESIGN §5: the graph's true shape).
type lineageResolver struct {
	v        *tags.View
	w        tags.Walk
	nodes    []*assetResolver
	redacted []string
	rename   map[string]string // where names are private: unreadable path -> "(redacted N)"
}

func (l *lineageResolver) Nodes() []*assetResolver { return nonNilAssets(l.nodes) }

func nonNilAssets(s []*assetResolver) []*assetResolver {
	if s == nil {
		return []*assetResolver{}
	}
	return s
}

func (l *lineageResolver) Edges() []*edgeResolver {
	out := make([]*edgeResolver, len(l.w.Edges))
	for i, e := range l.w.Edges {
		out[i] = &edgeResolver{from: e.From, to: e.To, kind: e.Kind}
		if n, ok := l.rename[e.From]; ok {
			out[i].from = n
		}
		if n, ok := l.rename[e.To]; ok {
			out[i].to = n
		}
	}
	if l.rename != nil { // sorted by what they show, not by the names they hide
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].from != out[j].from {
				return out[i].from < out[j].from
			}
			return out[i].to < out[j].to
		})
	}
	return out
}

// Redacted are the paths of the walk's nodes the caller may not read, in walk order.
func (l *lineageResolver) Redacted() []string { return l.redacted }

type edgeResolver struct {
	from, to string
	kind     lineage.EdgeKind
}

func (e *edgeResolver) From() string { return e.from }
func (e *edgeResolver) To() string   { return e.to }
func (e *edgeResolver) Kind() string {
	switch e.kind {
	case lineage.Containment:
		return "CONTAINMENT"
	case lineage.FailClosed:
		return "FAIL_CLOSED"
	}
	return "DERIVATION"
}

// Impact resolves Query.impact: one page of the paths downstream of path, and how many
// there are in all. The walk costs every node it reaches.
func (r *Resolver) Impact(ctx context.Context, args impactArgs) (*pathConnectionResolver, error) {
	first, after, err := impactPage(args)
	if err != nil {
		return nil, err
	}
	v, err := r.node(ctx, args.Path, branchOr(args.Branch))
	if err != nil {
		return nil, err
	}
	// Where names are private, only the downstream paths the caller may read are counted
	// and listed (a page of "(redacted)" entries would still need cursors that name them).
	var keep func(string) bool
	if c, _ := callerOf(ctx); !r.reg.Settings(c.Org).ListNames {
		keep = r.reader(c, v, branchOr(args.Branch))
	}
	p, err := v.ImpactOf(ctx, args.Path, first, after, keep)
	if err != nil {
		return nil, stopErr(ctx, err)
	}
	if err := charge(ctx, 1+p.Total); err != nil {
		return nil, err
	}
	return &pathConnectionResolver{total: p.Total, nodes: p.Paths, hasNext: p.HasNext}, nil
}

// ExplainTag resolves Query.explainTag.
func (r *Resolver) ExplainTag(ctx context.Context, args struct {
	Path   string
	Tag    string
	Branch gql.NullString
}) (*explanationResolver, error) {
	if _, cancel, err := catalog.ParseTagDecl(args.Tag); err != nil {
		return nil, argError("tag %q: %v", args.Tag, err)
	} else if cancel {
		return nil, argError("tag %q: explain a tag name, without \"~\"", args.Tag)
	}
	v, err := r.node(ctx, args.Path, branchOr(args.Branch))
	if err != nil {
		return nil, err
	}
	ex, err := v.Explain(ctx, args.Path, args.Tag)
	if err != nil {
		return nil, stopErr(ctx, err)
	}
	if err := charge(ctx, 1+ex.Visited); err != nil {
		return nil, err
	}
	if c, _ := callerOf(ctx); !r.reg.Settings(c.Org).ListNames {
		ex = redactExplanation(ex, r.namer(c, v, branchOr(args.Branch)))
	}
	return &explanationResolver{ex}, nil
}

// redactExplanation is ex with every path shown through name (unreadable ones
// "(redacted)" where names are private).
func redactExplanation(ex tags.Explanation, name func(string) string) tags.Explanation {
	names := func(ps []string) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = name(p)
		}
		return out
	}
	out := ex
	out.CancelledBy = names(ex.CancelledBy)
	out.Sources = make([]tags.TagPath, len(ex.Sources))
	for i, s := range ex.Sources {
		out.Sources[i] = tags.TagPath{Source: name(s.Source), Path: names(s.Path)}
	}
	out.Stopped = make([]tags.TagStop, len(ex.Stopped))
	for i, s := range ex.Stopped {
		out.Stopped[i] = s
		out.Stopped[i].Source, out.Stopped[i].At, out.Stopped[i].Path = name(s.Source), name(s.At), names(s.Path)
	}
	return out
}

type explanationResolver struct{ e tags.Explanation }

func (e *explanationResolver) Present() bool { return e.e.Present }
func (e *explanationResolver) CancelledBy() []string {
	return e.e.CancelledBy
}
func (e *explanationResolver) Sources() []*tagPathResolver {
	out := make([]*tagPathResolver, len(e.e.Sources))
	for i := range e.e.Sources {
		out[i] = &tagPathResolver{e.e.Sources[i]}
	}
	return out
}

func (e *explanationResolver) Stopped() []*tagStopResolver {
	out := make([]*tagStopResolver, len(e.e.Stopped))
	for i := range e.e.Stopped {
		out[i] = &tagStopResolver{e.e.Stopped[i]}
	}
	return out
}

type tagPathResolver struct{ p tags.TagPath }

func (t *tagPathResolver) Source() string { return t.p.Source }
func (t *tagPathResolver) Path() []string { return t.p.Path }

// SetTags resolves Mutation.setTags. A dry run is judged like the write (WRITE_DEFINITIONS
// on every path it changes) and answers the asset as it is, with the report of the write.
func (r *Resolver) SetTags(ctx context.Context, args struct {
	Path   string
	Tags   []string
	Branch gql.NullString
	DryRun gql.NullBool
}) (*assetResolver, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	v, rep, err := r.svc.WriteTags(ctx, tags.SetTagsRequest{Org: c.Org, Branch: branchOr(args.Branch), Path: args.Path,
		Tags: args.Tags, Who: c.Principal.Ref(), DryRun: boolOr(args.DryRun), Authorize: planAuthorizer(ctx, r.svc, r.reg, c, access.WriteDefinitions),
		Record: auditSetTags(ctx, c, args.Path, args.Tags)})
	if err != nil {
		return nil, toAPI(err)
	}
	a, m, _ := v.Snapshot.Lookup(args.Path)
	res := newAssetResolver(v, a, m)
	res.report = rep
	return res, nil
}

// DefineTag resolves Mutation.defineTag.
func (r *Resolver) DefineTag(ctx context.Context, args struct {
	Name        string
	Description *string
	Propagate   gql.NullBool
	Negation    nullNegation
}) (*tagDefinitionResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	d := tags.Definition{Name: args.Name, Propagate: args.Propagate.Value == nil || *args.Propagate.Value}
	if args.Description != nil {
		d.Description = *args.Description
	}
	if args.Negation.Value != nil {
		if d.Negation, err = tags.ParseNegation(*args.Negation.Value); err != nil {
			return nil, argError("%v", err)
		}
	}
	def, changes, err := r.svc.DefineTag(ctx, c.Org, d, access.AuditAlso(ctx, auditEntry(c, "defineTag", "tag:"+d.Name,
		map[string]any{"description": d.Description, "propagate": d.Propagate, "negation": d.Negation.String()})))
	if err != nil {
		return nil, toAPI(err)
	}
	return &tagDefinitionResolver{d: def, changes: changes}, nil
}

// TagDefinitions resolves Query.tagDefinitions.
func (r *Resolver) TagDefinitions(ctx context.Context) ([]*tagDefinitionResolver, error) {
	c, err := r.holdsSomewhere(ctx, access.ReadDefinitions, "") // the vocabulary, not an asset
	if err != nil {
		return nil, err
	}
	var out []*tagDefinitionResolver
	for _, d := range r.svc.Definitions(c.Org) {
		out = append(out, &tagDefinitionResolver{d: d})
	}
	return out, nil
}

type tagDefinitionResolver struct {
	d       tags.Definition
	changes []tags.BranchTagChanges // defineTag's answer only; nil on tagDefinitions
}

func (t *tagDefinitionResolver) Name() string { return t.d.Name }
func (t *tagDefinitionResolver) Description() *string {
	if t.d.Description == "" {
		return nil
	}
	return &t.d.Description
}
func (t *tagDefinitionResolver) Propagate() bool  { return t.d.Propagate }
func (t *tagDefinitionResolver) Negation() string { return t.d.Negation.String() }
