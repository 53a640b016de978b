package graphql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/graphql"
	"github.com/tagflow/tagflow/tags"
)

// api is a real server on 127.0.0.1 over a real Badger store in a temp dir.
type api struct {
	url   string
	token string
	reg   *access.Registry
	svc   *tags.Service
}

func newAPI(t testing.TB, cfg graphql.Config) *api {
	t.Helper()
	ctx := context.Background()
	store, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.CreateOrg(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	reg, err := access.OpenRegistry(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	svc, err := tags.Open(ctx, repo, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Log = zerolog.Nop()
	srv := graphql.NewServer(cfg)
	if err := srv.Attach(svc, reg); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &api{url: hs.URL, token: tok.Secret, reg: reg, svc: svc}
}

// post sends a request and returns the status and the decoded JSON body.
func (a *api) post(t testing.TB, path, token, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.url+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s answered %d with non-JSON %q", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func (a *api) gql(t testing.TB, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	_, out := a.post(t, "/graphql", a.token, "application/json", body)
	return out
}

func (a *api) deployFixture(t testing.TB, name string) {
	t.Helper()
	doc, _ := fixtures.Get(name)
	out := a.gql(t, `mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": string(doc)})
	if out["errors"] != nil {
		t.Fatalf("deploy %s: %v", name, out["errors"])
	}
}

// js parses a JSON literal for comparisons.
func js(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return v
}

func errorCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

func TestQueries(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	a.deployFixture(t, "acme")
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		data  string // expected data, JSON; "" to skip
		code  string // expected error code, "" for none
	}{
		{name: "me", query: `{ me { org principal { ref name } } }`,
			data: `{"me": {"org": "acme", "principal": {"ref": "user:admin", "name": "admin"}}}`},
		{name: "dataset with fields", query: `{ asset(path: "User") { path kind tags cancels owner ... on Dataset { fields { name type key path kind } pipeline { inputs } } } }`,
			data: `{"asset": {"path": "User", "kind": "DATASET", "tags": ["PII"], "cancels": [], "owner": "user:admin", "pipeline": null, "fields": [
			  {"name": "uid", "type": "int", "key": true, "path": "User.uid", "kind": "FIELD"},
			  {"name": "city", "type": "str", "key": false, "path": "User.city", "kind": "FIELD"},
			  {"name": "updated_at", "type": "datetime", "key": false, "path": "User.updated_at", "kind": "FIELD"}]}}`},
		{name: "cancels", query: `{ asset(path: "TxnByCity") { tags cancels ... on Dataset { pipeline { inputs columns { field } } } } }`,
			data: `{"asset": {"tags": ["stripe"], "cancels": ["PII"], "pipeline": {"inputs": ["Transaction", "User"], "columns": null}}}`},
		{name: "field", query: `{ asset(path: "User.city", branch: "main") { path kind ... on Field { name dataset type } } }`,
			data: `{"asset": {"path": "User.city", "kind": "FIELD", "name": "city", "dataset": "User", "type": "str"}}`},
		{name: "featureset and feature", query: `{ fs: asset(path: "UserFeatures") { kind ... on Featureset { features { name } } } f: asset(path: "UserFeatures.total_in_hometown") { kind ... on Feature { from featureset } } }`,
			data: `{"fs": {"kind": "FEATURESET", "features": [{"name": "uid"}, {"name": "city"}, {"name": "total_in_hometown"}]},
			        "f": {"kind": "FEATURE", "from": ["TxnByCity.total", "UserFeatures.city"], "featureset": "UserFeatures"}}`},
		{name: "column lineage and declared owner", query: `{ asset(path: "data/forecast") { owner ... on Dataset { pipeline { columns { field from } } } } }`,
			data: `{"asset": {"owner": "team:data", "pipeline": {"columns": [{"field": "station", "from": ["jane@acme/weather.station"]}, {"field": "temp_max", "from": ["jane@acme/weather.temp"]}]}}}`},
		{name: "absent asset is null", query: `{ asset(path: "Nope") { path } m: asset(path: "User.nope") { path } }`,
			data: `{"asset": null, "m": null}`},
		{name: "explicit null branch means main", query: `{ asset(path: "User", branch: null) { path } }`,
			data: `{"asset": {"path": "User"}}`},
		{name: "bad path", query: `{ asset(path: "a//b") { path } }`, code: "INVALID_ARGUMENT"},
		{name: "unknown branch", query: `{ asset(path: "User", branch: "nope") { path } }`, code: "NOT_FOUND"},
		{name: "datasets page", query: `{ datasets(first: 3) { totalCount nodes { path } pageInfo { hasNextPage } } }`,
			data: `{"datasets": {"totalCount": 7, "nodes": [{"path": "Transaction"}, {"path": "TxnByCity"}, {"path": "User"}], "pageInfo": {"hasNextPage": true}}}`},
		{name: "datasets prefix", query: `{ datasets(prefix: "jane@") { totalCount nodes { path } pageInfo { hasNextPage endCursor } } }`,
			data: `{"datasets": {"totalCount": 1, "nodes": [{"path": "jane@acme/weather"}], "pageInfo": {"hasNextPage": false, "endCursor": "cDpqYW5lQGFjbWUvd2VhdGhlcg"}}}`},
		{name: "datasets null first is 100", query: `{ datasets(first: null) { totalCount nodes { path } } }`,
			data: `{"datasets": {"totalCount": 7, "nodes": [{"path": "Transaction"}, {"path": "TxnByCity"}, {"path": "User"}, {"path": "alan@acme/bonds"}, {"path": "data/forecast"}, {"path": "jane@acme/weather"}, {"path": "quant/stocks"}]}}`},
		{name: "featuresets", query: `{ featuresets { totalCount nodes { path } } }`,
			data: `{"featuresets": {"totalCount": 1, "nodes": [{"path": "UserFeatures"}]}}`},
		{name: "page too large", query: `{ datasets(first: 1001) { totalCount } }`, code: "INVALID_ARGUMENT"},
		{name: "negative page", query: `{ datasets(first: -1) { totalCount } }`, code: "INVALID_ARGUMENT"},
		{name: "bad cursor", query: `{ datasets(after: "!!") { totalCount } }`, code: "INVALID_ARGUMENT"},
		{name: "branches", query: `{ branches { name from version assetCount } }`,
			data: `{"branches": [{"name": "main", "from": null, "version": 2, "assetCount": 8}]}`},
		{name: "parse error", query: `{ asset(path: "User") { path }`, code: "GRAPHQL_PARSE_FAILED"},
		{name: "validation error", query: `{ nope }`, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "missing argument", query: `{ asset { path } }`, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "two operations without a name", query: `query A { me { org } } query B { me { org } }`, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "too deep", query: `{ __schema { types { fields { type ` + strings.Repeat("{ ofType ", 14) + "{ name }" + strings.Repeat(" }", 14) + ` } } } }`,
			code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "deep enough", query: `{ __schema { types { fields { type { ofType { name } } } } } }`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := a.gql(t, c.query, c.vars)
			if got := errorCode(out); got != c.code {
				t.Fatalf("error code = %q, want %q (%v)", got, c.code, out["errors"])
			}
			if c.data != "" && !reflect.DeepEqual(out["data"], js(t, c.data)) {
				got, _ := json.Marshal(out["data"])
				t.Fatalf("data = %s\nwant %s", got, c.data)
			}
		})
	}
}

func TestPagingWalksEverything(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "acme")
	a.deployFixture(t, "fennel")
	var seen []string
	after := any(nil)
	for page := 0; page < 10; page++ {
		out := a.gql(t, `query($a: String) { datasets(first: 2, after: $a) { totalCount nodes { path } pageInfo { hasNextPage endCursor } } }`, map[string]any{"a": after})
		d := out["data"].(map[string]any)["datasets"].(map[string]any)
		for _, n := range d["nodes"].([]any) {
			seen = append(seen, n.(map[string]any)["path"].(string))
		}
		pi := d["pageInfo"].(map[string]any)
		if !pi["hasNextPage"].(bool) {
			break
		}
		after = pi["endCursor"]
	}
	if strings.Join(seen, ",") != "Transaction,TxnByCity,User,alan@acme/bonds,data/forecast,jane@acme/weather,quant/stocks" {
		t.Fatalf("pages gave %v", seen)
	}
}

func TestDeployMutation(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	doc, _ := fixtures.Get("fennel")
	const m = `mutation($d: String!, $b: String, $dry: Boolean) { deploy(document: $d, branch: $b, dryRun: $dry) { changed added changedAssets removed tagChanges { path added removed } errors { asset message line } version } }`
	out := a.gql(t, m, map[string]any{"d": string(doc)})
	want := `{"deploy": {"changed": true, "added": ["Transaction", "TxnByCity", "User", "UserFeatures"], "changedAssets": [], "removed": [], "tagChanges": ` + fennelTagChanges + `, "errors": [], "version": 1}}`
	if !reflect.DeepEqual(out["data"], js(t, want)) {
		t.Fatalf("deploy = %v", out)
	}
	out = a.gql(t, m, map[string]any{"d": string(doc)})
	if !reflect.DeepEqual(out["data"], js(t, `{"deploy": {"changed": false, "added": [], "changedAssets": [], "removed": [], "tagChanges": [], "errors": [], "version": 1}}`)) {
		t.Fatalf("second deploy = %v", out)
	}

	bad := "datasets:\n  - name: X\n    fields: [{name: a, type: nope}]\n    pipeline: {inputs: [Missing]}\n"
	out = a.gql(t, m, map[string]any{"d": bad})
	if errorCode(out) != "INVALID_DEFINITION" {
		t.Fatalf("bad deploy = %v", out)
	}
	problems := out["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)["problems"]
	wantProblems := js(t, `[{"asset": "X.a", "line": 3, "message": "type \"nope\": unknown type \"nope\" (known: int, float, bool, str, bytes, datetime, date, decimal, optional[T], list[T], map[str,T])"},
	  {"asset": "X", "line": 4, "message": "pipeline input \"Missing\" does not exist"}]`)
	if !reflect.DeepEqual(problems, wantProblems) {
		got, _ := json.Marshal(problems)
		t.Fatalf("problems = %s", got)
	}
	out = a.gql(t, m, map[string]any{"d": bad, "dry": true})
	if errs := out["data"].(map[string]any)["deploy"].(map[string]any)["errors"].([]any); len(errs) != 2 {
		t.Fatalf("dry run errors = %v", errs)
	}
	out = a.gql(t, m, map[string]any{"d": "{not: [valid", "b": "main"})
	if errorCode(out) != "INVALID_DEFINITION" {
		t.Fatalf("syntax error deploy = %v", out)
	}
	out = a.gql(t, m, map[string]any{"d": string(doc), "b": "nope"})
	if errorCode(out) != "NOT_FOUND" {
		t.Fatalf("deploy to unknown branch = %v", out)
	}
}

// fennelTagChanges are the tag changes of deploying the Fennel fixture to an empty branch.
const fennelTagChanges = `[
  {"path": "Transaction", "added": ["stripe"], "removed": []}, {"path": "Transaction.amount", "added": ["stripe"], "removed": []},
  {"path": "Transaction.at", "added": ["stripe"], "removed": []}, {"path": "Transaction.uid", "added": ["stripe"], "removed": []},
  {"path": "TxnByCity", "added": ["stripe"], "removed": []}, {"path": "TxnByCity.at", "added": ["stripe"], "removed": []},
  {"path": "TxnByCity.city", "added": ["stripe"], "removed": []}, {"path": "TxnByCity.total", "added": ["stripe"], "removed": []},
  {"path": "User", "added": ["PII"], "removed": []}, {"path": "User.city", "added": ["PII"], "removed": []},
  {"path": "User.uid", "added": ["PII"], "removed": []}, {"path": "User.updated_at", "added": ["PII"], "removed": []},
  {"path": "UserFeatures.city", "added": ["PII"], "removed": []}, {"path": "UserFeatures.total_in_hometown", "added": ["stripe"], "removed": []}]`

func TestBranchMutations(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.deployFixture(t, "fennel")
	out := a.gql(t, `mutation { createBranch(name: "dev") { name from version assetCount } }`, nil)
	if !reflect.DeepEqual(out["data"], js(t, `{"createBranch": {"name": "dev", "from": "main", "version": 0, "assetCount": 4}}`)) {
		t.Fatalf("createBranch = %v", out)
	}
	for _, c := range []struct{ q, code string }{
		{`mutation { createBranch(name: "dev") { name } }`, "CONFLICT"},
		{`mutation { createBranch(name: "x", from: "nope") { name } }`, "NOT_FOUND"},
		{`mutation { createBranch(name: "bad name!") { name } }`, "INVALID_ARGUMENT"},
		{`mutation { deleteBranch(name: "main") }`, "INVALID_ARGUMENT"},
		{`mutation { deleteBranch(name: "nope") }`, "NOT_FOUND"},
	} {
		if got := errorCode(a.gql(t, c.q, nil)); got != c.code {
			t.Errorf("%s: code %q, want %q", c.q, got, c.code)
		}
	}
	doc := "datasets: [{name: OnlyOnDev, fields: [{name: x, type: int}]}]"
	a.gql(t, `mutation($d: String!) { deploy(document: $d, branch: "dev") { changed } }`, map[string]any{"d": doc})
	out = a.gql(t, `{ d: asset(path: "OnlyOnDev", branch: "dev") { path } m: asset(path: "OnlyOnDev") { path } }`, nil)
	if !reflect.DeepEqual(out["data"], js(t, `{"d": {"path": "OnlyOnDev"}, "m": null}`)) {
		t.Fatalf("isolation: %v", out)
	}
	out = a.gql(t, `mutation { deleteBranch(name: "dev") }`, nil)
	if !reflect.DeepEqual(out["data"], js(t, `{"deleteBranch": true}`)) {
		t.Fatalf("deleteBranch = %v", out)
	}
	if got := errorCode(a.gql(t, `{ asset(path: "OnlyOnDev", branch: "dev") { path } }`, nil)); got != "NOT_FOUND" {
		t.Fatalf("deleted branch answered %q", got)
	}
}

func TestAuthentication(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	q := []byte(`{"query": "{ me { org } }"}`)
	for _, c := range []struct {
		name, path, token string
		status            int
	}{
		{"graphql without token", "/graphql", "", 401},
		{"graphql with a bad token", "/graphql", "tf_notatoken", 401},
		{"graphql with a token of the wrong form", "/graphql", "hello", 401},
		{"deploy without token", "/api/v1/deploy", "", 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := a.post(t, c.path, c.token, "application/json", q)
			if status != c.status {
				t.Fatalf("status %d, want %d", status, c.status)
			}
			code := errorCode(out)
			if code == "" {
				code, _ = out["code"].(string)
			}
			if code != "UNAUTHENTICATED" {
				t.Fatalf("code %q in %v", code, out)
			}
		})
	}
	// A revoked token stops working at once.
	tok, err := a.reg.CreateToken(context.Background(), "acme", "user:admin", "ci", 0)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := a.post(t, "/graphql", tok.Secret, "application/json", q); status != 200 {
		t.Fatalf("new token: %d", status)
	}
	if ok, err := a.reg.RevokeToken(context.Background(), tok.ID); !ok || err != nil {
		t.Fatalf("revoke: %v %v", ok, err)
	}
	if status, _ := a.post(t, "/graphql", tok.Secret, "application/json", q); status != 401 {
		t.Fatalf("revoked token: %d", status)
	}
}

func get(t testing.TB, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadyMetrics(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	if s, body := get(t, a.url+"/healthz", ""); s != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", s, body)
	}
	if s, _ := get(t, a.url+"/readyz", ""); s != 200 {
		t.Fatalf("readyz %d", s)
	}
	if s, _ := get(t, a.url+"/metrics", ""); s != 401 {
		t.Fatalf("metrics without a token: %d", s)
	}
	a.gql(t, `{ me { org } }`, nil)
	s, body := get(t, a.url+"/metrics", a.token)
	if s != 200 || !strings.Contains(body, `tagflow_http_requests_total{code="200",method="POST",route="/graphql"}`) {
		t.Fatalf("metrics %d:\n%.2000s", s, body)
	}
	if r, _ := getWith(t, a.url+"/graphql", nil); r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/graphiql" {
		t.Fatalf("GET /graphql: %d %q, want a redirect to /graphiql", r.StatusCode, r.Header.Get("Location"))
	}
	if s, _ := get(t, a.url+"/nope", a.token); s != 404 {
		t.Fatalf("unknown path %d", s)
	}
}

func TestReadyzBeforeAttach(t *testing.T) {
	srv := graphql.NewServer(graphql.Config{Log: zerolog.Nop()})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	if s, _ := get(t, hs.URL+"/readyz", ""); s != 503 {
		t.Fatalf("readyz before load: %d", s)
	}
	if s, _ := get(t, hs.URL+"/healthz", ""); s != 200 {
		t.Fatalf("healthz before load: %d", s)
	}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/graphql", strings.NewReader(`{"query":"{me{org}}"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("graphql before load: %d", resp.StatusCode)
	}
}

func TestRESTDeploy(t *testing.T) {
	a := newAPI(t, graphql.Config{MaxDeployBytes: 64 << 10, MaxGraphQLBytes: 16 << 10})
	doc, _ := fixtures.Get("fennel")
	status, out := a.post(t, "/api/v1/deploy?branch=main", a.token, "application/yaml", doc)
	if status != 200 || !reflect.DeepEqual(out, js(t, `{"changed": true, "added": ["Transaction", "TxnByCity", "User", "UserFeatures"], "changedAssets": [], "removed": [], "tagChanges": `+fennelTagChanges+`, "errors": [], "version": 1, "tagChangeCount": 14, "warnings": [], "problemCount": 0}`)) {
		t.Fatalf("deploy %d %v", status, out)
	}
	status, out = a.post(t, "/api/v1/deploy?dryRun=true", a.token, "application/json", []byte(`{"datasets": [{"name": "J", "fields": [{"name": "a", "type": "int"}]}]}`))
	if status != 200 || out["changed"] != true || len(out["added"].([]any)) != 1 {
		t.Fatalf("json dry run %d %v", status, out)
	}
	cases := []struct {
		name, query, contentType string
		body                     []byte
		status                   int
		code                     string
		problems                 int
	}{
		{"invalid document", "", "application/yaml", []byte("datasets:\n  - {name: A, fields: [{name: x, type: wat}]}\n"), 400, "INVALID_DEFINITION", 1},
		{"invalid JSON", "", "application/json", []byte("{\"datasets\": [}"), 400, "INVALID_DEFINITION", 1},
		{"unknown branch", "?branch=nope", "application/yaml", doc, 404, "NOT_FOUND", 0},
		{"bad flag", "?dryRun=maybe", "application/yaml", doc, 400, "INVALID_ARGUMENT", 0},
		{"prune without namespace", "?prune=true", "application/yaml", doc, 400, "INVALID_DEFINITION", 1},
		{"wrong content type", "", "image/png", doc, 415, "INVALID_ARGUMENT", 0},
		{"too large", "", "application/yaml", bytes.Repeat([]byte("#"), 65<<10), 413, "PAYLOAD_TOO_LARGE", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := a.post(t, "/api/v1/deploy"+c.query, a.token, c.contentType, c.body)
			if status != c.status || out["code"] != c.code {
				t.Fatalf("status %d code %v, want %d %s (%v)", status, out["code"], c.status, c.code, out)
			}
			if msg, _ := out["message"].(string); msg == "" {
				t.Fatal("no message")
			}
			if errs, _ := out["errors"].([]any); len(errs) != c.problems {
				t.Fatalf("errors = %v, want %d", errs, c.problems)
			}
		})
	}
	// A body too large for /graphql is refused too, in GraphQL's error shape.
	status, out = a.post(t, "/graphql", a.token, "application/json", bytes.Repeat([]byte(" "), 17<<10))
	if status != 413 || errorCode(out) != "PAYLOAD_TOO_LARGE" {
		t.Fatalf("large graphql body: %d %v", status, out)
	}
}
