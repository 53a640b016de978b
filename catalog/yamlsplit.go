package catalog

import (
	"bytes"
	"runtime"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Large YAML documents are parsed in pieces on every core: go-yaml parses about 7 MB/s on
// one core, and a 10,000-dataset document is 7 MB. The document is cut at its top-level
// keys and, inside a block sequence (datasets:, featuresets:), between items; each piece
// is parsed alone and the trees are joined, lines shifted back. Any piece that does not
// parse, and any document whose shape the cutter does not know (directives, "---", tabs,
// flow style at the top), falls back to parsing the whole document, so errors and
// results are always those of one ordinary parse.
const splitMinBytes = 512 << 10

// pieceBytes is about how much text each piece of a block sequence holds.
const pieceBytes = 256 << 10

type piece struct {
	text       []byte
	firstLine  int // 1-based line of text's first line in the document
	key        string
	keyLine    int
	seq        bool // a chunk of the items of key's block sequence
	node       *yaml.Node
	err        error
	wrapPrefix int // lines added in front of text when parsing
}

// parseYAMLSplit returns the document's root mapping, or ok=false to parse it whole.
func parseYAMLSplit(data []byte) (*yaml.Node, bool) {
	if len(data) < splitMinBytes || runtime.GOMAXPROCS(0) < 2 {
		return nil, false
	}
	pieces, ok := cutDocument(data)
	if !ok {
		return nil, false
	}
	var wg sync.WaitGroup
	work := make(chan *piece)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				p.parse()
			}
		}()
	}
	for _, p := range pieces {
		work <- p
	}
	close(work)
	wg.Wait()

	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1}
	var current *yaml.Node // the sequence of the key being joined
	lastKey := ""
	for _, p := range pieces {
		if p.err != nil {
			return nil, false
		}
		if !p.seq {
			if p.node.Kind != yaml.MappingNode {
				return nil, false
			}
			root.Content = append(root.Content, p.node.Content...)
			current = nil
			continue
		}
		if current == nil || lastKey != p.key {
			current = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: p.firstLine}
			root.Content = append(root.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p.key, Line: p.keyLine}, current)
			lastKey = p.key
		}
		// The piece parsed as {key: [items]}: take the items.
		if p.node.Kind != yaml.MappingNode || len(p.node.Content) != 2 || p.node.Content[1].Kind != yaml.SequenceNode {
			return nil, false
		}
		current.Content = append(current.Content, p.node.Content[1].Content...)
	}
	if len(root.Content) > 0 {
		root.Line = root.Content[0].Line
	}
	return root, true
}

func (p *piece) parse() {
	text := p.text
	if p.seq {
		text = append([]byte(p.key+":\n"), p.text...)
		p.wrapPrefix = 1
	}
	var n yaml.Node
	if err := yaml.Unmarshal(text, &n); err != nil {
		p.err = err
		return
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
		p.err = errBadPiece
		return
	}
	shiftLines(n.Content[0], p.firstLine-1-p.wrapPrefix)
	p.node = n.Content[0]
}

type pieceError struct{}

func (pieceError) Error() string { return "piece has no single root" }

var errBadPiece = pieceError{}

func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// cutDocument cuts the document into pieces, or reports that it cannot.
func cutDocument(data []byte) ([]*piece, bool) {
	if bytes.IndexByte(data, '\t') >= 0 || bytes.IndexByte(data, '\r') >= 0 {
		return nil, false
	}
	type line struct {
		start, end int // byte range, without the newline
	}
	var lines []line
	for off := 0; off < len(data); {
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			lines = append(lines, line{off, len(data)})
			break
		}
		lines = append(lines, line{off, off + nl})
		off += nl + 1
	}
	text := func(from, to int) []byte { // lines [from, to)
		if from >= to {
			return nil
		}
		return data[lines[from].start:lines[to-1].end]
	}
	blank := func(i int) bool {
		l := bytes.TrimLeft(data[lines[i].start:lines[i].end], " ")
		return len(l) == 0 || l[0] == '#'
	}
	// Top-level segments start at lines in column 0 that are not blank or comments.
	var starts []int
	for i, l := range lines {
		if l.start == l.end || blank(i) || data[l.start] == ' ' {
			continue
		}
		switch data[l.start] {
		case '-', '%', '{', '[', '&', '*', '!', '?', '|', '>', '"', '\'':
			return nil, false // document markers, directives, or a root that is not a plain mapping
		}
		starts = append(starts, i)
	}
	if len(starts) == 0 {
		return nil, false
	}
	for i := 0; i < starts[0]; i++ {
		if !blank(i) {
			return nil, false
		}
	}
	var pieces []*piece
	for si, s := range starts {
		end := len(lines)
		if si+1 < len(starts) {
			end = starts[si+1]
		}
		head := data[lines[s].start:lines[s].end]
		colon := bytes.IndexByte(head, ':')
		rest := []byte(nil)
		if colon >= 0 {
			rest = bytes.TrimSpace(head[colon+1:])
		}
		if colon < 0 || len(rest) > 0 && rest[0] != '#' || end-s < 2 {
			pieces = append(pieces, &piece{text: text(s, end), firstLine: s + 1})
			continue
		}
		key := string(head[:colon])
		// A block value: find the sequence's item indentation from its first item.
		first := -1
		for i := s + 1; i < end; i++ {
			if !blank(i) {
				first = i
				break
			}
		}
		if first < 0 {
			pieces = append(pieces, &piece{text: text(s, end), firstLine: s + 1})
			continue
		}
		l := data[lines[first].start:lines[first].end]
		indent := len(l) - len(bytes.TrimLeft(l, " "))
		if !bytes.HasPrefix(l[indent:], []byte("- ")) && !bytes.Equal(l[indent:], []byte("-")) {
			pieces = append(pieces, &piece{text: text(s, end), firstLine: s + 1})
			continue
		}
		marker := append(bytes.Repeat([]byte(" "), indent), '-')
		isItem := func(i int) bool {
			l := data[lines[i].start:lines[i].end]
			return bytes.HasPrefix(l, marker) && (len(l) == len(marker) || l[len(marker)] == ' ')
		}
		from, size := first, 0
		for i := first; i < end; i++ {
			if i > from && isItem(i) && size >= pieceBytes {
				pieces = append(pieces, &piece{text: text(from, i), firstLine: from + 1, key: key, keyLine: s + 1, seq: true})
				from, size = i, 0
			}
			size += lines[i].end - lines[i].start + 1
		}
		pieces = append(pieces, &piece{text: text(from, end), firstLine: from + 1, key: key, keyLine: s + 1, seq: true})
	}
	return pieces, true
}
