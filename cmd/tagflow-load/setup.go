package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// benchDocument is the catalog of the access targets: data/wide has 200 columns, every
// tenth with PII (hidden from jane's analyst role) and every seventh with country:IN;
// data/small0..9 have 10 fields each (the asset preset's shape of the README's earlier
// figure).
func benchDocument() string {
	var b strings.Builder
	b.WriteString("datasets:\n  - name: data/wide\n    owner: team:platform\n    fields:\n")
	for i := 0; i < 200; i++ {
		tags := []string{"daily", "stripe"}
		if i%10 == 3 {
			tags = append(tags, "PII")
		}
		if i%7 == 5 {
			tags = append(tags, "country:IN")
		}
		key := ""
		if i == 0 {
			key = ", key: true"
		}
		fmt.Fprintf(&b, "      - {name: col%03d, type: str%s, tags: [%s]}\n", i, key, strings.Join(tags, ", "))
	}
	for d := 0; d < 10; d++ {
		fmt.Fprintf(&b, "  - name: data/small%d\n    owner: team:platform\n    fields:\n", d)
		for i := 0; i < 10; i++ {
			key := ""
			if i == 0 {
				key = ", key: true"
			}
			fmt.Fprintf(&b, "      - {name: f%d, type: str%s, tags: [daily]}\n", i, key)
		}
	}
	return b.String()
}

// benchSetup is the order of mutations that builds the principals, roles and grants of
// issue 8's check target in org: jane@acme in teams data, ml and ops, 20 grants (her own, her
// teams' and the org's templates), custom roles with tag rules.
func benchSetup(org string) []struct {
	query string
	vars  map[string]any
} {
	type m = struct {
		query string
		vars  map[string]any
	}
	steps := []m{
		{`mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": benchDocument()}},
		{`mutation { createUser(name: "jane@acme") { ref } }`, nil},
	}
	for _, team := range []string{"data", "ml", "ops"} {
		steps = append(steps, m{`mutation($n: String!) { createTeam(name: $n, members: ["user:jane@acme"]) { ref } }`, map[string]any{"n": team}})
	}
	roles := map[string][]map[string]any{
		"analyst": {{"modes": []string{"READ_DATA", "READ_DEFINITIONS"}, "tags": "!PII"}},
		"writer":  {{"modes": []string{"WRITE_DATA", "WRITE_DEFINITIONS"}, "tags": "!PII"}},
		"devs":    {{"modes": []string{"READ_DATA"}, "branches": []string{"main", "dev/*"}}},
		"country": {{"modes": []string{"READ_DEFINITIONS"}}, {"modes": []string{"READ_DATA"}, "tags": "!sensitive || country:IN"}},
	}
	for _, name := range []string{"analyst", "writer", "devs", "country"} {
		steps = append(steps, m{`mutation($n: String!, $r: [RuleInput!]!) { createRole(name: $n, rules: $r) { name } }`, map[string]any{"n": name, "r": roles[name]}})
	}
	holders := []string{"user:jane@acme", "team:data", "team:ml", "team:ops"}
	roleNames := []string{"analyst", "writer", "devs", "country", "viewer"}
	grant := func(p, r, s string) m {
		return m{`mutation($p: String!, $r: String!, $s: String!) { grant(principal: $p, role: $r, scope: $s) { scope } }`, map[string]any{"p": p, "r": r, "s": s}}
	}
	for i := 0; i < 17; i++ {
		scope := fmt.Sprintf("proj%d/**", i)
		if i%3 == 1 {
			scope = fmt.Sprintf("proj%d/ds", i)
		}
		steps = append(steps, grant(holders[i%len(holders)], roleNames[i%len(roleNames)], scope))
	}
	steps = append(steps,
		grant("team:data", "analyst", "data/**"),
		grant("org:"+org, "editor", "${user}/**"),
		grant("org:"+org, "writer", "${team}/**"),
	)
	return steps
}

// setup runs benchSetup against the server as the admin and answers a new token of
// jane@acme.
func setup(server, adminToken string) (string, error) {
	if err := checkLoopback(server); err != nil {
		return "", err
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	endpoint := strings.TrimRight(server, "/") + "/graphql"
	call := func(query string, vars map[string]any) (json.RawMessage, error) {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out struct {
			Data   json.RawMessage `json:"data"`
			Errors []any           `json:"errors"`
		}
		if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != 200 || len(out.Errors) > 0 {
			return nil, fmt.Errorf("%.60s…: status %d: %s", query, resp.StatusCode, truncate(raw))
		}
		return out.Data, nil
	}
	me, err := call(`{ me { org } }`, nil)
	if err != nil {
		return "", err
	}
	var who struct{ Me struct{ Org string } }
	if err := json.Unmarshal(me, &who); err != nil || who.Me.Org == "" {
		return "", fmt.Errorf("me: no org in %s", truncate(me))
	}
	for _, s := range benchSetup(who.Me.Org) {
		if _, err := call(s.query, s.vars); err != nil {
			return "", err
		}
	}
	data, err := call(`mutation { createToken(principal: "user:jane@acme", name: "load") { token } }`, nil)
	if err != nil {
		return "", err
	}
	var out struct {
		CreateToken struct{ Token string } `json:"createToken"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.CreateToken.Token == "" {
		return "", fmt.Errorf("createToken: no token in %s", truncate(data))
	}
	return out.CreateToken.Token, nil
}

func setupMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tagflow-load setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the server's base URL (loopback only)")
	token := fs.String("token", "", "the admin's token")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if err := checkLoopback(*server); err != nil {
		fmt.Fprintf(stderr, "tagflow-load: %v\n", err)
		return 1
	}
	tok, err := setup(*server, *token)
	if err != nil {
		fmt.Fprintf(stderr, "tagflow-load setup: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, tok)
	return 0
}
