package graphql_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// An answer without errors is written from graphql-go's bytes as they are: still compact
// JSON with HTML escaped and the JSON content type, exactly as the marshalled answer was.
func TestAnswerWithoutErrorsKeepsItsEncoding(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	doc := "datasets:\n  - name: ns/ds\n    description: \"<b> & é\"\n    fields:\n      - {name: id, type: str, key: true}\n"
	if out := a.gql(t, `mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": doc}); out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	for _, tc := range []struct{ name, query, want string }{
		{"data", `{ asset(path: "ns/ds") { path description } }`, `{"data":{"asset":{"path":"ns/ds","description":"\u003cb\u003e \u0026 é"}}}`},
		{"errors", `{ asset(path: "ns/ds") { nope } }`, `{"errors":[`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": tc.query})
			req, _ := http.NewRequest(http.MethodPost, a.url+"/graphql", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+a.token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" || !strings.HasPrefix(string(raw), tc.want) {
				t.Fatalf("%d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err != nil || !bytes.Equal(compact.Bytes(), raw) {
				t.Fatalf("not compact JSON (%v): %s", err, raw)
			}
		})
	}
}
