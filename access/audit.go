package access

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

// The audit log (issue 9 item 4): one append-only record per change of definitions, tags,
// tag definitions, branches, roles, grants, principals and tokens, and per request refused
// with FORBIDDEN. A change's record is written in the transaction of the change (WriteAudit
// in a registry Update, AuditAlso in a catalog commit), so that an acknowledged change
// always has its record, even after a kill -9. Nothing deletes a record.
//
// Key: ac\0audit\0<org>\0<8 bytes: unix ns, big-endian><4 random bytes>. Org first, then
// time: an org's log is one key range, read newest first with Txn.IterateReverse, and a
// time range is a key range. The nanoseconds are strictly increasing within a process
// (auditClock), the random bytes keep two processes' records apart.
const keyAudit = "ac\x00audit\x00"

// Results of an audit record.
const (
	AuditOK     = "ok"
	AuditDenied = "denied"
)

// Bounds of a record: a deploy of 100k assets names its first MaxAuditPaths paths and
// counts the rest; no field grows a record past these.
const (
	MaxAuditPaths        = 1000
	maxAuditDetailsBytes = 256 << 10
	maxAuditFieldBytes   = 4 << 10
)

// AuditEntry is one record of the audit log.
type AuditEntry struct {
	// ID is time-ordered and unique (24 hex digits); WriteAudit sets it.
	ID string `json:"id"`
	// At is when the record was written, in the change's transaction; WriteAudit sets it.
	At  time.Time `json:"at"`
	Org string    `json:"org"`
	// Principal is the reference of who acted; empty means the actor of ctx (WithActor),
	// and "system" when there is none (the server's own writes, offline admin commands).
	Principal string `json:"principal"`
	// Action is the operation, named like the GraphQL mutation or field (deploy, setTags,
	// createUser, grant, createToken, ...).
	Action string `json:"action"`
	// Target is what was acted on: an asset path, "branch:NAME", a principal reference, a
	// role or tag name, "org:NAME".
	Target string `json:"target"`
	// Result is AuditOK (the default) or AuditDenied.
	Result string `json:"result"`
	// Reason is why a request was denied.
	Reason string `json:"reason,omitempty"`
	// Details is a compact JSON object with what the change changed (AuditDetails). Never
	// a secret.
	Details string `json:"details,omitempty"`
	// RequestID is the X-Request-Id of the request (WithRequestID); empty for none.
	RequestID string `json:"requestId,omitempty"`
}

type actorKey struct{}
type requestIDKey struct{}

// WithActor is ctx carrying the principal reference of who acts, for audit records.
func WithActor(ctx context.Context, principal string) context.Context {
	return context.WithValue(ctx, actorKey{}, principal)
}

// WithRequestID is ctx carrying the request's id, for audit records.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// ActorOf is the actor WithActor put in ctx, or "".
func ActorOf(ctx context.Context) string { s, _ := ctx.Value(actorKey{}).(string); return s }

