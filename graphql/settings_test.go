package graphql_test

import (
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

// An org that keeps names private (setOrgSettings(listNames: false)) lists to a member only
// what it may read, answers null or NOT_FOUND for the rest, and shows unreadable nodes of
// lineage, impact and explanations as "(redacted)"; turning it back on restores names.
func TestNamesPrivate(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	toks := acmeOrg(t, a)
	jane := toks["jane"]
	a.expect(t, gqlCase{name: "others", query: deployQ, vars: map[string]any{"d": othersDoc}})
	a.asExpect(t, jane, gqlCase{name: "hers", query: deployQ, vars: map[string]any{"d": janeDoc}})
	a.expect(t, gqlCase{name: "quant reads jane's weather", query: deployQ, vars: map[string]any{"d": `datasets:
  - name: quant/signals
    fields: [{name: station, type: str, tags: [PII]}]
    pipeline: {inputs: [jane@acme/weather]}
  - name: data/report
    fields: [{name: station, type: str}]
    pipeline: {inputs: [quant/signals]}
`}})

	// Only MANAGE on the org reads or changes the settings.
	a.asExpect(t, jane, gqlCase{name: "jane may not read settings", query: `{ orgSettings { listNames } }`, code: "FORBIDDEN"})
	a.asExpect(t, jane, gqlCase{name: "jane may not change settings", query: `mutation { setOrgSettings(listNames: false) { listNames } }`, code: "FORBIDDEN"})
	a.expect(t, gqlCase{name: "default", query: `{ orgSettings { listNames } }`, data: `{"orgSettings": {"listNames": true}}`})
	a.asExpect(t, jane, gqlCase{name: "names listed", query: `{ datasets { totalCount nodes { path } } }`,
		data: `{"datasets": {"totalCount": 6, "nodes": [{"path": "alan@acme/bonds"}, {"path": "data/forecast"}, {"path": "data/report"}, {"path": "jane@acme/weather"}, {"path": "quant/signals"}, {"path": "quant/stocks"}]}}`})

	a.expect(t, gqlCase{name: "private", query: `mutation { setOrgSettings(listNames: false) { listNames } }`, data: `{"setOrgSettings": {"listNames": false}}`})
	a.expect(t, gqlCase{name: "an unset argument keeps it", query: `mutation { setOrgSettings { listNames } }`, data: `{"setOrgSettings": {"listNames": false}}`})
	for _, c := range []gqlCase{
		{name: "listing", query: `{ datasets { totalCount nodes { path } } }`,
			data: `{"datasets": {"totalCount": 3, "nodes": [{"path": "data/forecast"}, {"path": "data/report"}, {"path": "jane@acme/weather"}]}}`},
		{name: "asset unreadable is null", query: `{ asset(path: "quant/stocks") { path } }`, data: `{"asset": null}`},
		{name: "asset readable", query: `{ asset(path: "data/forecast") { path } }`, data: `{"asset": {"path": "data/forecast"}}`},
		{name: "lineage numbers the hidden", query: `{ lineage(path: "jane@acme/weather", direction: DOWNSTREAM, depth: 2, granularity: DATASET) { nodes { path } redacted edges { from to } } }`,
			data: `{"lineage": {"nodes": [{"path": "data/forecast"}, {"path": "data/report"}, {"path": "jane@acme/weather"}], "redacted": ["(redacted 1)"],
			"edges": [{"from": "(redacted 1)", "to": "data/report"}, {"from": "jane@acme/weather", "to": "(redacted 1)"}, {"from": "jane@acme/weather", "to": "data/forecast"}]}}`},
		{name: "impact lists only the readable", query: `{ impact(path: "jane@acme/weather") { totalCount nodes } }`,
			data: `{"impact": {"totalCount": 7, "nodes": ["data/forecast", "data/forecast.station", "data/forecast.temp_max", "data/report", "data/report.station", "jane@acme/weather.station", "jane@acme/weather.temp"]}}`},
		{name: "explanations redact", query: `{ explainTag(path: "data/report.station", tag: "PII") { present sources { source path } } }`,
			data: `{"explainTag": {"present": true, "sources": [{"source": "(redacted)", "path": ["(redacted)", "data/report", "data/report.station"]}]}}`},
		{name: "lineage of an unreadable path is NOT_FOUND", query: `{ lineage(path: "quant/stocks", direction: UPSTREAM) { redacted } }`, code: "NOT_FOUND", msg: "or you may not read it"},
		{name: "search finds the readable only", query: `{ search(kind: DATASET) { totalCount nodes { path } } }`,
			data: `{"search": {"totalCount": 3, "nodes": [{"path": "data/forecast"}, {"path": "data/report"}, {"path": "jane@acme/weather"}]}}`},
	} {
		a.asExpect(t, jane, c)
	}
	// The admin reads everything, names included.
	a.expect(t, gqlCase{name: "admin lists all", query: `{ datasets { totalCount } }`, data: `{"datasets": {"totalCount": 6}}`})

	// Turning it back on restores the names (TestSettingsPersist: they survive a restart).
	a.expect(t, gqlCase{name: "public again", query: `mutation { setOrgSettings(listNames: true) { listNames } }`, data: `{"setOrgSettings": {"listNames": true}}`})
	a.asExpect(t, jane, gqlCase{name: "asset unreadable is FORBIDDEN again", query: `{ asset(path: "quant/stocks") { path } }`, code: "FORBIDDEN", msg: "quant/stocks"})
}
