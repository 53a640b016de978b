package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Resolved is a definitions document whose names are absolute and whose assets passed every
// check that needs no other state: names, types, tags, owners, duplicates.
type Resolved struct {
	Namespace string
	Assets    []*Asset // in document order
	byPath    map[string]int
	lines     []DocAsset
}

// Lookup returns the asset of the document at path, or nil.
func (r *Resolved) Lookup(path string) *Asset {
	if i, ok := r.byPath[path]; ok {
		return r.Assets[i]
	}
	return nil
}

// Line returns the line where the asset or member at path was declared, or 0.
func (r *Resolved) Line(path string) int {
	asset, member := SplitMember(path)
	i, ok := r.byPath[asset]
	if !ok {
		return 0
	}
	d := &r.lines[i]
	if member == "" {
		return d.Line
	}
	for _, m := range d.Members {
		if m.Name == member {
			return m.Line
		}
	}
	return d.Line
}

// Resolve makes the names of doc absolute and checks everything that needs no other state.
func Resolve(doc *Document) (*Resolved, []Problem) {
	var ps problems
	r := &Resolved{Namespace: doc.Namespace, byPath: make(map[string]int, len(doc.Assets))}
	if doc.Namespace != "" {
		if strings.HasPrefix(doc.Namespace, "/") || strings.HasSuffix(doc.Namespace, "/") {
			ps.add(doc.NamespaceLine, "", "namespace %q must not start or end with \"/\"", clip(doc.Namespace))
		} else if err := validateNamespace(doc.Namespace); err != nil {
			ps.add(doc.NamespaceLine, "", "namespace: %v", err)
		}
	}
	for i := range doc.Assets {
		d := &doc.Assets[i]
		if d.Name == "" {
			continue // reported by the parser
		}
		a := r.asset(d, &ps)
		if a == nil {
			continue
		}
		if j, dup := r.byPath[a.Path]; dup {
			prev := r.lines[j]
			ps.add(d.Line, a.Path, "%s %q is declared twice (first as a %s on line %d); datasets and featuresets share one name space",
				kindWord(d.Kind), a.Path, kindWord(prev.Kind), prev.Line)
			continue
		}
		r.byPath[a.Path] = len(r.Assets)
		r.Assets = append(r.Assets, a)
		r.lines = append(r.lines, *d)
	}
	return r, ps.list
}

func validateNamespace(ns string) error {
	// A namespace is a path prefix: every segment may hold "." (only assets' own names may not).
	return ValidatePath(ns + "/x")
}

// absolute resolves a name or reference against the namespace: "/x" is absolute.
func (r *Resolved) absolute(ref string) string {
	if strings.HasPrefix(ref, "/") {
		return ref[1:]
	}
	if r.Namespace == "" {
		return ref
	}
	return r.Namespace + "/" + ref
}

func (r *Resolved) asset(d *DocAsset, ps *problems) *Asset {
	if strings.HasPrefix(d.Name, "/") {
		ps.add(d.Line, d.Name, "an asset name is relative to the document's namespace and may not start with \"/\"")
		return nil
	}
	path := r.absolute(d.Name)
	if err := ValidatePath(path); err != nil {
		ps.add(d.Line, d.Name, "bad name: %v", err)
		return nil
	}
	a := &Asset{Kind: d.Kind, Path: path, Description: d.Description}
	if d.Owner != "" {
		if _, _, err := ParsePrincipalRef(d.Owner); err != nil {
			ps.add(d.OwnerLine, path, "owner: %v", err)
		}
		a.Owner = d.Owner
	}
	a.Tags = checkTags(d.Tags, path, d.TagsLine, ps)
	seen := make(map[string]int, len(d.Members))
	for _, dm := range d.Members {
		if dm.Name == "" {
			continue
		}
		mpath := MemberPath(path, dm.Name)
		if err := ValidateMemberName(dm.Name); err != nil {
			ps.add(dm.Line, mpath, "bad name: %v", err)
			continue
		}
		if line, dup := seen[dm.Name]; dup {
			ps.add(dm.Line, mpath, "%s %q is declared twice (first on line %d)", memberWord(d.Kind), dm.Name, line)
			continue
		}
		seen[dm.Name] = dm.Line
		m := Member{Name: dm.Name, Key: dm.Key, Description: dm.Description}
		if dm.Type != "" {
			t, err := NormalizeType(dm.Type)
			if err != nil {
				ps.add(dm.TypeLine, mpath, "%v", err)
			}
			m.Type = t
		}
		m.Tags = checkTags(dm.Tags, mpath, dm.TagsLine, ps)
		if dm.From != nil {
			m.From = make([]string, 0, len(dm.From))
			fromSeen := map[string]bool{}
			for _, f := range dm.From {
				abs := r.absolute(f)
				if err := ValidateRef(abs); err != nil {
					ps.add(dm.FromLine, mpath, "from %q: %v", clip(f), err)
					continue
				}
				if fromSeen[abs] {
					continue
				}
				fromSeen[abs] = true
				m.From = append(m.From, abs)
			}
		}
		a.Members = append(a.Members, m)
	}
	if d.Pipeline != nil {
		a.Pipeline = r.pipeline(d, path, seen, ps)
	}
	return a
}

