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
