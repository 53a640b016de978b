package catalog

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Document is a parsed definitions document (DESIGN §2) before its names are resolved:
// names and references are as written, each with the line it was written on.
type Document struct {
	Namespace     string
	NamespaceLine int
	Assets        []DocAsset
	// OmittedProblems is how many problems ParseDocument found beyond those it returned
	// (it returns at most MaxProblems).
	OmittedProblems int
}

// MaxDescriptionBytes bounds a description (of an asset, member or pipeline): a
// description is prose for people, and a 50 MB one would travel with every answer.
const MaxDescriptionBytes = 64 << 10

// DocAsset is one dataset or featureset as written in a document.
type DocAsset struct {
	Kind        AssetKind
	Name        string
	Line        int
	Description string
	Owner       string
	OwnerLine   int
	Tags        []string
	TagsLine    int
	Members     []DocMember
	Pipeline    *DocPipeline
}

// DocMember is one field or feature as written.
type DocMember struct {
	Name        string
	Line        int
	Type        string
	TypeLine    int
	Key         bool
	Description string
	Tags        []string
	TagsLine    int
	From        []string
	FromLine    int
}

// DocPipeline is a dataset's pipeline as written.
type DocPipeline struct {
	Line        int
	Description string
	Inputs      []string
	InputsLine  int
	Columns     []DocColumn // nil when no column lineage is declared
	HasColumns  bool
}

// DocColumn maps one output field to the input fields it is computed from.
type DocColumn struct {
	Field string
	From  []string
	Line  int // the line of the field's entry in columns:
}

// ParseDocument parses a YAML or JSON definitions document. It reports every problem of
// shape it finds (syntax, unknown keys, wrong value kinds), each with its line; names and
// references are checked later, by Resolve.
//
// At most MaxProblems problems are returned, the first by line; the document's
// OmittedProblems counts the others.
func ParseDocument(data []byte) (*Document, []Problem) {
	if p := encodingProblem(data); p != nil {
		return nil, []Problem{*p}
	}
	root, err := parseTree(data)
	if err != nil {
		return nil, []Problem{syntaxProblem(err)}
	}
	p := &docParser{}
	p.anchors(root)
	doc := p.document(root)
	ps, omitted := p.ps.done()
	doc.OmittedProblems = omitted
	// The parser names assets as written; inside a namespace their paths are NS/name (a
	// written name starting with "/" is refused by Resolve, and named as written).
	if doc.Namespace != "" {
		for i := range ps {
			if ps[i].Asset != "" && !strings.HasPrefix(ps[i].Asset, "/") {
				ps[i].Asset = doc.Namespace + "/" + ps[i].Asset
			}
		}
	}
	return doc, ps
}

// encodingProblem reports the first byte that makes data no UTF-8 text: a byte of invalid
// UTF-8, or NUL. encoding/json would silently replace invalid UTF-8 with U+FFFD, and
// go-yaml's own error names no line. A document that starts with a UTF-16 byte order mark
// is left to go-yaml, which reads UTF-16.
func encodingProblem(data []byte) *Problem {
	if bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return nil
	}
	if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
		return nil
	}
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		what := ""
		switch {
		case r == 0:
			what = "holds a NUL byte"
		case r == utf8.RuneError && size == 1:
			what = fmt.Sprintf("is not valid UTF-8 (byte 0x%02x)", data[off])
		}
		if what == "" {
			off += size
			continue
		}
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		start := bytes.LastIndexByte(data[:off], '\n') + 1
		col := 1 + utf8.RuneCount(data[start:off])
		return &Problem{Line: line, Msg: fmt.Sprintf("the document %s at column %d; a definitions document is UTF-8 text", what, col)}
	}
	return nil
}

// parseTree turns the bytes into a YAML node tree, using encoding/json for JSON documents
// (faster, and exact about JSON's grammar) and go-yaml for everything else.
func parseTree(data []byte) (*yaml.Node, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && looksLikeJSON(trimmed) {
		return parseJSONTree(data)
	}
	if root, ok := parseYAMLSplit(data); ok {
		return root, nil
	}
	var n yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&n); err != nil {
		if err.Error() == "EOF" {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("line %d: a definitions document holds one YAML document; found a second after \"---\"", extra.Line)
	} else if err.Error() != "EOF" {
		return nil, err // a second document that does not even parse must not pass unseen
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return n.Content[0], nil
	}
	return &n, nil
}

