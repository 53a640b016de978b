package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
)

// Page sizes of a snapshot: a page is rewritten whole when one of its assets changes, so
// pages stay small; a page that grows past pageMax is split into pages of about pageTarget.
const (
	pageTarget = 128
	pageMax    = 256
)

// Snapshot is the immutable state of a branch's definitions: every dataset and featureset,
// sorted by path, in pages. Branches that share history share pages, so creating a branch
// copies nothing, and a deploy writes only the pages it changes plus a small root.
type Snapshot struct {
	id    string // the root blob's id; "" for the empty catalog
	pages []*Page
	count int
}

// Page is an immutable, content-addressed run of assets sorted by path.
type Page struct {
	ID     string
	Assets []*Asset
	blob   []byte // the encoding, kept only until it is written
}

// EmptySnapshot is the catalog with nothing in it.
var EmptySnapshot = &Snapshot{}

// ID is the id of the snapshot's root, "" when empty.
func (s *Snapshot) ID() string { return s.id }

// Len is the number of top-level assets.
func (s *Snapshot) Len() int { return s.count }

// Get returns the dataset or featureset at path, or nil.
func (s *Snapshot) Get(path string) *Asset {
	pi := s.pageFor(path)
	if pi < 0 {
		return nil
	}
	as := s.pages[pi].Assets
	i := sort.Search(len(as), func(i int) bool { return as[i].Path >= path })
	if i < len(as) && as[i].Path == path {
		return as[i]
	}
	return nil
}

// Lookup returns the asset at path and, for "Ds.col", the member: the top-level asset
// holding it and the member itself. ok is false when nothing is there.
func (s *Snapshot) Lookup(path string) (a *Asset, m *Member, ok bool) { return lookup(s.Get, path) }

// lookup resolves a path to an asset or a member with get, which finds top-level assets.
func lookup(get func(string) *Asset, path string) (*Asset, *Member, bool) {
	if a := get(path); a != nil {
		return a, nil, true
	}
	asset, member := SplitMember(path)
	if member == "" {
		return nil, nil, false
	}
	a := get(asset)
	if a == nil {
		return nil, nil, false
	}
	m := a.Member(member)
	return a, m, m != nil
}

// pageFor is the index of the page whose range holds path, or -1 for an empty snapshot.
func (s *Snapshot) pageFor(path string) int {
	if len(s.pages) == 0 {
		return -1
	}
	i := sort.Search(len(s.pages), func(i int) bool { return s.pages[i].Assets[0].Path > path })
	if i == 0 {
		return 0
	}
	return i - 1
}

// Range calls fn for each asset whose path has the prefix, in path order, starting after
// the path after (exclusive; "" for the start), until fn returns false.
func (s *Snapshot) Range(prefix, after string, fn func(*Asset) bool) {
	start := prefix
	if after > start {
		start = after
	}
	pi := s.pageFor(start)
	if pi < 0 {
		return
	}
	for ; pi < len(s.pages); pi++ {
		as := s.pages[pi].Assets
		i := sort.Search(len(as), func(i int) bool { return as[i].Path >= start })
		for ; i < len(as); i++ {
			a := as[i]
			if after != "" && a.Path <= after {
				continue
			}
			if !strings.HasPrefix(a.Path, prefix) {
				if a.Path > prefix {
					return
				}
				continue
			}
			if !fn(a) {
				return
			}
		}
	}
}

// All calls fn for every asset in path order until it returns false.
func (s *Snapshot) All(fn func(*Asset) bool) {
	for _, p := range s.pages {
		for _, a := range p.Assets {
			if !fn(a) {
				return
			}
		}
	}
}

// apply returns the snapshot with upserts written over it and removes taken out, and the
// pages that are new in it (to be written). s is not changed.
func (s *Snapshot) apply(upserts []*Asset, removes []string) (*Snapshot, []*Page) {
	type change struct {
		path  string
		asset *Asset // nil: remove
	}
	changes := make([]change, 0, len(upserts)+len(removes))
	for _, a := range upserts {
		changes = append(changes, change{a.Path, a})
	}
	for _, p := range removes {
		changes = append(changes, change{p, nil})
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].path < changes[j].path })

	pages := s.pages
	if len(pages) == 0 {
		pages = []*Page{{}}
	}
	var out []*Page
	var fresh []*Page
	ci := 0
	for pi, pg := range pages {
		// The page covers paths up to the next page's first path.
		end := len(changes)
		if pi+1 < len(pages) {
			next := pages[pi+1].Assets[0].Path
			end = ci + sort.Search(len(changes)-ci, func(k int) bool { return changes[ci+k].path >= next })
		}
		if ci == end {
			if len(pg.Assets) > 0 { // not the placeholder page of an empty snapshot
				out = append(out, pg)
			}
			continue
		}
		merged := make([]*Asset, 0, len(pg.Assets)+end-ci)
		ai := 0
		for ; ci < end; ci++ {
			c := changes[ci]
			for ai < len(pg.Assets) && pg.Assets[ai].Path < c.path {
				merged = append(merged, pg.Assets[ai])
				ai++
			}
			if ai < len(pg.Assets) && pg.Assets[ai].Path == c.path {
				ai++ // replaced or removed
			}
			if c.asset != nil {
				merged = append(merged, c.asset)
			}
		}
		merged = append(merged, pg.Assets[ai:]...)
		for _, chunk := range chunks(merged) {
			np := newPage(chunk)
			out = append(out, np)
			fresh = append(fresh, np)
		}
	}
	out, fresh = coalesce(out, fresh)
	ns := &Snapshot{pages: out}
	for _, p := range out {
		ns.count += len(p.Assets)
	}
	if ns.count > 0 {
		ns.id = blobID(ns.rootBlob())
	}
	return ns, fresh
}

