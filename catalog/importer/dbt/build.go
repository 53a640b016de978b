package dbt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
)

// Options change how a manifest is translated.
type Options struct {
	// Namespace, if set, is the document's namespace: every path is under NS/ (and a
	// prune deploy of the document removes the models deleted from the project).
	Namespace string
	// MapTags renames dbt tags: a tag equal to a key, compared case-insensitively, becomes
	// the value (--map-tag pii=PII).
	MapTags map[string]string
}

// ParseMapTag reads a tag mapping as the CLI takes it: "from=to" (pii=PII).
func ParseMapTag(s string) (from, to string, err error) {
	from, to, ok := strings.Cut(s, "=")
	if !ok || from == "" || to == "" {
		return "", "", fmt.Errorf("tag mapping %q: write it as from=to (pii=PII)", s)
	}
	if _, _, err := catalog.ParseTagDecl(to); err != nil {
		return "", "", fmt.Errorf("tag mapping %q: %v", s, err)
	}
	return from, to, nil
}

// datasetKinds are the dbt resource types that become datasets.
var datasetKinds = map[string]bool{"model": true, "seed": true, "snapshot": true, "source": true}

// otherKinds are the resource types that do not, and need no note when they are skipped.
var otherKinds = map[string]bool{
	"test": true, "macro": true, "doc": true, "docs": true, "exposure": true, "metric": true,
	"analysis": true, "operation": true, "sql_operation": true, "rpc": true, "unit_test": true,
	"semantic_model": true, "saved_query": true, "group": true, "sql": true,
}

// piiFlags are the meta keys whose boolean true declares PII.
var piiFlags = []string{"pii", "contains_pii", "is_sensitive", "sensitive"}

type record struct {
	where string // where the manifest lists it: nodes["model.shop.orders"]
	uid   string
	path  string
	asset catalog.DocAsset
	deps  []string
}

type translator struct {
	opts    Options
	mapTags map[string]string // lower-cased from -> to
	records []*record
	byUID   map[string]*record
	skipped map[string]string // uid -> resource type, of nodes that are no datasets
	parents map[string][]string
	paths   *importer.Claims
	notes   []importer.Note
	err     error
}

// Translate reads a dbt manifest from r and returns its document.
func Translate(r io.Reader, opts Options) (*importer.Result, error) {
	t := &translator{opts: opts, mapTags: map[string]string{}, byUID: map[string]*record{},
		skipped: map[string]string{}, parents: map[string][]string{}, paths: importer.NewClaims("dataset path")}
	if ns := opts.Namespace; ns != "" {
		if strings.HasPrefix(ns, "/") || strings.HasSuffix(ns, "/") {
			return nil, fmt.Errorf("namespace %q must not start or end with \"/\"", ns)
		}
		if err := catalog.ValidatePath(ns + "/x"); err != nil {
			return nil, fmt.Errorf("namespace %q: %v", ns, err)
		}
	}
	for from, to := range opts.MapTags {
		if _, _, err := catalog.ParseTagDecl(to); err != nil {
			return nil, fmt.Errorf("map-tag %s=%s: %v", from, to, err)
		}
		t.mapTags[strings.ToLower(from)] = to
	}
	mr := &manifestReader{dec: json.NewDecoder(r), node: t.node, parents: func(k string, ps []string) { t.parents[k] = ps }}
	if err := mr.read(); err != nil {
		return nil, err
	}
	if t.err != nil {
		return nil, t.err
	}
	switch {
	case mr.versionOf == "":
		t.note("metadata", "", "the manifest names no dbt_schema_version; it is read as a recent one")
	case mr.version < 2:
		t.note("metadata", "", "dbt_schema_version %q is older than v2, the oldest this importer knows; it is read as v2", mr.versionOf)
	}
	for _, k := range mr.unknown {
		t.note(k, "", "unknown top-level key %q is ignored", k)
	}
	return t.build(mr.hasParent)
}

