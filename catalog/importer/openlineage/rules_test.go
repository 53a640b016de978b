package openlineage_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog/importer"
	"github.com/tagflow/tagflow/catalog/importer/importertest"
	"github.com/tagflow/tagflow/catalog/importer/openlineage"
)

// ev writes a run event of job "j" at minute min, with inputs and outputs given as JSON.
func ev(typ string, min int, inputs, outputs string) string {
	return fmt.Sprintf(`{"eventType":%q,"eventTime":"2024-01-01T00:%02d:00Z","run":{"runId":"r"},"job":{"namespace":"ns","name":"j"},"inputs":[%s],"outputs":[%s]}`,
		typ, min, inputs, outputs)
}

func evJob(job string, min int, inputs, outputs string) string {
	return strings.Replace(ev("COMPLETE", min, inputs, outputs), `"name":"j"`, fmt.Sprintf(`"name":%q`, job), 1)
}

func ds(name, facets string) string {
	if facets == "" {
		return fmt.Sprintf(`{"namespace":"db","name":%q}`, name)
	}
	return fmt.Sprintf(`{"namespace":"db","name":%q,"facets":{%s}}`, name, facets)
}

func schema(fields ...string) string {
	var fs []string
	for _, f := range fields {
		name, typ, _ := strings.Cut(f, ":")
		fs = append(fs, fmt.Sprintf(`{"name":%q,"type":%q}`, name, typ))
	}
	return `"schema":{"fields":[` + strings.Join(fs, ",") + `]}`
}

func in(name, field, transformations string) string {
	return fmt.Sprintf(`{"namespace":"db","name":%q,"field":%q,"transformations":[%s]}`, name, field, transformations)
}

const (
	direct       = `{"type":"DIRECT","subtype":"IDENTITY"}`
	directMasked = `{"type":"DIRECT","subtype":"TRANSFORMATION","masking":true}`
	indirect     = `{"type":"INDIRECT","subtype":"JOIN"}`
	indirectMask = `{"type":"INDIRECT","subtype":"FILTER","masking":true}`
)

func run(t *testing.T, opts openlineage.Options, events ...string) *importer.Result {
	t.Helper()
	res := translate(t, []byte(strings.Join(events, "\n")), opts)
	importertest.Deployable(t, res.Document)
	return res
}

// Masking: at least one DIRECT transformation, and every DIRECT one masking (or the older
// transformationType MASKED), declares ~t for each masking tag; INDIRECT entries and the
// whole-dataset list are not consulted.
func TestMasking(t *testing.T) {
	src := ds("src", schema("a:int", "b:int"))
	cases := []struct {
		name  string
		field string // the columnLineage entry of output field "o"
		whole string // the whole-dataset list
		opts  openlineage.Options
		want  []string
	}{
		{"one direct masked", `{"inputFields":[` + in("src", "a", directMasked) + `]}`, "", openlineage.Options{}, []string{"~PII"}},
		{"all direct masked", `{"inputFields":[` + in("src", "a", directMasked) + `,` + in("src", "b", directMasked) + `]}`, "", openlineage.Options{}, []string{"~PII"}},
		{"one direct unmasked", `{"inputFields":[` + in("src", "a", directMasked) + `,` + in("src", "b", direct) + `]}`, "", openlineage.Options{}, nil},
		{"masked and unmasked in one entry", `{"inputFields":[` + in("src", "a", directMasked+","+direct) + `]}`, "", openlineage.Options{}, nil},
		{"indirect masked only", `{"inputFields":[` + in("src", "a", indirectMask) + `]}`, "", openlineage.Options{}, nil},
		{"direct masked plus indirect", `{"inputFields":[` + in("src", "a", directMasked) + `,` + in("src", "b", indirect) + `]}`, "", openlineage.Options{}, []string{"~PII"}},
		{"no transformations", `{"inputFields":[` + in("src", "a", "") + `]}`, "", openlineage.Options{}, nil},
		{"older MASKED", `{"inputFields":[` + in("src", "a", "") + `],"transformationType":"MASKED"}`, "", openlineage.Options{}, []string{"~PII"}},
		{"whole list not consulted", `{"inputFields":[` + in("src", "a", direct) + `]}`, in("src", "b", `{"type":"DIRECT","masking":true}`), openlineage.Options{}, nil},
		{"masking list", `{"inputFields":[` + in("src", "a", directMasked) + `]}`, "", openlineage.Options{MaskingTags: []string{"PII", "email"}}, []string{"~PII", "~email"}},
		{"masking off", `{"inputFields":[` + in("src", "a", directMasked) + `]}`, "", openlineage.Options{MaskingTags: []string{}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := `"columnLineage":{"fields":{"o":` + c.field + `}`
			if c.whole != "" {
				cl += `,"dataset":[` + c.whole + `]`
			}
			cl += `}`
			res := run(t, c.opts, ev("COMPLETE", 1, src, ds("out", schema("o:str")+","+cl)))
			got := importertest.Member(t, importertest.Asset(t, res.Document, "db/out"), "o").Tags
			if !slices.Equal(got, c.want) {
				t.Errorf("tags = %v, want %v", got, c.want)
			}
		})
	}
}