// coalesce joins a small page that a change rewrote with its neighbour, so that removals
// do not leave a trail of tiny pages: a page under a quarter of pageTarget joins the page
// before it when together they hold at most pageTarget assets.
func coalesce(pages, fresh []*Page) ([]*Page, []*Page) {
	if len(fresh) == 0 || len(pages) < 2 {
		return pages, fresh
	}
	isFresh := make(map[*Page]bool, len(fresh))
	for _, p := range fresh {
		isFresh[p] = true
	}
	out := make([]*Page, 0, len(pages))
	for _, p := range pages {
		if n := len(out); n > 0 {
			prev := out[n-1]
			small := len(p.Assets) < pageTarget/4 || len(prev.Assets) < pageTarget/4
			if (isFresh[p] || isFresh[prev]) && small && len(p.Assets)+len(prev.Assets) <= pageTarget {
				joined := make([]*Asset, 0, len(prev.Assets)+len(p.Assets))
				np := newPage(append(append(joined, prev.Assets...), p.Assets...))
				delete(isFresh, prev)
				delete(isFresh, p)
				isFresh[np] = true
				out[n-1] = np
				continue
			}
		}
		out = append(out, p)
	}
	fresh = fresh[:0]
	for _, p := range out {
		if isFresh[p] {
			fresh = append(fresh, p)
		}
	}
	return out, fresh
}

func chunks(as []*Asset) [][]*Asset {
	if len(as) == 0 {
		return nil
	}
	if len(as) <= pageMax {
		return [][]*Asset{as}
	}
	n := (len(as) + pageTarget - 1) / pageTarget
	out := make([][]*Asset, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, as[i*len(as)/n:(i+1)*len(as)/n])
	}
	return out
}

func newPage(as []*Asset) *Page {
	b, err := json.Marshal(as)
	if err != nil {
		panic("catalog: encode page: " + err.Error()) // assets are plain data; cannot fail
	}
	return &Page{ID: blobID(b), Assets: as, blob: b}
}

func (s *Snapshot) rootBlob() []byte {
	ids := make([]string, len(s.pages))
	for i, p := range s.pages {
		ids[i] = p.ID
	}
	b, _ := json.Marshal(rootRecord{Pages: ids})
	return b
}

type rootRecord struct {
	Pages []string `json:"pages"`
}

// blobID is the content address of a blob: 128 bits of its SHA-256, in hex.
func blobID(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// encodeAsset is the canonical encoding used to tell whether an asset changed.
func encodeAsset(a *Asset) []byte {
	b, err := json.Marshal(a)
	if err != nil {
		panic("catalog: encode asset: " + err.Error())
	}
	return b
}

// Diff returns what turns snapshot a into b: the assets of b that are not the very records
// of a (pages shared by both are skipped whole), and the paths of a that b has not.
func Diff(a, b *Snapshot) (upserts []*Asset, removes []string) {
	var as, bs []*Asset
	shared := make(map[string]bool, len(a.pages))
	for _, p := range a.pages {
		shared[p.ID] = true
	}
	inB := make(map[string]bool, len(b.pages))
	for _, p := range b.pages {
		inB[p.ID] = true
		if !shared[p.ID] {
			bs = append(bs, p.Assets...)
		}
	}
	for _, p := range a.pages {
		if !inB[p.ID] {
			as = append(as, p.Assets...)
		}
	}
	i, j := 0, 0
	for i < len(as) || j < len(bs) {
		switch {
		case j == len(bs) || i < len(as) && as[i].Path < bs[j].Path:
			if b.Get(as[i].Path) == nil {
				removes = append(removes, as[i].Path)
			}
			i++
		case i == len(as) || bs[j].Path < as[i].Path:
			if old := a.Get(bs[j].Path); old == nil || !bytes.Equal(encodeAsset(old), encodeAsset(bs[j])) {
				upserts = append(upserts, bs[j])
			}
			j++
		default:
			if as[i] != bs[j] && !bytes.Equal(encodeAsset(as[i]), encodeAsset(bs[j])) {
				upserts = append(upserts, bs[j])
			}
			i++
			j++
		}
	}
	return upserts, removes
}
