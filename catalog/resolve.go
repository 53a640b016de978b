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
	// OmittedProblems is how many problems Resolve found beyond those it returned (at most
	// MaxProblems); the parser's are counted in the Document.
	OmittedProblems int
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

// columnLine returns the line of field's entry in the columns: of the pipeline of the asset
// at path, or 0.
func (r *Resolved) columnLine(path, field string) int {
	i, ok := r.byPath[path]
	if !ok || r.lines[i].Pipeline == nil {
		return 0
	}
	pl := r.lines[i].Pipeline
	for _, c := range pl.Columns {
		if c.Field == field {
			return c.Line
		}
	}
	return pl.Line
}

// Resolve makes the names of doc absolute and checks everything that needs no other state.
// It returns at most MaxProblems problems, the first by line; the result's OmittedProblems
// counts the others. An asset with a bad name is checked all the same (and left out of the
// result), so that one deploy reports everything.
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
		a, ok := r.asset(d, &ps)
		if !ok {
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
	list, omitted := ps.done()
	r.OmittedProblems = omitted
	return r, list
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

// asset checks one asset of the document; ok is false if its name is bad, and the asset
// must then be left out (its other problems are reported all the same).
func (r *Resolved) asset(d *DocAsset, ps *problems) (a *Asset, ok bool) {
	path := r.absolute(d.Name)
	ok = true
	if strings.HasPrefix(d.Name, "/") {
		path, ok = d.Name, false // named as written: its absolute path would hide the slip
		ps.add(d.Line, path, "an asset name is relative to the document's namespace and may not start with \"/\"")
	} else if err := ValidatePath(path); err != nil {
		ok = false
		ps.add(d.Line, path, "bad name: %v", err)
	}
	a = &Asset{Kind: d.Kind, Path: path, Description: d.Description}
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
		if line, dup := seen[dm.Name]; dup {
			ps.add(dm.Line, mpath, "%s %q is declared twice (first on line %d)", memberWord(d.Kind), dm.Name, line)
			continue
		}
		seen[dm.Name] = dm.Line
		// A bad name is reported and the member checked all the same, but not kept.
		goodName := true
		if err := ValidateMemberName(dm.Name); err != nil {
			ps.add(dm.Line, mpath, "bad name: %v", err)
			goodName = false
		}
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
		if goodName {
			a.Members = append(a.Members, m)
		}
	}
	if d.Pipeline != nil {
		a.Pipeline = r.pipeline(d, path, seen, ps)
	}
	return a, ok
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
			ps.add(c.Line, fpath, "pipeline columns names %q, which is not a field of %s%s", clip(c.Field), path, foldHint(path, c.Field, keysOf(fields)))
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
				ps.add(c.Line, fpath, "column lineage %q reads %s, which is not an input of the pipeline%s", clip(f), ds, inputHint(ds, member, pl.Inputs))
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

// foldHint suggests the member of asset that differs from name only by case, or says
// nothing.
func foldHint(asset, name string, members []string) string {
	for _, m := range members {
		if m != name && strings.EqualFold(m, name) {
			return didYouMean(MemberPath(asset, m))
		}
	}
	return ""
}

// inputHint suggests the input that differs from ds only by case, or says nothing.
func inputHint(ds, member string, inputs []string) string {
	for _, in := range inputs {
		if in != ds && strings.EqualFold(in, ds) {
			return didYouMean(MemberPath(in, member))
		}
	}
	return ""
}

func didYouMean(path string) string {
	return fmt.Sprintf(" (did you mean %q? names are case-sensitive)", path)
}

func keysOf(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out) // one answer for one document
	return out
}

func memberWord(k AssetKind) string {
	if k == KindFeatureset {
		return "feature"
	}
	return "field"
}