func (t *translator) note(where, path, format string, args ...any) {
	t.notes = append(t.notes, importer.Note{Where: where, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// fullPath is the path of a document name: the document writes names relative to the
// namespace, notes name full paths.
func (t *translator) fullPath(path string) string {
	if t.opts.Namespace == "" {
		return path
	}
	return t.opts.Namespace + "/" + path
}

func (t *translator) node(section, key string, n *node) {
	where := fmt.Sprintf("%s[%q]", section, key)
	uid := key
	if n.UniqueID != "" && n.UniqueID != key {
		t.note(where, "", "unique_id %q differs from its key; the key names it", n.UniqueID)
	}
	kind := n.ResourceType
	if kind == "" && section == "sources" {
		kind = "source"
	}
	if !datasetKinds[kind] {
		t.skipped[uid] = kind
		if !otherKinds[kind] {
			t.note(where, "", "resource type %q is not one that becomes a dataset (model, seed, snapshot, source); skipped", kind)
		}
		return
	}
	if _, dup := t.byUID[uid]; dup {
		t.note(where, "", "listed twice; the first is kept")
		return
	}
	path, err := importer.DbtPath(uid)
	if err != nil {
		t.fail(fmt.Errorf("%s: %v", where, err))
		return
	}
	if err := t.paths.Claim(path, fmt.Sprintf("%s %q", kind, uid)); err != nil {
		t.fail(fmt.Errorf("%s: %v", where, err))
		return
	}
	full := t.fullPath(path)
	a := catalog.DocAsset{Kind: catalog.KindDataset, Name: path}
	a.Description = t.description(where, full, n.Description)
	decls := t.tags(where, full, n.Tags, n.Config.Tags)
	if pii, ok := t.piiMeta(where, full, n.Meta, n.Config.Meta); pii {
		decls = append(decls, "PII")
	} else if ok && t.metaFalse(n.Meta, n.Config.Meta) {
		decls = append(decls, "~PII")
	}
	a.Tags = t.decls(where, full, decls)
	members := importer.NewClaims("field of " + full)
	for _, c := range n.Columns {
		written := c.Name
		if written == "" {
			written = c.key
		}
		if written == "" {
			t.note(where, full, "a column without a name is skipped")
			continue
		}
		mname, err := importer.MemberNameOK(written)
		if err != nil {
			t.fail(fmt.Errorf("%s: column %q: %v", where, written, err))
			return
		}
		if err := members.Claim(mname, fmt.Sprintf("column %q", written)); err != nil {
			t.fail(fmt.Errorf("%s: %v", where, err))
			return
		}
		mp := catalog.MemberPath(full, mname)
		cwhere := fmt.Sprintf("%s.columns[%q]", where, c.key)
		m := catalog.DocMember{Name: mname, Type: importer.Type(c.DataType)}
		m.Description = t.description(cwhere, mp, c.Description)
		cd := t.tags(cwhere, mp, c.Tags, c.Config.Tags)
		if pii, _ := t.piiMeta(cwhere, mp, c.Meta, c.Config.Meta); pii {
			cd = append(cd, "PII")
		}
		m.Tags = t.decls(cwhere, mp, cd)
		a.Members = append(a.Members, m)
	}
	r := &record{where: where, uid: uid, path: path, asset: a, deps: n.DependsOn.Nodes}
	t.records = append(t.records, r)
	t.byUID[uid] = r
}

func (t *translator) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

func (t *translator) description(where, path, s string) string {
	out, cut := importer.Description(s)
	if cut {
		t.note(where, path, "the description is over %d KiB; it is cut", catalog.MaxDescriptionBytes>>10)
	}
	return out
}

// tags are a node's or column's dbt tags (its own and its config's), renamed by MapTags.
func (t *translator) tags(where, path string, lists ...tagList) []string {
	var out []string
	for _, l := range lists {
		for _, tag := range l {
			if to, ok := t.mapTags[strings.ToLower(tag)]; ok {
				tag = to
			}
			if _, _, err := catalog.ParseTagDecl(tag); err != nil {
				t.note(where, path, "dbt tag %q is no tagflow tag (%v); it is left out (rename it with a tag mapping)", tag, err)
				continue
			}
			out = append(out, tag)
		}
	}
	return out
}

// decls sorts and deduplicates tag declarations; where a node would both declare and
// cancel a tag, the declaration wins (what we are not sure of may be PII).
func (t *translator) decls(where, path string, ds []string) []string {
	if len(ds) == 0 {
		return nil
	}
	set := map[string]bool{}
	for _, d := range ds {
		set[d] = true
	}
	out := make([]string, 0, len(set))
	for d := range set {
		if strings.HasPrefix(d, "~") && set[d[1:]] {
			t.note(where, path, "both %q and %q are declared; %q is kept", d[1:], d, d[1:])
			continue
		}
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// piiMeta says whether meta declares PII: pii, contains_pii, is_sensitive or sensitive set
// to boolean true, or pii among the comma-separated terms. ok is false when neither meta
// has a pii key at all.
func (t *translator) piiMeta(where, path string, metas ...meta) (pii, ok bool) {
	for _, m := range metas {
		for _, k := range piiFlags {
			v, has := m[k]
			if !has {
				continue
			}
			if k == "pii" {
				ok = true
			}
			switch s := string(bytes.TrimSpace(v)); s {
			case "true":
				pii = true
			case "false", "null":
			default:
				t.note(where, path, "meta.%s is %s, not a boolean; only true declares PII", k, clip(s))
			}
		}
		if v, has := m["terms"]; has && termsHavePII(v) {
			pii = true
		}
	}
	return pii, ok
}

// metaFalse says whether some meta sets pii to boolean false.
func (t *translator) metaFalse(metas ...meta) bool {
	for _, m := range metas {
		if v, has := m["pii"]; has && string(bytes.TrimSpace(v)) == "false" {
			return true
		}
	}
	return false
}

// termsHavePII reads meta.terms: a comma-separated string (or a list of them) that names
// pii, in any case.
func termsHavePII(v json.RawMessage) bool {
	var parts []string
	var s string
	if json.Unmarshal(v, &s) == nil {
		parts = []string{s}
	} else if json.Unmarshal(v, &parts) != nil {
		return false
	}
	for _, p := range parts {
		for _, term := range strings.Split(p, ",") {
			if strings.EqualFold(strings.TrimSpace(term), "pii") {
				return true
			}
		}
	}
	return false
}

func (t *translator) build(hasParentMap bool) (*importer.Result, error) {
	placeholders := map[string]*record{}
	for _, r := range t.records {
		where := r.where
		full := t.fullPath(r.path)
		inputs := map[string]bool{}
		for _, dep := range r.deps {
			switch {
			case dep == r.uid:
				t.note(where, full, "depends_on names the node itself; left out (the lineage DAG is acyclic)")
			case t.byUID[dep] != nil:
				inputs[t.byUID[dep].path] = true
			case t.skipped[dep] != "":
				t.note(where, full, "depends_on %q is a %s, not a dataset; it is no pipeline input", dep, t.skipped[dep])
			case otherKinds[strings.SplitN(dep, ".", 2)[0]]:
				t.note(where, full, "depends_on %q is not in the manifest, and is no dataset; left out", dep)
			default:
				p := placeholders[dep]
				if p == nil {
					path, err := importer.DbtPath(dep)
					if err != nil {
						return nil, fmt.Errorf("%s: depends_on %q: %v", where, dep, err)
					}
					if err := t.paths.Claim(path, fmt.Sprintf("placeholder for %q", dep)); err != nil {
						return nil, fmt.Errorf("%s: %v", where, err)
					}
					p = &record{uid: dep, path: path, asset: catalog.DocAsset{Kind: catalog.KindDataset, Name: path}}
					placeholders[dep] = p
				}
				inputs[p.path] = true
				t.note(where, full, "depends_on %q, which the manifest does not hold; a placeholder dataset %s with no fields stands for it", dep, t.fullPath(p.path))
			}
		}
		if len(inputs) > 0 {
			in := make([]string, 0, len(inputs))
			for p := range inputs {
				in = append(in, p)
			}
			sort.Strings(in)
			r.asset.Pipeline = &catalog.DocPipeline{Inputs: in}
		}
		if hasParentMap {
			t.compareParents(where, full, r)
		}
	}
	if hasParentMap {
		var extra []string
		for k := range t.parents {
			if t.byUID[k] == nil && t.skipped[k] == "" {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			t.note("parent_map", "", "lists %d node(s) the manifest does not hold (%s); their entries are ignored", len(extra), firstFew(extra))
		}
	}
	all := append([]*record(nil), t.records...)
	for _, p := range placeholders {
		all = append(all, p)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].path < all[j].path })
	doc := &catalog.Document{Namespace: t.opts.Namespace, Assets: make([]catalog.DocAsset, len(all))}
	for i, r := range all {
		doc.Assets[i] = r.asset
	}
	for _, c := range importer.Cycles(doc) {
		t.note("", t.fullPath(c[0]), "datasets %s depend on each other, a cycle that a deploy refuses", strings.Join(c, ", "))
	}
	return &importer.Result{Document: doc, Notes: importer.SortNotes(t.notes)}, nil
}

// compareParents notes where parent_map disagrees with depends_on for r.
func (t *translator) compareParents(where, full string, r *record) {
	ps, ok := t.parents[r.uid]
	if !ok {
		t.note(where, full, "parent_map has no entry for the node; depends_on is used")
		return
	}
	dep := map[string]bool{}
	for _, d := range r.deps {
		dep[d] = true
	}
	par := map[string]bool{}
	for _, p := range ps {
		par[p] = true
	}
	var onlyDep, onlyPar []string
	for d := range dep {
		if !par[d] {
			onlyDep = append(onlyDep, d)
		}
	}
	for p := range par {
		if !dep[p] {
			onlyPar = append(onlyPar, p)
		}
	}
	if len(onlyDep)+len(onlyPar) == 0 {
		return
	}
	sort.Strings(onlyDep)
	sort.Strings(onlyPar)
	var parts []string
	if len(onlyDep) > 0 {
		parts = append(parts, "only depends_on names "+firstFew(onlyDep))
	}
	if len(onlyPar) > 0 {
		parts = append(parts, "only parent_map names "+firstFew(onlyPar))
	}
	t.note(where, full, "parent_map disagrees with depends_on (%s); depends_on is used", strings.Join(parts, "; "))
}

func firstFew(s []string) string {
	if len(s) <= 5 {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:5], ", ") + fmt.Sprintf(" and %d more", len(s)-5)
}

func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:37] + "..."
}
