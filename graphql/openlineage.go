package graphql

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
	"github.com/tagflow/tagflow/catalog/importer/openlineage"
	"github.com/tagflow/tagflow/tags"
)

// POST /api/v1/lineage: tagflow as an OpenLineage endpoint (DESIGN §8, issue 11).
//
// Merge state. Events merge per job across requests (a COMPLETE adds to its START), so
// the merge must outlive a request and a restart. Every accepted event is stored in its
// canonical form (catalog.PutRunEvents, linked to the branch in the same transaction as
// the deploy that applied it), and each branch keeps an openlineage.Merger in memory, built
// from the stored events at first use, with the set of their hashes (an event sent twice
// is merged once) and the document entry of each dataset as last deployed.
//
// Each commit merges the new events and deploys a document of only the datasets whose
// merged entry changed, each with its full merged facts: a deploy without prune changes
// only what it lists (DESIGN §2), so what other documents or other events declared stays.
// Since the merge is a join, the entries after any order, repetition or interleaving of the
// same events are the same, and so is the catalog.
//
// Batching. Requests to one branch queue; whoever holds the branch's commit slot takes
// every queued request of the same caller (one principal and token: a deploy is judged by
// one caller's grants) and applies them as one merge and one deploy, so events that arrive
// together share a commit. A group that fails is applied again request by request, so one
// bad request refuses only itself: each request is all or nothing.

// OpenLineageConfig configures POST /api/v1/lineage.
type OpenLineageConfig struct {
	// MaxBytes limits a request's body; default 32 MiB.
	MaxBytes int64
	// Timeout bounds a request, waiting for its commit included; default 60 s.
	Timeout time.Duration
}