// RequestIDOf is the request id WithRequestID put in ctx, or "".
func RequestIDOf(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// auditClock is the last nanosecond handed out: every record of the process gets a later
// one than the record before it, whatever the wall clock does.
var auditClock atomic.Int64

func auditTime(now time.Time) int64 {
	for {
		last := auditClock.Load()
		n := max(now.UnixNano(), last+1)
		if auditClock.CompareAndSwap(last, n) {
			return n
		}
	}
}

// WriteAudit adds e to tx, the transaction of the change it records; the caller commits
// it. It fills ID and At (now), Result (AuditOK), Principal and RequestID (from ctx) when
// they are empty, and bounds every field. e.Org and e.Action are required.
func WriteAudit(ctx context.Context, tx catalog.Txn, e AuditEntry) error {
	key, val, err := auditRecord(ctx, time.Now(), e)
	if err != nil {
		return err
	}
	return tx.Set(key, val)
}

// AuditAlso is WriteAudit as a catalog.Also, for a catalog commit (CommitInfo.Also,
// Repo.CreateBranch, tags' Recorder): the record is written in the commit's transaction,
// at its time.
func AuditAlso(ctx context.Context, e AuditEntry) catalog.Also {
	return func(tx catalog.Txn) error { return WriteAudit(ctx, tx, e) }
}

// AuditPlan is the tags.Recorder of a write of definitions planned by tags (deploy,
// deleteAssets): one entry e for the whole write, its Target "branch:NAME" unless set, and
// the paths it added, changed and removed in Details (AuditPaths), in the commit's
// transaction.
func AuditPlan(ctx context.Context, e AuditEntry) tags.Recorder {
	return func(p *tags.Plan) catalog.Also {
		res := p.Result()
		e := e
		if e.Target == "" {
			e.Target = "branch:" + p.Branch
		}
		e.Details = AuditPaths(res.Added, res.ChangedAssets, res.Removed)
		return AuditAlso(ctx, e)
	}
}

// AppendAudit writes e in a transaction of its own: for what changes nothing (a denied
// request).
func (r *Registry) AppendAudit(ctx context.Context, e AuditEntry) error {
	return r.store.Update(ctx, func(tx catalog.Txn) error { return WriteAudit(ctx, tx, e) })
}

// audit is WriteAudit of a registry change in org.
func audit(ctx context.Context, tx catalog.Txn, org, action, target string, details any) error {
	return auditAs(ctx, tx, org, "", action, target, details)
}

// auditAs is audit with the principal named (empty: the actor of ctx): for what no
// authenticated caller does (a login, a token issued to a workload).
func auditAs(ctx context.Context, tx catalog.Txn, org, principal, action, target string, details any) error {
	e := AuditEntry{Org: org, Principal: principal, Action: action, Target: target}
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return err
		}
		e.Details = string(b)
	}
	return WriteAudit(ctx, tx, e)
}

func auditRecord(ctx context.Context, now time.Time, e AuditEntry) ([]byte, []byte, error) {
	if e.Org == "" || strings.IndexByte(e.Org, 0) >= 0 || e.Action == "" {
		return nil, nil, fmt.Errorf("audit record: org %q and action %q are required", e.Org, e.Action)
	}
	ns := auditTime(now)
	var id [12]byte
	binary.BigEndian.PutUint64(id[:8], uint64(ns))
	_, _ = rand.Read(id[8:])
	e.ID = hex.EncodeToString(id[:])
	e.At = time.Unix(0, ns).UTC()
	if e.Result == "" {
		e.Result = AuditOK
	}
	if e.Principal == "" {
		e.Principal = ActorOf(ctx)
	}
	if e.Principal == "" {
		e.Principal = "system"
	}
	if e.RequestID == "" {
		e.RequestID = RequestIDOf(ctx)
	}
	e.Principal, e.Action, e.Target = bound(e.Principal, maxAuditFieldBytes), bound(e.Action, maxAuditFieldBytes), bound(e.Target, maxAuditFieldBytes)
	e.Reason, e.RequestID = bound(e.Reason, maxAuditFieldBytes), bound(e.RequestID, maxAuditFieldBytes)
	e.Details = bound(e.Details, maxAuditDetailsBytes)
	val, err := json.Marshal(e)
	if err != nil {
		return nil, nil, err
	}
	return append(auditPrefix(e.Org), id[:]...), val, nil
}

