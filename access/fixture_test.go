package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/fixtures"
)

// state is what an org holds of principals, roles and grants, for comparisons.
func state(reg *access.Registry, org string) string {
	var b strings.Builder
	for _, p := range reg.Principals(org, "") {
		b.WriteString(p.Ref() + " " + strings.Join(p.Members, ",") + "\n")
	}
	for _, r := range reg.Roles(org) {
		b.WriteString("role " + r.Name + "\n")
	}
	for _, g := range reg.ListGrants(org, "", "") {
		b.WriteString(g.Principal + " " + g.Role + " " + g.Scope + "\n")
	}
	return b.String()
}

// TestApplyFixtureIdempotent: the §7 fixtures apply to one org side by side (no names
// clash), again without a change, and a changed fixture updates members and rules.
func TestApplyFixtureIdempotent(t *testing.T) {
	ctx := context.Background()
	reg, closeFn := openRegistry(t, t.TempDir())
	defer closeFn()
	if _, err := reg.Bootstrap(ctx, "demo", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, d := range fixtures.Access() {
		if err := access.ApplyFixture(ctx, reg, "demo", d.Data); err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
	}
	once := state(reg, "demo")
	for _, want := range []string{"team:data user:jane@acme,user:samir@acme\n", "org:demo editor ${user}/**\n",
		"group:interns user:ian@jhuapl\n", "workload:ci \n", "role country-IN\n", "team:india country-IN safety/**\n"} {
		if !strings.Contains(once, want) {
			t.Errorf("state lacks %q:\n%s", want, once)
		}
	}
	for _, d := range fixtures.Access() {
		if err := access.ApplyFixture(ctx, reg, "demo", d.Data); err != nil {
			t.Fatalf("again %s: %v", d.Name, err)
		}
	}
	if again := state(reg, "demo"); again != once {
		t.Fatalf("applying again changed the state:\n%s\nwas\n%s", again, once)
	}
	changed := `users: [jane@acme, samir@acme]
teams: [{name: data, members: [user:samir@acme]}]
roles: [{name: developer, rules: [{modes: [READ_DEFINITIONS]}]}]
`
	if err := access.ApplyFixture(ctx, reg, "demo", []byte(changed)); err != nil {
		t.Fatal(err)
	}
	if p, _ := reg.Principal("demo", "team:data"); strings.Join(p.Members, ",") != "user:samir@acme" {
		t.Errorf("team:data members = %v", p.Members)
	}
	if r, _ := reg.RoleByName("demo", "developer"); len(r.Rules) != 1 {
		t.Errorf("developer has %d rules", len(r.Rules))
	}
}

// TestApplyFixtureErrors: every mistake names its entry and line, and writes nothing.
func TestApplyFixtureErrors(t *testing.T) {
	ctx := context.Background()
	reg, closeFn := openRegistry(t, t.TempDir())
	defer closeFn()
	if _, err := reg.Bootstrap(ctx, "demo", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	before := state(reg, "demo")
	for _, c := range []struct{ name, doc, msg string }{
		{"not yaml", "users: [a\n", "not YAML"},
		{"not a mapping", "- a\n", "line 1: an access fixture is a mapping"},
		{"unknown key", "users: [a]\nteam: []\n", `line 2: unknown key "team"; the keys are users, workloads, teams, groups, roles, grants`},
		{"users not a list", "users: a\n", "line 1: users must be a list"},
		{"bad name", "users: [ok, _x]\n", `line 1: users[1] "_x"`},
		{"name clash", "users: [data]\nteams: [{name: Data}]\n", `line 2: teams[0] "Data": the name is taken by user:data`},
		{"bare member", "users: [a]\nteams:\n  - {name: t, members: [a]}\n", `line 3: teams[0] "t": members[0]`},
		{"team member", "teams:\n  - {name: t}\n  - {name: u, members: [team:t]}\n", `line 3: teams[1] "u": members[0]: team:t: members are users and workloads`},
		{"unknown member", "teams:\n  - {name: t, members: [user:ghost]}\n", `line 2: teams[0] "t": members[0]: user:ghost is neither`},
		{"unknown team key", "teams:\n  - {name: t, member: []}\n", `line 2: teams[0]: unknown key "member"`},
		{"bad role name", "roles:\n  - {name: 9x, rules: [{modes: [READ_DATA]}]}\n", `line 2: roles[0] "9x"`},
		{"built-in role", "roles:\n  - {name: admin, rules: [{modes: [READ_DATA]}]}\n", `line 2: roles[0] "admin"`},
		{"bad mode", "roles:\n  - name: r\n    rules: [{modes: [READ]}]\n", `line 2: roles[0] "r": rules[0].modes[0]: unknown mode "READ"`},
		{"bad tags", "roles:\n  - name: r\n    rules: [{modes: [READ_DATA], tags: \"PII && (\"}]\n", `line 2: roles[0] "r": rules[0].tags: "PII && (" — column 8`},
		{"unknown rule key", "roles:\n  - name: r\n    rules: [{mode: [READ_DATA]}]\n", `line 3: roles[0].rules[0]: unknown key "mode"`},
		{"unknown principal", "grants:\n  - {principal: user:ghost, role: viewer, scope: \"*\"}\n", `line 2: grants[0] (user:ghost viewer *): principal user:ghost is neither`},
		{"bare principal", "grants:\n  - {principal: admin, role: viewer, scope: \"*\"}\n", `line 2: grants[0] (admin viewer *): principal:`},
		{"unknown role", "grants:\n  - {principal: org, role: nope, scope: \"*\"}\n", `line 2: grants[0] (org:demo nope *): role "nope" is neither built in`},
		{"bad scope", "grants:\n  - {principal: org, role: viewer, scope: \"data/*\"}\n", `line 2: grants[0] (org:demo viewer data/*): scope: scope "data/*": one "*" is not a scope`},
		{"name held by another kind", "teams: [{name: Admin}]\n", `line 1: teams[0] "Admin": the name is taken by user:admin in org "demo"`},
		// A good start before the mistake writes nothing either.
		{"late mistake", "users: [fine]\ngrants:\n  - {principal: user:fine, role: viewer, scope: \"a/**/b\"}\n", "line 3: grants[0]"},
	} {
		err := access.ApplyFixture(ctx, reg, "demo", []byte(c.doc))
		var ce *catalog.Error
		if !errors.As(err, &ce) || ce.Kind != catalog.InvalidArgument || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want INVALID_ARGUMENT containing %q", c.name, err, c.msg)
		}
		if after := state(reg, "demo"); after != before {
			t.Fatalf("%s: the refused fixture wrote:\n%s", c.name, after)
		}
	}
}
