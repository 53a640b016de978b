package openlineage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tagflow/tagflow/catalog/importer"
)

// The parts of an OpenLineage event the translation reads; everything else (run facets,
// producers, most facets) is ignored. Field names are OpenLineage's, so that a type error
// names the key as the producer wrote it.
type event struct {
	EventType string    `json:"eventType"`
	EventTime string    `json:"eventTime"`
	Job       *job      `json:"job"`
	Inputs    []dataset `json:"inputs"`
	Outputs   []dataset `json:"outputs"`
	// Dataset is set on a static DatasetEvent (OpenLineage 2): a declaration of one dataset.
	Dataset *dataset `json:"dataset"`
}

type job struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Facets    struct {
		Documentation *documentation `json:"documentation"`
	} `json:"facets"`
}

type documentation struct {
	Description string `json:"description"`
}

type dataset struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Facets    struct {
		Schema        *schemaFacet        `json:"schema"`
		ColumnLineage *columnLineageFacet `json:"columnLineage"`
		Documentation *documentation      `json:"documentation"`
	} `json:"facets"`
}

type schemaFacet struct {
	Fields []schemaField `json:"fields"`
}

type schemaField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

type columnLineageFacet struct {
	Fields  orderedFields `json:"fields"`
	Dataset []inputField  `json:"dataset"`
}

type fieldLineage struct {
	InputFields []inputField `json:"inputFields"`
	// TransformationType is the facet's older, field-level encoding (MASKED, IDENTITY).
	TransformationType string `json:"transformationType"`
}

type inputField struct {
	Namespace       string           `json:"namespace"`
	Name            string           `json:"name"`
	Field           string           `json:"field"`
	Transformations []transformation `json:"transformations"`
}

type transformation struct {
	Type    string `json:"type"`
	Masking bool   `json:"masking"`
}

// orderedFields keeps columnLineage.fields in the order written (a Go map would not), so
// that the notes about them come out in one order.
type orderedFields []namedLineage

type namedLineage struct {
	Name string
	fieldLineage
}

func (o *orderedFields) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*o = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("columnLineage fields must be an object mapping output fields to their inputs")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var fl fieldLineage
		if err := dec.Decode(&fl); err != nil {
			return fmt.Errorf("columnLineage fields[%q]: %w", t, importer.JSONError(err))
		}
		*o = append(*o, namedLineage{Name: t.(string), fieldLineage: fl})
	}
	_, err := dec.Token()
	return err
}

// Decode reads events from r into m: one JSON object, a JSON array of objects, or JSON
// lines (any whitespace between objects). Events are decoded one at a time, so memory
// holds one event and the merged state, never the whole input. A malformed event is an
// error naming its index (from 0), byte offset and line, and the key at fault.
func (m *Merger) Decode(r io.Reader) error {
	return walkEvents(r, func(dec *json.Decoder, i int, at func(int64) string, lr *lineReader, base int64) error {
		var ev event
		if err := decodeAt(dec, i, at, lr, base, &ev); err != nil {
			return err
		}
		m.add(&ev, fmt.Sprintf("event %d", i))
		return nil
	})
}

// Events calls fn with each event of r as it stands in the input (one JSON object, a JSON
// array of objects, or JSON lines), one at a time, so memory holds one event: what a
// client needs to send a large log in batches. Malformed JSON is an error naming the event
// like Decode's; what an event means is not checked.
func Events(r io.Reader, fn func(i int, event json.RawMessage) error) error {
	return walkEvents(r, func(dec *json.Decoder, i int, at func(int64) string, lr *lineReader, base int64) error {
		var raw json.RawMessage
		if err := decodeAt(dec, i, at, lr, base, &raw); err != nil {
			return err
		}
		return fn(i, raw)
	})
}

// walkEvents finds the shape of r (an object, an array, JSON lines) and calls each for
// every event, with the decoder positioned at its start.
func walkEvents(r io.Reader, each func(dec *json.Decoder, i int, at func(int64) string, lr *lineReader, base int64) error) error {
	lr := &lineReader{r: r}
	br := bufio.NewReaderSize(lr, 64<<10)
	// Find the first byte that is not white space, without consuming it.
	var first byte
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return nil // nothing to import: an empty log is not an error
		}
		if err != nil {
			return err
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			first = c
			_ = br.UnreadByte()
			break
		}
		lr.skip++
	}
	dec := json.NewDecoder(br)
	base := lr.skip
	at := func(off int64) string {
		return fmt.Sprintf("byte %d, line %d", base+off, lr.lineOf(base+off))
	}
	switch first {
	case '[':
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("%s: %v", at(dec.InputOffset()), importer.JSONError(err))
		}
		for i := 0; dec.More(); i++ {
			if err := each(dec, i, at, lr, base); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("%s: the array of events does not end: %v", at(dec.InputOffset()), importer.JSONError(err))
		}
		if _, err := dec.Token(); err != io.EOF {
			return fmt.Errorf("%s: unexpected data after the array of events", at(dec.InputOffset()))
		}
		return nil
	case '{':
		for i := 0; ; i++ {
			if !dec.More() {
				if _, err := dec.Token(); err != io.EOF {
					return fmt.Errorf("%s: unexpected data after event %d", at(dec.InputOffset()), i-1)
				}
				return nil
			}
			if err := each(dec, i, at, lr, base); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("%s: expected an OpenLineage event (a JSON object), an array of events or JSON lines, found %q", at(0), first)
}

// decodeAt decodes the event at dec's position into v, with an error naming event i and
// where it went wrong.
func decodeAt(dec *json.Decoder, i int, at func(int64) string, lr *lineReader, base int64, v any) error {
	start := dec.InputOffset()
	lr.release(base + start)
	if err := dec.Decode(v); err != nil {
		off := start
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = start + te.Offset
		case errors.Is(err, io.ErrUnexpectedEOF):
			off = dec.InputOffset()
		}
		return fmt.Errorf("event %d (%s): %v", i, at(off), importer.JSONError(err))
	}
	return nil
}

// AddJSON merges one event given as JSON (what the HTTP endpoint receives).
func (m *Merger) AddJSON(b []byte) error {
	var ev event
	if err := json.Unmarshal(b, &ev); err != nil {
		return fmt.Errorf("event: %v", importer.JSONError(err))
	}
	m.add(&ev, "event")
	return nil
}

// lineReader counts lines for error messages. It keeps the bytes read since the start of
// the current event (release drops those before it), so memory stays one event's worth.
type lineReader struct {
	r         io.Reader
	skip      int64 // white space skipped before the first value
	bufStart  int64 // offset of buf[0]
	buf       []byte
	linesDone int // newlines before bufStart
}

func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.buf = append(l.buf, p[:n]...)
	return n, err
}

func (l *lineReader) release(off int64) {
	k := off - l.bufStart
	if k <= 0 {
		return
	}
	if k > int64(len(l.buf)) {
		k = int64(len(l.buf))
	}
	l.linesDone += bytes.Count(l.buf[:k], []byte{'\n'})
	l.buf = append(l.buf[:0], l.buf[k:]...)
	l.bufStart += k
}

// lineOf is the 1-based line of offset off, or 0 if it was released already.
func (l *lineReader) lineOf(off int64) int {
	k := off - l.bufStart
	if k < 0 {
		return 0
	}
	if k > int64(len(l.buf)) {
		k = int64(len(l.buf))
	}
	return l.linesDone + bytes.Count(l.buf[:k], []byte{'\n'}) + 1
}
