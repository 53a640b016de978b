package dbt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tagflow/tagflow/catalog/importer"
)

// node is what the translation reads of a node or source; the rest is skipped.
type node struct {
	UniqueID     string  `json:"unique_id"`
	ResourceType string  `json:"resource_type"`
	Description  string  `json:"description"`
	Tags         tagList `json:"tags"`
	Meta         meta    `json:"meta"`
	Config       config  `json:"config"`
	Columns      columns `json:"columns"`
	DependsOn    struct {
		Nodes []string `json:"nodes"`
	} `json:"depends_on"`
}

type config struct {
	Tags tagList `json:"tags"`
	Meta meta    `json:"meta"`
}

type column struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	DataType    string  `json:"data_type"`
	Tags        tagList `json:"tags"`
	Meta        meta    `json:"meta"`
	Config      config  `json:"config"`
	key         string  // the key in columns:, used when name is empty
}

// meta keeps values undecoded: only a few keys matter, and they must be told apart by
// JSON type (true is PII, "true" is not).
type meta map[string]json.RawMessage

// tagList reads dbt tags: a list of strings, or one string (dbt accepts both in config).
type tagList []string

func (t *tagList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*t = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = tagList{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return errors.New("tags must be a string or a list of strings")
	}
	*t = l
	return nil
}

// columns keeps a node's columns in the order the manifest lists them (a Go map would
// not): fields are in declaration order.
type columns []column

func (c *columns) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*c = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("columns must be an object of column name to column")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var col column
		if err := dec.Decode(&col); err != nil {
			return fmt.Errorf("columns[%q]: %v", t, importer.JSONError(err))
		}
		col.key = t.(string)
		*c = append(*c, col)
	}
	_, err := dec.Token()
	return err
}

// skip reads any JSON value and keeps nothing.
type skip struct{}

func (*skip) UnmarshalJSON([]byte) error { return nil }

// knownKeys are the top-level keys of manifests v1 to v12; others are noted and skipped.
var knownKeys = map[string]bool{
	"metadata": true, "nodes": true, "sources": true, "macros": true, "docs": true,
	"exposures": true, "metrics": true, "selectors": true, "disabled": true,
	"parent_map": true, "child_map": true, "group_map": true, "groups": true,
	"semantic_models": true, "saved_queries": true, "unit_tests": true, "files": true,
	"reports": true,
}

// manifestReader walks the manifest's top level and hands each node to fn.
type manifestReader struct {
	dec       *json.Decoder
	node      func(section, key string, n *node)
	parents   func(key string, parents []string)
	hasParent bool
	version   int
	versionOf string
	unknown   []string
}

func (m *manifestReader) read() error {
	t, err := m.dec.Token()
	if err == io.EOF {
		return errors.New("the manifest is empty")
	}
	if err != nil {
		return m.errAt("", err)
	}
	if t != json.Delim('{') {
		return fmt.Errorf("byte 0: a dbt manifest is a JSON object, not %v", tokenKind(t))
	}
	for m.dec.More() {
		kt, err := m.dec.Token()
		if err != nil {
			return m.errAt("", err)
		}
		key := kt.(string)
		switch key {
		case "metadata":
			var md struct {
				SchemaVersion string `json:"dbt_schema_version"`
			}
			if err := m.dec.Decode(&md); err != nil {
				return m.errAt("metadata", err)
			}
			m.versionOf = md.SchemaVersion
			m.version = schemaVersion(md.SchemaVersion)
		case "nodes", "sources":
			err = m.entries(key, func(k string) error {
				var n node
				if err := m.dec.Decode(&n); err != nil {
					return err
				}
				m.node(key, k, &n)
				return nil
			})
		case "parent_map":
			m.hasParent = true
			err = m.entries(key, func(k string) error {
				var ps []string
				if err := m.dec.Decode(&ps); err != nil {
					return err
				}
				m.parents(k, ps)
				return nil
			})
		default:
			if !knownKeys[key] {
				m.unknown = append(m.unknown, key)
			}
			err = m.skipValue(key)
		}
		if err != nil {
			return err
		}
	}
	if _, err := m.dec.Token(); err != nil {
		return m.errAt("", err)
	}
	if _, err := m.dec.Token(); err != io.EOF {
		return fmt.Errorf("byte %d: unexpected data after the manifest", m.dec.InputOffset())
	}
	return nil
}

// entries calls fn for each key of the object at the decoder, fn decoding the value.
func (m *manifestReader) entries(section string, fn func(key string) error) error {
	start := m.dec.InputOffset()
	t, err := m.dec.Token()
	if err != nil {
		return m.errAt(section, err)
	}
	if t == nil {
		return nil // null: nothing in it
	}
	if t != json.Delim('{') {
		return fmt.Errorf("byte %d: %s must be an object, not %s", start, section, tokenKind(t))
	}
	for m.dec.More() {
		kt, err := m.dec.Token()
		if err != nil {
			return m.errAt(section, err)
		}
		k := kt.(string)
		if err := fn(k); err != nil {
			return m.errAt(fmt.Sprintf("%s[%q]", section, k), err)
		}
	}
	if _, err := m.dec.Token(); err != nil {
		return m.errAt(section, err)
	}
	return nil
}

// skipValue skips the value at the decoder one entry at a time, so that the decoder never
// holds a whole large section (the macros) at once.
func (m *manifestReader) skipValue(section string) error {
	t, err := m.dec.Token()
	if err != nil {
		return m.errAt(section, err)
	}
	d, ok := t.(json.Delim)
	if !ok {
		return nil // a scalar: done
	}
	for m.dec.More() {
		if d == '{' {
			if _, err := m.dec.Token(); err != nil {
				return m.errAt(section, err)
			}
		}
		if err := m.dec.Decode(&skip{}); err != nil {
			return m.errAt(section, err)
		}
	}
	if _, err := m.dec.Token(); err != nil {
		return m.errAt(section, err)
	}
	return nil
}

func (m *manifestReader) errAt(where string, err error) error {
	off := m.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if where == "" {
		return fmt.Errorf("byte %d: %v", off, importer.JSONError(err))
	}
	return fmt.Errorf("byte %d: %s: %v", off, where, importer.JSONError(err))
}

func tokenKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return string(v)
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// schemaVersion reads N from ".../manifest/vN.json", or 0.
func schemaVersion(url string) int {
	i := strings.LastIndex(url, "/v")
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(url[i+2:], ".json"))
	if err != nil {
		return 0
	}
	return n
}
