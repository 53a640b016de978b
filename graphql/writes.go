package graphql

import (
	"context"
	"fmt"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

// planAuthorizer judges a write's plan for the caller's policy: every entry (each dataset,
// field, featureset and feature the write adds, changes or removes) for mode, on its tags
// before and after the change (an added path only after, a removed one only before), its
// owner on the base (none for a creation: the creator's grants decide, DESIGN §2), and, for
// a write, the tags it newly cancels (declaring a new ~t also needs MANAGE there). A dry
// run (mode READ_DEFINITIONS) is judged as a read of each entry. Any refusal refuses the
// whole write, listing every denied path with its reason (Plan.Refuse). A plan with no
// entries (it changes nothing, or could not be completed) is allowed only to a caller
// holding some grant, so that a principal without grants learns nothing from planning.
func planAuthorizer(ctx context.Context, svc *tags.Service, reg *access.Registry, c *Caller, mode access.Mode) tags.Authorizer {
	return planJudge(ctx, svc, c, mode, func() *access.Policy { return reg.Policy(c.Org, c.Principal.Ref()) },
		func() bool { return holdsAnyGrant(reg, c) })
}

// planJudge is planAuthorizer with the caller's policy and whether it holds any grant
// given.
func planJudge(ctx context.Context, svc *tags.Service, c *Caller, mode access.Mode, policy func() *access.Policy, anyGrant func() bool) tags.Authorizer {
	return func(p *tags.Plan) error {
		pol := policy()
		entries := p.Entries()
		if len(entries) == 0 {
			if anyGrant() {
				return nil
			}
			return &catalog.Error{Kind: catalog.Forbidden, Path: "branch:" + p.Branch,
				Msg: fmt.Sprintf("denied: %s holds no grant, so may not %s", c.Principal.Ref(), p.Op)}
		}
		base, _ := svc.View(c.Org, p.Branch) // the plan's base: the branch's lock is held
		var denied []tags.Denial
		for _, e := range entries {
			req := &access.Request{Mode: mode, Path: e.Path, Branch: p.Branch}
			if e.Change != tags.EntryAdded {
				req.Owner = ownerOf(base, e.Path)
			}
			if mode.IsWrite() {
				req.Change = &access.Change{Before: e.Before, After: e.After,
					Creates: e.Change == tags.EntryAdded, Removes: e.Change == tags.EntryRemoved}
				req.NewCancels = e.NewCancels()
			} else if e.Change == tags.EntryAdded {
				req.Tags = e.After
			} else {
				req.Tags = e.Before
			}
			if pol.Check(req).Allowed {
				continue
			}
			if e.Change != tags.EntryAdded {
				req.TagSource = tagSource(ctx, base, e.Path)
			}
			denied = append(denied, tags.Denial{Path: e.Path, Reason: pol.Explain(req).Reason})
		}
		err := p.Refuse(denied)
		if ce, ok := err.(*catalog.Error); ok {
			ce.Path = "branch:" + p.Branch // what the audit log names as refused; the paths are its problems
		}
		return err
	}
}

// holdsAnyGrant reports whether the caller, one of its teams or groups, or its org holds
// a grant.
func holdsAnyGrant(reg *access.Registry, c *Caller) bool {
	ref := c.Principal.Ref()
	if len(reg.Grants(c.Org, ref)) > 0 {
		return true
	}
	for _, m := range reg.Memberships(c.Org, ref) {
		if len(reg.Grants(c.Org, m)) > 0 {
			return true
		}
	}
	return false
}

// deployInput is one deploy as both transports receive it.
type deployInput struct {
	Branch   string
	Document []byte
	DryRun   bool
	Prune    bool
	// Action names the write in the audit log; "" is "deploy".
	Action string
	// Also writes more in the commit's transaction (the run events an OpenLineage import
	// accepts); nil for nothing.
	Also catalog.Also
}

// deploy is the one deploy of both transports (Mutation.deploy and POST /api/v1/deploy):
// the caller's deploy, planned, judged (WRITE_DEFINITIONS, or READ_DEFINITIONS for a dry
// run) and committed by the service. Its error is the service's, for toAPI.
func deploy(ctx context.Context, svc *tags.Service, reg *access.Registry, in deployInput) (*tags.DeployResult, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	mode := access.WriteDefinitions
	if in.DryRun {
		mode = access.ReadDefinitions
	}
	action := in.Action
	if action == "" {
		action = "deploy"
	}
	record := auditWrite(ctx, c, action)
	if in.Also != nil {
		audit := record
		record = func(p *tags.Plan) catalog.Also {
			first := audit(p)
			return func(tx catalog.Txn) error {
				if first != nil {
					if err := first(tx); err != nil {
						return err
					}
				}
				return in.Also(tx)
			}
		}
	}
	return svc.Deploy(ctx, tags.DeployRequest{
		Org: c.Org, Branch: in.Branch, Document: in.Document, DryRun: in.DryRun, Prune: in.Prune,
		Deployer: c.Principal.Ref(), Authorize: planAuthorizer(ctx, svc, reg, c, mode),
		Record: record,
	})
}

// What writes report (tag changes, warnings), stopped sources of explanations, and the
// usage of the tag vocabulary.

// firstArgs is the argument of a bounded list of tag changes: first: Int = 1000.
type firstArgs struct{ First gql.NullInt }

// DefaultTagChanges is how many tag changes a list answers unless asked for more, up to
// tags.MaxTagChanges.
const DefaultTagChanges = 1000

// tagChangeList is the first args.First of a write's tag changes (which hold at most
// tags.MaxTagChanges, the first by path).
func tagChangeList(changes []tags.TagChange, args firstArgs) ([]*tagChangeResolver, error) {
	first := DefaultTagChanges
	if args.First.Value != nil {
		first = int(*args.First.Value)
	}
	if first < 0 || first > tags.MaxTagChanges {
		return nil, argError("first must be between 0 and %d, not %d", tags.MaxTagChanges, first)
	}
	n := min(first, len(changes))
	out := make([]*tagChangeResolver, n)
	for i := range n {
		out[i] = &tagChangeResolver{changes[i]}
	}
	return out, nil
}

type writeReportResolver struct{ r *tags.WriteReport }

func (w *writeReportResolver) TagChanges(args firstArgs) ([]*tagChangeResolver, error) {
	return tagChangeList(w.r.TagChanges, args)
}
func (w *writeReportResolver) TagChangeCount() int32 { return int32(w.r.TagChangeCount) }
func (w *writeReportResolver) Warnings() []string    { return nonNil(w.r.Warnings) }

// Changes is defineTag's report, per branch; null on tagDefinitions.
func (t *tagDefinitionResolver) Changes() *[]*branchTagChangesResolver {
	if t.changes == nil {
		return nil
	}
	out := make([]*branchTagChangesResolver, len(t.changes))
	for i := range t.changes {
		out[i] = &branchTagChangesResolver{t.changes[i]}
	}
	return &out
}

type branchTagChangesResolver struct{ c tags.BranchTagChanges }

func (b *branchTagChangesResolver) Branch() string { return b.c.Branch }
func (b *branchTagChangesResolver) TagChanges(args firstArgs) ([]*tagChangeResolver, error) {
	return tagChangeList(b.c.TagChanges, args)
}
func (b *branchTagChangesResolver) TagChangeCount() int32 { return int32(b.c.TagChangeCount) }

type tagStopResolver struct{ s tags.TagStop }

func (t *tagStopResolver) Source() string { return t.s.Source }
func (t *tagStopResolver) At() string     { return t.s.At }
func (t *tagStopResolver) Path() []string { return t.s.Path }
func (t *tagStopResolver) Reason() string { return t.s.Reason.String() }

// TagUsage resolves Query.tagUsage.
func (r *Resolver) TagUsage(ctx context.Context, args struct{ Branch gql.NullString }) ([]*tagUsageResolver, error) {
	branch := branchOr(args.Branch)
	c, err := r.authorize(ctx, access.ReadDefinitions, "", branch)
	if err != nil {
		return nil, err
	}
	v, err := r.svc.View(c.Org, branch)
	if err != nil {
		return nil, toAPI(err)
	}
	// It scans every node of the branch.
	if err := charge(ctx, 1+v.Nodes()); err != nil {
		return nil, err
	}
	usage, err := r.svc.TagUsage(ctx, c.Org, branch)
	if err != nil {
		return nil, stopErr(ctx, err)
	}
	out := make([]*tagUsageResolver, len(usage))
	for i := range usage {
		out[i] = &tagUsageResolver{usage[i]}
	}
	return out, nil
}

type tagUsageResolver struct{ u tags.TagUsage }

func (t *tagUsageResolver) Name() string     { return t.u.Name }
func (t *tagUsageResolver) Defined() bool    { return t.u.Defined }
func (t *tagUsageResolver) Declared() int32  { return int32(t.u.Declared) }
func (t *tagUsageResolver) Cancelled() int32 { return int32(t.u.Cancelled) }
func (t *tagUsageResolver) Present() int32   { return int32(t.u.Present) }
func (t *tagUsageResolver) Propagate() bool  { return t.u.Propagate }
func (t *tagUsageResolver) Negation() string { return t.u.Negation.String() }
func (t *tagUsageResolver) Description() *string {
	if t.u.Description == "" {
		return nil
	}
	return &t.u.Description
}