// looksLikeJSON tells a JSON document from a YAML flow mapping such as "{datasets: [...]}":
// JSON's first key is a quoted string.
func looksLikeJSON(b []byte) bool {
	if b[0] == '[' {
		return true
	}
	rest := bytes.TrimLeft(b[1:], " \t\r\n")
	return len(rest) == 0 || rest[0] == '"' || rest[0] == '}'
}

var yamlLineRe = []byte("line ")

// syntaxProblem turns a parser error into a problem with the line it names.
func syntaxProblem(err error) Problem {
	msg := err.Error()
	line := 0
	if i := bytes.Index([]byte(msg), yamlLineRe); i >= 0 {
		j := i + len(yamlLineRe)
		k := j
		for k < len(msg) && msg[k] >= '0' && msg[k] <= '9' {
			k++
		}
		line, _ = strconv.Atoi(msg[j:k])
	}
	return Problem{Line: line, Msg: "not valid YAML or JSON: " + msg}
}

type docParser struct {
	ps problems
	// keyLine is the line of the key whose value mapping's fn is handling: a key that does
	// not belong is reported there, not on the line of its value (which for a block value
	// is the next line).
	keyLine int
}

func (p *docParser) add(line int, asset, format string, args ...any) {
	p.ps.add(line, asset, format, args...)
}

// anchors reports every YAML anchor (&name): like aliases and merge keys they make a
// document hard to review, and one without an alias is refused all the same, so that the
// rule is simple. A problem inside an asset names the asset.
func (p *docParser) anchors(root *yaml.Node) {
	anchor := func(n *yaml.Node, asset string) {
		if n.Anchor != "" {
			p.add(n.Line, asset, "YAML anchors (&%s) are not supported in definitions documents; write the value out", clip(n.Anchor))
		}
	}
	var walk func(n *yaml.Node, asset string)
	walk = func(n *yaml.Node, asset string) {
		anchor(n, asset)
		for _, c := range n.Content {
			walk(c, asset)
		}
	}
	if root == nil {
		return
	}
	if root.Kind != yaml.MappingNode {
		walk(root, "")
		return
	}
	anchor(root, "")
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		walk(k, "")
		if (k.Value != "datasets" && k.Value != "featuresets") || v.Kind != yaml.SequenceNode {
			walk(v, "")
			continue
		}
		anchor(v, "")
		for _, item := range v.Content {
			walk(item, writtenName(item))
		}
	}
}

// writtenName is the name: of an asset's mapping as written, or "".
func writtenName(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v := n.Content[i+1]; n.Content[i].Value == "name" && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			return v.Value
		}
	}
	return ""
}

// description reads a description, refusing one over MaxDescriptionBytes.
func (p *docParser) description(n *yaml.Node, asset, what string) string {
	s, ok := p.scalar(n, asset, what)
	if ok && len(s) > MaxDescriptionBytes {
		p.add(n.Line, asset, "%s is %d bytes, over the limit of %d KiB", what, len(s), MaxDescriptionBytes>>10)
		return ""
	}
	return s
}

func (p *docParser) document(root *yaml.Node) *Document {
	doc := &Document{}
	if root == nil || (root.Kind == yaml.ScalarNode && root.Tag == "!!null") {
		p.add(0, "", "the document is empty; it needs datasets: or featuresets:")
		return doc
	}
	if root.Kind != yaml.MappingNode {
		p.add(root.Line, "", "the document must be a mapping with datasets: and featuresets:, not %s", kindName(root))
		return doc
	}
	p.mapping(root, "", func(key string, v *yaml.Node) {
		switch key {
		case "namespace":
			doc.Namespace, _ = p.scalar(v, "", "namespace")
			doc.NamespaceLine = v.Line
		case "datasets":
			p.sequence(v, "", "datasets", func(n *yaml.Node) {
				doc.Assets = append(doc.Assets, p.asset(n, KindDataset))
			})
		case "featuresets":
			p.sequence(v, "", "featuresets", func(n *yaml.Node) {
				doc.Assets = append(doc.Assets, p.asset(n, KindFeatureset))
			})
		default:
			p.add(p.keyLine, "", "unknown key %q (expected namespace, datasets, featuresets)", key)
		}
	})
	return doc
}