func (c OpenLineageConfig) withDefaults() OpenLineageConfig {
	if c.MaxBytes <= 0 {
		c.MaxBytes = 32 << 20
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	return c
}

// lineageParams are the query parameters of POST /api/v1/lineage.
var lineageParams = []string{"branch", "dryRun"}

type lineageEndpoint struct {
	s   *Server
	cfg OpenLineageConfig

	mu       sync.Mutex
	branches map[string]*lineageBranch // org \0 branch
}

func (s *Server) lineageHandlers(cfg OpenLineageConfig) []gin.HandlerFunc {
	cfg = cfg.withDefaults()
	ep := &lineageEndpoint{s: s, cfg: cfg, branches: map[string]*lineageBranch{}}
	return []gin.HandlerFunc{s.limitBody(cfg.MaxBytes), s.authenticate, ep.serve}
}

func (ep *lineageEndpoint) serve(c *gin.Context) {
	b := ep.s.state.Load()
	if err := checkParams(c.Request.URL.RawQuery, lineageParams); err != nil {
		abortErr(c, err)
		return
	}
	branch := c.DefaultQuery("branch", catalog.MainBranch)
	dryRun, err := queryBool(c, "dryRun")
	if err != nil {
		abortErr(c, &catalog.Error{Kind: catalog.InvalidArgument, Msg: err.Error()})
		return
	}
	// OpenLineage's HTTP transport may gzip its body (its `compression: gzip`); what it
	// unpacks to is bounded like an uncompressed body.
	switch enc := strings.ToLower(strings.TrimSpace(c.GetHeader("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		gz, err := gzip.NewReader(c.Request.Body)
		if err != nil {
			abortErr(c, &catalog.Error{Op: "lineage", Kind: catalog.InvalidArgument, Msg: "the body is not gzip, as Content-Encoding says: " + err.Error()})
			return
		}
		defer gz.Close()
		c.Request.Body = http.MaxBytesReader(c.Writer, gz, ep.cfg.MaxBytes)
	default:
		abortErr(c, &catalog.Error{Op: "lineage", Kind: catalog.InvalidArgument, Msg: "Content-Encoding " + strconv.Quote(enc) + " is not supported; send the events plain or gzipped"})
		return
	}
	body, err := readBody(c, "the body of events")
	if err != nil {
		abortErr(c, err)
		return
	}
	raws, err := splitEvents(body)
	if err != nil {
		abortErr(c, &catalog.Error{Op: "lineage", Kind: catalog.InvalidArgument, Msg: err.Error() + "; nothing was applied"})
		return
	}
	events, err := checkEvents(raws)
	if err != nil {
		abortErr(c, err)
		return
	}
	caller, err := callerOf(c.Request.Context())
	if err != nil {
		abortErr(c, err)
		return
	}
	ctx, cancel := withTimeout(c, ep.cfg.Timeout)
	defer cancel()
	job := &lineageJob{ctx: ctx, events: events, dryRun: dryRun, done: make(chan struct{}),
		group: caller.Org + "\x00" + caller.Principal.Ref() + "\x00" + caller.Token.ID}
	for _, e := range events {
		job.hashes = append(job.hashes, sha256.Sum256(e))
	}
	lb := ep.branch(caller.Org, branch)
	lb.submit(b, job)
	if job.err != nil {
		ae := toAPI(job.err)
		if ae.kind == catalog.Forbidden {
			recordDenial(c.Request.Context(), b.reg, "importOpenLineage", ae)
		}
		abortErr(c, ae)
		return
	}
	res := job.res
	if dryRun && len(res.Errors) > 0 {
		abortErr(c, &catalog.Error{Op: "lineage " + branch, Kind: catalog.InvalidDefinition, Path: branch,
			Msg: "the events' document is invalid; nothing would be applied (dry run)", Problems: res.Errors})
		return
	}
	c.JSON(http.StatusCreated, gin.H{"accepted": len(events), "new": job.fresh, "requests": job.grouped, "deploy": deployJSON(res)})
}

func (ep *lineageEndpoint) branch(org, branch string) *lineageBranch {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	k := org + "\x00" + branch
	lb := ep.branches[k]
	if lb == nil {
		lb = &lineageBranch{org: org, name: branch, slot: make(chan struct{}, 1), timeout: ep.cfg.Timeout}
		ep.branches[k] = lb
	}
	return lb
}

// lineageJob is one request's events, waiting for a commit.
type lineageJob struct {
	ctx    context.Context
	group  string // requests of one group may share a commit
	events [][]byte
	hashes [][32]byte
	dryRun bool

	taken bool // guarded by lineageBranch.qmu
	done  chan struct{}
	// Set before done is closed:
	res     *tags.DeployResult
	err     error
	fresh   int // events not accepted before
	grouped int // requests in the commit
}

// lineageBranch is the merge state of one branch and its queue of requests.
type lineageBranch struct {
	org, name string
	timeout   time.Duration

	qmu   sync.Mutex
	queue []*lineageJob

	// slot is the commit slot: its holder owns everything below.
	slot    chan struct{}
	loaded  bool
	merger  *openlineage.Merger
	seen    map[[32]byte]bool
	entries map[string]catalog.DocAsset // dataset path -> its document entry as deployed
	created time.Time                   // the CreatedAt of the branch the state was loaded from
}

// submit queues job and returns once it is applied (or refused, or past its deadline).
func (lb *lineageBranch) submit(b *backend, job *lineageJob) {
	lb.qmu.Lock()
	lb.queue = append(lb.queue, job)
	lb.qmu.Unlock()
	for {
		select {
		case <-job.done:
			return
		case <-job.ctx.Done():
			lb.qmu.Lock()
			taken := job.taken
			job.taken = true
			lb.qmu.Unlock()
			if !taken {
				job.err = ctxErr(job.ctx)
				return
			}
			<-job.done // being committed: its answer is the commit's
			return
		case lb.slot <- struct{}{}:
			for lb.drain(b, job) {
			}
			<-lb.slot
		}
	}
}

// drain applies the next group of queued jobs; false once mine is done or none is left.
func (lb *lineageBranch) drain(b *backend, mine *lineageJob) bool {
	select {
	case <-mine.done:
		return false
	default:
	}
	group := lb.take()
	if len(group) == 0 {
		return false
	}
	lb.apply(b, group, true)
	return true
}

// take removes the next group from the queue: the first job not taken, and every other
// job of its group (none for a dry run).
func (lb *lineageBranch) take() []*lineageJob {
	lb.qmu.Lock()
	defer lb.qmu.Unlock()
	var group []*lineageJob
	rest := lb.queue[:0]
	for _, j := range lb.queue {
		switch {
		case j.taken:
		case len(group) == 0:
			group = append(group, j)
			j.taken = true
		case !group[0].dryRun && !j.dryRun && j.group == group[0].group:
			group = append(group, j)
			j.taken = true
		default:
			rest = append(rest, j)
		}
	}
	clear(lb.queue[len(rest):])
	lb.queue = rest
	return group
}

func finish(group []*lineageJob, res *tags.DeployResult, err error) {
	for _, j := range group {
		j.res, j.err, j.grouped = res, err, len(group)
		close(j.done)
	}
}

// apply merges the events of a group and deploys what they change, as one commit. With
// retry, a group of several jobs that is refused is applied again job by job.
func (lb *lineageBranch) apply(b *backend, group []*lineageJob, retry bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(group[0].ctx), lb.timeout)
	defer cancel()
	if err := lb.load(ctx, b); err != nil {
		finish(group, nil, err)
		return
	}
	var fresh [][]byte
	inGroup := map[[32]byte]bool{}
	for _, j := range group {
		for i, h := range j.hashes {
			if lb.seen[h] || inGroup[h] {
				continue
			}
			inGroup[h] = true
			fresh = append(fresh, j.events[i])
			j.fresh++
		}
	}
	dryRun := group[0].dryRun
	if len(fresh) == 0 {
		finish(group, unchanged(b, lb.org, lb.name), nil)
		return
	}
	res, err := lb.commit(ctx, b, group[0].ctx, fresh, dryRun)
	if dryRun || err != nil {
		lb.loaded = false // the merger holds events that were not accepted: build it anew
	}
	if err == nil {
		for h := range inGroup {
			if !dryRun {
				lb.seen[h] = true
			}
		}
		finish(group, res, nil)
		return
	}
	if retry && len(group) > 1 && catalog.KindOf(err) != catalog.Internal && catalog.KindOf(err) != catalog.Timeout {
		for _, j := range group {
			j.fresh = 0
			lb.apply(b, []*lineageJob{j}, false)
		}
		return
	}
	finish(group, nil, err)
}

// commit merges fresh events and deploys the datasets whose entries they change.
func (lb *lineageBranch) commit(ctx context.Context, b *backend, callerCtx context.Context, fresh [][]byte, dryRun bool) (*tags.DeployResult, error) {
	for _, e := range fresh {
		if err := lb.merger.AddJSON(e); err != nil {
			return nil, &catalog.Error{Op: "lineage", Kind: catalog.InvalidArgument, Msg: err.Error()}
		}
	}
	res, err := lb.merger.Changed()
	if err != nil {
		return nil, &catalog.Error{Op: "lineage", Kind: catalog.InvalidDefinition, Path: lb.name,
			Msg:      "the events cannot be translated; nothing was applied",
			Problems: []catalog.Problem{{Msg: err.Error()}}}
	}
	changed := changedEntries(res.Document, lb.entries)
	chunks := catalog.ChunkRunEvents(fresh)
	store := b.svc.Repo().Store()
	if len(changed.Assets) == 0 {
		if !dryRun {
			if err := catalog.PutRunEvents(ctx, store, lb.org, chunks); err != nil {
				return nil, err
			}
			if err := store.Update(ctx, catalog.LinkRunEvents(lb.org, lb.name, chunks)); err != nil {
				return nil, err
			}
		}
		return unchanged(b, lb.org, lb.name), nil
	}
	doc, err := importer.JSON(changed)
	if err != nil {
		return nil, err
	}
	if !dryRun {
		if err := catalog.PutRunEvents(ctx, store, lb.org, chunks); err != nil {
			return nil, err
		}
	}
	dctx := withCaller(ctx, mustCaller(callerCtx))
	out, err := deploy(dctx, b.svc, b.reg, deployInput{Branch: lb.name, Document: doc, DryRun: dryRun,
		Action: "importOpenLineage", Also: catalog.LinkRunEvents(lb.org, lb.name, chunks)})
	if err != nil {
		return nil, err
	}
	if !dryRun {
		if !out.Changed { // nothing to commit, so the links were not written with it
			if err := store.Update(ctx, catalog.LinkRunEvents(lb.org, lb.name, chunks)); err != nil {
				return nil, err
			}
		}
		for _, a := range changed.Assets {
			lb.entries[a.Name] = a
		}
	}
	return out, nil
}

func mustCaller(ctx context.Context) *Caller {
	c, _ := callerOf(ctx)
	return c
}

// unchanged is the answer of a commit that changes nothing: the branch's version.
func unchanged(b *backend, org, branch string) *tags.DeployResult {
	r := &tags.DeployResult{Added: []string{}, ChangedAssets: []string{}, Removed: []string{},
		TagChanges: []tags.TagChange{}, Errors: []catalog.Problem{}, Warnings: []string{}}
	if v, err := b.svc.View(org, branch); err == nil {
		r.Version = v.Catalog.Version
	}
	return r
}

// changedEntries is a document of the datasets of doc whose entry differs from the one
// last deployed (before).
func changedEntries(doc *catalog.Document, before map[string]catalog.DocAsset) *catalog.Document {
	changed := &catalog.Document{Namespace: doc.Namespace}
	for _, a := range doc.Assets {
		if was, ok := before[a.Name]; !ok || !reflect.DeepEqual(was, a) {
			changed.Assets = append(changed.Assets, a)
		}
	}
	return changed
}

// load builds the branch's merger from the events it accepted, once (and again after a
// refused or dry-run commit left events in it that were not accepted).
func (lb *lineageBranch) load(ctx context.Context, b *backend) error {
	head, _, err := b.svc.Repo().Head(lb.org, lb.name)
	if err != nil {
		lb.loaded = false
		return err // an unknown branch is NOT_FOUND
	}
	// A branch deleted and made again under the same name is another branch: its events
	// are its origin's (copied at createBranch), not the deleted one's.
	if lb.loaded && head.CreatedAt.Equal(lb.created) {
		return nil
	}
	m, err := openlineage.NewMerger(openlineage.Options{})
	if err != nil {
		return err
	}
	seen := map[[32]byte]bool{}
	err = catalog.RunEvents(ctx, b.svc.Repo().Store(), lb.org, lb.name, func(ev []byte) error {
		h := sha256.Sum256(ev)
		if seen[h] {
			return nil
		}
		seen[h] = true
		return m.AddJSON(ev)
	})
	if err != nil {
		return fmt.Errorf("load the OpenLineage events of %s: %w", lb.name, err)
	}
	entries := map[string]catalog.DocAsset{}
	if len(seen) > 0 {
		res, err := m.Changed()
		if err != nil {
			return fmt.Errorf("merge the OpenLineage events of %s: %w", lb.name, err)
		}
		for _, a := range res.Document.Assets {
			entries[a.Name] = a
		}
	}
	lb.merger, lb.seen, lb.entries, lb.loaded, lb.created = m, seen, entries, true, head.CreatedAt
	return nil
}
