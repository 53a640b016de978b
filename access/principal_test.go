package access_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
)

func openStore(tb testing.TB, dir string) catalog.Store {
	tb.Helper()
	store, err := badgerstore.Open(badgerstore.Options{Dir: dir, GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

func bootstrapped(t *testing.T, dir string) (*access.Registry, func()) {
	t.Helper()
	reg, closeStore := openRegistry(t, dir)
	if _, err := reg.Bootstrap(context.Background(), "acme", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	return reg, closeStore
}

func mustCreate(t *testing.T, reg *access.Registry, kind, name string, members ...string) access.Principal {
	t.Helper()
	p, err := reg.CreatePrincipal(context.Background(), "acme", kind, name, members...)
	if err != nil {
		t.Fatalf("create %s:%s: %v", kind, name, err)
	}
	return p
}

// TestPrincipalNames: the name grammar, the reserved "_", one name space per org for users,
// teams, groups and workloads (ignoring case), and each refusal naming what is wrong.
func TestPrincipalNames(t *testing.T) {
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	mustCreate(t, reg, "user", "jane@acme")
	for _, tc := range []struct {
		kind, name string
		want       catalog.Kind // 0: created
		says       string
	}{
		{"user", "samir@acme", 0, ""},
		{"user", "jane.doe@acme", 0, ""},
		{"workload", "ci-prod_1", 0, ""},
		{"team", "données", 0, ""},
		{"group", "42", 0, ""},
		{"team", "jane@acme", catalog.Conflict, "taken by user:jane@acme"},
		{"group", "JANE@acme", catalog.Conflict, "differ only by case"},
		{"workload", "admin", catalog.Conflict, "taken by user:admin"},
		{"user", "_root", catalog.InvalidArgument, `may not start with "_"`},
		{"team", "_", catalog.InvalidArgument, `may not start with "_"`},
		{"user", "", catalog.InvalidArgument, "empty name"},
		{"user", "jane doe", catalog.InvalidArgument, "letters, digits and _ - . @"},
		{"user", "a/b", catalog.InvalidArgument, "letters, digits and _ - . @"},
		{"user", "..", catalog.InvalidArgument, "path segment"},
		{"user", "user:jane", catalog.InvalidArgument, `a bare name, e.g. "jane"`},
		{"user", strings.Repeat("x", 201), catalog.InvalidArgument, "over the limit of 200"},
		{"org", "acme2", catalog.InvalidArgument, "exists with the org"},
		{"robot", "r2", catalog.InvalidArgument, "unknown principal kind"},
		{"user", "bob", catalog.InvalidArgument, "a user has no members"}, // with a member below
	} {
		var members []string
		if tc.name == "bob" {
			members = []string{"user:jane@acme"}
		}
		p, err := reg.CreatePrincipal(context.Background(), "acme", tc.kind, tc.name, members...)
		if tc.want == 0 {
			if err != nil || p.Ref() != tc.kind+":"+tc.name {
				t.Errorf("create %s %q: %v %v", tc.kind, tc.name, p, err)
			}
			continue
		}
		if catalog.KindOf(err) != tc.want || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("create %s %q: %v, want %v saying %q", tc.kind, tc.name, err, tc.want, tc.says)
		}
	}
}

// TestMembers: members are references of existing users and workloads, sorted and without
// repeats; a bare name, a team, or a principal that does not exist is refused, naming it.
func TestMembers(t *testing.T) {
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	ctx := context.Background()
	mustCreate(t, reg, "user", "samir@acme")
	mustCreate(t, reg, "user", "jane@acme")
	mustCreate(t, reg, "workload", "ci")
	data := mustCreate(t, reg, "team", "data", "user:samir@acme", "workload:ci", "user:jane@acme", "user:samir@acme")
	if want := []string{"user:jane@acme", "user:samir@acme", "workload:ci"}; !slices.Equal(data.Members, want) {
		t.Errorf("team data members = %v, want %v", data.Members, want)
	}
	for _, tc := range []struct {
		members []string
		want    catalog.Kind
		says    []string
	}{
		{[]string{"jane@acme"}, catalog.InvalidArgument, []string{`"jane@acme" is a name, not a reference: write user:jane@acme`}},
		{[]string{"team:data"}, catalog.InvalidArgument, []string{"team:data cannot be a member", "users and workloads"}},
		{[]string{"org:acme"}, catalog.InvalidArgument, []string{"org:acme cannot be a member"}},
		{[]string{"user:_x"}, catalog.InvalidArgument, []string{`may not start with "_"`}},
		{[]string{"user:nobody", "user:jane@acme", "user:alan@acme"}, catalog.NotFound, []string{"user:alan@acme, user:nobody do not exist in org \"acme\""}},
	} {
		_, err := reg.CreatePrincipal(ctx, "acme", "group", "g", tc.members...)
		if catalog.KindOf(err) != tc.want {
			t.Errorf("group with %v: %v, want %v", tc.members, err, tc.want)
			continue
		}
		for _, s := range tc.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("group with %v: %q does not say %q", tc.members, err, s)
			}
		}
		if _, err := reg.SetMembers(ctx, "acme", "team:data", tc.members); catalog.KindOf(err) != tc.want {
			t.Errorf("set team members %v: %v, want %v", tc.members, err, tc.want)
		}
	}
	if _, ok := reg.Principal("acme", "group:g"); ok {
		t.Error("a refused group was created")
	}
	if p, _ := reg.Principal("acme", "team:data"); len(p.Members) != 3 {
		t.Errorf("a refused SetMembers changed the team: %v", p.Members)
	}
	for ref, kind := range map[string]catalog.Kind{"user:jane@acme": catalog.InvalidArgument, "team:nope": catalog.NotFound, "data": catalog.InvalidArgument} {
		if _, err := reg.SetMembers(ctx, "acme", ref, nil); catalog.KindOf(err) != kind {
			t.Errorf("SetMembers(%s): %v, want %v", ref, err, kind)
		}
	}
}

// TestMembershipsFollowChanges: Memberships answers a user's teams, groups and org, sorted,
// without allocating, and sees every change at the next call.
func TestMembershipsFollowChanges(t *testing.T) {
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	ctx := context.Background()
	mustCreate(t, reg, "user", "jane@acme")
	mustCreate(t, reg, "user", "samir@acme")
	check := func(step, ref string, want ...string) {
		t.Helper()
		if got := reg.Memberships("acme", ref); !slices.Equal(got, want) {
			t.Errorf("%s: Memberships(%s) = %v, want %v", step, ref, got, want)
		}
	}
	check("a new user", "user:jane@acme", "org:acme")
	mustCreate(t, reg, "team", "data", "user:jane@acme", "user:samir@acme")
	mustCreate(t, reg, "group", "analysts", "user:jane@acme")
	check("in a team and a group", "user:jane@acme", "group:analysts", "org:acme", "team:data")
	held := reg.Memberships("acme", "user:jane@acme")
	if _, err := reg.SetMembers(ctx, "acme", "team:data", []string{"user:samir@acme"}); err != nil {
		t.Fatal(err)
	}
	check("out of the team", "user:jane@acme", "group:analysts", "org:acme")
	check("still in the team", "user:samir@acme", "org:acme", "team:data")
	if !slices.Equal(held, []string{"group:analysts", "org:acme", "team:data"}) {
		t.Errorf("a slice handed out before the change was changed: %v", held)
	}
	if err := reg.DeletePrincipal(ctx, "acme", "group:analysts"); err != nil {
		t.Fatal(err)
	}
	check("group deleted", "user:jane@acme", "org:acme")
	check("unknown", "user:nobody")
	if got := reg.MemberOf("acme", "user:samir@acme"); !slices.Equal(got, []string{"team:data"}) {
		t.Errorf("MemberOf = %v", got)
	}
	if n := testing.AllocsPerRun(100, func() { reg.Memberships("acme", "user:samir@acme") }); n != 0 {
		t.Errorf("Memberships allocates %.0f times a call", n)
	}
}

// TestDeletePrincipal: deleting a principal removes its grants, revokes its tokens and takes
// it out of every team and group, in one write that survives a restart.
func TestDeletePrincipal(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	reg, closeStore := bootstrapped(t, dir)
	mustCreate(t, reg, "user", "jane@acme")
	mustCreate(t, reg, "user", "samir@acme")
	mustCreate(t, reg, "team", "data", "user:jane@acme", "user:samir@acme")
	mustCreate(t, reg, "group", "analysts", "user:jane@acme")
	if _, err := reg.Grant(ctx, "acme", "user:jane@acme", access.RoleViewer, "*"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Grant(ctx, "acme", "team:data", access.RoleEditor, "data/**"); err != nil {
		t.Fatal(err)
	}
	tok, err := reg.CreateToken(ctx, "acme", "user:jane@acme", "laptop", 0)
	if err != nil {
		t.Fatal(err)
	}
	samirTok, err := reg.CreateToken(ctx, "acme", "user:samir@acme", "laptop", 0)
	if err != nil {
		t.Fatal(err)
	}
	for ref, kind := range map[string]catalog.Kind{"user:nobody": catalog.NotFound, "org:acme": catalog.InvalidArgument, "jane@acme": catalog.InvalidArgument} {
		if err := reg.DeletePrincipal(ctx, "acme", ref); catalog.KindOf(err) != kind {
			t.Errorf("delete %s: %v, want %v", ref, err, kind)
		}
	}
	if err := reg.DeletePrincipal(ctx, "acme", "user:jane@acme"); err != nil {
		t.Fatal(err)
	}
	for restart := 0; restart < 2; restart++ {
		if _, ok := reg.Principal("acme", "user:jane@acme"); ok {
			t.Errorf("restart %d: jane is still there", restart)
		}
		if g := reg.Grants("acme", "user:jane@acme"); len(g) != 0 {
			t.Errorf("restart %d: jane's grants stayed: %v", restart, g)
		}
		if _, _, err := reg.Authenticate(tok.Secret); err == nil {
			t.Errorf("restart %d: jane's token still works", restart)
		}
		if _, ok := reg.Token(tok.ID); ok {
			t.Errorf("restart %d: jane's token is still listed", restart)
		}
		if _, _, err := reg.Authenticate(samirTok.Secret); err != nil {
			t.Errorf("restart %d: samir's token stopped working: %v", restart, err)
		}
		if p, _ := reg.Principal("acme", "team:data"); !slices.Equal(p.Members, []string{"user:samir@acme"}) {
			t.Errorf("restart %d: team data = %v", restart, p.Members)
		}
		if p, _ := reg.Principal("acme", "group:analysts"); len(p.Members) != 0 {
			t.Errorf("restart %d: group analysts = %v", restart, p.Members)
		}
		if g := reg.Grants("acme", "team:data"); len(g) != 1 {
			t.Errorf("restart %d: the team's grant went: %v", restart, g)
		}
		if got := reg.Memberships("acme", "user:samir@acme"); !slices.Equal(got, []string{"org:acme", "team:data"}) {
			t.Errorf("restart %d: samir's memberships = %v", restart, got)
		}
		// The name is free again.
		if restart == 0 {
			closeStore()
			reg, closeStore = openRegistry(t, dir)
		}
	}
	defer closeStore()
	mustCreate(t, reg, "team", "jane@acme")
	if err := reg.DeletePrincipal(ctx, "acme", "team:data"); err != nil {
		t.Fatal(err)
	}
	if g := reg.Grants("acme", "team:data"); len(g) != 0 {
		t.Errorf("the deleted team's grants stayed: %v", g)
	}
	if got := reg.Memberships("acme", "user:samir@acme"); !slices.Equal(got, []string{"org:acme"}) {
		t.Errorf("samir's memberships after the team went = %v", got)
	}
}

// TestLastAdmin: the org keeps a user or workload that holds admin on *, directly or
// through a team: deleting the last one, or emptying the team through which it holds it,
// is Conflict, and possible once another holds it.
func TestLastAdmin(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	reg, closeStore := bootstrapped(t, dir)
	defer closeStore()
	err := reg.DeletePrincipal(ctx, "acme", "user:admin")
	if catalog.KindOf(err) != catalog.Conflict || !strings.Contains(err.Error(), "grant admin on * to another user first") {
		t.Fatalf("delete the only admin: %v", err)
	}
	mustCreate(t, reg, "user", "jane@acme")
	mustCreate(t, reg, "team", "ops", "user:jane@acme")
	if _, err := reg.Grant(ctx, "acme", "team:ops", access.RoleAdmin, "*"); err != nil {
		t.Fatal(err)
	}
	if err := reg.DeletePrincipal(ctx, "acme", "user:admin"); err != nil {
		t.Fatalf("delete admin while jane holds admin through team ops: %v", err)
	}
	if _, err := reg.SetMembers(ctx, "acme", "team:ops", nil); catalog.KindOf(err) != catalog.Conflict {
		t.Errorf("empty the team of the last admin: %v", err)
	}
	for _, ref := range []string{"team:ops", "user:jane@acme"} {
		if err := reg.DeletePrincipal(ctx, "acme", ref); catalog.KindOf(err) != catalog.Conflict {
			t.Errorf("delete %s, the last admin's way: %v", ref, err)
		}
	}
	mustCreate(t, reg, "user", "samir@acme")
	if _, err := reg.SetMembers(ctx, "acme", "team:ops", []string{"user:samir@acme"}); err != nil {
		t.Errorf("hand the team to samir: %v", err)
	}
	if err := reg.DeletePrincipal(ctx, "acme", "user:jane@acme"); err != nil {
		t.Errorf("delete jane, no longer an admin: %v", err)
	}
}

// TestPrincipalsListed: Principals lists by kind, sorted by reference.
func TestPrincipalsListed(t *testing.T) {
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	mustCreate(t, reg, "user", "jane@acme")
	mustCreate(t, reg, "team", "data")
	mustCreate(t, reg, "workload", "ci")
	refs := func(ps []access.Principal) (out []string) {
		for _, p := range ps {
			out = append(out, p.Ref())
		}
		return out
	}
	if got := refs(reg.Principals("acme", "")); !slices.Equal(got, []string{"org:acme", "team:data", "user:admin", "user:jane@acme", "workload:ci"}) {
		t.Errorf("every principal = %v", got)
	}
	if got := refs(reg.Principals("acme", "user")); !slices.Equal(got, []string{"user:admin", "user:jane@acme"}) {
		t.Errorf("users = %v", got)
	}
}

// BenchmarkMemberships: the look-up a decision makes for a user in 3 teams of an org of
// 1,000 users; it must not allocate.
func BenchmarkMemberships(b *testing.B) {
	store := openStore(b, b.TempDir())
	reg, err := access.OpenRegistry(context.Background(), store)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var users []string
	for i := 0; i < 1000; i++ {
		p, err := reg.CreatePrincipal(ctx, "acme", "user", "u"+strconv.Itoa(i))
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, p.Ref())
	}
	for i := 0; i < 3; i++ {
		if _, err := reg.CreatePrincipal(ctx, "acme", "team", "t"+strconv.Itoa(i), users[i*100:i*100+200]...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(reg.Memberships("acme", "user:u150")) != 3 {
			b.Fatal("wrong memberships")
		}
	}
}

// TestMembershipsWhileChanging: slices handed out by Memberships stay valid while members
// change (run with -race).
func TestMembershipsWhileChanging(t *testing.T) {
	reg, closeStore := bootstrapped(t, t.TempDir())
	defer closeStore()
	ctx := context.Background()
	mustCreate(t, reg, "user", "jane@acme")
	mustCreate(t, reg, "team", "data")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			for _, m := range reg.Memberships("acme", "user:jane@acme") {
				if m != "org:acme" && m != "team:data" {
					t.Errorf("membership %q", m)
					return
				}
			}
		}
	}()
	for i := 0; i < 50; i++ {
		members := []string{"user:jane@acme"}
		if i%2 == 1 {
			members = nil
		}
		if _, err := reg.SetMembers(ctx, "acme", "team:data", members); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}
