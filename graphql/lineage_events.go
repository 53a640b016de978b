package graphql

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tagflow/tagflow/catalog"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The body of POST /api/v1/lineage: OpenLineage run events, checked against the
// OpenLineage JSON Schema (a copy embedded from OpenLineage's spec, see
// openlineage/README.md) and written in a canonical form, so that one event sent twice
// with its keys in another order or other white space is stored and merged once.

//go:embed openlineage/OpenLineage.json
var openLineageSchemaJSON []byte

const openLineageSchemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json"

// olSchemas are the compiled schemas of the three event kinds and of the whole spec.
type olSchemas struct {
	run, dataset, job, any *jsonschema.Schema
}

var schemaPrinter = message.NewPrinter(language.English)

var (
	olSchemaOnce sync.Once
	olSchema     *olSchemas
	olSchemaErr  error
)

func openLineageSchemas() (*olSchemas, error) {
	olSchemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openLineageSchemaJSON))
		if err != nil {
			olSchemaErr = fmt.Errorf("the embedded OpenLineage schema: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(openLineageSchemaURL, doc); err != nil {
			olSchemaErr = err
			return
		}
		var s olSchemas
		for _, x := range []struct {
			into **jsonschema.Schema
			ref  string
		}{{&s.run, "#/$defs/RunEvent"}, {&s.dataset, "#/$defs/DatasetEvent"}, {&s.job, "#/$defs/JobEvent"}, {&s.any, ""}} {
			if *x.into, err = c.Compile(openLineageSchemaURL + x.ref); err != nil {
				olSchemaErr = fmt.Errorf("compile the OpenLineage schema%s: %w", x.ref, err)
				return
			}
		}
		olSchema = &s
	})
	return olSchema, olSchemaErr
}

// splitEvents splits a body into its events: one JSON object, a JSON array of objects, or
// objects one after another (JSON lines). Each event is returned as written. The error
// says where the body stops being one of those.
func splitEvents(body []byte) ([]json.RawMessage, error) {
	t := bytes.TrimLeft(body, " \t\r\n")
	if len(t) == 0 {
		return nil, errors.New("the body holds no event: send one OpenLineage event, a JSON array of them or JSON lines")
	}
	skipped := int64(len(body) - len(t))
	dec := json.NewDecoder(bytes.NewReader(t))
	var out []json.RawMessage
	switch t[0] {
	case '[':
		if _, err := dec.Token(); err != nil {
			return nil, bodyError(body, skipped, dec.InputOffset(), "", err)
		}
		for i := 0; dec.More(); i++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, bodyError(body, skipped, dec.InputOffset(), fmt.Sprintf("event %d", i), err)
			}
			out = append(out, raw)
		}
		if _, err := dec.Token(); err != nil {
			return nil, bodyError(body, skipped, dec.InputOffset(), "the array", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, bodyError(body, skipped, dec.InputOffset(), "", errors.New("data after the array of events"))
		}
	case '{':
		for i := 0; ; i++ {
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, bodyError(body, skipped, dec.InputOffset(), fmt.Sprintf("event %d", i), err)
			}
			out = append(out, raw)
		}
	default:
		return nil, bodyError(body, skipped, 0, "", fmt.Errorf("found %q where an event (a JSON object) or an array of events must start", t[0]))
	}
	return out, nil
}

func bodyError(body []byte, skipped, off int64, what string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	at := min(max(skipped+off, 0), int64(len(body)))
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if errors.Is(err, io.ErrUnexpectedEOF) {
		at, msg = int64(len(body)), "the body ends inside it"
	}
	line := bytes.Count(body[:at], []byte{'\n'}) + 1
	if what != "" {
		return fmt.Errorf("%s (line %d, byte %d): not valid JSON: %s", what, line, at, msg)
	}
	return fmt.Errorf("line %d, byte %d: %s", line, at, msg)
}

// checkedEvent is an event that passed the schema, in canonical form: compact JSON with
// the keys of every object sorted, on one line.
type checkedEvent struct {
	canonical []byte
	hash      [32]byte
}

// checkEvents validates every event against the OpenLineage schema and answers the
// canonical forms, or an InvalidArgument error listing each bad event by its index.
func checkEvents(raws []json.RawMessage) ([][]byte, error) {
	schemas, err := openLineageSchemas()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(raws))
	var problems []catalog.Problem
	for i, raw := range raws {
		where := fmt.Sprintf("event %d", i)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			problems = append(problems, catalog.Problem{Asset: where, Msg: "not valid JSON: " + err.Error()})
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			problems = append(problems, catalog.Problem{Asset: where, Msg: "an event must be a JSON object"})
			continue
		}
		sch, kind := schemas.any, "an OpenLineage event"
		switch {
		case obj["run"] != nil:
			sch, kind = schemas.run, "a RunEvent"
		case obj["dataset"] != nil:
			sch, kind = schemas.dataset, "a DatasetEvent"
		case obj["job"] != nil:
			sch, kind = schemas.job, "a JobEvent"
		}
		if err := sch.Validate(v); err != nil {
			for _, m := range schemaProblems(err) {
				problems = append(problems, catalog.Problem{Asset: where, Msg: "not " + kind + " of the OpenLineage schema: " + m})
			}
			continue
		}
		if out[i], err = json.Marshal(v); err != nil {
			problems = append(problems, catalog.Problem{Asset: where, Msg: err.Error()})
		}
	}
	if len(problems) > 0 {
		total := len(problems)
		return nil, &catalog.Error{Op: "lineage", Kind: catalog.InvalidArgument,
			Msg:      fmt.Sprintf("%s of %d refused by the OpenLineage schema; nothing was applied", plural(countEvents(problems), "event"), len(raws)),
			Problems: catalog.FirstProblems(problems), TotalProblems: total}
	}
	return out, nil
}

func countEvents(ps []catalog.Problem) int {
	n := 0
	for i, p := range ps {
		if i == 0 || p.Asset != ps[i-1].Asset {
			n++
		}
	}
	return n
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// schemaProblems are the leaf errors of a schema validation, each with the place in the
// event ("/run/runId: ...").
func schemaProblems(err error) []string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			out = append(out, fmt.Sprintf("at %s: %s", loc, e.ErrorKind.LocalizedString(schemaPrinter)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("and %d more", len(out)-20))
	}
	return out
}