func (r *Resolved) pipeline(d *DocAsset, path string, fields map[string]int, ps *problems) *Pipeline {
	dp := d.Pipeline
	pl := &Pipeline{Description: dp.Description, Inputs: make([]string, 0, len(dp.Inputs))}
	if dp.InputsLine != 0 && len(dp.Inputs) == 0 {
		ps.add(dp.InputsLine, path, "pipeline inputs is empty; a pipeline reads at least one dataset")
	}
	seen := map[string]bool{}
	for _, in := range dp.Inputs {
		abs := r.absolute(in)
		if err := ValidatePath(abs); err != nil {
			ps.add(dp.InputsLine, path, "pipeline input %q: %v", clip(in), err)
			continue
		}
		if seen[abs] {
			ps.add(dp.InputsLine, path, "pipeline input %q is listed twice", abs)
			continue
		}
		seen[abs] = true
		pl.Inputs = append(pl.Inputs, abs)
	}
	if !dp.HasColumns {
		return pl
	}
	pl.Columns = make(map[string][]string, len(dp.Columns))
	for _, c := range dp.Columns {
		fpath := MemberPath(path, c.Field)
		if _, ok := fields[c.Field]; !ok {
			ps.add(c.Line, fpath, "pipeline columns names %q, which is not a field of %s", clip(c.Field), path)
			continue
		}
		from := make([]string, 0, len(c.From))
		for _, f := range c.From {
			abs := r.absolute(f)
			if err := ValidateRef(abs); err != nil {
				ps.add(c.Line, fpath, "column lineage %q: %v", clip(f), err)
				continue
			}
			ds, member := SplitMember(abs)
			if member == "" {
				ps.add(c.Line, fpath, "column lineage %q must name an input field (Dataset.field)", clip(f))
				continue
			}
			if !seen[ds] {
				ps.add(c.Line, fpath, "column lineage %q reads %s, which is not an input of the pipeline", clip(f), ds)
				continue
			}
			from = append(from, abs)
		}
		sort.Strings(from)
		pl.Columns[c.Field] = dedupSorted(from)
	}
	return pl
}

// checkTags validates tag declarations and returns them sorted and without duplicates.
func checkTags(decls []string, at string, line int, ps *problems) []string {
	if len(decls) == 0 {
		return nil
	}
	state := make(map[string]bool, len(decls))
	out := make([]string, 0, len(decls))
	for _, d := range decls {
		name, cancel, err := ParseTagDecl(d)
		if err != nil {
			ps.add(line, at, "%v", err)
			continue
		}
		if prev, ok := state[name]; ok {
			if prev != cancel {
				ps.add(line, at, "declares both %q and \"~%s\"; a node either carries a tag or cancels it", name, name)
			}
			continue
		}
		state[name] = cancel
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func dedupSorted(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func memberWord(k AssetKind) string {
	if k == KindFeatureset {
		return "feature"
	}
	return "field"
}

type problems struct{ list []Problem }

func (p *problems) add(line int, asset, format string, args ...any) {
	p.list = append(p.list, Problem{Asset: asset, Line: line, Msg: fmt.Sprintf(format, args...)})
}
