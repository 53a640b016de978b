package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// fuzzDocs are seeds for FuzzParseDocument besides the files in testdata.
var fuzzDocs = []string{
	"",
	"datasets: []\n",
	"{}",
	`{"namespace": "ns", "datasets": [{"name": "A", "fields": [{"name": "x", "type": "list[int]"}]}]}`,
	"{datasets: [{name: A, pipeline: {inputs: [B], columns: {x: B.x}}}]}",
	"namespace: ns\ndatasets:\n  - name: A\n    tags: [PII, ~PII]\n    owner: team:_x\n",
	"datasets:\n  - &a {name: A}\n  - *a\n  - <<: *a\n",
	"datasets: []\n---\nfeaturesets: []\n",
	"featuresets:\n  - name: F\n    features: [{name: f, type: 'map[str, optional[int]]', from: [/A.x, F]}]\n",
	"[1, 2, {\"a\": null}]",
	"datasets:\n  - name: A\n    fields: [{name: x, type: int, key: yes}, {name: x}]\n",
	// Issue 7: anchors, bad bytes, empty column mappings, bad names with other problems,
	// namespaced problems, case slips, long descriptions, and kinds.
	"datasets:\n  - name: A\n    tags: &t [PII]\n",
	"&k datasets: &d\n  - &a {name: A}\n",
	"datasets:\n  - name: caf\xe9\n",
	"{\"datasets\": [{\"name\": \"caf\xe9\"}]}",
	"datasets:\n  - name: A\x00\n",
	"{\"datasets\": [{\"name\": \"A\"}]}\x00",
	"datasets:\n  - name: A\n    fields: [{name: x, type: int}]\n    pipeline: {inputs: [A], columns: {x: [], y: null, z:}}\n",
	"datasets:\n  - name: a//b\n    owner: \"\"\n    fields: [{name: \"x y \", type: integer}]\n",
	"namespace: o\ndatasets:\n  - name: D\n    owner: \"\"\n  - name: /E\n",
	"datasets:\n  - name: U\n    fields: [{name: city, type: str}]\n  - name: V\n    fields: [{name: c, type: str}]\n    pipeline: {inputs: [U], columns: {C: [u.City]}}\n" +
		"featuresets:\n  - name: U\n    features: [{name: f, type: str, from: [U.City]}]\n",
	"datasets:\n  - name: A\n    description: " + strings.Repeat("d", MaxDescriptionBytes+1) + "\n",
}

func addDocSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".json") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, d := range fuzzDocs {
		f.Add([]byte(d))
	}
}

// lineBreaks counts what YAML takes for line breaks, for an upper bound of problem lines.
func lineBreaks(data []byte) int {
	n := 0
	for _, sep := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		n += bytes.Count(data, []byte(sep))
	}
	return n
}

func checkLines(t *testing.T, data []byte, ps []Problem) {
	t.Helper()
	// go-yaml puts the implicit null value of an explicit key ("? k" with no ":") on the
	// line of the next token, which at the end of the document is one past the last line.
	maxLine := lineBreaks(data) + 2
	for _, p := range ps {
		if p.Line < 0 || p.Line > maxLine {
			t.Fatalf("problem with line %d (the document has %d): %s", p.Line, maxLine, describe(p))
		}
		if p.Msg == "" {
			t.Fatalf("problem without a message: %s", describe(p))
		}
	}
}

// FuzzParseDocument checks that no document makes parsing, resolving or planning panic,
// that every problem has a sensible line, and that a document without problems resolves to
// valid assets.
func FuzzParseDocument(f *testing.F) {
	addDocSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, ps := ParseDocument(data)
		checkLines(t, data, ps)
		if doc == nil {
			if len(ps) == 0 {
				t.Fatal("no document and no problem")
			}
			return
		}
		res, more := Resolve(doc)
		checkLines(t, data, more)
		ch, planned := Plan(EmptySnapshot, res, PlanOptions{Deployer: "user:fuzz"})
		checkLines(t, data, planned)
		if len(ps)+len(more) > 0 {
			return
		}
		for _, a := range res.Assets {
			if err := ValidatePath(a.Path); err != nil {
				t.Fatalf("resolved asset %q: %v", a.Path, err)
			}
			for _, tag := range a.Tags {
				if _, _, err := ParseTagDecl(tag); err != nil {
					t.Fatalf("%s: tag %q: %v", a.Path, tag, err)
				}
			}
			for _, m := range a.Members {
				if err := ValidateMemberName(m.Name); err != nil {
					t.Fatalf("%s: member %q: %v", a.Path, m.Name, err)
				}
				if n, err := NormalizeType(m.Type); err != nil || n != m.Type {
					t.Fatalf("%s.%s: type %q is not canonical: %q, %v", a.Path, m.Name, m.Type, n, err)
				}
			}
		}
		if len(planned) == 0 {
			snap, _ := EmptySnapshot.apply(ch.Upserts, ch.Removes)
			if snap.Len() != len(res.Assets) || len(ch.Added) != len(res.Assets) {
				t.Fatalf("%d assets resolved, %d added, %d in the snapshot", len(res.Assets), len(ch.Added), snap.Len())
			}
		}
	})
}