// Column lineage: DIRECT and INDIRECT entries alike, plus the whole-dataset list for every
// output field; a field with no entry is left out of columns; no facet, no columns.
func TestColumnLineage(t *testing.T) {
	src := ds("src", schema("a:int", "b:int", "c:int"))
	t.Run("entries and whole list", func(t *testing.T) {
		cl := `"columnLineage":{"fields":{"x":{"inputFields":[` + in("src", "a", direct) + `,` + in("src", "b", indirect) + `]}},"dataset":[` + in("src", "c", indirect) + `]}`
		res := run(t, openlineage.Options{}, ev("COMPLETE", 1, src, ds("out", schema("x:int", "y:int")+","+cl)))
		cols := columns(importertest.Asset(t, res.Document, "db/out"))
		if !slices.Equal(cols["x"], []string{"db/src.a", "db/src.b", "db/src.c"}) || !slices.Equal(cols["y"], []string{"db/src.c"}) {
			t.Errorf("columns = %v", cols)
		}
	})
	t.Run("unmapped field left out", func(t *testing.T) {
		cl := `"columnLineage":{"fields":{"x":{"inputFields":[` + in("src", "a", direct) + `]}}}`
		res := run(t, openlineage.Options{}, ev("COMPLETE", 1, src, ds("out", schema("x:int", "y:int")+","+cl)))
		out := importertest.Asset(t, res.Document, "db/out")
		cols := columns(out)
		if _, ok := cols["y"]; ok || len(cols) != 1 || !out.Pipeline.HasColumns {
			t.Errorf("columns = %v (declared %v)", cols, out.Pipeline.HasColumns)
		}
	})
	t.Run("an empty facet declares column lineage that maps nothing", func(t *testing.T) {
		res := run(t, openlineage.Options{}, ev("COMPLETE", 1, src, ds("out", schema("x:int")+`,"columnLineage":{"fields":{}}`)))
		out := importertest.Asset(t, res.Document, "db/out")
		if !out.Pipeline.HasColumns || len(out.Pipeline.Columns) != 0 {
			t.Errorf("pipeline = %+v", out.Pipeline)
		}
		y, _ := importer.YAML(res.Document)
		if !strings.Contains(string(y), "columns: {}") {
			t.Errorf("no columns: {} in\n%s", y)
		}
	})
	t.Run("no facet, no column lineage", func(t *testing.T) {
		res := run(t, openlineage.Options{}, ev("COMPLETE", 1, src, ds("out", schema("x:int"))))
		if p := importertest.Asset(t, res.Document, "db/out").Pipeline; p.HasColumns || p.Columns != nil {
			t.Errorf("pipeline = %+v", p)
		}
	})
	t.Run("undeclared dataset and field become placeholders", func(t *testing.T) {
		cl := `"columnLineage":{"fields":{"x":{"inputFields":[` + in("ghost", "g", direct) + `,` + in("src", "zz", direct) + `]},"extra":{"inputFields":[` + in("src", "a", direct) + `]}}}`
		res := run(t, openlineage.Options{}, ev("COMPLETE", 1, src, ds("out", schema("x:int")+","+cl)))
		out := importertest.Asset(t, res.Document, "db/out")
		if !slices.Equal(out.Pipeline.Inputs, []string{"db/ghost", "db/src"}) {
			t.Errorf("inputs = %v", out.Pipeline.Inputs)
		}
		ghost := importertest.Asset(t, res.Document, "db/ghost")
		if len(ghost.Members) != 1 || ghost.Members[0].Name != "g" || ghost.Members[0].Type != "str" {
			t.Errorf("ghost = %+v", ghost)
		}
		if importertest.Member(t, importertest.Asset(t, res.Document, "db/src"), "zz").Type != "str" || importertest.Member(t, out, "extra").Type != "str" {
			t.Error("extra fields are not str")
		}
		for path, part := range map[string]string{"db/ghost": "placeholder", "db/out": "added to the pipeline's inputs", "db/src.zz": "no schema facet", "db/out.extra": "no schema facet"} {
			if !importertest.HasNote(res.Notes, path, part) {
				t.Errorf("no note on %s saying %q: %v", path, part, res.Notes)
			}
		}
	})
	t.Run("self references are left out", func(t *testing.T) {
		cl := `"columnLineage":{"fields":{"x":{"inputFields":[` + in("out", "y", direct) + `,` + in("src", "a", direct) + `]}}}`
		res := run(t, openlineage.Options{}, ev("COMPLETE", 1, src+","+ds("out", ""), ds("out", schema("x:int", "y:int")+","+cl)))
		out := importertest.Asset(t, res.Document, "db/out")
		if !slices.Equal(out.Pipeline.Inputs, []string{"db/src"}) || !slices.Equal(columns(out)["x"], []string{"db/src.a"}) {
			t.Errorf("pipeline = %+v", out.Pipeline)
		}
		if !importertest.HasNote(res.Notes, "db/out", "self-loop") || !importertest.HasNote(res.Notes, "db/out", "the dataset itself") {
			t.Errorf("notes = %v", res.Notes)
		}
	})
}

