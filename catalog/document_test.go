package catalog

import (
	"fmt"
	"strings"
	"testing"
)

// Bases for the cases that check a document against an existing branch state.
const (
	baseUser = `
datasets:
  - name: User
    fields: [{name: uid, type: int}, {name: city, type: str}]
`
	// ns/A is read by X (outside ns), by ns/B (inside) and by the feature F.f.
	baseReaders = `
datasets:
  - name: ns/A
    fields: [{name: x, type: int}, {name: y, type: int}]
  - name: ns/B
    fields: [{name: x, type: int}]
    pipeline: {inputs: [ns/A]}
  - name: X
    fields: [{name: y, type: int}]
    pipeline: {inputs: [ns/A], columns: {y: [ns/A.y]}}
featuresets:
  - name: F
    features: [{name: f, type: int, from: [ns/A.x]}]
`
)

// TestDocumentProblems has one case per class of bad input. Each names the problems the
// whole deploy check (ParseDocument, Resolve, Plan) must report: exactly those, each with
// its asset and line.
func TestDocumentProblems(t *testing.T) {
	tests := []struct {
		name string
		base string // a document deployed first, if any
		doc  string
		opts PlanOptions
		want []wantProblem
	}{
		// Syntax.
		// go-yaml names the line where the construct that failed starts, which for a
		// scanner error is the line of the problem.
		{name: "invalid YAML", doc: "datasets:\n  - name: A\n    description: \"never closed\n",
			want: []wantProblem{{"", 3, "not valid YAML or JSON: yaml: line 3: found unexpected end of stream"}}},
		{name: "invalid YAML mapping", doc: "datasets:\n  - name: A\n    fields: x: y\n",
			want: []wantProblem{{"", 3, "mapping values are not allowed in this context"}}},
		{name: "invalid JSON", doc: "{\n  \"datasets\": [\n    {\"name\": \"A\",}\n  ]\n}\n",
			want: []wantProblem{{"", 3, "not valid YAML or JSON: line 3: invalid character '}'"}}},
		{name: "truncated JSON", doc: "{\n  \"datasets\": [\n    {\"name\": \"A\"",
			want: []wantProblem{{"", 3, "unexpected end of the JSON document"}}},
		{name: "JSON with trailing data", doc: "{\"datasets\": []}\n\n{}",
			want: []wantProblem{{"", 3, "unexpected data after the end of the JSON document"}}},
		{name: "empty document", doc: "",
			want: []wantProblem{{"", 0, "the document is empty"}}},
		{name: "only a comment", doc: "# nothing yet\n\n",
			want: []wantProblem{{"", 0, "the document is empty"}}},
		{name: "null document", doc: "null\n",
			want: []wantProblem{{"", 0, "the document is empty"}}},
		{name: "not a mapping", doc: "- name: A\n",
			want: []wantProblem{{"", 1, "must be a mapping with datasets: and featuresets:, not a list"}}},
		{name: "JSON list", doc: "[\n{\"name\": \"A\"}]",
			want: []wantProblem{{"", 1, "must be a mapping"}}},
		{name: "YAML alias", doc: "datasets:\n  - &a {name: A}\n  - *a\n",
			want: []wantProblem{{"A", 2, "YAML anchors (&a) are not supported"}, {"", 3, "datasets: YAML aliases are not supported"}}},
		{name: "YAML alias value", doc: "datasets:\n  - name: A\n    tags: &t [PII]\n  - name: B\n    tags: *t\n",
			want: []wantProblem{{"A", 3, "YAML anchors (&t) are not supported"}, {"B", 5, "tags: YAML aliases are not supported"}}},
		{name: "YAML alias in a list", doc: "datasets:\n  - name: &n A\n    tags: [*n]\n",
			want: []wantProblem{{"A", 2, "YAML anchors (&n)"}, {"A", 3, "tags must hold strings, not an alias"}}},
		{name: "YAML merge key", doc: "datasets:\n  - &a {name: A}\n  - <<: *a\n    name: B\n",
			want: []wantProblem{{"A", 2, "YAML anchors (&a)"}, {"B", 3, "merge keys (<<) are not supported"}}},
		// The README says anchors are refused: without an alias too.
		{name: "YAML anchor without an alias", doc: "datasets:\n  - name: A\n    tags: &t [PII]\n",
			want: []wantProblem{{"A", 3, "YAML anchors (&t) are not supported in definitions documents"}}},
		{name: "YAML anchor on a list of assets", doc: "datasets: &all\n  - name: A\n",
			want: []wantProblem{{"", 1, "YAML anchors (&all)"}}},
		{name: "YAML anchor on a field in a namespace", doc: "namespace: ns\ndatasets:\n  - name: A\n    fields:\n      - &f {name: x, type: int}\n",
			want: []wantProblem{{"ns/A", 5, "YAML anchors (&f)"}}},
		{name: "YAML anchor on a key", doc: "&k datasets: []\n",
			want: []wantProblem{{"", 1, "YAML anchors (&k)"}}},

		// Encoding: the first bad byte, with its line and column, in YAML and JSON alike.
		{name: "invalid UTF-8 in YAML", doc: "datasets:\n  - name: A\n    description: caf\xe9\n",
			want: []wantProblem{{"", 3, "the document is not valid UTF-8 (byte 0xe9) at column 21"}}},
		{name: "invalid UTF-8 in JSON", doc: "{\"datasets\": [\n  {\"name\": \"A\", \"description\": \"caf\xe9\"}\n]}",
			want: []wantProblem{{"", 2, "the document is not valid UTF-8 (byte 0xe9) at column 36"}}},
		{name: "lone high surrogate escape in JSON", doc: "{\"datasets\": [\n  {\"name\": \"A\", \"description\": \"x\\ud800y\"}\n]}",
			want: []wantProblem{{"", 2, `the escape \ud800 is half of a UTF-16 surrogate pair`}}},
		{name: "lone low surrogate escape in JSON", doc: "{\"datasets\": [\n\n  {\"name\": \"A\\udc00\"}\n]}",
			want: []wantProblem{{"", 3, `the escape \udc00 is half of a UTF-16 surrogate pair`}}},
		{name: "NUL in YAML", doc: "datasets:\n  - name: Ä\x00\n",
			want: []wantProblem{{"", 2, "the document holds a NUL byte at column 12"}}},
		{name: "NUL in JSON", doc: "{\"datasets\": [\n\n{\"name\": \"A\"}\x00]}",
			want: []wantProblem{{"", 3, "the document holds a NUL byte at column 14"}}},
		{name: "second YAML document", doc: "datasets: []\n---\ndatasets: [{name: A}]\n",
			want: []wantProblem{{"", 2, `holds one YAML document; found a second after "---"`}}},
		{name: "second YAML document invalid", doc: "datasets: []\n---\ndatasets: [\n",
			want: []wantProblem{{"", 3, "not valid YAML or JSON: yaml: line 3: did not find expected node content"}}},

		// Shape.
		{name: "unknown top-level key", doc: "datasets: []\nsources: [a]\n",
			want: []wantProblem{{"", 2, `unknown key "sources" (expected namespace, datasets, featuresets)`}}},
		{name: "unknown key with a block value", doc: "datasets: []\nsources:\n\n  - a\n  - b\n",
			want: []wantProblem{{"", 2, `unknown key "sources"`}}},
		{name: "unknown explicit key", doc: "datasets: []\n? extra\n",
			want: []wantProblem{{"", 2, `unknown key "extra"`}}},
		{name: "duplicate key", doc: "datasets: []\ndatasets: []\n",
			want: []wantProblem{{"", 2, `key "datasets" appears twice`}}},
		{name: "datasets not a list", doc: "datasets: {name: A}\n",
			want: []wantProblem{{"", 1, "datasets must be a list, not a mapping"}}},
		{name: "asset not a mapping", doc: "datasets:\n  - User\n",
			want: []wantProblem{{"", 2, `each entry of datasets must be a mapping with a name, not the string "User"`}}},
		{name: "unknown dataset key", doc: "datasets:\n  - name: A\n    colour: red\n",
			want: []wantProblem{{"A", 3, `unknown key "colour" (expected name, description, owner, tags, fields, pipeline)`}}},
		{name: "unknown field key with a block value", doc: "datasets:\n  - name: A\n    fields:\n      - name: x\n        type: int\n        checks:\n          - not_null\n",
			want: []wantProblem{{"A.x", 6, `unknown key "checks"`}}},
		{name: "unknown featureset key", doc: "featuresets:\n  - name: F\n    fields: []\n",
			want: []wantProblem{{"F", 3, `unknown key "fields" (expected name, description, owner, tags, features)`}}},
		{name: "unknown field key", doc: "datasets:\n  - name: A\n    fields:\n      - {name: x, type: int, nullable: true}\n",
			want: []wantProblem{{"A.x", 4, `unknown key "nullable" (expected name, type, key, description, tags)`}}},
		{name: "unknown feature key", doc: "featuresets:\n  - name: F\n    features:\n      - {name: f, type: int, inputs: [A]}\n",
			want: []wantProblem{{"F.f", 4, `unknown key "inputs" (expected name, type, from, description, tags)`}}},
		{name: "unknown pipeline key", doc: "datasets:\n  - name: A\n    pipeline: {inputs: [A], colums: {}}\n",
			want: []wantProblem{{"A", 3, `unknown key "colums" in pipeline`}}},
		{name: "missing dataset name", doc: "datasets:\n  - name: A\n  - fields: [{name: y, type: int}]\n",
			want: []wantProblem{{"", 3, "a dataset without a name"}}},
		{name: "missing featureset name", doc: "featuresets:\n  - description: nameless\n",
			want: []wantProblem{{"", 2, "a featureset without a name"}}},
		{name: "name not a string", doc: "datasets:\n  - name: [A]\n",
			want: []wantProblem{{"", 2, "name must be a string, not a list"}, {"", 2, "a dataset without a name"}}},
		{name: "missing field name", doc: "datasets:\n  - name: A\n    fields: [{type: int}]\n",
			want: []wantProblem{{"A", 3, "a field without a name"}}},
		{name: "missing type", doc: "datasets:\n  - name: A\n    fields:\n      - {name: x}\n",
			want: []wantProblem{{"A.x", 4, "field has no type"}}},
		{name: "missing feature type", doc: "featuresets:\n  - name: F\n    features:\n      - name: f\n        from: []\n",
			want: []wantProblem{{"F.f", 4, "feature has no type"}}},
		{name: "empty type", doc: "datasets:\n  - name: A\n    fields:\n      - {name: x, type: \"\"}\n",
			want: []wantProblem{{"A.x", 4, "empty type"}}},
		{name: "null type", doc: "datasets:\n  - name: A\n    fields:\n      - name: x\n        type:\n",
			want: []wantProblem{{"A.x", 5, "type must be a string, not null"}}},
		{name: "unknown type", doc: "datasets:\n  - name: A\n    fields:\n      - name: x\n        type: integer\n",
			want: []wantProblem{{"A.x", 5, `unknown type "integer"`}}},
		{name: "bad map key type", doc: "datasets:\n  - name: A\n    fields: [{name: m, type: 'map[int,str]'}]\n",
			want: []wantProblem{{"A.m", 3, "map keys must be str"}}},
		{name: "key not a boolean", doc: "datasets:\n  - name: A\n    fields: [{name: x, type: int, key: \"yes\"}]\n",
			want: []wantProblem{{"A.x", 3, `key must be true or false, not the string "yes"`}}},
		{name: "feature with key", doc: "featuresets:\n  - name: F\n    features: [{name: f, type: int, key: true}]\n",
			want: []wantProblem{{"F.f", 3, "a feature has no key"}}},
		{name: "field with from", doc: "datasets:\n  - name: A\n    fields: [{name: x, type: int, from: [B.x]}]\n",
			want: []wantProblem{{"A.x", 3, "a field has no from:"}}},
		{name: "featureset with pipeline", doc: "featuresets:\n  - name: F\n    pipeline:\n      inputs: [A]\n",
			want: []wantProblem{{"F", 3, "a featureset has no pipeline"}}},
		{name: "unknown pipeline key with a block value", doc: "datasets:\n  - name: A\n    pipeline:\n      inputs: [A]\n      schedule:\n        cron: daily\n",
			want: []wantProblem{{"A", 5, `unknown key "schedule" in pipeline`}}},
		{name: "tags not a list", doc: "datasets:\n  - name: A\n    tags: PII\n",
			want: []wantProblem{{"A", 3, `tags must be a list of strings, not the string "PII"`}}},
		{name: "pipeline not a mapping", doc: "datasets:\n  - name: A\n    pipeline: [B]\n",
			want: []wantProblem{{"A", 3, "pipeline must be a mapping with inputs:, not a list"}}},
		{name: "pipeline without inputs", doc: "datasets:\n  - name: A\n    pipeline:\n      description: nightly\n",
			want: []wantProblem{{"A", 4, "pipeline has no inputs:"}}},
		{name: "pipeline with empty inputs", doc: "datasets:\n  - name: A\n    pipeline: {inputs: []}\n",
			want: []wantProblem{{"A", 3, "pipeline inputs is empty"}}},
		// DESIGN §3: an empty list in columns would drop every input's tags without a ~tag.
		{name: "columns maps a field to an empty list", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields: [{name: x, type: int}]\n    pipeline: {inputs: [User], columns: {x: []}}\n",
			want: []wantProblem{{"A.x", 4, `pipeline columns maps "x" to no input fields; leave x out of columns to make it fail-closed`}}},
		{name: "columns maps a field to null", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields: [{name: x, type: int}]\n    pipeline: {inputs: [User], columns: {x: null}}\n",
			want: []wantProblem{{"A.x", 4, `pipeline columns maps "x" to no input fields`}}},
		{name: "columns maps a field to nothing", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields: [{name: x, type: int}]\n    pipeline:\n      inputs: [User]\n      columns:\n        x:\n",
			want: []wantProblem{{"A.x", 7, `pipeline columns maps "x" to no input fields`}}},
		{name: "columns maps a field to an empty list in JSON", base: baseUser,
			doc:  "{\"datasets\": [{\"name\": \"A\", \"fields\": [{\"name\": \"x\", \"type\": \"int\"}],\n  \"pipeline\": {\"inputs\": [\"User\"], \"columns\": {\"x\": []}}}]}",
			want: []wantProblem{{"A.x", 2, `pipeline columns maps "x" to no input fields`}}},
		{name: "columns not a mapping", base: baseUser, doc: "datasets:\n  - name: A\n    pipeline: {inputs: [User], columns: [User.uid]}\n",
			want: []wantProblem{{"A", 3, "pipeline columns must map output fields to lists of input fields, not a list"}}},

		// Names.
		{name: "absolute asset name", doc: "datasets:\n  - name: /A\n",
			want: []wantProblem{{"/A", 2, `may not start with "/"`}}},
		{name: "bad asset name", doc: "datasets:\n  - name: sales/or.ders\n",
			want: []wantProblem{{"sales/or.ders", 2, `bad name: segment 2 ("or.ders")`}}},
		{name: "bad field name", doc: "datasets:\n  - name: A\n    fields: [{name: \"a b \", type: int}]\n",
			want: []wantProblem{{"A.a b ", 3, "bad name:"}}},
		// A bad name is reported with everything else wrong with the asset.
		{name: "bad asset name hides nothing", doc: "datasets:\n  - name: sales/or.ders\n    owner: \"\"\n    tags: [\"P II\"]\n" +
			"    fields: [{name: x, type: integer}, {name: \"y.z\", type: list}]\n    pipeline: {inputs: [\"a//b\"]}\n",
			want: []wantProblem{
				{"sales/or.ders", 2, `bad name: segment 2 ("or.ders")`},
				{"sales/or.ders", 3, "owner is empty"},
				{"sales/or.ders", 4, `tag "P II" contains ' '`},
				{"sales/or.ders.x", 5, `unknown type "integer"`},
				{"sales/or.ders.y.z", 5, "bad name:"},
				{"sales/or.ders.y.z", 5, `type "list"`},
				{"sales/or.ders", 6, `pipeline input "a//b": segment 2`},
			}},
		{name: "absolute asset name hides nothing", doc: "namespace: ns\ndatasets:\n  - name: /A\n    owner: team:_x\n    fields: [{name: x, type: int, tags: [\"~~P\"]}]\n",
			want: []wantProblem{{"/A", 3, `may not start with "/"`}, {"/A", 4, `may not start with "_"`}, {"/A.x", 5, `tag "~P"`}}},
		{name: "duplicate dataset", doc: "datasets:\n  - name: A\n  - name: B\n  - name: A\n",
			want: []wantProblem{{"A", 4, `dataset "A" is declared twice (first as a dataset on line 2)`}}},
		{name: "dataset and featureset share a path", doc: "datasets:\n  - name: A\nfeaturesets:\n  - name: A\n",
			want: []wantProblem{{"A", 4, `featureset "A" is declared twice (first as a dataset on line 2); datasets and featuresets share one name space`}}},
		{name: "duplicate field", doc: "datasets:\n  - name: A\n    fields:\n      - {name: x, type: int}\n      - {name: x, type: str}\n",
			want: []wantProblem{{"A.x", 5, `field "x" is declared twice (first on line 4)`}}},
		{name: "duplicate feature", doc: "featuresets:\n  - name: F\n    features: [{name: f, type: int}, {name: f, type: int}]\n",
			want: []wantProblem{{"F.f", 3, `feature "f" is declared twice (first on line 3)`}}},

		// Descriptions are bounded.
		{name: "asset description too long", doc: "datasets:\n  - name: A\n    description: " + strings.Repeat("d", MaxDescriptionBytes+1) + "\n",
			want: []wantProblem{{"A", 3, "description is 65537 bytes, over the limit of 64 KiB"}}},
		{name: "field description too long", doc: "namespace: ns\ndatasets:\n  - name: A\n    fields:\n      - name: x\n        type: int\n        description: " + strings.Repeat("d", 70000) + "\n",
			want: []wantProblem{{"ns/A.x", 7, "description is 70000 bytes, over the limit of 64 KiB"}}},
		{name: "pipeline description too long", doc: "{\"datasets\": [{\"name\": \"A\",\n \"pipeline\": {\"inputs\": [\"A\"], \"description\": \"" + strings.Repeat("d", 1<<20) + "\"}}]}",
			want: []wantProblem{{"A", 2, "pipeline description is 1048576 bytes, over the limit of 64 KiB"}}},
		{name: "description at the limit", doc: "datasets:\n  - name: A\n    description: " + strings.Repeat("d", MaxDescriptionBytes) + "\n"},

		// Tags and owners.
		{name: "tag and its cancellation", doc: "datasets:\n  - name: A\n    tags: [PII, stripe, \"~PII\"]\n",
			want: []wantProblem{{"A", 3, `declares both "PII" and "~PII"`}}},
		{name: "field tag and its cancellation", doc: "datasets:\n  - name: A\n    fields:\n      - {name: x, type: int, tags: [~PII, PII]}\n",
			want: []wantProblem{{"A.x", 4, `declares both "PII" and "~PII"`}}},
		{name: "bad tag name", doc: "datasets:\n  - name: A\n    tags: [\"P II\", ok, \"~~x\", \"a~b\"]\n",
			want: []wantProblem{{"A", 3, `tag "P II" contains ' '`}, {"A", 3, `tag "~x": "~" is only allowed`}, {"A", 3, `tag "a~b": "~" is only allowed`}}},
		{name: "owner without kind", doc: "datasets:\n  - name: A\n    owner: jane\n",
			want: []wantProblem{{"A", 3, `owner: principal "jane" must be written kind:name`}}},
		{name: "owner of unknown kind", doc: "featuresets:\n  - name: F\n    owner: robot:r2\n",
			want: []wantProblem{{"F", 3, `unknown kind "robot"`}}},
		{name: "owner with reserved name", doc: "datasets:\n  - name: A\n    owner: team:_admins\n",
			want: []wantProblem{{"A", 3, `may not start with "_"`}}},

		// References.
		{name: "unknown input", doc: "datasets:\n  - name: A\n    pipeline:\n      inputs: [Nope]\n",
			want: []wantProblem{{"A", 4, `pipeline input "Nope" does not exist`}}},
		{name: "unknown input, case hint from the branch", base: baseUser, doc: "datasets:\n  - name: A\n    pipeline: {inputs: [user]}\n",
			want: []wantProblem{{"A", 3, `pipeline input "user" does not exist (did you mean "User"? names are case-sensitive)`}}},
		{name: "unknown input, case hint from the document", doc: "datasets:\n  - name: Sales/Orders\n  - name: A\n    pipeline: {inputs: [sales/orders]}\n",
			want: []wantProblem{{"A", 4, `(did you mean "Sales/Orders"?`}}},
		{name: "input listed twice", base: baseUser, doc: "datasets:\n  - name: A\n    pipeline: {inputs: [User, User]}\n",
			want: []wantProblem{{"A", 3, `pipeline input "User" is listed twice`}}},
		{name: "bad input path", doc: "datasets:\n  - name: A\n    pipeline: {inputs: [\"a//b\"]}\n",
			want: []wantProblem{{"A", 3, `pipeline input "a//b": segment 2`}}},
		{name: "input is a featureset", doc: "featuresets:\n  - name: F\ndatasets:\n  - name: A\n    pipeline: {inputs: [F]}\n",
			want: []wantProblem{{"A", 5, `pipeline input "F" is a featureset; pipelines read datasets`}}},
		{name: "column lineage from a non-input", base: baseUser,
			doc:  "datasets:\n  - name: B\n    fields: [{name: x, type: int}]\n  - name: A\n    fields: [{name: uid, type: int}]\n    pipeline:\n      inputs: [User]\n      columns:\n        uid: [B.x]\n",
			want: []wantProblem{{"A.uid", 9, `column lineage "B.x" reads B, which is not an input of the pipeline`}}},
		{name: "column lineage from a missing field", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields:\n      - {name: uid, type: int}\n    pipeline:\n      inputs: [User]\n      columns: {uid: User.id}\n",
			want: []wantProblem{{"A.uid", 7, `column lineage names "User.id", but User has no field "id"`}}},
		{name: "column lineage for a missing output field", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields: [{name: uid, type: int}]\n    pipeline:\n      inputs: [User]\n      columns:\n        id: [User.uid]\n",
			want: []wantProblem{{"A.id", 7, `pipeline columns names "id", which is not a field of A`}}},
		{name: "column lineage from a whole dataset", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields: [{name: uid, type: int}]\n    pipeline: {inputs: [User], columns: {uid: [User]}}\n",
			want: []wantProblem{{"A.uid", 4, `column lineage "User" must name an input field (Dataset.field)`}}},
		{name: "from a missing field", base: baseUser,
			doc:  "featuresets:\n  - name: F\n    features:\n      - {name: uid, type: int, from: [User.id]}\n",
			want: []wantProblem{{"F.uid", 4, `from "User.id" does not exist`}}},
		{name: "from a missing dataset", base: baseUser,
			doc:  "featuresets:\n  - name: F\n    features:\n      - {name: uid, type: int, from: [user.uid]}\n",
			want: []wantProblem{{"F.uid", 4, `from "user.uid" does not exist (did you mean "User.uid"?`}}},
		// "Did you mean" for a case slip in a member name, in from and in columns.
		{name: "from a field, case hint", base: baseUser,
			doc:  "featuresets:\n  - name: F\n    features:\n      - {name: c, type: str, from: [User.City]}\n",
			want: []wantProblem{{"F.c", 4, `from "User.City" does not exist (did you mean "User.city"? names are case-sensitive)`}}},
		{name: "from a field of a dataset with another case", base: baseUser,
			doc:  "featuresets:\n  - name: F\n    features:\n      - {name: c, type: str, from: [user.City]}\n",
			want: []wantProblem{{"F.c", 4, `(did you mean "User.city"?`}}},
		{name: "column lineage from a field, case hint", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields: [{name: c, type: str}]\n    pipeline: {inputs: [User], columns: {c: [User.City]}}\n",
			want: []wantProblem{{"A.c", 4, `but User has no field "City" (did you mean "User.city"? names are case-sensitive)`}}},
		{name: "column lineage from an input, case hint", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields: [{name: c, type: str}]\n    pipeline: {inputs: [User], columns: {c: [user.city]}}\n",
			want: []wantProblem{{"A.c", 4, `reads user, which is not an input of the pipeline (did you mean "User.city"?`}}},
		{name: "column lineage for an output field, case hint", base: baseUser,
			doc:  "datasets:\n  - name: A\n    fields: [{name: city, type: str}]\n    pipeline:\n      inputs: [User]\n      columns:\n        City: [User.city]\n",
			want: []wantProblem{{"A.City", 7, `which is not a field of A (did you mean "A.city"?`}}},
		{name: "from a whole featureset",
			doc:  "featuresets:\n  - name: G\n    features: [{name: g, type: int}]\n  - name: F\n    features:\n      - {name: f, type: int, from: [G]}\n",
			want: []wantProblem{{"F.f", 6, `from "G" is a whole featureset; name its features (G.feature)`}}},
		{name: "bad from reference", doc: "featuresets:\n  - name: F\n    features: [{name: f, type: int, from: [\"G.a.b\"]}]\n",
			want: []wantProblem{{"F.f", 3, `from "G.a.b": member:`}}},

		// Against the branch state.
		{name: "prune without a namespace", doc: "datasets: []\n", opts: PlanOptions{Prune: true},
			want: []wantProblem{{"", 0, "prune needs a namespace"}}},
		{name: "prune removes a dataset others read", base: baseReaders,
			doc: "namespace: ns\ndatasets:\n  - name: B\n    fields: [{name: x, type: int}]\n", opts: PlanOptions{Prune: true},
			want: []wantProblem{
				{"ns/A", 0, "ns/A is removed, but X still reads it (pipeline input)"},
				{"ns/A.y", 0, "ns/A.y is removed, but X still reads it (column lineage)"},
				{"ns/A.x", 0, "ns/A.x is removed, but F still reads it (from of feature f)"},
			}},
		{name: "prune removes an input the document still reads", base: baseReaders,
			doc: "namespace: ns\ndatasets:\n  - name: B\n    fields: [{name: x, type: int}]\n    pipeline: {inputs: [A]}\n" +
				"  - name: /X\n    fields: [{name: y, type: int}]\n  - name: /G\n", opts: PlanOptions{Prune: true},
			want: []wantProblem{
				{"ns/B", 5, `pipeline input "ns/A" is removed by this deploy (prune) but ns/B still reads it`},
				{"/X", 6, `may not start with "/"`},
				{"/G", 8, `may not start with "/"`},
				{"ns/A.x", 0, "ns/A.x is removed, but F still reads it"},
				{"ns/A", 0, "ns/A is removed, but X still reads it"},
				{"ns/A.y", 0, "ns/A.y is removed, but X still reads it"},
			}},
		{name: "field removed while column lineage reads it", base: baseReaders,
			doc:  "datasets:\n  - name: ns/A\n    fields: [{name: x, type: int}]\n",
			want: []wantProblem{{"ns/A.y", 2, "ns/A.y is removed from ns/A, but X still reads it (column lineage); change or remove X in the same deploy"}}},
		{name: "field removed while a feature reads it", base: baseReaders,
			doc:  "datasets:\n  - name: ns/A\n    fields: [{name: y, type: int}]\n",
			want: []wantProblem{{"ns/A.x", 2, "ns/A.x is removed from ns/A, but F still reads it (from of feature f)"}}},
		// DESIGN §2: no deploy changes an asset's kind, read or not.
		{name: "dataset becomes a featureset", base: baseReaders,
			doc: "featuresets:\n  - name: ns/A\n    features: [{name: x, type: int}, {name: y, type: int}]\n",
			want: []wantProblem{
				{"ns/A", 2, "ns/A is a dataset on the branch and this document declares it a featureset; an asset's kind never changes: remove it first (a prune deploy), then deploy it anew"},
			}},
		{name: "featureset becomes a dataset", base: baseReaders,
			doc:  "datasets:\n  - name: F\n    fields: [{name: f, type: int}]\n",
			want: []wantProblem{{"F", 2, "F is a featureset on the branch and this document declares it a dataset"}}},
		{name: "dataset nobody reads becomes a featureset", base: baseUser,
			doc:  "namespace: x\nfeaturesets:\n  - name: /User\n",
			want: []wantProblem{{"/User", 3, `may not start with "/"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := EmptySnapshot
			if tt.base != "" {
				base = mustDeploy(t, base, tt.base, PlanOptions{})
			}
			_, got := plan(base, tt.doc, tt.opts)
			checkProblems(t, got, tt.want)
			for _, p := range got {
				if p.Line < 0 {
					t.Errorf("negative line: %s", describe(p))
				}
			}
		})
	}
}

// TestManyProblems checks that one deploy reports every problem of a document at once.
func TestManyProblems(t *testing.T) {
	_, got := plan(EmptySnapshot, readTestdata(t, "many_problems.yaml"), PlanOptions{})
	checkProblems(t, got, []wantProblem{
		{"", 2, `unknown key "version"`},
		{"User", 5, `declares both "PII" and "~PII"`},
		{"User", 6, `owner: principal "jane" must be written kind:name`},
		{"User.uid", 8, `unknown type "integer"`},
		{"User.city", 10, `field "city" is declared twice (first on line 9)`},
		{"User.email", 11, "field has no type"},
		{"User.phone", 12, `unknown key "nullable"`},
		{"User", 13, `dataset "User" is declared twice (first as a dataset on line 4)`},
		{"", 15, "a dataset without a name"},
		{"Orders", 17, `unknown key "colour"`},
		{"Orders.total", 21, `column lineage names "User.amount", but User has no field "amount"`},
		{"Orders", 20, `pipeline input "Missing" does not exist`},
		{"Orders", 20, `pipeline input "UserFeatures" is a featureset`},
		{"Orders", 20, `pipeline input "user" does not exist (did you mean "User"?`},
		{"Orders.nope", 21, `pipeline columns names "nope", which is not a field of Orders`},
		{"Orders.uid", 21, `column lineage "Other.uid" reads Other, which is not an input`},
		{"Bad.Name", 22, "bad name:"},
		{"UserFeatures", 26, `tag "a b" contains ' '`},
		{"UserFeatures.city", 28, `from "User.nope" does not exist`},
		{"UserFeatures.all", 29, `from "UserFeatures" is a whole featureset`},
		{"UserFeatures.k", 30, "a feature has no key"},
	})
}

// TestErrorMessage checks how an *Error carrying problems reads.
func TestErrorMessage(t *testing.T) {
	_, ps := plan(EmptySnapshot, readTestdata(t, "many_problems.yaml"), PlanOptions{})
	SortProblems(ps)
	err := &Error{Op: "deploy main", Kind: InvalidDefinition, Msg: "the document is invalid", Problems: ps}
	msg := err.Error()
	for _, want := range []string{
		"deploy main: the document is invalid (21 problems: ",
		`line 2: unknown key "version"`,
		`; line 5: User: declares both`,
		"; and 18 more)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if KindOf(err) != InvalidDefinition || len(ProblemsOf(err)) != 21 {
		t.Errorf("KindOf = %v, %d problems", KindOf(err), len(ProblemsOf(err)))
	}
	for i := 1; i < len(ps); i++ {
		if ps[i-1].Line > ps[i].Line {
			t.Errorf("SortProblems: line %d before line %d", ps[i-1].Line, ps[i].Line)
		}
	}
}

// TestParseValid checks what the parser and the resolver make of valid documents, in YAML
// and in JSON.
func TestParseValid(t *testing.T) {
	yamlDoc, ps := ParseDocument([]byte(readTestdata(t, "fennel.yaml")))
	if len(ps) > 0 {
		t.Fatalf("fennel.yaml:\n%s", problemList(ps))
	}
	jsonDoc, ps := ParseDocument([]byte(readTestdata(t, "fennel.json")))
	if len(ps) > 0 {
		t.Fatalf("fennel.json:\n%s", problemList(ps))
	}
	ry, ps := Resolve(yamlDoc)
	if len(ps) > 0 {
		t.Fatalf("resolve fennel.yaml:\n%s", problemList(ps))
	}
	rj, ps := Resolve(jsonDoc)
	if len(ps) > 0 {
		t.Fatalf("resolve fennel.json:\n%s", problemList(ps))
	}
	if a, b := encode(ry.Assets), encode(rj.Assets); a != b {
		t.Errorf("YAML and JSON differ:\n%s\n%s", a, b)
	}
	// Lines, as written.
	lines := map[string]struct{ yaml, json int }{
		"User": {3, 3}, "User.city": {5, 4}, "TxnByCity": {9, 7}, "UserFeatures": {14, 12},
		"UserFeatures.total_in_hometown": {18, 16}, "UserFeatures.nope": {14, 12}, "Nope": {0, 0},
	}
	for p, want := range lines {
		if got := ry.Line(p); got != want.yaml {
			t.Errorf("YAML Line(%s) = %d, want %d", p, got, want.yaml)
		}
		if got := rj.Line(p); got != want.json {
			t.Errorf("JSON Line(%s) = %d, want %d", p, got, want.json)
		}
	}
	u := ry.Lookup("User")
	if u == nil || u.Kind != KindDataset || encode(u.Tags) != `["PII"]` || len(u.Members) != 3 ||
		!u.Members[0].Key || u.Members[1].Type != "str" || u.Pipeline != nil {
		t.Errorf("User = %s", encode(u))
	}
	tx := ry.Lookup("TxnByCity")
	if tx == nil || encode(tx.Tags) != `["~PII"]` || tx.Pipeline == nil ||
		encode(tx.Pipeline.Inputs) != `["Transaction","User"]` || tx.Pipeline.Columns != nil {
		t.Errorf("TxnByCity = %s", encode(tx))
	}
	uf := ry.Lookup("UserFeatures")
	if uf == nil || uf.Kind != KindFeatureset || encode(uf.Members[2].From) != `["TxnByCity.total","UserFeatures.city"]` {
		t.Errorf("UserFeatures = %s", encode(uf))
	}
	if ry.Lookup("UserFeatures.city") != nil || ry.Lookup("Nope") != nil {
		t.Error("Lookup finds members or missing assets")
	}
	if ch := mustPlan(t, EmptySnapshot, readTestdata(t, "fennel.yaml"), PlanOptions{}); encode(ch.Added) != `["Transaction","TxnByCity","User","UserFeatures"]` {
		t.Errorf("Added = %v", ch.Added)
	}
}

func TestParseColumnsAndDetails(t *testing.T) {
	doc := `
datasets:
  - name: Customer
    description: One row per customer.
    owner: team:crm
    tags: [stripe, PII, PII]
    fields:
      - {name: id, type: int, key: true, description: the id, tags: [~PII]}
      - {name: country, type: " map[str, list[ float ]] "}
  - name: ByCountry
    fields: [{name: country, type: str}, {name: n, type: int}]
    pipeline:
      description: nightly job
      inputs: [Customer]
      columns:
        country: Customer.country
        n: [Customer.id, Customer.country, Customer.id]
  - name: Empty
    pipeline: {inputs: [Customer], columns: {}}
featuresets:
  - name: F
    owner: user:jane
    features: [{name: f, type: int, from: [Customer, Customer.id, Customer]}]
`
	ch := mustPlan(t, EmptySnapshot, doc, PlanOptions{})
	c := ch.Get("Customer")
	if c.Description != "One row per customer." || c.Owner != "team:crm" || encode(c.Tags) != `["PII","stripe"]` {
		t.Errorf("Customer = %s", encode(c))
	}
	if m := c.Member("id"); m == nil || !m.Key || m.Description != "the id" || encode(m.Tags) != `["~PII"]` {
		t.Errorf("Customer.id = %s", encode(m))
	}
	if m := c.Member("country"); m == nil || m.Type != "map[str,list[float]]" || m.Key {
		t.Errorf("Customer.country = %s", encode(m))
	}
	pl := ch.Get("ByCountry").Pipeline
	if pl.Description != "nightly job" {
		t.Errorf("pipeline description %q", pl.Description)
	}
	if got := encode(pl.Columns); got != `{"country":["Customer.country"],"n":["Customer.country","Customer.id"]}` {
		t.Errorf("columns = %s", got)
	}
	if pl := ch.Get("Empty").Pipeline; pl.Columns == nil || len(pl.Columns) != 0 {
		t.Errorf("columns: {} must be declared column lineage mapping nothing, got %#v", pl.Columns)
	}
	if got := encode(ch.Get("F").Members[0].From); got != `["Customer","Customer.id"]` {
		t.Errorf("from = %s", got)
	}
}

func TestEmptyOwnerIsAProblem(t *testing.T) {
	doc, ps := ParseDocument([]byte("datasets:\n  - name: A\n    owner: \"\"\n    fields: [{name: x, type: int}]\n"))
	if doc == nil || len(ps) != 1 || ps[0].Line != 3 || ps[0].Asset != "A" || !strings.Contains(ps[0].Msg, "owner is empty") {
		t.Fatalf("problems = %v", ps)
	}
}

// TestProblemListsAreBounded checks that each step keeps the first MaxProblems problems by
// line and counts the others, however many there are (DESIGN §6: a document with 300,000
// bad names answered 40 MB).
func TestProblemListsAreBounded(t *testing.T) {
	const n = 3*MaxProblems + 7
	var parse, resolve, planned strings.Builder
	parse.WriteString("datasets:\n")
	resolve.WriteString("datasets:\n")
	planned.WriteString("datasets:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&parse, "  - {name: A%d, colour: red}\n", i)                  // a parser problem each
		fmt.Fprintf(&resolve, "  - {name: \"A%d/\"}\n", i)                        // a bad name each
		fmt.Fprintf(&planned, "  - {name: A%d, pipeline: {inputs: [Nope]}}\n", i) // an unknown input each
	}
	check := func(t *testing.T, ps []Problem, omitted int, msg string) {
		t.Helper()
		if len(ps) != MaxProblems || omitted != n-MaxProblems {
			t.Fatalf("%d problems listed, %d omitted; want %d and %d", len(ps), omitted, MaxProblems, n-MaxProblems)
		}
		SortProblems(ps)
		for i, p := range ps {
			if p.Line != i+2 || !strings.Contains(p.Msg, msg) {
				t.Fatalf("problem %d: %s; want the first problems by line", i, describe(p))
			}
		}
	}
	t.Run("parse", func(t *testing.T) {
		doc, ps := ParseDocument([]byte(parse.String()))
		check(t, ps, doc.OmittedProblems, `unknown key "colour"`)
	})
	t.Run("resolve", func(t *testing.T) {
		doc, ps := ParseDocument([]byte(resolve.String()))
		if len(ps) != 0 {
			t.Fatal(problemList(ps))
		}
		res, ps := Resolve(doc)
		check(t, ps, res.OmittedProblems, "bad name")
	})
	t.Run("plan", func(t *testing.T) {
		doc, _ := ParseDocument([]byte(planned.String()))
		res, _ := Resolve(doc)
		ch, ps := Plan(EmptySnapshot, res, PlanOptions{})
		check(t, ps, ch.OmittedProblems, `pipeline input "Nope" does not exist`)
	})
	t.Run("first problems", func(t *testing.T) {
		ps := make([]Problem, 2500)
		for i := range ps {
			ps[i] = Problem{Line: len(ps) - i}
		}
		ps = FirstProblems(ps)
		if len(ps) != MaxProblems || ps[0].Line != 1 || ps[MaxProblems-1].Line != MaxProblems {
			t.Fatalf("FirstProblems: %d problems, lines %d..%d", len(ps), ps[0].Line, ps[len(ps)-1].Line)
		}
	})
}

// TestErrorMessageOfManyProblems checks that the message says the total and how many are
// listed.
func TestErrorMessageOfManyProblems(t *testing.T) {
	ps := make([]Problem, MaxProblems)
	for i := range ps {
		ps[i] = Problem{Line: i + 1, Asset: "A", Msg: "bad"}
	}
	err := &Error{Op: "deploy main", Kind: InvalidDefinition, Msg: "the document is invalid", Problems: ps, TotalProblems: 300000}
	want := "deploy main: the document is invalid (300000 problems; the first 1000 are listed: line 1: A: bad; line 2: A: bad; line 3: A: bad; and 299997 more)"
	if got := err.Error(); got != want {
		t.Errorf("message\n%s\nwant\n%s", got, want)
	}
	if got := ProblemCountOf(fmt.Errorf("wrapped: %w", err)); got != 300000 {
		t.Errorf("ProblemCountOf = %d", got)
	}
	small := &Error{Kind: InvalidDefinition, Msg: "invalid", Problems: ps[:2]}
	if got := small.Error(); got != "invalid (2 problems: line 1: A: bad; line 2: A: bad)" || small.ProblemCount() != 2 {
		t.Errorf("message %q, count %d", got, small.ProblemCount())
	}
}

// A surrogate pair written as two escapes is one character, and an escaped backslash
// before "u" is no escape: both are accepted as written.
func TestJSONEscapesKeptExactly(t *testing.T) {
	doc, problems := ParseDocument([]byte(`{"datasets": [{"name": "A", "description": "\ud83d\ude00 \\ud800", "fields": []}]}`))
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if got, want := doc.Assets[0].Description, "\U0001F600 \\ud800"; got != want {
		t.Errorf("description %q, want %q", got, want)
	}
}