// FuzzValidatePath checks that a path that validates keeps every rule of DESIGN §2.
func FuzzValidatePath(f *testing.F) {
	for _, s := range []string{"User", "data/forecast", "jane.doe@acme/weather", "JHUAPL/Mouse 17/EM", "a//b", "..",
		"a/../b", " x", "x.y", "日本/データ", "a\x00b", "a\xffb", strings.Repeat("a/", 600)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		err := ValidatePath(p)
		refErr := ValidateRef(p)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if refErr != nil {
			t.Fatalf("%q is a valid path but not a valid reference: %v", p, refErr)
		}
		if len(p) > MaxPathBytes || !utf8.ValidString(p) {
			t.Fatalf("%q: %d bytes, valid UTF-8 %v", p, len(p), utf8.ValidString(p))
		}
		segs := strings.Split(p, "/")
		for i, s := range segs {
			if s == "" || s == "." || s == ".." || len(s) > MaxSegmentBytes {
				t.Fatalf("%q has segment %q", p, s)
			}
			if strings.TrimSpace(s) != s {
				t.Fatalf("%q: segment %q has outer space", p, s)
			}
			for _, r := range s {
				if unicode.IsControl(r) || r == 0 {
					t.Fatalf("%q holds control character %U", p, r)
				}
			}
			if i == len(segs)-1 && strings.Contains(s, ".") {
				t.Fatalf("%q: the last segment holds a dot", p)
			}
		}
		if a, m := SplitMember(p); a != p || m != "" {
			t.Fatalf("SplitMember(%q) = (%q, %q) for a valid path", p, a, m)
		}
		if ValidatePath(p+".x") == nil {
			t.Fatalf("%q.x validates as a path", p)
		}
	})
}

// FuzzNormalizeType checks that a normalized type normalizes to itself.
func FuzzNormalizeType(f *testing.F) {
	for _, s := range []string{"int", "list[optional[int]]", "map[str, list[float]]", "map[int,str]", "list[", "in t",
		strings.Repeat("list[", 40) + "int" + strings.Repeat("]", 40), "optional[ decimal ]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeType(s)
		if err != nil {
			if n != "" {
				t.Fatalf("NormalizeType(%q) = %q with error %v", s, n, err)
			}
			return
		}
		if n == "" || strings.ContainsFunc(n, unicode.IsSpace) {
			t.Fatalf("NormalizeType(%q) = %q", s, n)
		}
		n2, err := NormalizeType(n)
		if err != nil || n2 != n {
			t.Fatalf("NormalizeType(%q) = %q, but NormalizeType(%q) = %q, %v", s, n, n, n2, err)
		}
	})
}

// FuzzParseTagDecl checks that a declaration parses back to what was written.
func FuzzParseTagDecl(f *testing.F) {
	for _, s := range []string{"PII", "country:IN", "~PII", "a~b", "~~x", "~", "", " PII", "Ärzte"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		name, cancel, err := ParseTagDecl(d)
		if err != nil {
			if name != "" || cancel {
				t.Fatalf("ParseTagDecl(%q) = (%q, %v) with error %v", d, name, cancel, err)
			}
			if ValidateTagName(d) == nil {
				t.Fatalf("%q is a valid tag name but not a valid declaration", d)
			}
			return
		}
		if err := ValidateTagName(name); err != nil {
			t.Fatalf("ParseTagDecl(%q) = %q, which does not validate: %v", d, name, err)
		}
		back := name
		if cancel {
			back = "~" + name
		}
		if back != d || strings.Contains(name, "~") || name == "" {
			t.Fatalf("ParseTagDecl(%q) = (%q, %v)", d, name, cancel)
		}
		if _, c, err := ParseTagDecl("~" + name); err != nil || !c {
			t.Fatalf("the cancellation of %q does not parse: %v", name, err)
		}
	})
}
