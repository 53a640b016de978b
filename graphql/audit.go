package graphql

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

// The audit log on the API (issue 9 item 4): Query.auditLog reads it; the writes of the
// catalog put their record in their commit's transaction (the Recorders and Alsos below);
// the registry's writes add theirs themselves (access.WriteAudit), with the actor and
// request id that the server puts in the context. A request refused with FORBIDDEN gets
// one "denied" record, written by the handler when the request ends (recordDenial).

// auditEntry is an entry of the caller's org, by the caller.
func auditEntry(c *Caller, action, target string, details any) access.AuditEntry {
	e := access.AuditEntry{Org: c.Org, Principal: c.Principal.Ref(), Action: action, Target: target}
	if details != nil {
		b, _ := json.Marshal(details)
		e.Details = string(b)
	}
	return e
}

// auditWrite is the recorder of a deploy or deleteAssets: one entry for the whole write,
// target branch:NAME, its changed paths in details.
func auditWrite(ctx context.Context, c *Caller, action string) tags.Recorder {
	return access.AuditPlan(ctx, auditEntry(c, action, "", nil))
}

// auditSetTags is the recorder of a setTags of path.
func auditSetTags(ctx context.Context, c *Caller, path string, decls []string) tags.Recorder {
	return func(p *tags.Plan) catalog.Also {
		return access.AuditAlso(ctx, auditEntry(c, "setTags", path, map[string]any{"branch": p.Branch, "tags": decls}))
	}
}

// denials keeps the first FORBIDDEN refusal of one GraphQL request, for its one "denied"
// record: a request that is refused many times (aliases, many fields) is one record.
type denials struct {
	mu     sync.Mutex
	action string
	err    *apiError
}

type denialsKey struct{}

func withDenials(ctx context.Context) (context.Context, *denials) {
	d := &denials{}
	return context.WithValue(ctx, denialsKey{}, d), d
}

func (d *denials) note(action string, err *apiError) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		d.action, d.err = action, err
	}
}

// fieldFinished is the tracer's end of a root field (Query or Mutation): it notes a
// FORBIDDEN answer under the field's own name (not its alias).
func fieldFinished(d *denials, field string) func(*gqlerrors.QueryError) {
	return func(qe *gqlerrors.QueryError) {
		if qe == nil {
			return
		}
		if ae, ok := qe.ResolverError.(*apiError); ok && ae.kind == catalog.Forbidden {
			d.note(field, ae)
		}
	}
}

// fromResponse notes the first FORBIDDEN error of a response that no root field noted
// (one from a nested field), under the response key it was answered at.
func (d *denials) fromResponse(errs []*gqlerrors.QueryError) {
	for _, qe := range errs {
		if qe.Extensions == nil || qe.Extensions["code"] != "FORBIDDEN" {
			continue
		}
		action := "graphql"
		if len(qe.Path) > 0 {
			action = fmt.Sprint(qe.Path[0])
		}
		ae, _ := qe.ResolverError.(*apiError)
		if ae == nil {
			ae = &apiError{msg: qe.Message, kind: catalog.Forbidden, code: "FORBIDDEN"}
		}
		d.note(action, ae)
		return
	}
}

// recordDenial writes the one "denied" record of a refused request, in its own
// transaction; a request that was not refused writes nothing. It runs after the answer is
// computed, and without the request's deadline, so that a refusal at the deadline is
// recorded too.
func recordDenial(ctx context.Context, reg *access.Registry, action string, ae *apiError) {
	c, err := callerOf(ctx)
	if err != nil || ae == nil {
		return
	}
	target := ae.target
	if target == "" {
		target = "org:" + c.Org
	}
	e := auditEntry(c, action, target, nil)
	e.Result, e.Reason = access.AuditDenied, ae.msg
	if len(ae.problems) > 0 {
		denied := make([]string, 0, len(ae.problems))
		for _, p := range ae.problems {
			denied = append(denied, p.String())
		}
		e.Details = deniedDetails(denied, max(ae.count, len(denied)))
	}
	if err := reg.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Str("action", action).Msg("audit record of a denied request not written")
	}
}

