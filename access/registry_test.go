package access_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"time"
)

func timeDuration(ns int64) time.Duration { return time.Duration(ns) }

func openRegistry(t *testing.T, dir string) (*access.Registry, func()) {
	t.Helper()
	store, err := badgerstore.Open(badgerstore.Options{Dir: dir, GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := access.OpenRegistry(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	return reg, func() { store.Close() }
}

func TestBootstrapIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	reg, closeStore := openRegistry(t, dir)
	// The secret cannot be kept: nothing is stored, and a later start bootstraps again.
	if _, err := reg.Bootstrap(ctx, "acme", func(string) error { return errors.New("disk full") }); err == nil {
		t.Fatal("bootstrap succeeded without keeping its token")
	}
	if _, ok := reg.Principal("acme", "user:admin"); ok {
		t.Fatal("a failed bootstrap left an admin behind")
	}
	var kept string
	tok, err := reg.Bootstrap(ctx, "acme", func(s string) error { kept = s; return nil })
	if err != nil || kept != tok.Secret || kept == "" {
		t.Fatalf("bootstrap: %v (kept %q)", err, kept)
	}
	if _, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil }); catalog.KindOf(err) != catalog.Conflict {
		t.Fatalf("second bootstrap: %v", err)
	}
	closeStore()

	// After a restart the kept token authenticates as the admin, with the admin grant.
	reg, closeStore = openRegistry(t, dir)
	defer closeStore()
	p, _, err := reg.Authenticate(kept)
	if err != nil || p.Ref() != "user:admin" {
		t.Fatalf("authenticate after restart: %v %v", p, err)
	}
	if g := reg.Grants("acme", "user:admin"); len(g) != 1 || g[0].Role != access.RoleAdmin || g[0].Scope != "*" {
		t.Fatalf("grants = %+v", g)
	}
	if d := reg.Policy("acme", "user:admin").Check(&access.Request{Mode: access.WriteDefinitions, Path: "x", Branch: "main"}); !d.Allowed {
		t.Fatalf("admin denied: %s", d.Reason)
	}
}

func TestTokens(t *testing.T) {
	reg, closeStore := openRegistry(t, t.TempDir())
	defer closeStore()
	ctx := context.Background()
	if _, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	short, err := reg.CreateToken(ctx, "acme", "user:admin", "short", 1) // 1 ns: expired at once
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := reg.Authenticate(short.Secret); !errors.Is(err, access.ErrBadToken) {
		t.Fatalf("expired token: %v", err)
	}
	for _, c := range []struct {
		name, principal, token string
		ttl                    int64
		kind                   catalog.Kind
	}{
		{"unknown principal", "user:nobody", "x", 0, catalog.NotFound},
		{"no name", "user:admin", "", 0, catalog.InvalidArgument},
		{"negative lifetime", "user:admin", "x", -1, catalog.InvalidArgument},
	} {
		if _, err := reg.CreateToken(ctx, "acme", c.principal, c.token, timeDuration(c.ttl)); catalog.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
		}
	}
	for _, bad := range []string{"", "tf_", "tf_" + "a", "Bearer x", short.Secret + "x"} {
		if _, _, err := reg.Authenticate(bad); !errors.Is(err, access.ErrBadToken) {
			t.Errorf("Authenticate(%q) = %v", bad, err)
		}
	}
	// Users, teams, groups and workloads share one name space; "_" names are refused.
	if _, err := reg.CreatePrincipal(ctx, "acme", "team", "admin"); catalog.KindOf(err) != catalog.Conflict {
		t.Errorf("team named like a user: %v", err)
	}
	if _, err := reg.CreatePrincipal(ctx, "acme", "user", "_root"); catalog.KindOf(err) != catalog.InvalidArgument {
		t.Errorf("_ name: %v", err)
	}
}
