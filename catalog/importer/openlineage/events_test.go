package openlineage_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer/openlineage"
)

// Events hands over each event of the three shapes as written, and names a malformed one.
func TestEvents(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string
		err      string
	}{
		{"one object", ` {"a": 1} `, []string{`{"a": 1}`}, ""},
		{"an array", `[{"a": 1}, {"b": [2]}]`, []string{`{"a": 1}`, `{"b": [2]}`}, ""},
		{"JSON lines", "{\"a\":1}\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}, ""},
		{"empty", "  \n", nil, ""},
		{"a broken second line", "{\"a\":1}\n{\"b\": \n", []string{`{"a":1}`}, "event 1 (byte 8, line 2)"},
		{"not JSON", "hello", nil, "expected an OpenLineage event"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			err := openlineage.Events(strings.NewReader(c.in), func(i int, ev json.RawMessage) error {
				if i != len(got) {
					t.Errorf("event index %d, want %d", i, len(got))
				}
				got = append(got, string(ev))
				return nil
			})
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("events %q, want %q", got, c.want)
			}
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Errorf("error %v, want one with %q", err, c.err)
			}
		})
	}
}
