package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Key prefixes of the catalog's part of the store (see doc.go for the whole layout).
const (
	prefixOrg    = "org\x00"
	prefixBranch = "br\x00"
	prefixRoot   = "rt\x00"
	prefixPage   = "pg\x00"
	prefixCommit = "cm\x00"
)

// Org is an organization: the unit that owns branches, principals and the tag vocabulary.
type Org struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// Commit records one change of a branch, for history and audit.
type Commit struct {
	Version int64     `json:"version"`
	Root    string    `json:"root"`
	Author  string    `json:"author"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
	Added   int       `json:"added"`
	Changed int       `json:"changed"`
	Removed int       `json:"removed"`
}

// Repo is the durable, versioned catalog: every org's branches and their snapshots, held in
// memory and written through to the Store. It is safe for concurrent use. Commits to one
// branch must be serialized by the caller (a commit whose base is stale is a Conflict);
// commits to different branches run in parallel.
//
// The Repo is the one owner of branch heads: the layer above keeps no head of its own but
// attaches what it derives from a version (tags: the View with its lineage graph and tag
// states) to the head itself (CommitDerived, CreateBranchDerived, Attach), so that a reader
// gets a version's catalog and everything derived from it from one pointer.
type Repo struct {
	store Store
	now   func() time.Time

	// Lock order: gcMu before mu. mu is a leaf: it is held for no I/O and no callback other
	// than a derive function, which must take no lock of the Repo. Callers above (tags)
	// take their own locks before any of these.
	mu    sync.RWMutex
	orgs  map[string]*Org
	heads map[branchKey]*head

	// gcMu keeps the collector from sweeping blobs that a commit has written but not yet
	// made reachable: commits hold it shared, the collector exclusively.
	gcMu sync.RWMutex
}

type branchKey struct{ org, name string }

type head struct {
	branch  Branch
	snap    *Snapshot
	derived any // what the layer above attached to this version; nil until then (guarded by mu)
}

// Derived returns what was attached to the branch's head, or nil (no such branch, or
// nothing attached yet).
func (r *Repo) Derived(org, branch string) any {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if h := r.heads[branchKey{org, branch}]; h != nil {
		return h.derived
	}
	return nil
}

// Attach attaches x to the branch's head if the head is still at version, replacing what
// was attached; false when the branch is gone or has moved.
func (r *Repo) Attach(org, branch string, version int64, x any) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.heads[branchKey{org, branch}]
	if h == nil || h.branch.Version != version {
		return false
	}
	h.derived = x
	return true
}

// Open loads every org, branch and snapshot from the store.
func Open(ctx context.Context, store Store) (*Repo, error) {
	r := &Repo{store: store, now: time.Now, orgs: map[string]*Org{}, heads: map[branchKey]*head{}}
	pages := map[string]*Page{}
	roots := map[string]*Snapshot{}
	err := store.View(ctx, func(tx Txn) error {
		if err := tx.Iterate([]byte(prefixOrg), func(k, v []byte) error {
			var o Org
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("org record %q: %w", k, err)
			}
			r.orgs[o.Name] = &o
			return nil
		}); err != nil {
			return err
		}
		var branches []Branch
		if err := tx.Iterate([]byte(prefixBranch), func(k, v []byte) error {
			var b Branch
			if err := json.Unmarshal(v, &b); err != nil {
				return fmt.Errorf("branch record %q: %w", k, err)
			}
			branches = append(branches, b)
			return nil
		}); err != nil {
			return err
		}
		for _, b := range branches {
			snap, err := loadSnapshot(tx, b.Root, roots, pages)
			if err != nil {
				return fmt.Errorf("branch %s of org %s: %w", b.Name, b.Org, err)
			}
			r.heads[branchKey{b.Org, b.Name}] = &head{branch: b, snap: snap}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	return r, nil
}

func loadSnapshot(tx Txn, root string, roots map[string]*Snapshot, pages map[string]*Page) (*Snapshot, error) {
	if root == "" {
		return EmptySnapshot, nil
	}
	if s, ok := roots[root]; ok {
		return s, nil
	}
	b, err := tx.Get([]byte(prefixRoot + root))
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, err)
	}
	var rec rootRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("root %s: %w", root, err)
	}
	s := &Snapshot{id: root, pages: make([]*Page, 0, len(rec.Pages))}
	for _, id := range rec.Pages {
		p, ok := pages[id]
		if !ok {
			pb, err := tx.Get([]byte(prefixPage + id))
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", id, err)
			}
			p = &Page{ID: id}
			if err := json.Unmarshal(pb, &p.Assets); err != nil {
				return nil, fmt.Errorf("page %s: %w", id, err)
			}
			if len(p.Assets) == 0 {
				return nil, fmt.Errorf("page %s is empty", id)
			}
			pages[id] = p
		}
		s.pages = append(s.pages, p)
		s.count += len(p.Assets)
	}
	roots[root] = s
	return s, nil
}

// Orgs returns the names of every org, sorted.
func (r *Repo) Orgs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.orgs))
	for n := range r.orgs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// HasOrg reports whether the org exists.
func (r *Repo) HasOrg(org string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.orgs[org] != nil
}

// CreateOrg creates an org with its main branch.
func (r *Repo) CreateOrg(ctx context.Context, name string) error {
	_, err := r.CreateOrgWith(ctx, name, nil)
	return err
}

// CreateOrgWith creates an org with its main branch and, in the same store transaction,
// writes what also writes (another layer's records of the org: its principals, an audit
// record), so that the org exists whole or not at all. It answers the main branch.
func (r *Repo) CreateOrgWith(ctx context.Context, name string, also func(Txn) error) (Branch, error) {
	if err := ValidatePrincipalName(name); err != nil {
		return Branch{}, &Error{Op: "createOrg", Kind: InvalidArgument, Path: name, Msg: fmt.Sprintf("org name: %v", err)}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.orgs[name] != nil {
		return Branch{}, &Error{Op: "createOrg", Kind: Conflict, Path: name, Msg: fmt.Sprintf("org %q exists", name)}
	}
	now := r.now().UTC()
	o := &Org{Name: name, CreatedAt: now}
	b := Branch{Org: name, Name: MainBranch, CreatedAt: now, UpdatedAt: now}
	err := r.store.Update(ctx, func(tx Txn) error {
		if err := putJSON(tx, orgKey(name), o); err != nil {
			return err
		}
		if err := putJSON(tx, branchRecordKey(name, MainBranch), b); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return Branch{}, fmt.Errorf("create org %s: %w", name, err)
	}
	r.orgs[name] = o
	r.heads[branchKey{name, MainBranch}] = &head{branch: b, snap: EmptySnapshot}
	return b, nil
}

// Branches returns the org's branches sorted by name.
func (r *Repo) Branches(org string) []Branch {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Branch
	for k, h := range r.heads {
		if k.org == org {
			out = append(out, h.branch)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Head returns a branch and its current snapshot, or a NotFound error.
func (r *Repo) Head(org, branch string) (Branch, *Snapshot, error) {
	r.mu.RLock()
	h := r.heads[branchKey{org, branch}]
	r.mu.RUnlock()
	if h == nil {
		msg := fmt.Sprintf("branch %q does not exist", branch)
		r.mu.RLock()
		other := r.caseTwin(org, branch)
		r.mu.RUnlock()
		if other != "" {
			msg += fmt.Sprintf("; did you mean %q?", other)
		}
		return Branch{}, nil, &Error{Op: "branch", Kind: NotFound, Path: branch, Msg: msg}
	}
	return h.branch, h.snap, nil
}

// caseTwin returns a branch of org whose name differs from name only by case, or "".
// The caller holds r.mu.
func (r *Repo) caseTwin(org, name string) string {
	var twin string
	for k := range r.heads {
		if k.org == org && k.name != name && strings.EqualFold(k.name, name) && (twin == "" || k.name < twin) {
			twin = k.name
		}
	}
	return twin
}

// CreateBranch creates branch name as a copy of branch from. It copies one pointer: the
// new branch shares every page with its origin until one of them changes. Each of also
// writes in the transaction that creates the branch (see Also).
func (r *Repo) CreateBranch(ctx context.Context, org, name, from string, also ...Also) (Branch, error) {
	return r.CreateBranchDerived(ctx, org, name, from, nil, also...)
}

// Also writes more in the transaction of a change, so that the writes and the change
// commit together or not at all: access's audit record of the change. The catalog does not
// know what they are; an error from one undoes the change.
type Also func(Txn) error

// runAlso runs each of also in tx.
func runAlso(tx Txn, also []Also) error {
	for _, fn := range also {
		if fn == nil {
			continue
		}
		if err := fn(tx); err != nil {
			return err
		}
	}
	return nil
}

// CreateBranchDerived is CreateBranch that attaches derive(new branch, its snapshot, what
// the origin's head has attached) to the new head as it is installed; derive may be nil.
func (r *Repo) CreateBranchDerived(ctx context.Context, org, name, from string, derive func(Branch, *Snapshot, any) any, also ...Also) (Branch, error) {
	const op = "createBranch"
	if err := ValidateBranchName(name); err != nil {
		return Branch{}, &Error{Op: op, Kind: InvalidArgument, Path: name, Msg: err.Error()}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.orgs[org] == nil {
		return Branch{}, &Error{Op: op, Kind: NotFound, Msg: fmt.Sprintf("org %q does not exist", org)}
	}
	src := r.heads[branchKey{org, from}]
	if src == nil {
		return Branch{}, &Error{Op: op, Kind: NotFound, Path: from, Msg: fmt.Sprintf("branch %q to create %q from does not exist", from, name)}
	}
	if r.heads[branchKey{org, name}] != nil {
		return Branch{}, &Error{Op: op, Kind: Conflict, Path: name, Msg: fmt.Sprintf("branch %q exists", name)}
	}
	// Names are case-sensitive, but MAIN next to main is a slip waiting to deploy to the
	// wrong branch, and two such names cannot live side by side on a case-folding disk.
	if other := r.caseTwin(org, name); other != "" {
		return Branch{}, &Error{Op: op, Kind: Conflict, Path: name,
			Msg: fmt.Sprintf("branch %q differs only by case from the existing branch %q; did you mean %q?", name, other, other)}
	}
	now := r.now().UTC()
	b := Branch{Org: org, Name: name, From: from, Root: src.branch.Root, Applied: src.branch.Applied, CreatedAt: now, UpdatedAt: now}
	err := r.store.Update(ctx, func(tx Txn) error {
		if _, err := tx.Get(branchRecordKey(org, name)); err == nil {
			return &Error{Op: op, Kind: Conflict, Path: name, Msg: fmt.Sprintf("branch %q exists", name)}
		} else if !errors.Is(err, ErrKeyNotFound) {
			return err
		}
		if err := putJSON(tx, branchRecordKey(org, name), b); err != nil {
			return err
		}
		if err := copyRunLinks(tx, org, from, name); err != nil {
			return err
		}
		return runAlso(tx, also)
	})
	if err != nil {
		return Branch{}, fmt.Errorf("create branch %s: %w", name, err)
	}
	h := &head{branch: b, snap: src.snap}
	if derive != nil {
		h.derived = derive(b, src.snap, src.derived)
	}
	r.heads[branchKey{org, name}] = h
	return b, nil
}

// DeleteBranch deletes a branch and its history. main cannot be deleted. Branches created
// from it are independent copies and stay. Each of also writes in the transaction that
// deletes the branch record.
func (r *Repo) DeleteBranch(ctx context.Context, org, name string, also ...Also) error {
	const op = "deleteBranch"
	if name == MainBranch {
		return &Error{Op: op, Kind: InvalidArgument, Path: name, Msg: "the main branch cannot be deleted"}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.heads[branchKey{org, name}] == nil {
		return &Error{Op: op, Kind: NotFound, Path: name, Msg: fmt.Sprintf("branch %q does not exist", name)}
	}
	if err := r.store.Update(ctx, func(tx Txn) error {
		if err := tx.Delete(branchRecordKey(org, name)); err != nil {
			return err
		}
		if err := deleteRunLinks(tx, org, name); err != nil {
			return err
		}
		return runAlso(tx, also)
	}); err != nil {
		return fmt.Errorf("delete branch %s: %w", name, err)
	}
	delete(r.heads, branchKey{org, name})
	// History is not needed once the head is gone; a failure here leaves unreachable
	// records behind, which a later deletion of the same name would also remove.
	return r.store.Batch(ctx, func(w BatchWriter) error {
		return r.store.View(ctx, func(tx Txn) error {
			return tx.Keys(commitPrefix(org, name), func(k []byte) error { return w.Delete(append([]byte(nil), k...)) })
		})
	})
}

// CommitInfo describes a commit for its history record.
type CommitInfo struct {
	Author  string
	Message string
	// Applied identifies the document that made the commit, e.g. its hash. The branch
	// keeps it with its head, so that the same document again is known to change nothing.
	Applied string
	// Also writes in the small transaction that moves the head (an audit record): it
	// commits with the change or neither does. nil writes nothing more.
	Also Also
}

// Commit applies a planned change to its branch durably: new pages first (outside one
// transaction, any size), then one small synced transaction that moves the branch head.
// A crash at any point leaves the branch at its old head or its new one, never between.
func (r *Repo) Commit(ctx context.Context, org, branch string, ch *Change, info CommitInfo) (Branch, *Snapshot, error) {
	return r.CommitDerived(ctx, org, branch, ch, info, nil)
}

// CommitDerived is Commit that attaches derive(new branch, new snapshot) to the new head in
// the same step that installs it, so that no reader sees the head without it; derive may
// be nil.
func (r *Repo) CommitDerived(ctx context.Context, org, branch string, ch *Change, info CommitInfo, derive func(Branch, *Snapshot) any) (Branch, *Snapshot, error) {
	const op = "commit"
	k := branchKey{org, branch}
	r.mu.RLock()
	h := r.heads[k]
	r.mu.RUnlock()
	if h == nil {
		return Branch{}, nil, &Error{Op: op, Kind: NotFound, Path: branch, Msg: fmt.Sprintf("branch %q does not exist", branch)}
	}
	if h.snap != ch.Base {
		return Branch{}, nil, &Error{Op: op, Kind: Conflict, Path: branch, Msg: fmt.Sprintf("branch %q changed while the deploy was planned; retry", branch)}
	}
	snap, fresh := ch.Base.apply(ch.Upserts, ch.Removes)

	r.gcMu.RLock()
	defer r.gcMu.RUnlock()
	// A change that only drops whole pages writes no page but still has a new root.
	if len(fresh) > 0 || (snap.id != "" && snap.id != ch.Base.id) {
		err := r.store.Batch(ctx, func(w BatchWriter) error {
			for _, p := range fresh {
				if err := w.Set([]byte(prefixPage+p.ID), p.blob); err != nil {
					return err
				}
			}
			if snap.id != "" {
				return w.Set([]byte(prefixRoot+snap.id), snap.rootBlob())
			}
			return nil
		})
		if err != nil {
			return Branch{}, nil, fmt.Errorf("%s %s: write pages: %w", op, branch, err)
		}
		for _, p := range fresh {
			p.blob = nil
		}
	}
	nb := h.branch
	nb.Root = snap.id
	nb.Applied = info.Applied
	nb.Version++
	nb.UpdatedAt = r.now().UTC()
	c := Commit{Version: nb.Version, Root: snap.id, Author: info.Author, Message: info.Message, At: nb.UpdatedAt,
		Added: len(ch.Added), Changed: len(ch.Changed), Removed: len(ch.Removed)}
	err := r.store.Update(ctx, func(tx Txn) error {
		var cur Branch
		if err := getJSON(tx, branchRecordKey(org, branch), &cur); err != nil {
			return err
		}
		if cur.Version != h.branch.Version {
			return &Error{Op: op, Kind: Conflict, Path: branch, Msg: fmt.Sprintf("branch %q was changed by another writer; retry", branch)}
		}
		if err := putJSON(tx, branchRecordKey(org, branch), nb); err != nil {
			return err
		}
		if err := putJSON(tx, commitKey(org, branch, nb.Version), c); err != nil {
			return err
		}
		return runAlso(tx, []Also{info.Also})
	})
	if err != nil {
		return Branch{}, nil, fmt.Errorf("%s %s: move head: %w", op, branch, err)
	}
	r.mu.Lock()
	if r.heads[k] == h {
		nh := &head{branch: nb, snap: snap}
		if derive != nil {
			nh.derived = derive(nb, snap)
		}
		r.heads[k] = nh
	}
	r.mu.Unlock()
	return nb, snap, nil
}

// History returns the branch's commits, newest first, at most limit of them.
func (r *Repo) History(ctx context.Context, org, branch string, limit int) ([]Commit, error) {
	var out []Commit
	err := r.store.View(ctx, func(tx Txn) error {
		return tx.Iterate(commitPrefix(org, branch), func(_, v []byte) error {
			var c Commit
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", branch, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version > out[j].Version })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// CollectGarbage deletes the pages and roots that no branch head reaches: those of
// replaced snapshots, deleted branches and deploys cut short by a crash. It returns how
// many blobs it deleted.
func (r *Repo) CollectGarbage(ctx context.Context) (int, error) {
	r.gcMu.Lock()
	defer r.gcMu.Unlock()
	live := map[string]bool{}
	r.mu.RLock()
	for _, h := range r.heads {
		if h.snap.id != "" {
			live[prefixRoot+h.snap.id] = true
		}
		for _, p := range h.snap.pages {
			live[prefixPage+p.ID] = true
		}
	}
	r.mu.RUnlock()
	var dead [][]byte
	err := r.store.View(ctx, func(tx Txn) error {
		for _, prefix := range []string{prefixRoot, prefixPage} {
			if err := tx.Keys([]byte(prefix), func(k []byte) error {
				if !live[string(k)] {
					dead = append(dead, append([]byte(nil), k...))
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(dead) == 0 {
		return 0, err
	}
	err = r.store.Batch(ctx, func(w BatchWriter) error {
		for _, k := range dead {
			if err := w.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("collect garbage: %w", err)
	}
	return len(dead), nil
}

func orgKey(name string) []byte { return []byte(prefixOrg + name) }

func branchRecordKey(org, name string) []byte {
	return []byte(prefixBranch + org + "\x00" + name)
}

func commitPrefix(org, branch string) []byte {
	return []byte(prefixCommit + org + "\x00" + branch + "\x00")
}

func commitKey(org, branch string, version int64) []byte {
	return fmt.Appendf(commitPrefix(org, branch), "%016x", version)
}

func putJSON(tx Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Set(key, b)
}

func getJSON(tx Txn, key []byte, v any) error {
	b, err := tx.Get(key)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Store is the store the repo keeps its records in; packages above keep theirs there too,
// under their own prefixes.
func (r *Repo) Store() Store { return r.store }