func (p *docParser) asset(n *yaml.Node, kind AssetKind) DocAsset {
	a := DocAsset{Kind: kind, Line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "", "each entry of %ss must be a mapping with a name, not %s", kindWord(kind), kindName(n))
		return a
	}
	// The name first, so that every other problem can name the asset.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" {
			a.Name, _ = p.scalar(n.Content[i+1], "", "name")
		}
	}
	if a.Name == "" {
		p.add(n.Line, "", "a %s without a name", kindWord(kind))
	}
	members := "fields"
	if kind == KindFeatureset {
		members = "features"
	}
	p.mapping(n, a.Name, func(key string, v *yaml.Node) {
		switch key {
		case "name":
		case "description":
			a.Description = p.description(v, a.Name, key)
		case "owner":
			var ok bool
			a.Owner, ok = p.scalar(v, a.Name, key)
			a.OwnerLine = v.Line
			if ok && a.Owner == "" {
				p.add(v.Line, a.Name, "owner is empty; name a principal (team:data) or leave owner out, and the deployer owns it")
			}
		case "tags":
			a.Tags = p.strings(v, a.Name, key)
			a.TagsLine = v.Line
		case members:
			p.sequence(v, a.Name, key, func(m *yaml.Node) {
				a.Members = append(a.Members, p.member(m, a.Name, kind))
			})
		case "pipeline":
			if kind != KindDataset {
				p.add(p.keyLine, a.Name, "a featureset has no pipeline; its features name what they are computed from with from:")
				return
			}
			a.Pipeline = p.pipeline(v, a.Name)
		default:
			expected := "name, description, owner, tags, fields, pipeline"
			if kind == KindFeatureset {
				expected = "name, description, owner, tags, features"
			}
			p.add(p.keyLine, a.Name, "unknown key %q (expected %s)", key, expected)
		}
	})
	return a
}

func (p *docParser) member(n *yaml.Node, parent string, kind AssetKind) DocMember {
	m := DocMember{Line: n.Line}
	word := "field"
	if kind == KindFeatureset {
		word = "feature"
	}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, parent, "each %s must be a mapping with name and type, not %s", word, kindName(n))
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" {
			m.Name, _ = p.scalar(n.Content[i+1], parent, "name")
		}
	}
	at := parent
	if m.Name != "" {
		at = MemberPath(parent, m.Name)
	} else {
		p.add(n.Line, parent, "a %s without a name", word)
	}
	p.mapping(n, at, func(key string, v *yaml.Node) {
		switch key {
		case "name":
		case "type":
			var ok bool
			m.Type, ok = p.scalar(v, at, key)
			m.TypeLine = v.Line
			if ok && m.Type == "" {
				p.add(v.Line, at, "%s has an empty type", word)
			}
		case "description":
			m.Description = p.description(v, at, key)
		case "tags":
			m.Tags = p.strings(v, at, key)
			m.TagsLine = v.Line
		case "key":
			if kind == KindFeatureset {
				p.add(p.keyLine, at, "a feature has no key; key fields belong to datasets")
				return
			}
			m.Key = p.boolean(v, at, key)
		case "from":
			if kind != KindFeatureset {
				p.add(p.keyLine, at, "a field has no from:; declare column lineage in its dataset's pipeline columns:")
				return
			}
			m.From = p.strings(v, at, key)
			m.FromLine = v.Line
		default:
			expected := "name, type, key, description, tags"
			if kind == KindFeatureset {
				expected = "name, type, from, description, tags"
			}
			p.add(p.keyLine, at, "unknown key %q (expected %s)", key, expected)
		}
	})
	if m.Type == "" && m.TypeLine == 0 && m.Name != "" {
		p.add(n.Line, at, "%s has no type", word)
	}
	return m
}

