package access_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tagflow/tagflow/catalog"
)

// TestResetAdminToken: the new token works, every old token of the admin stops working
// (also after a restart), other principals' tokens stay, and a failure to keep the secret
// changes nothing.
func TestResetAdminToken(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	reg, closeStore := openRegistry(t, dir)
	boot, err := reg.Bootstrap(ctx, "acme", func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	ci, err := reg.CreateToken(ctx, "acme", "user:admin", "ci", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreatePrincipal(ctx, "acme", "user", "jane"); err != nil {
		t.Fatal(err)
	}
	jane, err := reg.CreateToken(ctx, "acme", "user:jane", "laptop", time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	if _, _, err := reg.ResetAdminToken(ctx, "acme", func(string) error { return errors.New("disk full") }); err == nil {
		t.Fatal("a reset succeeded without keeping its token")
	}
	if _, _, err := reg.Authenticate(boot.Secret); err != nil {
		t.Fatalf("a failed reset revoked the old token: %v", err)
	}
	if _, _, err := reg.ResetAdminToken(ctx, "nope", func(string) error { return nil }); catalog.KindOf(err) != catalog.NotFound {
		t.Fatalf("reset in an org without admin: %v", err)
	}

	var kept string
	tok, n, err := reg.ResetAdminToken(ctx, "acme", func(s string) error { kept = s; return nil })
	if err != nil || kept == "" || kept != tok.Secret || n != 2 {
		t.Fatalf("reset: %v (kept %q, revoked %d, want 2)", err, kept, n)
	}
	closeStore()

	reg, closeStore = openRegistry(t, dir)
	defer closeStore()
	for _, tc := range []struct {
		name, secret string
		works        bool
	}{
		{"the new token", kept, true},
		{"the bootstrap token", boot.Secret, false},
		{"another admin token", ci.Secret, false},
		{"jane's token", jane.Secret, true},
	} {
		p, _, err := reg.Authenticate(tc.secret)
		if (err == nil) != tc.works {
			t.Errorf("%s after the reset and a restart: %v %v, want working=%v", tc.name, p, err, tc.works)
		}
	}
}
