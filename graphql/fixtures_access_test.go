package graphql_test

// DESIGN §7's access fixtures (fixtures/access/*.yaml) over a real server with real
// tokens: every outcome of Acme, JHUAPL and Fennel roles through the HTTP API.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/graphql"
)

// demoAPI is a server holding every fixture, as the demo's first start loads them, with the
// prod branch, and a token per principal named.
func demoAPI(t *testing.T, principals ...string) (*api, map[string]string) {
	t.Helper()
	ctx := context.Background()
	a := newAPI(t, graphql.Config{})
	for _, d := range fixtures.Documents() {
		a.deployFixture(t, d.Name)
	}
	for _, d := range fixtures.Access() {
		if err := access.ApplyFixture(ctx, a.reg, "acme", d.Data); err != nil {
			t.Fatalf("access fixture %s: %v", d.Name, err)
		}
	}
	a.expect(t, gqlCase{name: "prod", query: `mutation { createBranch(name: "prod") { name } }`})
	toks := map[string]string{}
	for _, p := range principals {
		nt, err := a.reg.CreateToken(ctx, "acme", p, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		toks[p] = nt.Secret
	}
	return a, toks
}

// checkAs asks check as the token's principal.
func (a *api) checkAs(t *testing.T, token, mode, path, branch string) (bool, string) {
	t.Helper()
	_, out := a.as(t, token, `query($m: Mode!, $p: String!, $b: String!) { check(mode: $m, path: $p, branch: $b) { allowed reason } }`,
		map[string]any{"m": mode, "p": path, "b": branch})
	if out["errors"] != nil {
		t.Fatalf("check %s %s on %s: %v", mode, path, branch, out["errors"])
	}
	allowed, _ := field(out, "data", "check", "allowed").(bool)
	reason, _ := field(out, "data", "check", "reason").(string)
	return allowed, reason
}

var allModes = []string{"READ_DEFINITIONS", "WRITE_DEFINITIONS", "READ_DATA", "WRITE_DATA", "MANAGE"}

func TestAcmeFixture(t *testing.T) {
	jane := "user:jane@acme"
	a, toks := demoAPI(t, jane)
	tok := toks[jane]

	// She creates and writes her namespace and her team's (a deploy that changes both and
	// creates jane@acme/notes).
	doc, _ := fixtures.Get("acme")
	mine := string(doc[:strings.Index(string(doc), "  - name: alan@acme/bonds")])
	mine = strings.Replace(mine, "Jane's private weather observations.", "Jane's weather, in Celsius.", 1)
	mine = strings.Replace(mine, "The data team's shared forecast", "The data team's forecast", 1)
	mine += "  - name: jane@acme/notes\n    fields: [{name: id, type: int, key: true}]\n"
	a.asExpect(t, tok, gqlCase{name: "jane creates and writes hers", query: deployQ, vars: map[string]any{"d": mine},
		data: `{"deploy": {"added": ["jane@acme/notes"], "changedAssets": ["data/forecast", "jane@acme/weather"]}}`})
	for _, p := range []string{"jane@acme/weather", "data/forecast", "jane@acme/new"} {
		for _, m := range []string{"WRITE_DEFINITIONS", "WRITE_DATA", "READ_DATA"} {
			if ok, why := a.checkAs(t, tok, m, p, "main"); !ok {
				t.Errorf("jane %s on %s denied: %s", m, p, why)
			}
		}
	}

	// She lists every dataset name: as many as the admin sees.
	all := a.gql(t, `{ datasets(first: 1000) { totalCount } }`, nil)
	_, hers := a.as(t, tok, `{ datasets(first: 1000) { totalCount nodes { path } } }`, nil)
	if n := field(hers, "data", "datasets", "totalCount"); n != field(all, "data", "datasets", "totalCount") || n == nil {
		t.Fatalf("jane lists %v datasets, the admin %v", n, field(all, "data", "datasets", "totalCount"))
	}
	names := fmt.Sprint(field(hers, "data", "datasets", "nodes"))
	for _, p := range []string{"alan@acme/bonds", "quant/stocks", "safety/Reports", "JHUAPL/Mouse 17/EM"} {
		if !strings.Contains(names, p) {
			t.Errorf("jane's listing lacks %s: %s", p, names)
		}
	}

	// And is denied on alan's and quant's, with a reason naming her and the path.
	for _, p := range []string{"alan@acme/bonds", "quant/stocks"} {
		want := "denied: no grant of user:jane@acme or its teams, groups and org covers " + p
		a.asExpect(t, tok, gqlCase{name: "asset " + p, query: `{ asset(path: "` + p + `") { path } }`, code: "FORBIDDEN", msg: want})
		for _, m := range allModes {
			ok, why := a.checkAs(t, tok, m, p, "main")
			if ok || !strings.Contains(why, want) {
				t.Errorf("jane %s on %s: allowed %v, reason %q; want denied with %q", m, p, ok, why, want)
			}
		}
		a.asExpect(t, tok, gqlCase{name: "deploy " + p, query: deployQ,
			vars: map[string]any{"d": "datasets:\n  - {name: " + p + ", fields: [{name: k, type: str, key: true}]}\n"},
			code: "FORBIDDEN", msg: "may not be written; nothing was written"})
	}

	// Fennel's definitions (not its data) are the whole org's to read on main, so she can
	// follow PII down to UserFeatures.
	for _, c := range []struct {
		mode, path, branch string
		want               bool
	}{
		{"READ_DEFINITIONS", "UserFeatures.total_in_hometown", "main", true},
		{"READ_DEFINITIONS", "TxnByCity", "main", true},
		{"READ_DATA", "User.city", "main", false},
		{"WRITE_DEFINITIONS", "TxnByCity", "main", false},
	} {
		if ok, why := a.checkAs(t, tok, c.mode, c.path, c.branch); ok != c.want {
			t.Errorf("jane %s on %s: allowed %v (%s); want %v", c.mode, c.path, ok, why, c.want)
		}
	}
	a.asExpect(t, tok, gqlCase{name: "lineage of total_in_hometown",
		query: `{ lineage(path: "UserFeatures.total_in_hometown", direction: UPSTREAM, depth: 1) { nodes { path } redacted } }`,
		data:  `{"lineage": {"nodes": [{"path": "TxnByCity.total"}, {"path": "UserFeatures"}, {"path": "UserFeatures.city"}, {"path": "UserFeatures.total_in_hometown"}], "redacted": []}}`})
}

// TestJHUAPLFixture: every cell of the README's table, group by mode by level.
func TestJHUAPLFixture(t *testing.T) {
	users := map[string]string{"interns": "user:ian@jhuapl", "analysts": "user:ana@jhuapl",
		"computer_vision": "user:victor@jhuapl", "scientists": "user:sara@jhuapl", "admins": "user:ada@jhuapl"}
	var refs []string
	for _, u := range users {
		refs = append(refs, u)
	}
	a, toks := demoAPI(t, refs...)
	const channel, layer = "JHUAPL/Mouse 17/EM", "JHUAPL/Mouse 17/EM/Algorithm1"
	// allowed[group][level] is the modes allowed, in allModes' order (R W r w M: definitions
	// read and write, data read and write, manage).
	allowed := map[string]map[string]string{
		"interns":         {channel: "R----", layer: "R----"},
		"analysts":        {channel: "R-r--", layer: "R-r--"},
		"computer_vision": {channel: "R-r--", layer: "RWrw-"},
		"scientists":      {channel: "RWrw-", layer: "RWrw-"},
		"admins":          {channel: "RWrwM", layer: "RWrwM"},
	}
	for group, levels := range allowed {
		for path, cells := range levels {
			for i, m := range allModes {
				for _, p := range []string{path, path + ".x"} {
					ok, why := a.checkAs(t, toks[users[group]], m, p, "main")
					if ok != (cells[i] != '-') {
						t.Errorf("%s %s on %s: allowed = %v (%s), want %v", group, m, p, ok, why, !ok)
					}
				}
			}
		}
	}
	// Through the API's reads and writes too: an intern sees the definition, not the data.
	a.asExpect(t, toks[users["interns"]], gqlCase{name: "intern reads the definition", query: `{ asset(path: "` + channel + `") { path } }`,
		data: `{"asset": {"path": "` + channel + `"}}`})
	a.asExpect(t, toks[users["interns"]], gqlCase{name: "intern has no voxels", query: `{ columnAccess(dataset: "` + channel + `") { result } }`,
		data: `{"columnAccess": {"result": "DENY"}}`})
	a.asExpect(t, toks[users["analysts"]], gqlCase{name: "analyst reads voxels", query: `{ columnAccess(dataset: "` + channel + `") { result } }`,
		data: `{"columnAccess": {"result": "ALLOW"}}`})
	doc, _ := fixtures.Get("jhuapl")
	layerOnly := strings.Replace(string(doc), "Annotation layer computed", "Annotations computed", 1)
	a.asExpect(t, toks[users["computer_vision"]], gqlCase{name: "computer vision updates the layer", query: deployQ,
		vars: map[string]any{"d": layerOnly}, data: `{"deploy": {"added": [], "changedAssets": ["JHUAPL/Mouse 17/EM/Algorithm1"]}}`})
	a.asExpect(t, toks[users["computer_vision"]], gqlCase{name: "but not the channel", query: deployQ,
		vars: map[string]any{"d": strings.Replace(string(doc), "Electron microscopy", "EM", 1)}, code: "FORBIDDEN"})
	// assign_group/remove_group: admins grant and revoke under the collection, scientists not.
	grantQ := `mutation { grant(principal: "group:interns", role: "viewer", scope: "JHUAPL/Mouse 17/**") { scope } }`
	a.asExpect(t, toks[users["scientists"]], gqlCase{name: "scientists do not assign groups", query: grantQ, code: "FORBIDDEN"})
	a.asExpect(t, toks[users["admins"]], gqlCase{name: "admins assign groups", query: grantQ, data: `{"grant": {"scope": "JHUAPL/Mouse 17/**"}}`})
	a.asExpect(t, toks[users["admins"]], gqlCase{name: "and remove them", query: `mutation { revoke(principal: "group:interns", role: "viewer", scope: "JHUAPL/Mouse 17/**") }`,
		data: `{"revoke": true}`})
	a.asExpect(t, toks[users["admins"]], gqlCase{name: "but not outside the collection", query: `mutation { grant(principal: "group:interns", role: "viewer", scope: "safety/**") { scope } }`,
		code: "FORBIDDEN"})
	a.asExpect(t, toks[users["analysts"]], gqlCase{name: "analysts do not update", query: deployQ,
		vars: map[string]any{"d": strings.Replace(layerOnly, "Annotations computed", "Objects computed", 1)}, code: "FORBIDDEN"})
}

func TestFennelRolesFixture(t *testing.T) {
	const dev, priya, sam, ci, jane = "user:dev@fennel", "user:priya@fennel", "user:sam@fennel", "workload:ci", "user:jane@acme"
	a, toks := demoAPI(t, dev, priya, sam, ci, jane)
	doc, _ := fixtures.Get("fennel_roles")
	changed := strings.Replace(string(doc), "Report counts per country; no personal data.", "Reports per country.", 1)
	deployOn := `mutation($d: String!, $b: String!) { deploy(document: $d, branch: $b) { changedAssets } }`

	// Only the CI workload writes definitions on prod; developers write them on main.
	for _, p := range []string{dev, priya, sam, jane} {
		a.asExpect(t, toks[p], gqlCase{name: p + " on prod", query: deployOn, vars: map[string]any{"d": changed, "b": "prod"},
			code: "FORBIDDEN", msg: "may not be written"})
		if ok, why := a.checkAs(t, toks[p], "WRITE_DEFINITIONS", "safety/Reports", "prod"); ok {
			t.Errorf("%s may write definitions on prod: %s", p, why)
		}
	}
	a.asExpect(t, toks[ci], gqlCase{name: "ci on prod", query: deployOn, vars: map[string]any{"d": changed, "b": "prod"},
		data: `{"deploy": {"changedAssets": ["safety/ReportCounts"]}}`})
	a.asExpect(t, toks[dev], gqlCase{name: "dev on main", query: deployOn, vars: map[string]any{"d": changed, "b": "main"},
		data: `{"deploy": {"changedAssets": ["safety/ReportCounts"]}}`})

	// Developers read definitions everywhere (every branch); other employees on main only.
	for _, b := range []string{"main", "prod"} {
		for _, p := range []string{"safety/Reports", "safety/ReportsIN", "safety/Reports.reporter_email"} {
			for _, who := range []string{dev, priya, ci} {
				if ok, why := a.checkAs(t, toks[who], "READ_DEFINITIONS", p, b); !ok {
					t.Errorf("%s may not read the definition of %s on %s: %s", who, p, b, why)
				}
			}
			if ok, why := a.checkAs(t, toks[jane], "READ_DEFINITIONS", p, b); ok != (b == "main") {
				t.Errorf("jane reading the definition of %s on %s: allowed %v (%s)", p, b, ok, why)
			}
		}
	}

	// PII only for the safety data scientists, country:IN only for team india; the rest for
	// every employee.
	cols := `query($d: String!) { columnAccess(dataset: $d) { result visible hidden { name reason } } }`
	for _, c := range []struct {
		who, dataset, result, visible, hidden string
	}{
		{sam, "safety/Reports", "PARTIAL", "body country report_id reporter_email", "in_state"},
		{dev, "safety/Reports", "PARTIAL", "body country report_id", "in_state reporter_email"},
		{priya, "safety/Reports", "PARTIAL", "body country in_state report_id", "reporter_email"},
		{jane, "safety/Reports", "PARTIAL", "body country report_id", "in_state reporter_email"},
		{priya, "safety/ReportsIN", "ALLOW", "body report_id", ""},
		{dev, "safety/ReportsIN", "DENY", "", "body report_id"},
		{sam, "safety/ReportsIN", "DENY", "", "body report_id"},
		{dev, "safety/ReportCounts", "ALLOW", "country reports", ""},
	} {
		_, out := a.as(t, toks[c.who], cols, map[string]any{"d": c.dataset})
		ca, _ := field(out, "data", "columnAccess").(map[string]any)
		if ca == nil {
			t.Fatalf("columnAccess %s as %s: %v", c.dataset, c.who, out["errors"])
		}
		var vis, hid []string
		for _, v := range ca["visible"].([]any) {
			vis = append(vis, v.(string))
		}
		for _, h := range ca["hidden"].([]any) {
			h := h.(map[string]any)
			hid = append(hid, h["name"].(string))
			if r := h["reason"].(string); !strings.HasPrefix(r, "denied") {
				t.Errorf("%s as %s: column %s hidden with reason %q", c.dataset, c.who, h["name"], r)
			}
		}
		slices.Sort(vis)
		slices.Sort(hid)
		if ca["result"] != c.result || strings.Join(vis, " ") != c.visible || strings.Join(hid, " ") != c.hidden {
			t.Errorf("columnAccess %s as %s = %v %v hidden %v; want %s %q hidden %q", c.dataset, c.who, ca["result"], vis, hid, c.result, c.visible, c.hidden)
		}
	}
	// The reason of a hidden country column names the rule and the tag.
	_, out := a.as(t, toks[dev], `{ check(mode: READ_DATA, path: "safety/Reports.in_state") { allowed reason } }`, nil)
	if r, _ := field(out, "data", "check", "reason").(string); !strings.Contains(r, "country:IN") || field(out, "data", "check", "allowed") != false {
		t.Errorf("dev reading in_state: %v", field(out, "data", "check"))
	}
}