// Merging: fields are the union of every schema (never removed), the latest event's type
// wins, and each output reads the union of the inputs of every job writing it.
func TestMerge(t *testing.T) {
	t.Run("union of schemas, latest type", func(t *testing.T) {
		res := run(t, openlineage.Options{},
			ev("COMPLETE", 5, "", ds("out", schema("a:varchar", "c:int"))),
			ev("START", 1, "", ds("out", schema("a:int", "b:int"))),
			ev("START", 5, "", ds("out", schema("a:bigint"))), // same time, earlier in a run
		)
		out := importertest.Asset(t, res.Document, "db/out")
		var got []string
		for _, m := range out.Members {
			got = append(got, m.Name+":"+m.Type)
		}
		if !slices.Equal(got, []string{"a:str", "b:int", "c:int"}) {
			t.Errorf("fields = %v", got)
		}
	})
	t.Run("ties break on the value, not the order", func(t *testing.T) {
		e1 := ev("COMPLETE", 1, "", ds("out", schema("a:int")))
		e2 := ev("COMPLETE", 1, "", ds("out", schema("a:float")))
		a := run(t, openlineage.Options{}, e1, e2)
		b := run(t, openlineage.Options{}, e2, e1)
		if x, y := importertest.Member(t, importertest.Asset(t, a.Document, "db/out"), "a").Type, importertest.Member(t, importertest.Asset(t, b.Document, "db/out"), "a").Type; x != y {
			t.Errorf("order decides: %s vs %s", x, y)
		}
	})
	t.Run("inputs of every writer", func(t *testing.T) {
		res := run(t, openlineage.Options{},
			evJob("j1", 1, ds("a", ""), ds("out", "")),
			evJob("j2", 2, ds("b", ""), ds("out", "")),
			evJob("j1", 3, ds("c", ""), ""), // a later run of j1 reads c too
			evJob("j3", 4, ds("out", ""), ds("down", "")),
		)
		if got := importertest.Asset(t, res.Document, "db/out").Pipeline.Inputs; !slices.Equal(got, []string{"db/a", "db/b", "db/c"}) {
			t.Errorf("inputs = %v", got)
		}
		if got := importertest.Asset(t, res.Document, "db/down").Pipeline.Inputs; !slices.Equal(got, []string{"db/out"}) {
			t.Errorf("down inputs = %v", got)
		}
		if importertest.Asset(t, res.Document, "db/a").Pipeline != nil {
			t.Error("an input only dataset has a pipeline")
		}
	})
	t.Run("a writer without column lineage is noted", func(t *testing.T) {
		cl := `"columnLineage":{"fields":{"x":{"inputFields":[` + in("a", "k", direct) + `]}}}`
		res := run(t, openlineage.Options{},
			evJob("j1", 1, ds("a", schema("k:int")), ds("out", schema("x:int")+","+cl)),
			evJob("j2", 2, ds("b", schema("k:int")), ds("out", "")),
		)
		if !importertest.HasNote(res.Notes, "db/out", "without column lineage") {
			t.Errorf("notes = %v", res.Notes)
		}
	})
	t.Run("cycles are noted", func(t *testing.T) {
		res := run(t, openlineage.Options{},
			evJob("j1", 1, ds("a", ""), ds("b", "")),
			evJob("j2", 2, ds("b", ""), ds("a", "")),
		)
		if !importertest.HasNote(res.Notes, "db/a", "cycle") {
			t.Errorf("notes = %v", res.Notes)
		}
	})
}

