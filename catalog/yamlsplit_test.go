package catalog

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/fixtures/synth"
	"go.yaml.in/yaml/v3"
)

// wholeTree parses data the ordinary way, for comparison.
func wholeTree(t testing.TB, data []byte) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}

// strip keeps what the document walker reads: kinds, tags, values and lines.
func strip(n *yaml.Node) any {
	kids := make([]any, len(n.Content))
	for i, c := range n.Content {
		kids[i] = strip(c)
	}
	return []any{n.Kind, n.Tag, n.Value, n.Line, kids}
}

func TestSplitParseEqualsWholeParse(t *testing.T) {
	big := synth.YAML(synth.Options{Datasets: 900, Featuresets: 60, Seed: 3, TagShare: 0.2, NoDescription: true})
	withTail := append(append([]byte("# leading comment\nnamespace: ns\n\n"), big...), []byte("\n# trailing comment\n")...)
	for name, doc := range map[string][]byte{"synthetic": big, "namespace and comments": withTail} {
		t.Run(name, func(t *testing.T) {
			got, ok := parseYAMLSplit(doc)
			if !ok {
				t.Fatal("the splitter refused a plain document")
			}
			if !reflect.DeepEqual(strip(got), strip(wholeTree(t, doc))) {
				t.Fatal("split parse differs from the whole parse")
			}
		})
	}
}

// A document the splitter cannot cut, or whose pieces do not parse, falls back to the
// whole parse, and so gives the same answer and the same errors.
func TestSplitParseFallsBack(t *testing.T) {
	pad := strings.Repeat("# padding to pass the size threshold\n", splitMinBytes/36+1)
	item := "  - name: A%d\n    fields: [{name: x, type: int}]\n"
	var items strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&items, item, i)
	}
	cases := map[string]string{
		"document marker":            "---\n" + pad + "datasets:\n" + items.String(),
		"quoted string across items": pad + "datasets:\n  - name: X\n    description: \"open\n" + items.String() + "  - name: \"closed\"\n",
		"tab":                        pad + "datasets:\n\t- name: X\n",
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, ok := parseYAMLSplit([]byte(doc)); ok {
				t.Fatal("the splitter took a document it must give back")
			}
			_, ps1 := ParseDocument([]byte(doc))
			var n yaml.Node
			err := yaml.Unmarshal([]byte(doc), &n)
			if (err != nil) != (len(ps1) > 0 && strings.Contains(ps1[0].Msg, "not valid YAML")) {
				t.Fatalf("ParseDocument problems %v, yaml error %v", ps1, err)
			}
		})
	}
}

func BenchmarkParseDocument10k(b *testing.B) {
	doc := synth.YAML(synth.Options{Datasets: 10_000, Seed: 1})
	b.SetBytes(int64(len(doc)))
	for i := 0; i < b.N; i++ {
		if _, ps := ParseDocument(doc); len(ps) > 0 {
			b.Fatal(ps[0])
		}
	}
}

func BenchmarkParseDocumentWhole10k(b *testing.B) {
	doc := synth.YAML(synth.Options{Datasets: 10_000, Seed: 1})
	b.SetBytes(int64(len(doc)))
	for i := 0; i < b.N; i++ {
		var n yaml.Node
		if err := yaml.Unmarshal(doc, &n); err != nil {
			b.Fatal(err)
		}
	}
}
