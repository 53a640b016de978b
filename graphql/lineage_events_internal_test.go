package graphql

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
)

// The three body forms give the same events; what is none of them is an error naming where.
func TestSplitEvents(t *testing.T) {
	a, b := `{"eventType":"START","n":1}`, `{"eventType":"COMPLETE","n":[2]}`
	for _, body := range []string{"[" + a + "," + b + "]", a + "\n" + b + "\n", " \n" + a + b, "\t[ " + a + " ,\n" + b + " ]\n"} {
		got, err := splitEvents([]byte(body))
		if err != nil || len(got) != 2 || string(got[0]) != a || string(got[1]) != b {
			t.Errorf("%q: %q %v", body, got, err)
		}
	}
	for body, want := range map[string]string{
		"":                  "no event",
		"   ":               "no event",
		"x":                 `found 'x'`,
		a + "\n{":           "event 1 (line 2",
		"[" + a + ",]":      "event 1",
		"[" + a + "] x":     "data after the array",
		"[" + a:             "the array",
		a + "\n" + `{"a":}`: "event 1 (line 2",
	} {
		if _, err := splitEvents([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", body, err, want)
		}
	}
}

// The canonical form of an event does not depend on its key order or white space.
func TestCanonicalEvent(t *testing.T) {
	ev := func(s string) []byte {
		out, err := checkEvents([]json.RawMessage{json.RawMessage(s)})
		if err != nil {
			t.Fatal(err)
		}
		return out[0]
	}
	x := ev(`{"eventType":"START","eventTime":"2024-01-01T00:00:00Z","run":{"runId":"0190c0b0-0000-7000-8000-000000000000"},"job":{"namespace":"n","name":"j"},"producer":"https://p","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}`)
	y := ev(`{ "schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent", "producer":"https://p",
		"job":{"name":"j","namespace":"n"}, "run":{"runId":"0190c0b0-0000-7000-8000-000000000000"},"eventTime":"2024-01-01T00:00:00Z","eventType":"START"}`)
	if !bytes.Equal(x, y) || bytes.ContainsRune(x, '\n') {
		t.Fatalf("%s\n%s", x, y)
	}
}

// FuzzSplitEvents: the body splitter never panics; every event it returns is one JSON
// value; and an array of those events splits back into the same events.
func FuzzSplitEvents(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[{"a":1},{"b":2}]`, "{\"a\":1}\n{\"b\":[2]}\n", `[`, `{`, ` `, `[1,2]`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := splitEvents(body)
		if err != nil {
			return
		}
		for _, e := range evs {
			if !json.Valid(e) {
				t.Fatalf("an invalid event %q from %q", e, body)
			}
		}
		if len(evs) == 0 {
			return
		}
		joined := "[" + string(bytes.Join(rawBytes(evs), []byte(","))) + "]"
		again, err := splitEvents([]byte(joined))
		if err != nil || len(again) != len(evs) {
			t.Fatalf("re-split of %q: %d events, %v", joined, len(again), err)
		}
	})
}

// FuzzCheckEvents: schema validation and canonical forms never panic, and an event
// accepted once is accepted again in its canonical form, unchanged.
func FuzzCheckEvents(f *testing.F) {
	f.Add([]byte(`{"eventType":"START","eventTime":"2024-01-01T00:00:00Z","run":{"runId":"0190c0b0-0000-7000-8000-000000000000"},"job":{"namespace":"n","name":"j"},"producer":"https://p","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}`))
	f.Add([]byte(`{"run":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := checkEvents([]json.RawMessage{b})
		if err != nil {
			if catalog.KindOf(err) != catalog.InvalidArgument {
				t.Fatalf("%q: %v", b, err)
			}
			return
		}
		again, err := checkEvents([]json.RawMessage{out[0]})
		if err != nil || !bytes.Equal(again[0], out[0]) {
			t.Fatalf("canonical %s is not stable: %s %v", out[0], again, err)
		}
	})
}

func rawBytes(rs []json.RawMessage) [][]byte {
	out := make([][]byte, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}
