package tags

import (
	"bytes"
	"context"
	"unicode"
	"unicode/utf8"

	"github.com/tagflow/tagflow/catalog"
)

// SearchQuery selects assets of one branch version: every filter that is set must hold.
type SearchQuery struct {
	Text  string            // a case-insensitive substring of the path or the description
	Kind  catalog.AssetKind // 0: any kind
	Tags  []string          // tags that must all be present (state present)
	Owner string            // the owner reference; a field's owner is its dataset's
	First int               // the page size
	After string            // the page starts after this path ("" for the start)
	// Readable, when set, keeps only the paths it allows (the caller's READ_DEFINITIONS):
	// the others are neither counted nor answered.
	Readable func(path string) bool
}

// SearchHit is one asset found: a dataset or featureset, or one of its members.
type SearchHit struct {
	Asset  *catalog.Asset
	Member *catalog.Member // nil for the dataset or featureset itself
}

// SearchResult is one page of a search, sorted by path, and how many assets match in all.
type SearchResult struct {
	Total   int
	Hits    []SearchHit
	HasNext bool
}

// searchCheckEvery is how many nodes a search looks at between checks of its context.
const searchCheckEvery = 4096

// Search scans every node of the version, datasets, fields, featuresets and features
// alike, and returns the page of matches after q.After, sorted by path (so "User.city"
// sorts as a string among the other paths). The scan reads the lineage graph's columns and
// the tag states by dense id and allocates nothing for a node that does not match; only the
// best q.First matches are kept while it runs. It stops with ctx's error when ctx ends.
func (v *View) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	out := &SearchResult{}
	want := make([]TagID, 0, len(q.Tags))
	for _, name := range q.Tags {
		id, ok := v.Vocab.ID(name)
		if !ok {
			return out, ctx.Err() // a tag no asset uses: nothing can match
		}
		want = append(want, id)
	}
	s := &scan{v: v, q: q, want: want, text: lowerAppend(nil, q.Text)}
	g := v.Lineage.Graph
	page := &pathHeap{g: g, ids: make([]int32, 0, min(q.First, 1024))}
	for id := int32(0); id < g.Cap(); id++ {
		if id%searchCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !s.match(id) {
			continue
		}
		p := g.Path(id)
		if q.Readable != nil && !q.Readable(p) {
			continue
		}
		out.Total++
		if q.After != "" && p <= q.After {
			continue
		}
		if len(page.ids) >= q.First {
			out.HasNext = true
		}
		page.offer(id, q.First)
	}
	ids := make([]int32, len(page.ids))
	for i := len(ids) - 1; i >= 0; i-- {
		ids[i] = page.pop()
	}
	out.Hits = make([]SearchHit, 0, len(ids))
	for _, id := range ids {
		if a, m, ok := s.record(id); ok {
			out.Hits = append(out.Hits, SearchHit{Asset: a, Member: m})
		}
	}
	return out, nil
}

// scan is the state of one search: the query, and a cache of the last top-level asset
// read from the snapshot (a dataset's fields are usually its next ids).
type scan struct {
	v    *View
	q    SearchQuery
	want []TagID
	text []byte // q.Text, lower-cased
	buf  []byte // reused for lower-casing

	top   int32
	asset *catalog.Asset
}

// match reports whether node id satisfies every filter, cheapest first.
func (s *scan) match(id int32) bool {
	g := s.v.Lineage.Graph
	kind := g.Kind(id)
	if kind == 0 || (s.q.Kind != 0 && kind != s.q.Kind) {
		return false
	}
	for _, t := range s.want {
		if s.v.Lineage.States.Lookup(id, t) != Present {
			return false
		}
	}
	if s.q.Owner == "" && len(s.text) == 0 {
		return true
	}
	a, m, ok := s.record(id)
	if !ok {
		return false
	}
	if s.q.Owner != "" && a.EffectiveOwner() != s.q.Owner {
		return false
	}
	if len(s.text) > 0 {
		desc := a.Description
		if m != nil {
			desc = m.Description
		}
		if !s.contains(g.Path(id)) && !s.contains(desc) {
			return false
		}
	}
	return true
}

// record finds node id's asset and member in the snapshot.
func (s *scan) record(id int32) (*catalog.Asset, *catalog.Member, bool) {
	g := s.v.Lineage.Graph
	top := g.Top(id)
	if s.asset == nil || s.top != top {
		s.top, s.asset = top, s.v.Snapshot.Get(g.Path(top))
	}
	a := s.asset
	if a == nil {
		return nil, nil, false
	}
	if top == id {
		return a, nil, true
	}
	members := g.Members(top)
	i := 0
	if len(members) > 0 && id >= members[0] && int(id-members[0]) < len(members) && members[id-members[0]] == id {
		i = int(id - members[0]) // ids given in declaration order: the common case
	} else {
		for i < len(members) && members[i] != id {
			i++
		}
	}
	if i >= len(members) || i >= len(a.Members) {
		return nil, nil, false
	}
	return a, &a.Members[i], true
}

// contains reports whether s.text is a substring of text, ignoring case.
func (s *scan) contains(text string) bool {
	s.buf = lowerAppend(s.buf[:0], text)
	return bytes.Contains(s.buf, s.text)
}

// lowerAppend appends the lower-case form of text to dst, rune by rune.
func lowerAppend(dst []byte, text string) []byte {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			for _, r := range text[i:] {
				dst = utf8.AppendRune(dst, unicode.ToLower(r))
			}
			return dst
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
