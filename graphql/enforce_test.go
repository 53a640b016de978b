package graphql_test

// Enforcement on every path (DESIGN §5, issue 8 item 5) over a real server with real
// tokens: DESIGN §7's Acme, declassifying, deploys refused whole, check and columnAccess.

import (
	"context"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// acmeOrg makes Acme's principals (DESIGN §7) through the API, the two org-wide template
// grants, and returns a token per user.
func acmeOrg(t *testing.T, a *api) map[string]string {
	t.Helper()
	ctx := context.Background()
	a.run(t, []gqlCase{{name: "acme principals", query: `mutation {
		j: createUser(name: "jane@acme") { ref } s: createUser(name: "samir@acme") { ref }
		a: createUser(name: "alan@acme") { ref } d: createUser(name: "diana@acme") { ref }
		n: createUser(name: "nobody@acme") { ref }
		data: createTeam(name: "data", members: ["user:jane@acme", "user:samir@acme"]) { ref }
		quant: createTeam(name: "quant", members: ["user:alan@acme"]) { ref }
		q2: setTeamMembers(team: "team:quant", members: ["user:alan@acme", "user:diana@acme"]) { ref } }`}})
	for _, scope := range []string{"${user}/**", "${team}/**"} {
		if _, err := a.reg.Grant(ctx, "acme", "org:acme", "editor", scope); err != nil {
			t.Fatal(err)
		}
	}
	toks := map[string]string{}
	for _, u := range []string{"jane", "alan", "nobody"} {
		nt, err := a.reg.CreateToken(ctx, "acme", "user:"+u+"@acme", "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		toks[u] = nt.Secret
	}
	return toks
}

// asExpect sends c with token and checks its code and message like expect.
func (a *api) asExpect(t *testing.T, token string, c gqlCase) map[string]any {
	t.Helper()
	_, out := a.as(t, token, c.query, c.vars)
	if got := errorCode(out); got != c.code {
		t.Fatalf("%s: error code = %q, want %q (%v)", c.name, got, c.code, out["errors"])
	}
	if c.msg != "" {
		errs, _ := out["errors"].([]any)
		if m, _ := errs[0].(map[string]any)["message"].(string); !strings.Contains(m, c.msg) {
			t.Fatalf("%s: error message %q does not contain %q", c.name, m, c.msg)
		}
	}
	if c.data != "" && !jsonEqual(t, out["data"], c.data) {
		t.Fatalf("%s: data = %v, want %s", c.name, out["data"], c.data)
	}
	return out
}

// problemsOf is the denied paths of a refusal and their reasons.
func problemsOf(out map[string]any) map[string]string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return nil
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	ps, _ := ext["problems"].([]any)
	got := map[string]string{}
	for _, p := range ps {
		m, _ := p.(map[string]any)
		asset, _ := m["asset"].(string)
		got[asset], _ = m["message"].(string)
	}
	return got
}

const othersDoc = `datasets:
  - name: alan@acme/bonds
    fields: [{name: isin, type: str, key: true}, {name: notional, type: decimal}]
  - name: quant/stocks
    fields: [{name: ticker, type: str, key: true}, {name: prices, type: "list[float]"}]
`

const janeDoc = `datasets:
  - name: jane@acme/weather
    fields: [{name: station, type: str, key: true}, {name: temp, type: float}]
  - name: data/forecast
    fields: [{name: station, type: str, key: true}, {name: temp_max, type: float}]
    pipeline:
      inputs: [jane@acme/weather]
      columns: {station: [jane@acme/weather.station], temp_max: [jane@acme/weather.temp]}
`

const deployQ = `mutation($d: String!) { deploy(document: $d) { added changedAssets } }`

func TestAcmeEnforced(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	toks := acmeOrg(t, a)
	jane := toks["jane"]
	a.expect(t, gqlCase{name: "the admin deploys alan's and quant's", query: deployQ, vars: map[string]any{"d": othersDoc}})

	// Jane creates and writes her own namespace and her team's.
	a.asExpect(t, jane, gqlCase{name: "jane creates hers", query: deployQ, vars: map[string]any{"d": janeDoc},
		data: `{"deploy": {"added": ["data/forecast", "jane@acme/weather"], "changedAssets": []}}`})
	a.asExpect(t, jane, gqlCase{name: "jane writes hers", query: deployQ,
		vars: map[string]any{"d": strings.Replace(janeDoc, "{name: temp, type: float}", "{name: temp, type: float, description: Celsius}", 1)},
		data: `{"deploy": {"added": [], "changedAssets": ["jane@acme/weather"]}}`})
	a.asExpect(t, jane, gqlCase{name: "and tags them", query: `mutation { setTags(path: "data/forecast.temp_max", tags: ["weather"]) { tags } }`,
		data: `{"setTags": {"tags": ["weather"]}}`})

	// She lists every dataset name; the unreadable ones without their definitions.
	a.asExpect(t, jane, gqlCase{name: "jane lists every name", query: `{ datasets { totalCount nodes { path fields { name } } } }`,
		data: `{"datasets": {"totalCount": 4, "nodes": [{"path": "alan@acme/bonds", "fields": []}, {"path": "data/forecast", "fields": [{"name": "station"}, {"name": "temp_max"}]},
			{"path": "jane@acme/weather", "fields": [{"name": "station"}, {"name": "temp"}]}, {"path": "quant/stocks", "fields": []}]}}`})

	// And is denied on alan's and quant's, with a reason naming the path.
	for _, p := range []string{"alan@acme/bonds", "quant/stocks", "quant/stocks.ticker"} {
		a.asExpect(t, jane, gqlCase{name: "asset " + p, query: `{ asset(path: "` + p + `") { path } }`, code: "FORBIDDEN",
			msg: "denied: no grant of user:jane@acme or its teams, groups and org covers " + p})
		a.asExpect(t, jane, gqlCase{name: "lineage " + p, query: `{ lineage(path: "` + p + `", direction: UPSTREAM) { redacted } }`, code: "FORBIDDEN", msg: p})
		a.asExpect(t, jane, gqlCase{name: "explainTag " + p, query: `{ explainTag(path: "` + p + `", tag: "PII") { present } }`, code: "FORBIDDEN", msg: p})
		a.asExpect(t, jane, gqlCase{name: "impact " + p, query: `{ impact(path: "` + p + `") { totalCount } }`, code: "FORBIDDEN", msg: p})
		a.asExpect(t, jane, gqlCase{name: "setTags " + p, query: `mutation { setTags(path: "` + p + `", tags: ["x"]) { path } }`, code: "FORBIDDEN"})
	}
	a.asExpect(t, jane, gqlCase{name: "missing is null", query: `{ asset(path: "quant/nothing") { path } }`, data: `{"asset": null}`})
	a.asExpect(t, jane, gqlCase{name: "search finds only hers", query: `{ search(kind: DATASET) { totalCount nodes { path } } }`,
		data: `{"search": {"totalCount": 2, "nodes": [{"path": "data/forecast"}, {"path": "jane@acme/weather"}]}}`})

	// A deploy touching a path outside her grants is refused whole, naming every path.
	out := a.asExpect(t, jane, gqlCase{name: "refused whole", query: deployQ,
		vars: map[string]any{"d": strings.Replace(janeDoc, "Celsius", "x", 1) + `  - name: quant/stocks
    fields: [{name: ticker, type: str, key: true}]
`}, code: "FORBIDDEN", msg: "may not be written; nothing was written"})
	probs := problemsOf(out)
	for _, p := range []string{"quant/stocks", "quant/stocks.prices"} {
		if !strings.Contains(probs[p], "denied: no grant of user:jane@acme") {
			t.Errorf("problem of %s = %q (all: %v)", p, probs[p], probs)
		}
	}
	if _, ok := probs["data/forecast"]; ok || len(probs) != 2 {
		t.Errorf("problems = %v, want quant/stocks and quant/stocks.prices", probs)
	}

	// A dry run is judged as a read of each path: hers may be planned, quant's not.
	a.asExpect(t, jane, gqlCase{name: "dry run of hers", query: `mutation($d: String!) { deploy(document: $d, dryRun: true) { changed } }`,
		vars: map[string]any{"d": janeDoc}, data: `{"deploy": {"changed": true}}`})
	a.asExpect(t, jane, gqlCase{name: "dry run touching quant", query: `mutation($d: String!) { deploy(document: $d, dryRun: true) { changed } }`,
		vars: map[string]any{"d": "datasets:\n  - {name: quant/stocks, fields: [{name: ticker, type: str, key: true}]}\n"}, code: "FORBIDDEN", msg: "may not be written"})

	// Lineage keeps the graph's true shape: what she may not read only by path, edges kept.
	a.expect(t, gqlCase{name: "quant builds on jane's weather", query: deployQ, vars: map[string]any{"d": `datasets:
  - name: quant/signals
    fields: [{name: station, type: str}]
    pipeline: {inputs: [jane@acme/weather]}
`}})
	a.asExpect(t, jane, gqlCase{name: "lineage redacted", query: `{ lineage(path: "jane@acme/weather", direction: DOWNSTREAM, granularity: DATASET) { nodes { path } redacted edges { from to } } }`,
		data: `{"lineage": {"nodes": [{"path": "data/forecast"}, {"path": "jane@acme/weather"}], "redacted": ["quant/signals"],
			"edges": [{"from": "jane@acme/weather", "to": "data/forecast"}, {"from": "jane@acme/weather", "to": "quant/signals"}]}}`})

	// check and columnAccess, for herself; on behalf of another only with MANAGE.
	a.asExpect(t, jane, gqlCase{name: "check allowed", query: `{ check(mode: WRITE_DEFINITIONS, path: "jane@acme/weather") { allowed reason } }`,
		data: `{"check": {"allowed": true, "reason": "allowed: user:jane@acme owns jane@acme/weather (owners hold the four modes on their assets)"}}`})
	a.asExpect(t, jane, gqlCase{name: "check by grant", query: `{ check(mode: WRITE_DEFINITIONS, path: "jane@acme/new") { allowed reason } }`,
		data: `{"check": {"allowed": true, "reason": "allowed by role editor (granted to org:acme on ${user}/**)"}}`})
	a.asExpect(t, jane, gqlCase{name: "check denied", query: `{ check(mode: READ_DATA, path: "quant/stocks") { allowed reason } }`,
		data: `{"check": {"allowed": false, "reason": "denied: no grant of user:jane@acme or its teams, groups and org covers quant/stocks"}}`})
	a.asExpect(t, jane, gqlCase{name: "check as alan", query: `{ check(mode: READ_DATA, path: "quant/stocks", as: "user:alan@acme") { allowed } }`,
		code: "FORBIDDEN", msg: "needs MANAGE on the org"})
	a.asExpect(t, jane, gqlCase{name: "columnAccess as alan", query: `{ columnAccess(dataset: "quant/stocks", as: "user:alan@acme") { result } }`,
		code: "FORBIDDEN", msg: "needs MANAGE on the org"})
	a.expect(t, gqlCase{name: "the admin asks as alan", query: `{ check(mode: READ_DATA, path: "quant/stocks", as: "user:alan@acme") { allowed reason } }`,
		data: `{"check": {"allowed": true, "reason": "allowed by role editor (granted to org:acme on ${team}/**)"}}`})
	a.expect(t, gqlCase{name: "the admin asks as jane", query: `{ columnAccess(dataset: "quant/stocks", as: "user:jane@acme") { result visible hidden { name reason } } }`,
		data: `{"columnAccess": {"result": "DENY", "visible": [], "hidden": [
			{"name": "ticker", "reason": "denied: no grant of user:jane@acme or its teams, groups and org covers quant/stocks.ticker"},
			{"name": "prices", "reason": "denied: no grant of user:jane@acme or its teams, groups and org covers quant/stocks.prices"}]}}`})
	a.asExpect(t, jane, gqlCase{name: "columnAccess hers", query: `{ columnAccess(dataset: "data/forecast") { result visible hidden { name } } }`,
		data: `{"columnAccess": {"result": "ALLOW", "visible": ["station", "temp_max"], "hidden": []}}`})
	a.expect(t, gqlCase{name: "as nobody that exists", query: `{ check(mode: READ_DATA, path: "quant/stocks", as: "user:ghost") { allowed } }`, code: "INVALID_ARGUMENT"})
}

// A writer without MANAGE cannot declassify (declare a new ~PII) by deploy or setTags; a
// steward (MANAGE: the admin) can.
func TestDeclassifyNeedsManage(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	toks := acmeOrg(t, a)
	jane := toks["jane"]
	const raw = `datasets:
  - name: data/raw
    fields: [{name: email, type: str, tags: [PII]}]
  - name: data/clean
    fields: [{name: email, type: str}]
    pipeline: {inputs: [data/raw], columns: {email: [data/raw.email]}}
`
	a.expect(t, gqlCase{name: "the admin deploys", query: deployQ, vars: map[string]any{"d": raw}})
	a.asExpect(t, jane, gqlCase{name: "jane reads it", query: `{ asset(path: "data/clean.email") { tags } }`, data: `{"asset": {"tags": ["PII"]}}`})
	out := a.asExpect(t, jane, gqlCase{name: "by deploy", query: deployQ,
		vars: map[string]any{"d": strings.Replace(raw, "{name: email, type: str}]", "{name: email, type: str, tags: [~PII]}]", 1)},
		code: "FORBIDDEN", msg: "1 path of the deploy may not be written"})
	if r := problemsOf(out)["data/clean.email"]; !strings.HasPrefix(r, "denied: declaring ~PII on data/clean.email needs MANAGE there") {
		t.Errorf("reason %q", r)
	}
	a.asExpect(t, jane, gqlCase{name: "by setTags", query: `mutation { setTags(path: "data/clean.email", tags: ["~PII"]) { tags } }`,
		code: "FORBIDDEN", msg: "may not be written"})
	a.asExpect(t, jane, gqlCase{name: "nothing changed", query: `{ asset(path: "data/clean.email") { tags cancels } }`, data: `{"asset": {"tags": ["PII"], "cancels": []}}`})
	a.expect(t, gqlCase{name: "a steward may", query: `mutation { setTags(path: "data/clean.email", tags: ["~PII"]) { tags cancels } }`,
		data: `{"setTags": {"tags": [], "cancels": ["PII"]}}`})
	// Once declared, the cancellation is not new: jane may write the asset again.
	a.asExpect(t, jane, gqlCase{name: "not new any more", query: `mutation { setTags(path: "data/clean.email", tags: ["~PII", "email"]) { tags } }`,
		data: `{"setTags": {"tags": ["email"]}}`})
}

// POST /api/v1/deploy is judged like Mutation.deploy: per path, refused whole (403).
func TestRESTDeployEnforced(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	toks := acmeOrg(t, a)
	a.expect(t, gqlCase{name: "the admin deploys", query: deployQ, vars: map[string]any{"d": othersDoc}})
	status, out := a.post(t, "/api/v1/deploy", toks["jane"], "application/yaml", []byte(janeDoc+"  - name: quant/extra\n"))
	errs, _ := out["errors"].([]any)
	if status != 403 || out["code"] != "FORBIDDEN" || len(errs) != 1 || field(errs[0], "asset") != "quant/extra" {
		t.Fatalf("REST deploy outside her grants: %d %v", status, out)
	}
	if status, out := a.post(t, "/api/v1/deploy", toks["jane"], "application/yaml", []byte(janeDoc)); status != 200 || out["changed"] != true {
		t.Fatalf("REST deploy of hers: %d %v", status, out)
	}
}

// A membership or grant change applies to the next decision.
func TestChangesApplyToTheNextDecision(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	toks := acmeOrg(t, a)
	a.expect(t, gqlCase{name: "the admin deploys", query: deployQ, vars: map[string]any{"d": othersDoc}})
	read := gqlCase{name: "jane reads quant/stocks", query: `{ asset(path: "quant/stocks") { path } }`}
	denied := read
	denied.code, denied.msg = "FORBIDDEN", "quant/stocks"
	a.asExpect(t, toks["jane"], denied)
	a.expect(t, gqlCase{name: "jane joins quant", query: `mutation { setTeamMembers(team: "team:quant", members: ["user:alan@acme", "user:jane@acme"]) { ref } }`})
	read.data = `{"asset": {"path": "quant/stocks"}}`
	a.asExpect(t, toks["jane"], read)
	a.expect(t, gqlCase{name: "jane leaves quant", query: `mutation { setTeamMembers(team: "team:quant", members: ["user:alan@acme"]) { ref } }`})
	a.asExpect(t, toks["jane"], denied)
	if _, err := a.reg.Grant(context.Background(), "acme", "user:jane@acme", "viewer", "quant/stocks"); err != nil {
		t.Fatal(err)
	}
	a.asExpect(t, toks["jane"], read)
	a.asExpect(t, toks["jane"], gqlCase{name: "a viewer may not write", query: `mutation { setTags(path: "quant/stocks", tags: ["x"]) { path } }`,
		code: "FORBIDDEN", msg: "may not be written"})
}

// Branches and the tag vocabulary belong to no asset: whoever may read definitions
// somewhere on a branch sees its name, whoever may write somewhere on a new branch creates
// it; deleting a branch, tag usage and principals stay at the org scope (a grant on *).
func TestOrgLevelOperations(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	toks := acmeOrg(t, a)
	jane, nobody := toks["jane"], toks["nobody"]
	a.expect(t, gqlCase{name: "a prod branch", query: `mutation { createBranch(name: "prod") { name } }`})
	a.run(t, []gqlCase{{name: "main-only reader", query: `mutation {
		createRole(name: "mainreader", rules: [{modes: [READ_DEFINITIONS], branches: ["main"]}]) { name }
		grant(principal: "user:alan@acme", role: "mainreader", scope: "quant/**") { scope } }`}})
	alan, err := a.reg.CreateToken(context.Background(), "acme", "user:alan@acme", "t2", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		token string
		gqlCase
	}{
		{jane, gqlCase{name: "jane lists branches", query: `{ branches { name } }`, data: `{"branches": [{"name": "main"}, {"name": "prod"}]}`}},
		{alan.Secret, gqlCase{name: "alan's main-only grant still lists both (editor on ${team}/**)", query: `{ branches { name } }`, data: `{"branches": [{"name": "main"}, {"name": "prod"}]}`}},
		{jane, gqlCase{name: "jane reads a branch", query: `{ branch(name: "prod") { name } }`, data: `{"branch": {"name": "prod"}}`}},
		{jane, gqlCase{name: "jane creates her branch", query: `mutation { createBranch(name: "dev/jane") { name } }`, data: `{"createBranch": {"name": "dev/jane"}}`}},
		{jane, gqlCase{name: "jane may not delete a branch", query: `mutation { deleteBranch(name: "dev/jane") }`, code: "FORBIDDEN"}},
		{jane, gqlCase{name: "jane reads the vocabulary", query: `{ tagDefinitions { name } }`, data: `{"tagDefinitions": []}`}},
		{jane, gqlCase{name: "tag usage stays at the org scope", query: `{ tagUsage { name } }`, code: "FORBIDDEN"}},
	} {
		a.asExpect(t, c.token, c.gqlCase)
	}
	// A reader whose only grant is main-only sees main alone.
	a.run(t, []gqlCase{{name: "samir main-only", query: `mutation {
		setTeamMembers(team: "team:data", members: ["user:jane@acme"]) { ref }
		grant(principal: "user:samir@acme", role: "mainreader", scope: "*") { scope } }`}})
	a.expect(t, gqlCase{name: "templates off for the check", query: `mutation { revoke(principal: "org:acme", role: "editor", scope: "${user}/**") }`})
	samir, err := a.reg.CreateToken(context.Background(), "acme", "user:samir@acme", "t", 0)
	if err != nil {
		t.Fatal(err)
	}
	a.asExpect(t, samir.Secret, gqlCase{name: "samir sees main only", query: `{ branches { name } }`, data: `{"branches": [{"name": "main"}]}`})
	a.asExpect(t, samir.Secret, gqlCase{name: "samir may not branch", query: `mutation { createBranch(name: "dev/samir") { name } }`, code: "FORBIDDEN", msg: "WRITE_DEFINITIONS"})
	// Without the org's templates, nobody@acme holds no grant at all.
	a.expect(t, gqlCase{name: "no templates", query: `mutation { revoke(principal: "org:acme", role: "editor", scope: "${team}/**") }`})
	for _, c := range []gqlCase{
		{name: "no grants: no branches", query: `{ branches { name } }`, code: "FORBIDDEN", msg: "holds READ_DEFINITIONS anywhere on any branch"},
		{name: "no grants: no branch", query: `mutation { createBranch(name: "dev/nobody") { name } }`, code: "FORBIDDEN", msg: "on branch dev/nobody"},
		{name: "no grants: no vocabulary", query: `{ tagDefinitions { name } }`, code: "FORBIDDEN"},
	} {
		a.asExpect(t, nobody, c)
	}
}
