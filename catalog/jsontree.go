package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// maxJSONDepth bounds nesting of a JSON document; definitions nest a few levels only.
const maxJSONDepth = 64

// parseJSONTree reads a JSON document into the same node tree that go-yaml produces, with
// the line of every value, so that one walker serves both formats.
func parseJSONTree(data []byte) (*yaml.Node, error) {
	lines := lineStarts(data)
	if off := loneSurrogate(data); off >= 0 {
		j := &jsonTree{data: data, lines: lines}
		return nil, fmt.Errorf("line %d: the escape %s is half of a UTF-16 surrogate pair, not a character (encoding/json would turn it into U+FFFD); write the character itself, or both halves of its pair", j.lineOf(off), data[off:off+6])
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	j := &jsonTree{data: data, lines: lines, dec: dec}
	n, err := j.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: unexpected data after the end of the JSON document", j.line())
	}
	return n, nil
}

type jsonTree struct {
	data  []byte
	lines []int
	dec   *json.Decoder
}

// line is the line of the next token: the decoder's offset, past separators.
func (j *jsonTree) line() int {
	off := int(j.dec.InputOffset())
	for off < len(j.data) {
		switch j.data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return j.lineOf(off)
}

// lineOf is the 1-based line of byte offset off.
func (j *jsonTree) lineOf(off int) int {
	return sort.Search(len(j.lines), func(i int) bool { return j.lines[i] > off+1 })
}

func (j *jsonTree) token() (json.Token, int, error) {
	line := j.line()
	t, err := j.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, 0, fmt.Errorf("line %d: %v", j.lineOf(int(se.Offset)-1), err)
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, fmt.Errorf("line %d: unexpected end of the JSON document", len(j.lines))
		}
		return nil, 0, fmt.Errorf("line %d: %v", line, err)
	}
	return t, line, nil
}

func (j *jsonTree) value(depth int) (*yaml.Node, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("line %d: JSON nested more than %d deep", j.line(), maxJSONDepth)
	}
	t, line, err := j.token()
	if err != nil {
		return nil, err
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
			for j.dec.More() {
				kt, kline, err := j.token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				val, err := j.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: kline}, val)
			}
			if _, _, err := j.token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: line}
			for j.dec.More() {
				val, err := j.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, val)
			}
			if _, _, err := j.token(); err != nil {
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("line %d: unexpected %q", line, v)
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: line}, nil
	case json.Number:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: v.String(), Line: line}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v), Line: line}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null", Line: line}, nil
	}
	return nil, fmt.Errorf("line %d: unexpected JSON token", line)
}

// loneSurrogate returns the offset of the first \uXXXX escape that is half of a UTF-16
// surrogate pair without its other half, or -1. encoding/json replaces such an escape with
// U+FFFD silently; a document must not change on its way in. A backslash only appears in
// strings (elsewhere the parser refuses it), so a scan of escapes needs no string state.
func loneSurrogate(data []byte) int {
	hex4 := func(i int) (int, bool) {
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		return int(v), err == nil
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		v, ok := hex4(i)
		switch {
		case !ok:
			i++ // an escaped character, "\\" included
		case v >= 0xD800 && v <= 0xDBFF:
			if lo, ok := hex4(i + 6); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				i += 11
				continue
			}
			return i
		case v >= 0xDC00 && v <= 0xDFFF:
			return i
		default:
			i += 5
		}
	}
	return -1
}

// lineStarts returns the 1-based offset of the start of each line.
func lineStarts(data []byte) []int {
	starts := []int{1}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+2)
		}
	}
	return starts
}