func deniedDetails(denied []string, count int) string {
	b, _ := json.Marshal(map[string]any{"denied": denied, "count": count})
	return string(b)
}

// auditArgs are the arguments of Query.auditLog.
type auditArgs struct {
	Principal    *string
	TargetPrefix *string
	Action       *string
	Since        *string
	Until        *string
	First        gql.NullInt
	After        *string
}

// AuditLog resolves Query.auditLog: MANAGE on the org.
func (r *Resolver) AuditLog(ctx context.Context, args auditArgs) (*auditConnectionResolver, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return nil, err
	}
	q := access.AuditQuery{Org: c.Org, First: 100}
	if args.First.Value != nil {
		q.First = int(*args.First.Value)
	}
	if q.First < 0 || q.First > access.MaxAuditPage {
		return nil, argError("first must be between 0 and %d, not %d", access.MaxAuditPage, q.First)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	q.Principal, q.TargetPrefix, q.Action = str(args.Principal), str(args.TargetPrefix), str(args.Action)
	if q.Since, err = auditTime("since", args.Since); err != nil {
		return nil, err
	}
	if q.Until, err = auditTime("until", args.Until); err != nil {
		return nil, err
	}
	if a := str(args.After); a != "" {
		if q.After, err = decodeCursor(a); err != nil {
			return nil, err
		}
	}
	if err := charge(ctx, 1+q.First); err != nil {
		return nil, err
	}
	page, err := r.reg.AuditLog(ctx, q)
	if err != nil {
		if catalog.KindOf(err) == catalog.InvalidArgument {
			return nil, toAPI(err)
		}
		return nil, stopErr(ctx, err)
	}
	return &auditConnectionResolver{page}, nil
}

// auditTime parses an RFC 3339 time argument; null or "" is none.
func auditTime(name string, s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*s))
	if err != nil {
		return time.Time{}, argError("%s %q is not an RFC 3339 time (such as 2026-01-02T15:04:05Z)", name, clipArg(*s))
	}
	return t, nil
}

func clipArg(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

type auditConnectionResolver struct{ p access.AuditPage }

func (a *auditConnectionResolver) Nodes() []*auditEntryResolver {
	out := make([]*auditEntryResolver, len(a.p.Entries))
	for i := range a.p.Entries {
		out[i] = &auditEntryResolver{a.p.Entries[i]}
	}
	return out
}

// PageInfo's endCursor goes on after everything the page looked at: past its last entry,
// or past records the filters skipped when the page stopped at access.MaxAuditScan.
func (a *auditConnectionResolver) PageInfo() *pageInfoResolver {
	p := &pageInfoResolver{hasNext: a.p.HasNext}
	if a.p.End != "" {
		s := encodeCursor(a.p.End)
		p.end = &s
	}
	return p
}

type auditEntryResolver struct{ e access.AuditEntry }

func (a *auditEntryResolver) At() string        { return a.e.At.UTC().Format(time.RFC3339Nano) }
func (a *auditEntryResolver) Principal() string { return a.e.Principal }
func (a *auditEntryResolver) Action() string    { return a.e.Action }
func (a *auditEntryResolver) Target() string    { return a.e.Target }
func (a *auditEntryResolver) Result() string    { return a.e.Result }
func (a *auditEntryResolver) Reason() *string   { return optional(a.e.Reason) }
func (a *auditEntryResolver) Details() *string  { return optional(a.e.Details) }
func (a *auditEntryResolver) RequestID() *string {
	return optional(a.e.RequestID)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// tracer is graphql-go's tracer: the variables' check before execution (variableCheck),
// and the end of each root field, where a FORBIDDEN answer is noted for the request's
// denied record. Other fields cost nothing more than graphql-go's no-op.
type tracer struct{ variableCheck }

func (tracer) TraceField(ctx context.Context, _, typeName, fieldName string, _ bool, _ map[string]any) (context.Context, func(*gqlerrors.QueryError)) {
	if typeName == "Query" || typeName == "Mutation" {
		if d, _ := ctx.Value(denialsKey{}).(*denials); d != nil {
			return ctx, fieldFinished(d, fieldName)
		}
	}
	return ctx, noFinish
}

func noFinish(*gqlerrors.QueryError) {}
