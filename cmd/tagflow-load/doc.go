// Command tagflow-load is a load generator for a tagflow server on this machine: it sends
// one GraphQL query (a preset or --query) over HTTP with --concurrency requests in flight
// (16 by default) until --requests have been answered or --duration has passed, whichever
// comes first, and prints the count, the errors, requests/s and the latency percentiles
// (p50, p90, p99, max) as text or, with -o json, as one JSON object.
//
// It refuses every server that is not on loopback (127.0.0.0/8, ::1, localhost): load on
// other hosts is not allowed here.
//
// Presets (their variables come from --vars, a JSON object):
//
//	asset         asset(path: $p) with its fields             --vars '{"p": "data/wide"}'
//	columnAccess  columnAccess(dataset: $d) with the reasons  --vars '{"d": "data/wide"}'
//	check         check(mode: $m, path: $p)                   --vars '{"m": "READ_DATA", "p": "data/wide.col000"}'
//
// "tagflow-load setup --server URL --token ADMIN" builds the catalog of issue 8's access
// targets through the API (a 200-column dataset with PII and country tags, user jane@acme
// in 3 teams, custom roles with tag rules, 20 grants) and prints a token of jane@acme;
// `make load` uses it.
//
// Exit codes: 0 ok (errors among the answers are counted, not fatal), 1 usage or a
// refused address, 2 the setup or the first request failed.
package main