// Two outside names that map to one path, or one member, are an error naming both.
func TestCollisions(t *testing.T) {
	cases := map[string]string{
		"datasets": ev("COMPLETE", 1, `{"namespace":"db","name":"a.b"}`, `{"namespace":"db","name":"a/b"}`),
		"fields":   ev("COMPLETE", 1, "", ds("out", schema("x.y:int", "x_y:int"))),
	}
	for name, e := range cases {
		_, err := openlineage.Translate(strings.NewReader(e), openlineage.Options{})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		wants := map[string][]string{"datasets": {`"a.b"`, `"a/b"`, "db/a/b"}, "fields": {`"x.y"`, `"x_y"`}}[name]
		for _, w := range wants {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not name %s", name, msg, w)
			}
		}
	}
}

// The three encodings of input all read, and malformed input is an error saying where.
func TestInputForms(t *testing.T) {
	e := ev("COMPLETE", 1, ds("a", ""), ds("b", ""))
	for name, data := range map[string]string{
		"one object": e, "array": "[" + e + "," + e + "]", "json lines": e + "\n" + e + "\n",
		"pretty": strings.ReplaceAll(e, ",", ",\n  "), "empty": "  \n", "empty array": "[]",
	} {
		if _, err := openlineage.Translate(strings.NewReader(data), openlineage.Options{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := []struct{ name, data, want string }{
		{"syntax", e + "\n{\"eventType\":", "event 1 (byte 199, line 2): the input ends too early"},
		{"bad token", e + "\n{\"eventType\": x}", "line 2): not valid JSON"},
		{"line", e + "\n" + e + "\n" + `{"eventType":"START","outputs":[{"name":5}]}`, "event 2 (byte"},
		{"type", `{"eventType":"START","outputs":[{"name":5}]}`, `key "outputs.name" is a JSON number, expected a string`},
		{"not an event", "[1]", "event 0"},
		{"not json", "hello", "expected an OpenLineage event"},
		{"trailing", "[" + e + "] x", "after the array"},
		{"stray", e + "}", "unexpected data after event 0"},
		{"facet", `{"outputs":[{"name":"x","facets":{"columnLineage":{"fields":[]}}}]}`, "columnLineage"},
	}
	for _, c := range bad {
		_, err := openlineage.Translate(strings.NewReader(c.data), openlineage.Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	_, err := openlineage.Translate(strings.NewReader(e+"\n"+e+"\n"+`{"outputs":"x"}`), openlineage.Options{})
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("JSON lines error names no line: %v", err)
	}
}

// Odd but readable events are notes, never errors.
func TestOddEventsAreNotes(t *testing.T) {
	res := run(t, openlineage.Options{},
		`{"eventType":"COMPLETE","outputs":[{"namespace":"db","name":"x"}]}`,
		`{"eventType":"COMPLETE","eventTime":"yesterday","job":{"namespace":"n","name":"j"},"outputs":[{"namespace":"db","name":"y"}]}`,
	)
	res2 := run(t, openlineage.Options{},
		ev("COMPLETE", 1, `{"namespace":"","name":""}`, ds("out", schema(":int", "a:int")+`,"columnLineage":{"fields":{"":{},"a":{"inputFields":[`+in("", "", direct)+`]}}}`)),
		ev("COMPLETE", 2, "", ds("out", schema("a:"))), // no type: the earlier one stays
	)
	if got := importertest.Member(t, importertest.Asset(t, res2.Document, "db/out"), "a").Type; got != "int" {
		t.Errorf("a type-less schema erased the type: %s", got)
	}
	for _, part := range []string{"neither namespace nor name", "schema field without a name", "field without a name", "entry without a dataset or field name"} {
		found := false
		for _, n := range res2.Notes {
			found = found || strings.Contains(n.Msg, part)
		}
		if !found {
			t.Errorf("no note saying %q: %v", part, res2.Notes)
		}
	}
	many := make([]string, 50)
	for i := range many {
		many[i] = `{"eventType":"COMPLETE","job":{"namespace":"n","name":"j"},"outputs":[{"namespace":"db","name":"x"}]}`
	}
	if res := run(t, openlineage.Options{}, many...); len(res.Notes) != 1 || res.Notes[0].Where != "event 0 and 49 more" {
		t.Errorf("50 events without eventTime: notes %v", res.Notes)
	}
	if len(res.Notes) < 3 {
		t.Errorf("notes = %v", res.Notes)
	}
	if _, err := openlineage.NewMerger(openlineage.Options{MaskingTags: []string{"bad tag"}}); err == nil {
		t.Error("a bad masking tag is accepted")
	}
}
