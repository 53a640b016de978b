package graphql_test

// Tests of the token API (DESIGN §5, issue 8 item 6) over a real server: tokens for the
// caller and, with MANAGE, for another principal; the new token authenticates as its
// principal; listings never show a secret; revocation is effective on the next request;
// a principal without grants manages its own tokens and nobody else's.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tagflow/tagflow/graphql"
)

// as sends a GraphQL request with token and returns the status and the answer.
func (a *api) as(t *testing.T, token, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return a.post(t, "/graphql", token, "application/json", body)
}

// field digs a value out of an answer by keys.
func field(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

const newTokenFields = `id token name principal createdAt expiresAt`

func TestTokenAPI(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.run(t, []gqlCase{
		{name: "users", query: `mutation { createUser(name: "jane@acme") { ref } t: createTeam(name: "data") { ref } w: createWorkload(name: "ci") { ref } }`,
			data: `{"createUser": {"ref": "user:jane@acme"}, "t": {"ref": "team:data"}, "w": {"ref": "workload:ci"}}`},
	})

	// The admin makes a token for itself, and one for jane that expires in an hour.
	mine := a.gql(t, `mutation { createToken(name: "mine") { `+newTokenFields+` } }`, nil)
	if errorCode(mine) != "" || !strings.HasPrefix(field(mine, "data", "createToken", "token").(string), "tfp_") ||
		field(mine, "data", "createToken", "principal") != "user:admin" || field(mine, "data", "createToken", "expiresAt") != nil {
		t.Fatalf("createToken for the admin: %v", mine)
	}
	mineID := field(mine, "data", "createToken", "id").(string)
	out := a.gql(t, `mutation { createToken(principal: "user:jane@acme", name: "laptop", expiresInSeconds: 3600) { `+newTokenFields+` } }`, nil)
	if errorCode(out) != "" {
		t.Fatalf("createToken for jane: %v", out)
	}
	nt := field(out, "data", "createToken").(map[string]any)
	jane, janeID := nt["token"].(string), nt["id"].(string)
	created, err1 := time.Parse(time.RFC3339, nt["createdAt"].(string))
	expires, err2 := time.Parse(time.RFC3339, nt["expiresAt"].(string))
	if err1 != nil || err2 != nil || expires.Sub(created) != time.Hour || nt["principal"] != "user:jane@acme" || nt["name"] != "laptop" {
		t.Errorf("jane's new token = %v (%v %v)", nt, err1, err2)
	}

	// jane's token authenticates as jane, who has no grant: she gets me and her own
	// tokens, and manages them, but nobody else's.
	if _, out := a.as(t, jane, `{ me { principal { ref } } }`, nil); field(out, "data", "me", "principal", "ref") != "user:jane@acme" {
		t.Fatalf("me with jane's token: %v", out)
	}
	status, out := a.as(t, jane, `{ tokens { id name principal createdAt expiresAt lastUsedAt } }`, nil)
	list, _ := field(out, "data", "tokens").([]any)
	if status != 200 || len(list) != 1 || field(list[0], "id") != janeID || field(list[0], "name") != "laptop" || field(list[0], "lastUsedAt") == nil {
		t.Errorf("jane's own tokens: %d %v", status, out)
	}
	for _, c := range []struct{ name, query, code, msg string }{
		{"for herself", `mutation { createToken(name: "second") { principal } }`, "", ""},
		{"for herself by reference", `mutation { createToken(principal: "user:jane@acme", name: "third") { principal } }`, "", ""},
		{"her own by reference", `{ tokens(principal: "user:jane@acme") { name } }`, "", ""},
		{"for the admin", `mutation { createToken(principal: "user:admin", name: "x") { token } }`, "FORBIDDEN", ""},
		{"for a principal that does not exist", `mutation { createToken(principal: "user:nobody", name: "x") { token } }`, "FORBIDDEN", ""},
		{"the admin's tokens", `{ tokens(principal: "user:admin") { name } }`, "FORBIDDEN", ""},
		{"revoke the admin's token", `mutation { revokeToken(id: "` + mineID + `") }`, "NOT_FOUND", "among the tokens you may revoke"},
	} {
		_, out := a.as(t, jane, c.query, nil)
		if got := errorCode(out); got != c.code {
			t.Errorf("jane: %s: code %q, want %q (%v)", c.name, got, c.code, out)
		}
	}
	if _, out := a.as(t, jane, `{ tokens { name } }`, nil); !jsonEqual(t, field(out, "data", "tokens"), `[{"name": "laptop"}, {"name": "second"}, {"name": "third"}]`) {
		t.Errorf("jane's tokens by name: %v", out)
	}

	// The admin lists jane's tokens: no secret anywhere.
	out = a.gql(t, `{ tokens(principal: "user:jane@acme") { id name principal createdAt expiresAt lastUsedAt } }`, nil)
	if raw, _ := json.Marshal(out); len(field(out, "data", "tokens").([]any)) != 3 || strings.Contains(string(raw), "tfp_") || strings.Contains(string(raw), "hash") {
		t.Errorf("jane's tokens as the admin: %s", raw)
	}
	var second, third string
	for _, tok := range field(out, "data", "tokens").([]any) {
		switch field(tok, "name") {
		case "second":
			second = field(tok, "id").(string)
		case "third":
			third = field(tok, "id").(string)
		}
	}

	// A token of another org is not found, and stays.
	other, err := a.reg.Bootstrap(context.Background(), "other", func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	a.run(t, []gqlCase{
		{name: "for a team", query: `mutation { createToken(principal: "team:data", name: "x") { id } }`, code: "INVALID_ARGUMENT", msg: "only users and workloads"},
		{name: "for the org", query: `mutation { createToken(principal: "org:acme", name: "x") { id } }`, code: "INVALID_ARGUMENT", msg: "cannot hold a token"},
		{name: "for nobody", query: `mutation { createToken(principal: "user:nobody", name: "x") { id } }`, code: "NOT_FOUND", msg: "user:nobody does not exist"},
		{name: "for a bare name", query: `mutation { createToken(principal: "jane@acme", name: "x") { id } }`, code: "INVALID_ARGUMENT"},
		{name: "expires now", query: `mutation { createToken(name: "x", expiresInSeconds: 0) { id } }`, code: "INVALID_ARGUMENT", msg: "between 1 and 31536000"},
		{name: "expired", query: `mutation { createToken(name: "x", expiresInSeconds: -5) { id } }`, code: "INVALID_ARGUMENT"},
		{name: "over a year", query: `mutation { createToken(name: "x", expiresInSeconds: 31536001) { id } }`, code: "INVALID_ARGUMENT"},
		{name: "no name", query: `mutation { createToken(name: "") { id } }`, code: "INVALID_ARGUMENT", msg: "needs a name"},
		{name: "same name", query: `mutation { createToken(principal: "user:jane@acme", name: "laptop") { id } }`, code: "CONFLICT", msg: `already has a token named "laptop"`},
		{name: "a team's tokens", query: `{ tokens(principal: "team:data") { id } }`, code: "INVALID_ARGUMENT"},
		{name: "nobody's tokens", query: `{ tokens(principal: "user:nobody") { id } }`, code: "NOT_FOUND"},
		{name: "revoke an unknown id", query: `mutation { revokeToken(id: "tok_0000000000000000") }`, code: "NOT_FOUND"},
		{name: "revoke another org's token", query: `mutation { revokeToken(id: "` + other.ID + `") }`, code: "NOT_FOUND"},
		{name: "revoke jane's third", query: `mutation { revokeToken(id: "` + third + `") }`, data: `{"revokeToken": true}`},
		{name: "revoke it again", query: `mutation { revokeToken(id: "` + third + `") }`, code: "NOT_FOUND"},
	})
	if _, ok := a.reg.Token(other.ID); !ok {
		t.Error("the other org's token was revoked")
	}

	// A workload's token acts as the workload.
	out = a.gql(t, `mutation { createToken(principal: "workload:ci", name: "deploys") { token } }`, nil)
	if _, me := a.as(t, field(out, "data", "createToken", "token").(string), `{ me { principal { ref } } }`, nil); field(me, "data", "me", "principal", "ref") != "workload:ci" {
		t.Errorf("me with ci's token: %v", me)
	}

	// jane revokes her second token, then the one she is using: the request that does it
	// succeeds, the next one is refused.
	for _, id := range []string{second, janeID} {
		if _, out := a.as(t, jane, `mutation($id: ID!) { revokeToken(id: $id) }`, map[string]any{"id": id}); field(out, "data", "revokeToken") != true {
			t.Fatalf("jane revokes %s: %v", id, out)
		}
	}
	if status, out := a.as(t, jane, `{ me { principal { ref } } }`, nil); status != 401 || errorCode(out) != "UNAUTHENTICATED" {
		t.Errorf("jane's token after she revoked it: %d %v", status, out)
	}
	if out := a.gql(t, `{ tokens(principal: "user:jane@acme") { id } }`, nil); !jsonEqual(t, field(out, "data", "tokens"), `[]`) {
		t.Errorf("jane's tokens at the end: %v", out)
	}
	// The admin's own token, revoked by the admin: effective on the next request.
	if out := a.gql(t, `mutation($id: ID!) { revokeToken(id: $id) }`, map[string]any{"id": mineID}); field(out, "data", "revokeToken") != true {
		t.Errorf("admin revokes its own: %v", out)
	}
	if status, _ := a.as(t, field(mine, "data", "createToken", "token").(string), `{ me { org } }`, nil); status != 401 {
		t.Errorf("the admin's revoked token: %d", status)
	}
}

func jsonEqual(t *testing.T, got any, want string) bool {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(js(t, want))
	return string(g) == string(w)
}

// A token never outlives the token that makes a token of its own: left out, the expiry is
// the caller's; longer is INVALID_ARGUMENT. A manager's tokens for others are not bound.
func TestTokenDoesNotOutliveItsMaker(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	a.run(t, []gqlCase{{name: "jane", query: `mutation { createUser(name: "jane@acme") { ref } }`}})
	out := a.gql(t, `mutation { createToken(principal: "user:jane@acme", name: "short", expiresInSeconds: 600) { token expiresAt } }`, nil)
	short := field(out, "data", "createToken", "token").(string)
	shortExp := field(out, "data", "createToken", "expiresAt").(string)

	_, out = a.as(t, short, `mutation { createToken(name: "forever") { expiresAt } }`, nil)
	got, err := time.Parse(time.RFC3339, field(out, "data", "createToken", "expiresAt").(string))
	want, _ := time.Parse(time.RFC3339, shortExp)
	if err != nil || got.After(want) || want.Sub(got) > 2*time.Second {
		t.Errorf("a token made without an expiry by a 10-minute token expires at %v, want %v (%v)", got, want, out)
	}
	_, out = a.as(t, short, `mutation { createToken(name: "long", expiresInSeconds: 7200) { expiresAt } }`, nil)
	if errorCode(out) != "INVALID_ARGUMENT" || !strings.Contains(field(out, "errors").([]any)[0].(map[string]any)["message"].(string), "may not outlive the token that creates it") {
		t.Errorf("a 2-hour token from a 10-minute one: %v", out)
	}
	_, out = a.as(t, short, `mutation { createToken(name: "shorter", expiresInSeconds: 60) { expiresAt } }`, nil)
	if errorCode(out) != "" {
		t.Errorf("a shorter token: %v", out)
	}
	// The admin's lasting token makes lasting tokens, for itself and for jane.
	out = a.gql(t, `mutation { a: createToken(name: "x") { expiresAt } j: createToken(principal: "user:jane@acme", name: "y") { expiresAt } }`, nil)
	if errorCode(out) != "" || field(out, "data", "a", "expiresAt") != nil || field(out, "data", "j", "expiresAt") != nil {
		t.Errorf("the admin's tokens: %v", out)
	}
}
