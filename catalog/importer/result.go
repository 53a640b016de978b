package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tagflow/tagflow/catalog"
	"go.yaml.in/yaml/v3"
)

// Note is one thing an importer found odd in its input and worked around: a reference to
// something the input does not declare, a value it ignored. A note never stops an import.
type Note struct {
	Where string // where in the input: "event 3", "nodes[\"model.shop.orders\"]"
	Path  string // the tagflow asset concerned, if any ("Ds" or "Ds.col")
	Msg   string
}

func (n Note) String() string {
	var b strings.Builder
	if n.Where != "" {
		b.WriteString(n.Where)
		b.WriteString(": ")
	}
	if n.Path != "" {
		b.WriteString(n.Path)
		b.WriteString(": ")
	}
	b.WriteString(n.Msg)
	return b.String()
}

// Result is what an importer returns: the definitions document and the notes.
type Result struct {
	Document *catalog.Document
	Notes    []Note
}

// SortNotes orders notes by path, then message, then place, so that one input gives one
// list however its parts arrived.
func SortNotes(ns []Note) []Note {
	sort.Slice(ns, func(i, j int) bool {
		a, b := ns[i], ns[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Msg != b.Msg {
			return a.Msg < b.Msg
		}
		return a.Where < b.Where
	})
	out := ns[:0]
	for i, n := range ns {
		if i == 0 || n != ns[i-1] {
			out = append(out, n)
		}
	}
	return out
}

// Description bounds an outside description to catalog.MaxDescriptionBytes, cutting at a
// character boundary; cut says whether it did.
func Description(s string) (out string, cut bool) {
	if len(s) <= catalog.MaxDescriptionBytes {
		return s, false
	}
	s = s[:catalog.MaxDescriptionBytes]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s, true
}

// The written form of a document: what ParseDocument reads.
type docOut struct {
	Namespace string     `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Datasets  []assetOut `yaml:"datasets" json:"datasets"`
}

type assetOut struct {
	Name        string       `yaml:"name" json:"name"`
	Description string       `yaml:"description,omitempty" json:"description,omitempty"`
	Tags        []string     `yaml:"tags,omitempty,flow" json:"tags,omitempty"`
	Fields      []fieldOut   `yaml:"fields,omitempty" json:"fields,omitempty"`
	Pipeline    *pipelineOut `yaml:"pipeline,omitempty" json:"pipeline,omitempty"`
}

type fieldOut struct {
	Name        string   `yaml:"name" json:"name"`
	Type        string   `yaml:"type" json:"type"`
	Key         bool     `yaml:"key,omitempty" json:"key,omitempty"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Tags        []string `yaml:"tags,omitempty,flow" json:"tags,omitempty"`
}

type pipelineOut struct {
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Inputs      []string `yaml:"inputs" json:"inputs"`
	// A pointer, so that column lineage that maps nothing is written as {} (DESIGN §3).
	Columns *map[string][]string `yaml:"columns,omitempty" json:"columns,omitempty"`
}

func written(d *catalog.Document) (*docOut, error) {
	out := &docOut{Namespace: d.Namespace, Datasets: make([]assetOut, 0, len(d.Assets))}
	for _, a := range d.Assets {
		if a.Kind != catalog.KindDataset {
			return nil, fmt.Errorf("%s: importers write datasets only", a.Name)
		}
		ao := assetOut{Name: a.Name, Description: a.Description, Tags: a.Tags}
		for _, m := range a.Members {
			ao.Fields = append(ao.Fields, fieldOut{Name: m.Name, Type: m.Type, Key: m.Key, Description: m.Description, Tags: m.Tags})
		}
		if p := a.Pipeline; p != nil {
			po := &pipelineOut{Description: p.Description, Inputs: p.Inputs}
			if p.HasColumns {
				cols := make(map[string][]string, len(p.Columns))
				for _, c := range p.Columns {
					cols[c.Field] = c.From
				}
				po.Columns = &cols
			}
			ao.Pipeline = po
		}
		out.Datasets = append(out.Datasets, ao)
	}
	return out, nil
}

// YAML writes the document as YAML that catalog.ParseDocument reads back to the same
// document (lines aside). Map keys (columns:) come out sorted.
func YAML(d *catalog.Document) ([]byte, error) {
	out, err := written(d)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// JSON writes the document as indented JSON, which catalog.ParseDocument reads too.
func JSON(d *catalog.Document) ([]byte, error) {
	out, err := written(d)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
