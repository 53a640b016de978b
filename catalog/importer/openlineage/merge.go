package openlineage

import (
	"fmt"
	"strings"
	"time"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
)

// Options change how events are translated.
type Options struct {
	// MaskingTags are the tags an output field cancels (declares ~t for) when column
	// lineage says it is masked. Nil means [PII]; an empty, non-nil list turns masking off.
	MaskingTags []string
}

// Merger merges OpenLineage events into one document. Add events in any order, any
// number of times; Result gives the same document for the same set of events.
type Merger struct {
	masking  []string
	datasets map[dsKey]*dsState
	jobs     map[jobKey]*jobState
	paths    *importer.Claims
	notes    map[noteKey]*noteEntry
	err      error // the first error that makes a document impossible (two names, one path)
	// dirty are the datasets whose entry may have changed since the last Changed.
	dirty map[dsKey]bool
}

type dsKey struct{ ns, name string }

type jobKey struct{ ns, name string }

func (k dsKey) String() string  { return fmt.Sprintf("dataset %s %s", k.ns, k.name) }
func (k jobKey) String() string { return k.ns + "/" + k.name }

// stamp orders events: by event time, then by how late in a run the event type comes.
type stamp struct {
	t    time.Time
	rank int
}

func (s stamp) compare(o stamp) int {
	if c := s.t.Compare(o.t); c != 0 {
		return c
	}
	return s.rank - o.rank
}

var eventRank = map[string]int{"START": 1, "RUNNING": 2, "COMPLETE": 3, "ABORT": 4, "FAIL": 5}

// latest is a value that the latest event sets; equal stamps keep the greater value, so
// the outcome does not depend on the order events arrive in.
type latest struct {
	s   stamp
	v   string
	set bool
}

func (l *latest) offer(s stamp, v string) {
	if !l.set || s.compare(l.s) > 0 || (s.compare(l.s) == 0 && v > l.v) {
		*l = latest{s: s, v: v, set: true}
	}
}

type dsState struct {
	key      dsKey
	path     string
	declared bool // an event lists it (not only column lineage)
	desc     latest
	fields   map[string]*fieldState // by the name as written
	members  *importer.Claims
	writers  map[jobKey]bool
	// Column lineage, when the dataset is the output of a columnLineage facet.
	lineage   bool
	clWriters map[jobKey]bool   // jobs whose events carried the facet
	whole     map[fieldRef]bool // the facets' whole-dataset lists
	namedBy   map[string]bool   // paths of outputs whose column lineage names it
}

type fieldRef struct {
	ds    dsKey
	field string
}

type fieldState struct {
	name     string // as written
	member   string
	inSchema bool
	typ      latest
	desc     latest
	// first is where the field was first seen in a schema: its place among the fields.
	first    stamp
	firstPos int
	from     map[fieldRef]bool // column lineage entries under fields[this]
	direct   bool              // some entry has a DIRECT transformation
	unmasked bool              // some DIRECT transformation is not masking
	maskedTT bool              // the older transformationType MASKED
	namedBy  map[string]bool   // outputs whose column lineage names it (as an input)
}

type jobState struct {
	inputs  map[dsKey]bool
	outputs map[dsKey]bool
	doc     latest
}

// NewMerger returns an empty merger.
func NewMerger(opts Options) (*Merger, error) {
	masking := opts.MaskingTags
	if masking == nil {
		masking = []string{"PII"}
	}
	for _, t := range masking {
		if err := catalog.ValidateTagName(t); err != nil {
			return nil, fmt.Errorf("masking tag: %w", err)
		}
	}
	return &Merger{
		masking:  masking,
		datasets: map[dsKey]*dsState{},
		jobs:     map[jobKey]*jobState{},
		paths:    importer.NewClaims("dataset path"),
		notes:    map[noteKey]*noteEntry{},
		dirty:    map[dsKey]bool{},
	}, nil
}

func (m *Merger) fail(err error) {
	if m.err == nil {
		m.err = err
	}
}

// note records a note about one event. The same note about many events is kept once,
// with the first event and a count, so that a log of a million events without eventTime
// gives one note, not a million.
func (m *Merger) note(where, path, format string, args ...any) {
	k := noteKey{path, fmt.Sprintf(format, args...)}
	if e, ok := m.notes[k]; ok {
		e.more++
		return
	}
	m.notes[k] = &noteEntry{where: where}
}

type noteKey struct{ path, msg string }

type noteEntry struct {
	where string // the first event it was said of
	more  int    // how many other events it was said of
}

// dataset returns the state of a dataset, creating it on first sight.
func (m *Merger) dataset(ns, name string) *dsState {
	k := dsKey{ns, name}
	m.dirty[k] = true // every caller may change what the dataset's entry says
	if d, ok := m.datasets[k]; ok {
		return d
	}
	d := &dsState{key: k, fields: map[string]*fieldState{}, writers: map[jobKey]bool{},
		clWriters: map[jobKey]bool{}, whole: map[fieldRef]bool{}, namedBy: map[string]bool{}}
	m.datasets[k] = d
	path, err := importer.OpenLineagePath(ns, name)
	if err != nil {
		m.fail(fmt.Errorf("dataset %q in namespace %q: %v", name, ns, err))
		return d
	}
	d.path = path
	d.members = importer.NewClaims("field of " + path)
	if err := m.paths.Claim(path, fmt.Sprintf("dataset %q in namespace %q", name, ns)); err != nil {
		m.fail(err)
	}
	return d
}

