package access_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
)

func rule(modes, branches []string, tags string) access.RuleInput {
	return access.RuleInput{Modes: modes, Branches: branches, Tags: tags}
}

var analystRules = []access.RuleInput{
	rule([]string{"READ_DEFINITIONS"}, nil, ""),
	rule([]string{"READ_DATA", "READ_DEFINITIONS"}, []string{"main", "dev/*"}, "!PII && ( !secret)"),
}

func ruleInputs(r access.Role) string {
	var parts []string
	for i := range r.Rules {
		in := r.Rules[i].Input()
		parts = append(parts, strings.Join(in.Modes, ",")+";"+strings.Join(in.Branches, ",")+";"+in.Tags)
	}
	return strings.Join(parts, " | ")
}

// TestRolesStored: custom roles are created, edited and deleted, each in one write that
// survives a restart of the store, in their canonical form; built-ins are immutable and
// their names taken; a role in use by a grant is not deleted; mistakes name their place.
func TestRolesStored(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	reg, closeStore := bootstrapped(t, dir)
	mustCreate(t, reg, "team", "data")
	ri, err := reg.CreateRole(ctx, "acme", "analyst", analystRules)
	if err != nil {
		t.Fatal(err)
	}
	const want = "READ_DEFINITIONS;*;true | READ_DEFINITIONS,READ_DATA;main,dev/*;!PII && !secret"
	if got := ruleInputs(ri.Role); got != want || ri.BuiltIn {
		t.Fatalf("created analyst = %s (builtIn %v), want %s", got, ri.BuiltIn, want)
	}
	if _, err := reg.CreateRole(ctx, "acme", "ops", []access.RuleInput{rule([]string{"READ_DATA"}, nil, "")}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.UpdateRole(ctx, "acme", "ops", []access.RuleInput{rule([]string{"WRITE_DATA", "MANAGE"}, []string{"main"}, "ops")}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Grant(ctx, "acme", "team:data", "analyst", "data/**"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreateRole(ctx, "acme", "gone", analystRules); err != nil {
		t.Fatal(err)
	}
	if err := reg.DeleteRole(ctx, "acme", "gone"); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		do   func() error
		kind catalog.Kind
		msg  string
	}{
		{"create a built-in name", func() error { _, err := reg.CreateRole(ctx, "acme", "viewer", analystRules); return err }, catalog.Conflict, "built-in role"},
		{"create an existing role", func() error { _, err := reg.CreateRole(ctx, "acme", "analyst", analystRules); return err }, catalog.Conflict, `role "analyst" exists`},
		{"update a built-in", func() error { _, err := reg.UpdateRole(ctx, "acme", "admin", analystRules); return err }, catalog.Conflict, "cannot be changed"},
		{"delete a built-in", func() error { return reg.DeleteRole(ctx, "acme", "editor") }, catalog.Conflict, "cannot be deleted"},
		{"update an unknown role", func() error { _, err := reg.UpdateRole(ctx, "acme", "nobody", analystRules); return err }, catalog.NotFound, `role "nobody" does not exist`},
		{"delete an unknown role", func() error { return reg.DeleteRole(ctx, "acme", "nobody") }, catalog.NotFound, `role "nobody" does not exist`},
		{"delete a role in use", func() error { return reg.DeleteRole(ctx, "acme", "analyst") }, catalog.Conflict, "used by 1 grant(s) (team:data on data/**); revoke them first"},
		{"a reserved name", func() error { _, err := reg.CreateRole(ctx, "acme", "_x", analystRules); return err }, catalog.InvalidArgument, "reserved"},
		{"no rules", func() error { _, err := reg.CreateRole(ctx, "acme", "x", nil); return err }, catalog.InvalidArgument, "rules: empty"},
		{"a bad expression", func() error {
			_, err := reg.CreateRole(ctx, "acme", "x", []access.RuleInput{analystRules[0], rule([]string{"READ_DATA"}, nil, "PII && (")})
			return err
		}, catalog.InvalidArgument, `rules[1].tags: "PII && (" — column 8`},
		{"a bad mode", func() error {
			_, err := reg.UpdateRole(ctx, "acme", "ops", []access.RuleInput{rule([]string{"READ"}, nil, "")})
			return err
		}, catalog.InvalidArgument, `rules[0].modes[0]: unknown mode "READ"`},
	} {
		err := tc.do()
		if catalog.KindOf(err) != tc.kind || err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %v containing %q", tc.name, err, tc.kind, tc.msg)
		}
	}

	check := func(stage string, reg *access.Registry) {
		t.Helper()
		roles := reg.Roles("acme")
		var names []string
		for _, r := range roles {
			names = append(names, r.Name)
		}
		if got := strings.Join(names, ","); got != "admin,editor,viewer,analyst,ops" {
			t.Errorf("%s: roles %s", stage, got)
		}
		a, ok := reg.RoleByName("acme", "analyst")
		if !ok || ruleInputs(a.Role) != want || a.CreatedAt.IsZero() {
			t.Errorf("%s: analyst = %v %s", stage, ok, ruleInputs(a.Role))
		}
		o, _ := reg.RoleByName("acme", "ops")
		if got := ruleInputs(o.Role); got != "WRITE_DATA,MANAGE;main;ops" || !o.UpdatedAt.After(o.CreatedAt) && !o.UpdatedAt.Equal(o.CreatedAt) {
			t.Errorf("%s: ops = %s", stage, got)
		}
		if v, ok := reg.RoleByName("acme", "viewer"); !ok || !v.BuiltIn {
			t.Errorf("%s: viewer is not built in", stage)
		}
		if _, ok := reg.RoleByName("acme", "gone"); ok {
			t.Errorf("%s: the deleted role is back", stage)
		}
		if _, ok := reg.RoleByName("other", "analyst"); ok {
			t.Errorf("%s: another org sees acme's role", stage)
		}
	}
	check("before restart", reg)
	closeStore()
	reg, closeStore = openRegistry(t, dir)
	defer closeStore()
	check("after restart", reg)
	// The stored role still decides after the restart.
	mustCreate(t, reg, "user", "jane@acme")
	if _, err := reg.SetMembers(ctx, "acme", "team:data", []string{"user:jane@acme"}); err != nil {
		t.Fatal(err)
	}
	p := reg.Policy("acme", "user:jane@acme")
	if d := p.Check(&access.Request{Mode: access.ReadData, Path: "data/x", Branch: "dev/a"}); !d.Allowed {
		t.Errorf("after restart, analyst does not allow READ_DATA on data/x at dev/a")
	}
	if d := p.Check(&access.Request{Mode: access.ReadData, Path: "data/x", Branch: "dev/a", Tags: []string{"PII"}}); d.Allowed {
		t.Errorf("after restart, analyst allows READ_DATA on a PII asset")
	}
}

// TestGrantValidation: a grant names a principal of the org by reference, a role that
// exists and a scope that parses; it is stored canonical, idempotent, listed sorted and
// filtered, revoked (false when absent), and survives a restart.
func TestGrantValidation(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	reg, closeStore := bootstrapped(t, dir)
	mustCreate(t, reg, "user", "jane@acme")
	mustCreate(t, reg, "team", "data", "user:jane@acme")
	for _, tc := range []struct {
		principal, role, scope string
		kind                   catalog.Kind
		msg                    string
	}{
		{"jane@acme", "viewer", "*", catalog.InvalidArgument, "write user:jane@acme"},
		{"user:nobody", "viewer", "*", catalog.NotFound, "user:nobody does not exist"},
		{"robot:x", "viewer", "*", catalog.InvalidArgument, ""},
		{"user:jane@acme", "analyst", "*", catalog.NotFound, `role "analyst" does not exist`},
		{"user:jane@acme", "viewer", "data/**/x", catalog.InvalidArgument, "scope: "},
		{"user:jane@acme", "viewer", "", catalog.InvalidArgument, "scope: "},
	} {
		_, err := reg.Grant(ctx, "acme", tc.principal, tc.role, tc.scope)
		if catalog.KindOf(err) != tc.kind || err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("grant %s %s %q: %v, want %v containing %q", tc.principal, tc.role, tc.scope, err, tc.kind, tc.msg)
		}
	}
	g1, err := reg.Grant(ctx, "acme", "user:jane@acme", "viewer", "data/**")
	if err != nil {
		t.Fatal(err)
	}
	g2, err := reg.Grant(ctx, "acme", "user:jane@acme", "viewer", "data/**")
	if err != nil || g2 != g1 {
		t.Errorf("a duplicate grant: %v %v, want the first %v", g2, err, g1)
	}
	if _, err := reg.Grant(ctx, "acme", "team:data", "editor", "${team}/**"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Grant(ctx, "acme", "team:data", "viewer", "*"); err != nil {
		t.Fatal(err)
	}
	list := func(principal, scope string) string {
		var parts []string
		for _, g := range reg.ListGrants("acme", principal, scope) {
			parts = append(parts, g.Principal+" "+g.Role+" "+g.Scope)
		}
		return strings.Join(parts, "; ")
	}
	if got := list("", ""); got != "team:data editor ${team}/**; team:data viewer *; user:admin admin *; user:jane@acme viewer data/**" {
		t.Errorf("all grants: %s", got)
	}
	if got := list("team:data", ""); got != "team:data editor ${team}/**; team:data viewer *" {
		t.Errorf("team:data's grants: %s", got)
	}
	if got := list("", "*"); got != "team:data viewer *; user:admin admin *" {
		t.Errorf("grants on *: %s", got)
	}
	if ok, err := reg.Revoke(ctx, "acme", "user:jane@acme", "editor", "data/**"); ok || err != nil {
		t.Errorf("revoke of a missing grant: %v %v, want false", ok, err)
	}
	if ok, err := reg.Revoke(ctx, "acme", "team:data", "viewer", "*"); !ok || err != nil {
		t.Errorf("revoke: %v %v", ok, err)
	}
	if _, err := reg.Revoke(ctx, "acme", "user:admin", "admin", "*"); catalog.KindOf(err) != catalog.Conflict {
		t.Errorf("revoking the last admin: %v, want Conflict", err)
	}
	closeStore()
	reg, closeStore = openRegistry(t, dir)
	defer closeStore()
	if got := list("", ""); got != "team:data editor ${team}/**; user:admin admin *; user:jane@acme viewer data/**" {
		t.Errorf("after restart: %s", got)
	}
	// With a second admin, the first one's admin grant may go.
	if _, err := reg.Grant(ctx, "acme", "team:data", "admin", "*"); err != nil {
		t.Fatal(err)
	}
	if ok, err := reg.Revoke(ctx, "acme", "user:admin", "admin", "*"); !ok || err != nil {
		t.Errorf("revoking admin with another admin left: %v %v", ok, err)
	}
}

// TestMayAdminister: granting and revoking need MANAGE on a scope covering the grant's
// scope, from a rule on every branch and asset.
func TestMayAdminister(t *testing.T) {
	ctx := context.Background()
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	for _, u := range []string{"steward", "narrow", "viewer1", "me"} {
		mustCreate(t, reg, "user", u)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(reg.CreateRole(ctx, "acme", "steward", []access.RuleInput{rule([]string{"MANAGE"}, nil, "")}))
	must(reg.CreateRole(ctx, "acme", "piisteward", []access.RuleInput{rule([]string{"MANAGE"}, nil, "!PII")}))
	must(reg.Grant(ctx, "acme", "user:steward", "steward", "data/**"))
	must(reg.Grant(ctx, "acme", "user:narrow", "piisteward", "data/**"))
	must(reg.Grant(ctx, "acme", "user:viewer1", "viewer", "*"))
	must(reg.Grant(ctx, "acme", "user:me", "steward", "${user}/**"))
	for _, tc := range []struct {
		who, scope string
		ok         bool
	}{
		{"user:admin", "*", true},
		{"user:admin", "quant/**", true},
		{"user:steward", "data/x/**", true},
		{"user:steward", "data/forecast", true},
		{"user:steward", "data/${team}/**", true},
		{"user:steward", "quant/**", false},
		{"user:steward", "*", false},
		{"user:steward", "data/**", true},
		{"user:narrow", "data/x/**", false},
		{"user:viewer1", "data/x/**", false},
		{"user:me", "me/notes/**", true},
		{"user:me", "${user}/notes", false},
		{"user:me", "steward/**", false},
		{"user:steward", "data/**/x", false},
	} {
		g, why := reg.Policy("acme", tc.who).MayAdminister(tc.scope)
		if (g != nil) != tc.ok || (g == nil) == (why == "") {
			t.Errorf("%s may administer %s: %v %q, want %v", tc.who, tc.scope, g, why, tc.ok)
		}
	}
}

// TestPolicyCacheSeesChanges: the cached policy is compiled anew after every change of
// grants, roles and memberships, so the next decision sees it.
func TestPolicyCacheSeesChanges(t *testing.T) {
	ctx := context.Background()
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	mustCreate(t, reg, "user", "jane")
	mustCreate(t, reg, "team", "data")
	read := &access.Request{Mode: access.ReadData, Path: "data/x", Branch: "main", Tags: []string{"PII"}}
	allowed := func() bool { return reg.Policy("acme", "user:jane").Check(read).Allowed }
	step := func(name string, want bool, do func() error) {
		t.Helper()
		if err := do(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := allowed(); got != want {
			t.Errorf("after %s: allowed %v, want %v", name, got, want)
		}
		if reg.Policy("acme", "user:jane") != reg.Policy("acme", "user:jane") {
			t.Errorf("after %s: the policy is not cached", name)
		}
	}
	step("nothing", false, func() error { return nil })
	step("a grant", true, func() error { _, err := reg.Grant(ctx, "acme", "user:jane", "viewer", "data/**"); return err })
	step("a revoke", false, func() error { _, err := reg.Revoke(ctx, "acme", "user:jane", "viewer", "data/**"); return err })
	step("a role's grant to a team", false, func() error {
		if _, err := reg.CreateRole(ctx, "acme", "analyst", []access.RuleInput{rule([]string{"READ_DATA"}, nil, "!PII")}); err != nil {
			return err
		}
		_, err := reg.Grant(ctx, "acme", "team:data", "analyst", "*")
		return err
	})
	step("joining the team", false, func() error { _, err := reg.SetMembers(ctx, "acme", "team:data", []string{"user:jane"}); return err })
	step("a role edit", true, func() error {
		_, err := reg.UpdateRole(ctx, "acme", "analyst", []access.RuleInput{rule([]string{"READ_DATA"}, nil, "PII")})
		return err
	})
	step("leaving the team", false, func() error { _, err := reg.SetMembers(ctx, "acme", "team:data", nil); return err })
	step("joining again", true, func() error { _, err := reg.SetMembers(ctx, "acme", "team:data", []string{"user:jane"}); return err })
	step("the team's deletion", false, func() error { return reg.DeletePrincipal(ctx, "acme", "team:data") })
	// A deleted principal's policy is not kept: every change empties the cache.
	if n := access.CachedPolicies(reg); n != 1 {
		t.Errorf("cached policies before jane's deletion = %d, want 1", n)
	}
	if err := reg.DeletePrincipal(ctx, "acme", "user:jane"); err != nil {
		t.Fatal(err)
	}
	if n := access.CachedPolicies(reg); n != 0 {
		t.Errorf("cached policies after jane's deletion = %d, want 0", n)
	}
}

// TestPolicyCacheConcurrent: lookups race with changes (run with -race); every lookup after
// a change returns a policy compiled at least as late as the change.
func TestPolicyCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	mustCreate(t, reg, "user", "jane")
	read := &access.Request{Mode: access.ReadData, Path: "data/x", Branch: "main"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					reg.Policy("acme", "user:jane").Check(read)
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		if _, err := reg.Grant(ctx, "acme", "user:jane", "viewer", "data/**"); err != nil {
			t.Fatal(err)
		}
		if !reg.Policy("acme", "user:jane").Check(read).Allowed {
			t.Fatalf("round %d: the grant is not seen", i)
		}
		if _, err := reg.Revoke(ctx, "acme", "user:jane", "viewer", "data/**"); err != nil {
			t.Fatal(err)
		}
		if reg.Policy("acme", "user:jane").Check(read).Allowed {
			t.Fatalf("round %d: the revoke is not seen", i)
		}
	}
	close(stop)
	wg.Wait()
}

// TestPolicyCachedAllocs: a warm lookup allocates nothing.
func TestPolicyCachedAllocs(t *testing.T) {
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	reg.Policy("acme", "user:admin")
	if n := testing.AllocsPerRun(100, func() { reg.Policy("acme", "user:admin") }); n != 0 {
		t.Errorf("a cached Policy lookup allocates %v times", n)
	}
}

func BenchmarkPolicyCached(b *testing.B) {
	st, err := badgerstore.Open(badgerstore.Options{Dir: b.TempDir(), GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	store, err := access.OpenRegistry(context.Background(), st)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.Bootstrap(context.Background(), "acme", func(string) error { return nil }); err != nil {
		b.Fatal(err)
	}
	store.Policy("acme", "user:admin")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		store.Policy("acme", "user:admin")
	}
}