// bound is s as valid UTF-8 (what JSON keeps of it) cut to at most n bytes on a rune
// boundary, the cut marked with "…".
func bound(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	i := n - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func auditPrefix(org string) []byte { return []byte(keyAudit + org + "\x00") }

// AuditPaths is the details of a write of definitions (deploy, deleteAssets, setTags):
// the paths it added, changed and removed, the first MaxAuditPaths of them in that order,
// and how many there were in all.
func AuditPaths(added, changed, removed []string) string {
	type details struct {
		Added   []string `json:"added"`
		Changed []string `json:"changed"`
		Removed []string `json:"removed"`
		Count   int      `json:"count"`
		Omitted int      `json:"omitted,omitempty"`
	}
	d := details{Count: len(added) + len(changed) + len(removed)}
	room, size := MaxAuditPaths, 0
	take := func(paths []string) []string {
		out := []string{}
		for _, p := range paths {
			if room == 0 || size+len(p)+4 > maxAuditDetailsBytes-256 {
				break
			}
			out = append(out, p)
			room--
			size += len(p) + 4
		}
		return out
	}
	d.Added, d.Changed, d.Removed = take(added), take(changed), take(removed)
	d.Omitted = d.Count - len(d.Added) - len(d.Changed) - len(d.Removed)
	b, _ := json.Marshal(d)
	return string(b)
}

// MaxAuditPage is the most entries one page of the log holds, and MaxAuditScan the most
// records one page looks at: a filter that matches little answers a short page (or an
// empty one) with a cursor to go on from, rather than reading the whole log at once.
const (
	MaxAuditPage = 1000
	MaxAuditScan = 100_000
)

// auditScanLimit is MaxAuditScan; tests lower it.
var auditScanLimit = MaxAuditScan

// AuditQuery selects records of one org's log, newest first. Empty strings and zero times
// match everything.
type AuditQuery struct {
	Org          string
	Principal    string    // exactly this reference
	TargetPrefix string    // targets that start with it
	Action       string    // exactly this action
	Since        time.Time // at or after
	Until        time.Time // before
	First        int       // 0 to MaxAuditPage
	// After is the End of the page before: the log goes on below it.
	After string
}

// AuditPage is one page of the log.
type AuditPage struct {
	Entries []AuditEntry
	// HasNext says there may be more records below End.
	HasNext bool
	// End is where the next page starts (its After): the ID of the last record this page
	// looked at, which is its last entry unless the filters skipped records after it.
	End string
}

// AuditLog reads a page of org's log, newest first. A bad query is InvalidArgument.
func (r *Registry) AuditLog(ctx context.Context, q AuditQuery) (AuditPage, error) {
	const op = "auditLog"
	if q.First < 0 || q.First > MaxAuditPage {
		return AuditPage{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Msg: fmt.Sprintf("first must be between 0 and %d, not %d", MaxAuditPage, q.First)}
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return AuditPage{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Msg: fmt.Sprintf("since (%s) must be before until (%s)", q.Since.Format(time.RFC3339Nano), q.Until.Format(time.RFC3339Nano))}
	}
	prefix := auditPrefix(q.Org)
	var before []byte
	if q.After != "" {
		id, err := hex.DecodeString(q.After)
		if err != nil || len(id) != 12 {
			return AuditPage{}, &catalog.Error{Op: op, Kind: catalog.InvalidArgument, Msg: "after is not a cursor of the audit log"}
		}
		before = append(bytes.Clone(prefix), id...)
	}
	if !q.Until.IsZero() {
		var u [12]byte
		binary.BigEndian.PutUint64(u[:8], uint64(max(q.Until.UnixNano(), 0)))
		if k := append(bytes.Clone(prefix), u[:]...); before == nil || bytes.Compare(k, before) < 0 {
			before = k
		}
	}
	var since int64
	if !q.Since.IsZero() {
		since = q.Since.UnixNano()
	}
	page := AuditPage{Entries: []AuditEntry{}}
	scanned := 0
	errFull := fmt.Errorf("full")
	err := r.store.View(ctx, func(tx catalog.Txn) error {
		return tx.IterateReverse(prefix, before, func(k, v []byte) error {
			id := k[len(prefix):]
			if len(id) != 12 {
				return nil
			}
			if int64(binary.BigEndian.Uint64(id[:8])) < since {
				return errFull // below the time range: nothing further matches
			}
			if len(page.Entries) == q.First || scanned == auditScanLimit {
				page.HasNext = true
				return errFull
			}
			if scanned%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			scanned++
			page.End = hex.EncodeToString(id)
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit record %x: %w", id, err)
			}
			if (q.Principal != "" && e.Principal != q.Principal) || (q.Action != "" && e.Action != q.Action) ||
				!strings.HasPrefix(e.Target, q.TargetPrefix) {
				return nil
			}
			page.Entries = append(page.Entries, e)
			return nil
		})
	})
	if err != nil && err != errFull {
		return AuditPage{}, fmt.Errorf("%s: %w", op, err)
	}
	if !page.HasNext && len(page.Entries) > 0 {
		page.End = page.Entries[len(page.Entries)-1].ID
	}
	return page, nil
}

// The details of registry changes: what identifies the thing changed, never a secret.

func membersDetails(members []string) any {
	if members == nil {
		return nil
	}
	return map[string]any{"members": members}
}

func grantDetails(g *Grant) any {
	return map[string]string{"principal": g.Principal, "role": g.Role, "scope": g.Scope}
}

func tokenDetails(t *Token) any {
	d := map[string]string{"id": t.ID, "name": t.Name}
	if t.ExpiresAt != nil {
		d["expiresAt"] = t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return d
}