func (p *docParser) pipeline(n *yaml.Node, asset string) *DocPipeline {
	pl := &DocPipeline{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, asset, "pipeline must be a mapping with inputs:, not %s", kindName(n))
		return pl
	}
	p.mapping(n, asset, func(key string, v *yaml.Node) {
		switch key {
		case "inputs":
			pl.Inputs = p.strings(v, asset, "pipeline inputs")
			pl.InputsLine = v.Line
		case "description":
			pl.Description = p.description(v, asset, "pipeline description")
		case "columns":
			pl.HasColumns = true
			if v.Kind != yaml.MappingNode {
				p.add(v.Line, asset, "pipeline columns must map output fields to lists of input fields, not %s", kindName(v))
				return
			}
			p.mapping(v, asset, func(field string, from *yaml.Node) {
				col := DocColumn{Field: field, Line: p.keyLine}
				at := MemberPath(asset, field)
				switch {
				case from.Kind == yaml.ScalarNode && from.Tag != "!!null":
					col.From = []string{from.Value} // one input field may be written without a list
				case from.Kind == yaml.ScalarNode || from.Kind == yaml.SequenceNode && len(from.Content) == 0:
					// An empty mapping would make the field a child of nothing: it would
					// drop every input's tags (PII) without a ~tag. DESIGN §3.
					col.From = []string{}
					p.add(col.Line, at, "pipeline columns maps %q to no input fields; leave %s out of columns to make it fail-closed (every input field is its parent), or name its input fields",
						clip(field), clip(field))
				default:
					col.From = p.strings(from, at, "columns")
				}
				pl.Columns = append(pl.Columns, col)
			})
		default:
			p.add(p.keyLine, asset, "unknown key %q in pipeline (expected inputs, columns, description)", key)
		}
	})
	if pl.InputsLine == 0 {
		p.add(n.Line, asset, "pipeline has no inputs:")
	}
	return pl
}

// mapping calls fn for each key of n, reporting duplicate keys and non-scalar keys.
func (p *docParser) mapping(n *yaml.Node, asset string, fn func(key string, v *yaml.Node)) {
	if n.Kind == yaml.AliasNode {
		p.add(n.Line, asset, "YAML aliases are not supported in definitions documents")
		return
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, asset, "a key must be a plain string, not %s", kindName(k))
			continue
		}
		if k.Value == "<<" {
			p.add(k.Line, asset, "YAML merge keys (<<) are not supported in definitions documents")
			continue
		}
		if seen[k.Value] {
			p.add(k.Line, asset, "key %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = true
		if v.Kind == yaml.AliasNode {
			p.add(v.Line, asset, "%s: YAML aliases are not supported in definitions documents", k.Value)
			continue
		}
		p.keyLine = k.Line
		fn(k.Value, v)
	}
}

func (p *docParser) sequence(n *yaml.Node, asset, what string, fn func(*yaml.Node)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, asset, "%s must be a list, not %s", what, kindName(n))
		return
	}
	for _, c := range n.Content {
		if c.Kind == yaml.AliasNode {
			p.add(c.Line, asset, "%s: YAML aliases are not supported in definitions documents", what)
			continue
		}
		fn(c)
	}
}

func (p *docParser) scalar(n *yaml.Node, asset, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.add(n.Line, asset, "%s must be a string, not %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *docParser) boolean(n *yaml.Node, asset, what string) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		b, err := strconv.ParseBool(n.Value)
		if err == nil {
			return b
		}
		switch n.Value {
		case "yes", "Yes", "YES", "on", "On", "ON":
			return true
		}
		return false
	}
	p.add(n.Line, asset, "%s must be true or false, not %s", what, kindName(n))
	return false
}

func (p *docParser) strings(n *yaml.Node, asset, what string) []string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return []string{}
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, asset, "%s must be a list of strings, not %s", what, kindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Tag == "!!null" {
			p.add(c.Line, asset, "%s must hold strings, not %s", what, kindName(c))
			continue
		}
		out = append(out, c.Value)
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return fmt.Sprintf("the string %q", clip(n.Value))
	}
	return "nothing"
}

func kindWord(k AssetKind) string {
	if k == KindFeatureset {
		return "featureset"
	}
	return "dataset"
}
