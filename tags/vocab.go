package tags

import (
	"fmt"
	"sort"

	"github.com/tagflow/tagflow/catalog"
)

// Negation says how far a "~t" reaches (DESIGN §4).
type Negation uint8

// The two negation modes; the zero value is the default.
const (
	// NegationDownstream: a ~t declassifies everything computed from its node.
	NegationDownstream Negation = iota
	// NegationNode: a ~t stops t at its node only; t arriving elsewhere by another path stays.
	NegationNode
)

func (n Negation) String() string {
	if n == NegationNode {
		return "NODE"
	}
	return "DOWNSTREAM"
}

// ParseNegation reads "DOWNSTREAM" or "NODE".
func ParseNegation(s string) (Negation, error) {
	switch s {
	case "DOWNSTREAM", "":
		return NegationDownstream, nil
	case "NODE":
		return NegationNode, nil
	}
	return 0, fmt.Errorf("negation %q: use DOWNSTREAM or NODE", s)
}

// Definition is a tag of the org's vocabulary. A tag used before it is defined has the
// defaults: it propagates, and its negation is DOWNSTREAM.
type Definition struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Propagate   bool     `json:"propagate"`
	Negation    Negation `json:"negation"`
	Defined     bool     `json:"defined"` // set by defineTag, not only used
}

// DefaultDefinition is the definition of a tag nobody defined.
func DefaultDefinition(name string) Definition {
	return Definition{Name: name, Propagate: true, Negation: NegationDownstream}
}

// TagID is a tag's dense id in its org's vocabulary.
type TagID uint32

// Vocab is an org's tag vocabulary at one moment: immutable, replaced on change. It interns
// every tag name ever used, so that states hold small integers.
type Vocab struct {
	defs []Definition
	ids  map[string]TagID
}

// NewVocab returns an empty vocabulary.
func NewVocab() *Vocab { return &Vocab{ids: map[string]TagID{}} }

// ID returns the id of a tag name.
func (v *Vocab) ID(name string) (TagID, bool) {
	id, ok := v.ids[name]
	return id, ok
}

// Name of tag id.
func (v *Vocab) Name(id TagID) string { return v.defs[id].Name }

// Def is the definition of tag id.
func (v *Vocab) Def(id TagID) *Definition { return &v.defs[id] }

// Len is the number of tags.
func (v *Vocab) Len() int { return len(v.defs) }

// Lookup returns the definition of a tag name, the default if it is not known.
func (v *Vocab) Lookup(name string) Definition {
	if id, ok := v.ids[name]; ok {
		return v.defs[id]
	}
	return DefaultDefinition(name)
}

// Defined returns every tag defined with defineTag, sorted by name.
func (v *Vocab) Defined() []Definition {
	var out []Definition
	for _, d := range v.defs {
		if d.Defined {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// With returns the vocabulary with names interned (defaults for new ones); v itself if
// they all are.
func (v *Vocab) With(names ...string) *Vocab {
	var nv *Vocab
	for _, n := range names {
		if _, ok := v.ids[n]; ok {
			continue
		}
		if nv == nil {
			nv = v.copy()
		}
		if _, ok := nv.ids[n]; !ok {
			nv.ids[n] = TagID(len(nv.defs))
			nv.defs = append(nv.defs, DefaultDefinition(n))
		}
	}
	if nv == nil {
		return v
	}
	return nv
}

// Define returns the vocabulary with d set.
func (v *Vocab) Define(d Definition) (*Vocab, error) {
	if err := catalog.ValidateTagName(d.Name); err != nil {
		return nil, err
	}
	nv := v.With(d.Name)
	if nv == v {
		nv = v.copy()
	}
	d.Defined = true
	nv.defs[nv.ids[d.Name]] = d
	return nv, nil
}

func (v *Vocab) copy() *Vocab {
	nv := &Vocab{defs: append([]Definition(nil), v.defs...), ids: make(map[string]TagID, len(v.ids)+1)}
	for k, id := range v.ids {
		nv.ids[k] = id
	}
	return nv
}