func (d *dsState) field(m *Merger, name string) *fieldState {
	if f, ok := d.fields[name]; ok {
		return f
	}
	f := &fieldState{name: name, from: map[fieldRef]bool{}, namedBy: map[string]bool{}}
	d.fields[name] = f
	member, err := importer.MemberNameOK(name)
	if err != nil {
		m.fail(fmt.Errorf("field %q of %s: %v", name, d.key, err))
		return f
	}
	f.member = member
	if d.members != nil {
		if err := d.members.Claim(member, fmt.Sprintf("field %q", name)); err != nil {
			m.fail(fmt.Errorf("%s: %v", d.path, err))
		}
	}
	return f
}

func (m *Merger) add(ev *event, where string) {
	s := stamp{rank: eventRank[strings.ToUpper(ev.EventType)]}
	if ev.EventTime == "" {
		m.note(where, "", "the event has no eventTime; it counts as the earliest event")
	} else if t, err := time.Parse(time.RFC3339Nano, ev.EventTime); err != nil {
		m.note(where, "", "eventTime %q is not an RFC 3339 time; the event counts as the earliest event", clip(ev.EventTime))
	} else {
		s.t = t.UTC()
	}
	if ev.Dataset != nil {
		m.declare(ev.Dataset, s, where)
	}
	if ev.Job == nil {
		if len(ev.Inputs)+len(ev.Outputs) > 0 {
			m.note(where, "", "the event has no job; its datasets are declared, but no pipeline links them")
		}
		for i := range ev.Inputs {
			m.declare(&ev.Inputs[i], s, where)
		}
		for i := range ev.Outputs {
			m.declare(&ev.Outputs[i], s, where)
		}
		return
	}
	jk := jobKey{ev.Job.Namespace, ev.Job.Name}
	j := m.jobs[jk]
	if j == nil {
		j = &jobState{inputs: map[dsKey]bool{}, outputs: map[dsKey]bool{}}
		m.jobs[jk] = j
	}
	if doc := ev.Job.Facets.Documentation; doc != nil && doc.Description != "" {
		j.doc.offer(s, doc.Description)
	}
	for i := range ev.Inputs {
		if d := m.declare(&ev.Inputs[i], s, where); d != nil {
			j.inputs[d.key] = true
		}
	}
	for i := range ev.Outputs {
		out := &ev.Outputs[i]
		d := m.declare(out, s, where)
		if d == nil {
			continue
		}
		j.outputs[d.key] = true
		d.writers[jk] = true
		if cl := out.Facets.ColumnLineage; cl != nil {
			m.columnLineage(d, jk, cl, where)
		}
	}
	// A job's inputs and documentation are part of the pipeline of every output it wrote.
	for k := range j.outputs {
		m.dirty[k] = true
	}
}

// declare records a dataset an event lists, with its schema and documentation; nil for a
// dataset with neither namespace nor name, which is noted and skipped.
func (m *Merger) declare(ds *dataset, s stamp, where string) *dsState {
	if ds.Namespace == "" && ds.Name == "" {
		m.note(where, "", "a dataset with neither namespace nor name is skipped")
		return nil
	}
	d := m.dataset(ds.Namespace, ds.Name)
	d.declared = true
	if doc := ds.Facets.Documentation; doc != nil && doc.Description != "" {
		d.desc.offer(s, doc.Description)
	}
	if sc := ds.Facets.Schema; sc != nil {
		for pos, sf := range sc.Fields {
			if sf.Name == "" {
				m.note(where, d.path, "a schema field without a name is skipped")
				continue
			}
			f := d.field(m, sf.Name)
			if !f.inSchema || s.compare(f.first) < 0 || (s.compare(f.first) == 0 && pos < f.firstPos) {
				f.first, f.firstPos = s, pos
			}
			f.inSchema = true
			if sf.Type != "" {
				f.typ.offer(s, sf.Type) // an event that names no type does not erase one
			}
			if sf.Description != "" {
				f.desc.offer(s, sf.Description)
			}
		}
	}
	return d
}

func (m *Merger) columnLineage(d *dsState, jk jobKey, cl *columnLineageFacet, where string) {
	d.lineage = true
	d.clWriters[jk] = true
	for _, fl := range cl.Fields {
		if fl.Name == "" {
			m.note(where, d.path, "column lineage for a field without a name is skipped")
			continue
		}
		f := d.field(m, fl.Name)
		if strings.EqualFold(fl.TransformationType, "MASKED") {
			f.maskedTT = true
		}
		for _, in := range fl.InputFields {
			ref, ok := m.reference(d, in, where)
			if !ok {
				continue
			}
			f.from[ref] = true
			for _, t := range in.Transformations {
				if strings.EqualFold(t.Type, "DIRECT") {
					f.direct = true
					if !t.Masking {
						f.unmasked = true
					}
				}
			}
		}
	}
	for _, in := range cl.Dataset {
		if ref, ok := m.reference(d, in, where); ok {
			d.whole[ref] = true
		}
	}
}

// reference records the input field an entry of d's column lineage names; an entry that
// names no dataset or no field is noted and skipped.
func (m *Merger) reference(d *dsState, in inputField, where string) (fieldRef, bool) {
	if (in.Namespace == "" && in.Name == "") || in.Field == "" {
		m.note(where, d.path, "a column lineage entry without a dataset or field name is skipped")
		return fieldRef{}, false
	}
	src := m.dataset(in.Namespace, in.Name)
	src.namedBy[d.path] = true
	f := src.field(m, in.Field)
	f.namedBy[d.path] = true
	return fieldRef{src.key, in.Field}, true
}

func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	return s[:57] + "..."
}
