package openlineage

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
)

// Translate reads events from r (see Merger.Decode) and returns their document.
func Translate(r io.Reader, opts Options) (*importer.Result, error) {
	m, err := NewMerger(opts)
	if err != nil {
		return nil, err
	}
	if err := m.Decode(r); err != nil {
		return nil, err
	}
	return m.Result()
}

// Result builds the document of every event merged so far: datasets sorted by path.
func (m *Merger) Result() (*importer.Result, error) {
	return m.result(nil)
}

// Changed builds the document of the datasets whose entry in Result may have changed since
// the last call of Changed (or since the merger was made): those the events added since
// list, those their column lineage names, and every output of their jobs. Each comes with
// all its merged facts, as in Result, so that a deploy of this document without prune
// brings a catalog that holds an earlier Result up to the current one. The notes are all
// of Result's; the cycle notes, of these datasets only.
func (m *Merger) Changed() (*importer.Result, error) {
	dirty := m.dirty
	m.dirty = map[dsKey]bool{}
	return m.result(dirty)
}

func (m *Merger) result(only map[dsKey]bool) (*importer.Result, error) {
	if m.err != nil {
		return nil, m.err
	}
	notes := make([]importer.Note, 0, len(m.notes))
	for k, e := range m.notes {
		where := e.where
		if e.more > 0 {
			where = fmt.Sprintf("%s and %d more", where, e.more)
		}
		notes = append(notes, importer.Note{Where: where, Path: k.path, Msg: k.msg})
	}
	note := func(path, format string, args ...any) {
		notes = append(notes, importer.Note{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	all := make([]*dsState, 0, len(m.datasets))
	for k, d := range m.datasets {
		if only == nil || only[k] {
			all = append(all, d)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].path < all[j].path })

	doc := &catalog.Document{Assets: make([]catalog.DocAsset, 0, len(all))}
	for _, d := range all {
		a := catalog.DocAsset{Kind: catalog.KindDataset, Name: d.path}
		if desc, cut := importer.Description(d.desc.v); cut {
			note(d.path, "the description is over %d KiB; it is cut", catalog.MaxDescriptionBytes>>10)
			a.Description = desc
		} else {
			a.Description = desc
		}
		if !d.declared {
			note(d.path, "column lineage of %s names this dataset, but no event lists it as an input or output; it is added as a placeholder with the fields named", strings.Join(setList(d.namedBy), ", "))
		}
		fields := d.orderedFields()
		for _, f := range fields {
			a.Members = append(a.Members, m.member(d, f, &notes))
		}
		a.Pipeline = m.pipeline(d, fields, &notes)
		doc.Assets = append(doc.Assets, a)
	}
	for _, c := range importer.Cycles(doc) {
		note(c[0], "datasets %s read each other through their pipelines, a cycle that a deploy refuses until the lineage of one of their jobs is corrected", strings.Join(c, ", "))
	}
	return &importer.Result{Document: doc, Notes: importer.SortNotes(notes)}, nil
}

// orderedFields are the fields in the order the earliest schema facet lists them, then
// those only column lineage names, by name.
func (d *dsState) orderedFields() []*fieldState {
	fs := make([]*fieldState, 0, len(d.fields))
	for _, f := range d.fields {
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.inSchema != b.inSchema {
			return a.inSchema
		}
		if a.inSchema {
			if c := a.first.compare(b.first); c != 0 {
				return c < 0
			}
			if a.firstPos != b.firstPos {
				return a.firstPos < b.firstPos
			}
		}
		return a.member < b.member
	})
	return fs
}

func (m *Merger) member(d *dsState, f *fieldState, notes *[]importer.Note) catalog.DocMember {
	mp := catalog.MemberPath(d.path, f.member)
	dm := catalog.DocMember{Name: f.member, Type: importer.Type(f.typ.v), Description: f.desc.v}
	if desc, cut := importer.Description(f.desc.v); cut {
		dm.Description = desc
		*notes = append(*notes, importer.Note{Path: mp, Msg: "the description is cut to 64 KiB"})
	}
	if !f.inSchema && d.declared {
		switch {
		case len(f.from) > 0 || f.maskedTT:
			*notes = append(*notes, importer.Note{Path: mp, Msg: fmt.Sprintf("the column lineage of %s maps field %q, but no schema facet of it declares the field; it is added with type str", d.path, f.name)})
		case len(f.namedBy) > 0:
			*notes = append(*notes, importer.Note{Path: mp, Msg: fmt.Sprintf("column lineage of %s reads field %q, but no schema facet of %s declares it; it is added with type str", strings.Join(setList(f.namedBy), ", "), f.name, d.path)})
		default:
			*notes = append(*notes, importer.Note{Path: mp, Msg: fmt.Sprintf("%s's column lineage lists field %q with no inputs, and no schema facet declares it; it is added with type str", d.path, f.name)})
		}
	}
	if d.lineage && ((f.direct && !f.unmasked) || f.maskedTT) {
		for _, t := range m.masking {
			dm.Tags = append(dm.Tags, "~"+t)
		}
		sort.Strings(dm.Tags)
	}
	return dm
}

func (m *Merger) refPath(r fieldRef) (ds, field string) {
	d := m.datasets[r.ds]
	return d.path, catalog.MemberPath(d.path, d.fields[r.field].member)
}

func (m *Merger) pipeline(d *dsState, fields []*fieldState, notes *[]importer.Note) *catalog.DocPipeline {
	note := func(format string, args ...any) {
		*notes = append(*notes, importer.Note{Path: d.path, Msg: fmt.Sprintf(format, args...)})
	}
	inputs := map[string]bool{}
	jobs := make([]jobKey, 0, len(d.writers))
	for jk := range d.writers {
		jobs = append(jobs, jk)
		for in := range m.jobs[jk].inputs {
			p := m.datasets[in].path
			if p == d.path {
				note("job %s reads the dataset it writes; the self-loop is left out of its pipeline (the lineage DAG is acyclic)", jk)
				continue
			}
			inputs[p] = true
		}
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].String() < jobs[j].String() })
	if d.lineage {
		var plain []string
		for jk := range d.writers {
			if !d.clWriters[jk] {
				plain = append(plain, jk.String())
			}
		}
		if len(plain) > 0 {
			sort.Strings(plain)
			note("job %s writes this dataset without column lineage while others declare it; its inputs reach the fields only through the column lineage declared", strings.Join(plain, ", "))
		}
	}
	var cols []catalog.DocColumn
	if d.lineage {
		whole := m.refs(d, d.whole, inputs, note)
		for _, f := range fields {
			from := append(m.refs(d, f.from, inputs, note), whole...)
			if len(from) == 0 {
				continue
			}
			sort.Strings(from)
			cols = append(cols, catalog.DocColumn{Field: f.member, From: slices.Compact(from)})
		}
	}
	if len(inputs) == 0 {
		return nil
	}
	pl := &catalog.DocPipeline{Inputs: setList(inputs), HasColumns: d.lineage, Columns: cols}
	var desc []string
	for _, j := range jobs {
		line := "OpenLineage job " + j.String()
		if doc := m.jobs[j].doc.v; doc != "" {
			line += ": " + doc
		}
		desc = append(desc, line)
	}
	pl.Description, _ = importer.Description(strings.Join(desc, "\n"))
	return pl
}

// refs turns column lineage entries into input field paths, adding the datasets they read
// to inputs (with a note) and leaving out those of d itself.
func (m *Merger) refs(d *dsState, set map[fieldRef]bool, inputs map[string]bool, note func(string, ...any)) []string {
	out := make([]string, 0, len(set))
	for r := range set {
		ds, f := m.refPath(r)
		if ds == d.path {
			note("column lineage maps %s to a field of the dataset itself; the entry is left out (the lineage DAG is acyclic)", f)
			continue
		}
		if !inputs[ds] {
			inputs[ds] = true
			note("column lineage reads %s, which no job writing this dataset lists as an input; it is added to the pipeline's inputs", ds)
		}
		out = append(out, f)
	}
	return out
}

func setList(set map[string]bool) []string { return slices.Sorted(maps.Keys(set)) }
