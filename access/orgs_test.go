package access_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// orgWorld is a registry and a catalog over one real store in dir, with org acme
// bootstrapped.
type orgWorld struct {
	reg   *access.Registry
	repo  *catalog.Repo
	store catalog.Store
}

func openOrgWorld(t *testing.T, dir string, bootstrap bool) *orgWorld {
	t.Helper()
	ctx := context.Background()
	store := openStore(t, dir)
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := access.OpenRegistry(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if bootstrap {
		if err := repo.CreateOrg(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return &orgWorld{reg: reg, repo: repo, store: store}
}

func (w *orgWorld) createOrg(name string, creator access.Principal) error {
	_, err := w.reg.CreateOrg(context.Background(), name, creator, func(ctx context.Context, also func(catalog.Txn) error) error {
		_, err := w.repo.CreateOrgWith(ctx, name, also)
		return err
	})
	return err
}

func (w *orgWorld) principal(t *testing.T, org, ref string) access.Principal {
	t.Helper()
	p, ok := w.reg.Principal(org, ref)
	if !ok {
		t.Fatalf("no %s in %s", ref, org)
	}
	return p
}

// TestCreateOrg: the creator becomes a member (its home recorded) and admin of the new org;
// a taken or bad name and a creator that is not a user are refused; the org survives a
// restart; a failed catalog write leaves nothing behind.
func TestCreateOrg(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w := openOrgWorld(t, dir, true)
	admin := w.principal(t, "acme", "user:admin")
	if err := w.createOrg("research", admin); err != nil {
		t.Fatal(err)
	}
	m := w.principal(t, "research", "user:admin")
	if m.Home != "acme" || m.Org != "research" {
		t.Fatalf("member = %+v, want home acme", m)
	}
	if g := w.reg.Grants("research", "user:admin"); len(g) != 1 || g[0].Role != access.RoleAdmin || g[0].Scope != "*" {
		t.Fatalf("grants in research = %+v", g)
	}
	if _, ok := w.reg.Principal("research", "org:research"); !ok || !w.repo.HasOrg("research") {
		t.Fatal("the org principal or the catalog org is missing")
	}
	for _, c := range []struct {
		name string
		kind catalog.Kind
	}{{"research", catalog.Conflict}, {"acme", catalog.Conflict}, {"Research", catalog.Conflict}, {"", catalog.InvalidArgument},
		{"a b", catalog.InvalidArgument}, {"_x", catalog.InvalidArgument}, {strings.Repeat("x", 201), catalog.InvalidArgument}} {
		if err := w.createOrg(c.name, admin); catalog.KindOf(err) != c.kind {
			t.Errorf("createOrg(%q) = %v, want %v", c.name, err, c.kind)
		}
	}
	ci, err := w.reg.CreatePrincipal(ctx, "acme", "workload", "ci")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.createOrg("byci", ci); catalog.KindOf(err) != catalog.InvalidArgument {
		t.Errorf("a workload created an org: %v", err)
	}
	// The catalog refuses (the name is taken there only): nothing of access is left.
	if err := w.repo.CreateOrg(ctx, "halfway"); err != nil {
		t.Fatal(err)
	}
	if err := w.createOrg("halfway", admin); catalog.KindOf(err) != catalog.Conflict {
		t.Fatalf("createOrg over a catalog org = %v", err)
	}
	if ps := w.reg.Principals("halfway", ""); len(ps) != 0 {
		t.Fatalf("a failed createOrg left %v", ps)
	}
	// A failure inside the transaction after access wrote: nothing stored either.
	_, err = w.reg.CreateOrg(ctx, "broken", admin, func(ctx context.Context, also func(catalog.Txn) error) error {
		return w.store.Update(ctx, func(tx catalog.Txn) error {
			if err := also(tx); err != nil {
				return err
			}
			return errors.New("disk full")
		})
	})
	if err == nil {
		t.Fatal("createOrg succeeded over a failed write")
	}
	w2 := reopen(t, w, dir)
	if _, ok := w2.reg.Principal("broken", "org:broken"); ok {
		t.Fatal("a failed transaction stored the org principal")
	}
	if m := w2.principal(t, "research", "user:admin"); m.Home != "acme" {
		t.Fatalf("after a restart the member is %+v", m)
	}
	if got := w2.reg.OrgsOf(w2.principal(t, "acme", "user:admin")); !slices.Equal(got, []string{"acme", "research"}) {
		t.Fatalf("orgs of the admin after a restart = %v", got)
	}
}

func reopen(t *testing.T, w *orgWorld, dir string) *orgWorld {
	t.Helper()
	if err := w.store.Close(); err != nil {
		t.Fatal(err)
	}
	return openOrgWorld(t, dir, false)
}

// TestOrgMembers: adding a member, its acting principal and orgs, the name clashes, kinds
// that cannot be members, members holding no tokens, and removal.
func TestOrgMembers(t *testing.T) {
	ctx := context.Background()
	w := openOrgWorld(t, t.TempDir(), true)
	admin := w.principal(t, "acme", "user:admin")
	if err := w.createOrg("beta", admin); err != nil {
		t.Fatal(err)
	}
	jane := mustCreate(t, w.reg, "user", "jane")
	mustCreate(t, w.reg, "workload", "ci")
	mustCreate(t, w.reg, "team", "data")
	if _, err := w.reg.CreatePrincipal(ctx, "beta", "user", "Bob"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, w.reg, "user", "bob")

	m, added, err := w.reg.AddOrgMember(ctx, "beta", "acme", "user:jane")
	if err != nil || !added || m.Home != "acme" || m.Org != "beta" {
		t.Fatalf("addOrgMember jane = %+v %v %v", m, added, err)
	}
	if _, added, err := w.reg.AddOrgMember(ctx, "beta", "acme", "user:jane"); err != nil || added {
		t.Fatalf("adding jane again = %v %v, want no change", added, err)
	}
	// From beta (jane acting there), her home is still acme.
	if m2, _, err := w.reg.AddOrgMember(ctx, "acme", "beta", "user:jane"); err != nil || m2.Home != "" {
		t.Fatalf("adding jane to her home from beta = %+v %v", m2, err)
	}
	for _, c := range []struct {
		org, user string
		kind      catalog.Kind
	}{
		{"beta", "user:bob", catalog.Conflict},           // beta's own Bob, by case
		{"beta", "workload:ci", catalog.InvalidArgument}, // only users
		{"beta", "team:data", catalog.InvalidArgument},
		{"beta", "user:nobody", catalog.NotFound},
		{"nowhere", "user:jane", catalog.NotFound},
	} {
		if _, _, err := w.reg.AddOrgMember(ctx, c.org, "acme", c.user); catalog.KindOf(err) != c.kind {
			t.Errorf("addOrgMember(%s, %s) = %v, want %v", c.org, c.user, err, c.kind)
		}
	}
	// A user of beta's own named like an acme user: the acme user cannot act as it.
	if _, err := w.reg.CreatePrincipal(ctx, "beta", "user", "carol"); err != nil {
		t.Fatal(err)
	}
	carol := mustCreate(t, w.reg, "user", "carol")
	if _, ok := w.reg.ActingPrincipal("beta", carol); ok {
		t.Fatal("acme's carol acts as beta's carol")
	}
	if _, _, err := w.reg.AddOrgMember(ctx, "beta", "acme", "user:carol"); catalog.KindOf(err) != catalog.Conflict {
		t.Fatalf("carol into beta = %v, want CONFLICT", err)
	}
	if p, ok := w.reg.ActingPrincipal("beta", jane); !ok || p.Home != "acme" {
		t.Fatalf("jane in beta = %+v %v", p, ok)
	}
	if _, ok := w.reg.ActingPrincipal("nowhere", jane); ok {
		t.Fatal("jane acts in an org that does not exist")
	}
	if got := w.reg.OrgsOf(jane); !slices.Equal(got, []string{"acme", "beta"}) {
		t.Fatalf("jane's orgs = %v", got)
	}
	if got := w.reg.OrgsOf(w.principal(t, "beta", "user:jane")); !slices.Equal(got, []string{"acme", "beta"}) {
		t.Fatalf("jane's orgs seen from beta = %v", got)
	}
	if _, err := w.reg.CreateToken(ctx, "beta", "user:jane", "x", 0); catalog.KindOf(err) != catalog.InvalidArgument {
		t.Fatalf("a token for a member = %v, want INVALID_ARGUMENT", err)
	}
	if err := w.reg.RemoveOrgMember(ctx, "beta", "user:Bob"); catalog.KindOf(err) != catalog.InvalidArgument {
		t.Fatalf("removing beta's own Bob as a member = %v", err)
	}
	if _, err := w.reg.Grant(ctx, "beta", "user:jane", access.RoleEditor, "*"); err != nil {
		t.Fatal(err)
	}
	if err := w.reg.RemoveOrgMember(ctx, "beta", "user:jane"); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.reg.Principal("beta", "user:jane"); ok || len(w.reg.Grants("beta", "user:jane")) != 0 {
		t.Fatal("jane's membership or grant in beta is left")
	}
	if _, ok := w.reg.Principal("acme", "user:jane"); !ok {
		t.Fatal("removing a membership deleted the user at home")
	}
	// The admin is beta's only admin: its membership stays.
	if err := w.reg.RemoveOrgMember(ctx, "beta", "user:admin"); catalog.KindOf(err) != catalog.Conflict {
		t.Fatalf("removing beta's last admin = %v, want CONFLICT", err)
	}
}

// TestDeleteUserLeavesEveryOrg: deleting a user at home removes its memberships, their
// grants and team places, in the same write (they stay gone after a restart); a user that
// is the last admin of another org cannot be deleted, and the refusal names no org.
func TestDeleteUserLeavesEveryOrg(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w := openOrgWorld(t, dir, true)
	admin := w.principal(t, "acme", "user:admin")
	mustCreate(t, w.reg, "user", "jane")
	if _, err := w.reg.Grant(ctx, "acme", "user:jane", access.RoleAdmin, "*"); err != nil {
		t.Fatal(err)
	}
	for _, org := range []string{"beta", "gamma"} {
		if err := w.createOrg(org, admin); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.reg.AddOrgMember(ctx, org, "acme", "user:jane"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.reg.Grant(ctx, org, "user:jane", access.RoleViewer, "*"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.reg.CreatePrincipal(ctx, "beta", "team", "ops", "user:jane"); err != nil {
		t.Fatal(err)
	}
	// jane is gamma's only admin once the admin leaves it.
	if _, err := w.reg.Grant(ctx, "gamma", "user:jane", access.RoleAdmin, "*"); err != nil {
		t.Fatal(err)
	}
	if err := w.reg.RemoveOrgMember(ctx, "gamma", "user:admin"); err != nil {
		t.Fatal(err)
	}
	err := w.reg.DeletePrincipal(ctx, "acme", "user:jane")
	if catalog.KindOf(err) != catalog.Conflict || strings.Contains(err.Error(), "gamma") {
		t.Fatalf("deleting gamma's last admin at home = %v, want CONFLICT naming no org", err)
	}
	if _, err := w.reg.Grant(ctx, "gamma", "user:admin", access.RoleAdmin, "*"); err == nil {
		t.Fatal("granting to a removed member worked")
	}
	// Make beta's Bob gamma's admin instead: gamma is not left without one.
	if _, err := w.reg.CreatePrincipal(ctx, "gamma", "user", "g-admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.Grant(ctx, "gamma", "user:g-admin", access.RoleAdmin, "*"); err != nil {
		t.Fatal(err)
	}
	if err := w.reg.DeletePrincipal(ctx, "acme", "user:jane"); err != nil {
		t.Fatal(err)
	}
	check := func(w *orgWorld, when string) {
		for _, org := range []string{"acme", "beta", "gamma"} {
			if _, ok := w.reg.Principal(org, "user:jane"); ok || len(w.reg.Grants(org, "user:jane")) != 0 {
				t.Errorf("%s: jane or her grants are left in %s", when, org)
			}
		}
		if ops := w.principal(t, "beta", "team:ops"); len(ops.Members) != 0 {
			t.Errorf("%s: team:ops still holds %v", when, ops.Members)
		}
	}
	check(w, "at once")
	check(reopen(t, w, dir), "after a restart")
}
