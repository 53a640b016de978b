package access_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// clock is a settable time for a registry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// clocked opens the registry in dir on a clock starting now, bootstrapped on the first
// call, with jane (a user), ci (a workload) and team data.
func clocked(t *testing.T, dir string, c *clock, first bool) (*access.Registry, catalog.Store) {
	t.Helper()
	store := openStore(t, dir)
	reg, err := access.OpenRegistry(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	access.SetClock(reg, c.Now)
	if first {
		if _, err := reg.Bootstrap(context.Background(), "acme", func(string) error { return nil }); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, reg, "user", "jane@acme")
		mustCreate(t, reg, "workload", "ci")
		mustCreate(t, reg, "team", "data", "user:jane@acme")
	}
	return reg, store
}

// rawStore is every key and value of the store, concatenated.
func rawStore(t *testing.T, store catalog.Store) []byte {
	return rawStoreBut(t, store, "")
}

// rawStoreBut is rawStore without the keys under skip ("" skips nothing): the audit log
// keeps naming what was deleted, by design (TestAuditHoldsNoSecret searches it whole).
func rawStoreBut(t *testing.T, store catalog.Store, skip string) []byte {
	t.Helper()
	var all bytes.Buffer
	if err := store.View(context.Background(), func(tx catalog.Txn) error {
		return tx.Iterate(nil, func(k, v []byte) error {
			if skip != "" && bytes.HasPrefix(k, []byte(skip)) {
				return nil
			}
			all.Write(k)
			all.WriteByte(0)
			all.Write(v)
			all.WriteByte(0)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return all.Bytes()
}

// TestTokenLifecycle: a token is tfp_ and 256 bits, only its hash is stored, it expires,
// its last use is kept in memory and written at most once a minute, revocation is
// effective at once, and all of it survives a restart on a real Badger store.
func TestTokenLifecycle(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c := &clock{now: time.Now()}
	reg, store := clocked(t, dir, c, true)

	laptop, err := reg.CreateToken(ctx, "acme", "user:jane@acme", "laptop", 0)
	if err != nil {
		t.Fatal(err)
	}
	day, err := reg.CreateToken(ctx, "acme", "user:jane@acme", "one day", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := reg.CreateToken(ctx, "acme", "workload:ci", "deploys", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []access.NewToken{laptop, day, ci} {
		// tfp_ and 52 base32 characters: 256 bits.
		if !strings.HasPrefix(tok.Secret, "tfp_") || len(tok.Secret) != 4+52 || !strings.HasPrefix(tok.ID, "tok_") {
			t.Errorf("token %q id %q: want tfp_ + 52 characters, id tok_...", tok.Secret, tok.ID)
		}
	}
	if laptop.Secret == day.Secret {
		t.Fatal("two tokens with the same secret")
	}
	if day.ExpiresAt == nil || !day.ExpiresAt.Equal(day.CreatedAt.Add(24*time.Hour)) || laptop.ExpiresAt != nil {
		t.Errorf("expiry: day %v, laptop %v", day.ExpiresAt, laptop.ExpiresAt)
	}
	raw := rawStore(t, store)
	for _, tok := range []access.NewToken{laptop, day, ci} {
		if bytes.Contains(raw, []byte(tok.Secret)) || bytes.Contains(raw, []byte(strings.TrimPrefix(tok.Secret, "tfp_"))) {
			t.Errorf("the store holds the secret of %s", tok.Name)
		}
		if !bytes.Contains(raw, []byte(tok.Hash)) || len(tok.Hash) != 64 {
			t.Errorf("the store does not hold the hash of %s (%q)", tok.Name, tok.Hash)
		}
	}

	p, got, err := reg.Authenticate(laptop.Secret)
	if err != nil || p.Ref() != "user:jane@acme" || got.ID != laptop.ID {
		t.Fatalf("authenticate laptop: %v %v %v", p, got, err)
	}
	// Used again within the minute: kept in memory, to the second; not yet in the store.
	c.Add(10 * time.Second)
	if _, _, err := reg.Authenticate(laptop.Secret); err != nil {
		t.Fatal(err)
	}
	if tok, _ := reg.Token(laptop.ID); tok.LastUsedAt == nil || !tok.LastUsedAt.Equal(c.Now().UTC()) {
		t.Errorf("laptop last used %v, want %v", tok.LastUsedAt, c.Now())
	}
	if tok, _ := reg.Token(day.ID); tok.LastUsedAt != nil {
		t.Errorf("an unused token was last used %v", tok.LastUsedAt)
	}
	if bytes.Contains(rawStore(t, store), []byte("lastUsedAt")) {
		t.Error("a last use was written within the first minute")
	}
	// A minute after the registry opened, the next request writes the last uses.
	c.Add(time.Minute)
	if _, _, err := reg.Authenticate(ci.Secret); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(rawStore(t, store), []byte("lastUsedAt")); n != 2 {
		t.Errorf("after a minute the store holds %d last uses, want 2 (laptop, ci)", n)
	}

	// Listing: by name, with their last uses; never the secret (Token has none).
	list := reg.Tokens("acme", "user:jane@acme")
	if len(list) != 2 || list[0].Name != "laptop" || list[1].Name != "one day" || list[0].LastUsedAt == nil {
		t.Errorf("jane's tokens = %+v", list)
	}
	if l := reg.Tokens("acme", "workload:ci"); len(l) != 1 || l[0].ID != ci.ID {
		t.Errorf("ci's tokens = %+v", l)
	}

	// Expiry: the day token works until its last nanosecond.
	c.Add(23*time.Hour - time.Minute - time.Second)
	if _, _, err := reg.Authenticate(day.Secret); err != nil {
		t.Errorf("the day token before its end: %v", err)
	}
	c.Add(time.Hour)
	if _, _, err := reg.Authenticate(day.Secret); !errors.Is(err, access.ErrBadToken) {
		t.Errorf("the day token after its end: %v", err)
	}
	if len(reg.Tokens("acme", "user:jane@acme")) != 2 {
		t.Error("an expired token is no longer listed (it should be, until revoked)")
	}

	// Revocation is effective at once, and a token cannot be revoked twice.
	if ok, err := reg.RevokeToken(ctx, ci.ID); !ok || err != nil {
		t.Fatalf("revoke ci: %v %v", ok, err)
	}
	if _, _, err := reg.Authenticate(ci.Secret); !errors.Is(err, access.ErrBadToken) {
		t.Errorf("ci's token after its revocation: %v", err)
	}
	if ok, err := reg.RevokeToken(ctx, ci.ID); ok || err != nil {
		t.Errorf("revoke ci again: %v %v", ok, err)
	}
	// The last uses of the revoked token are not written back.
	lastJane := c.Now()
	if _, _, err := reg.Authenticate(laptop.Secret); err != nil {
		t.Fatal(err)
	}
	if err := reg.FlushLastUsed(ctx); err != nil {
		t.Fatal(err)
	}
	store.Close()

	// After a restart: the same tokens, expiries and last uses (written at the flush).
	reg, _ = clocked(t, dir, c, false)
	if _, _, err := reg.Authenticate(ci.Secret); err == nil {
		t.Error("a revoked token works after a restart")
	}
	if _, ok := reg.Token(ci.ID); ok {
		t.Error("a revoked token came back after a restart")
	}
	if _, _, err := reg.Authenticate(day.Secret); err == nil {
		t.Error("an expired token works after a restart")
	}
	tok, ok := reg.Token(laptop.ID)
	if !ok || tok.LastUsedAt == nil || tok.LastUsedAt.Unix() != lastJane.Unix() || tok.Name != "laptop" || tok.Principal != "user:jane@acme" {
		t.Errorf("laptop after a restart: %+v (last used %v, want %v)", tok, tok.LastUsedAt, lastJane)
	}
	if d, _ := reg.Token(day.ID); d.ExpiresAt == nil || !d.ExpiresAt.Equal(*day.ExpiresAt) {
		t.Errorf("day token's expiry after a restart: %v", d.ExpiresAt)
	}
	if _, _, err := reg.Authenticate(laptop.Secret); err != nil {
		t.Errorf("laptop after a restart: %v", err)
	}
}

// TestCreateTokenRefusals: who can hold a token, names, lifetimes and the bound.
func TestCreateTokenRefusals(t *testing.T) {
	ctx := context.Background()
	reg, _ := clocked(t, t.TempDir(), &clock{now: time.Now()}, true)
	if _, err := reg.CreateToken(ctx, "acme", "user:jane@acme", "laptop", 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, principal, token string
		ttl                    time.Duration
		kind                   catalog.Kind
		msg                    string
	}{
		{"unknown principal", "user:nobody", "x", 0, catalog.NotFound, "user:nobody does not exist"},
		{"another org", "user:jane@acme", "x", 0, catalog.NotFound, "does not exist"},
		{"a team", "team:data", "x", 0, catalog.InvalidArgument, "team:data cannot hold a token: only users and workloads"},
		{"the org", "org:acme", "x", 0, catalog.InvalidArgument, "cannot hold a token"},
		{"a bare name", "jane@acme", "x", 0, catalog.InvalidArgument, ""},
		{"no name", "user:jane@acme", "", 0, catalog.InvalidArgument, "needs a name"},
		{"only spaces", "user:jane@acme", "   ", 0, catalog.InvalidArgument, "needs a name"},
		{"long name", "user:jane@acme", strings.Repeat("é", 101), 0, catalog.InvalidArgument, "at most 100 characters, not 101"},
		{"control character", "user:jane@acme", "a\nb", 0, catalog.InvalidArgument, "printable"},
		{"same name", "user:jane@acme", "laptop", 0, catalog.Conflict, `already has a token named "laptop"`},
		{"negative lifetime", "user:jane@acme", "x", -time.Second, catalog.InvalidArgument, "positive"},
		{"over a year", "user:jane@acme", "x", 366 * 24 * time.Hour, catalog.InvalidArgument, "at most"},
	} {
		org := "acme"
		if c.name == "another org" {
			org = "other"
		}
		_, err := reg.CreateToken(ctx, org, c.principal, c.token, c.ttl)
		if catalog.KindOf(err) != c.kind || !strings.Contains(errMsg(err), c.msg) {
			t.Errorf("%s: %v, want %v with %q", c.name, err, c.kind, c.msg)
		}
	}
	// 100 characters is fine, and the same name for another principal too.
	if _, err := reg.CreateToken(ctx, "acme", "user:jane@acme", strings.Repeat("é", 100), 0); err != nil {
		t.Errorf("a 100-character name: %v", err)
	}
	if _, err := reg.CreateToken(ctx, "acme", "user:admin", "laptop", access.MaxTokenLifetime); err != nil {
		t.Errorf("admin's laptop for a year: %v", err)
	}
	for i := len(reg.Tokens("acme", "user:jane@acme")); i < access.MaxTokensPerPrincipal; i++ {
		if _, err := reg.CreateToken(ctx, "acme", "user:jane@acme", "t"+strings.Repeat("x", i), 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reg.CreateToken(ctx, "acme", "user:jane@acme", "one too many", 0); catalog.KindOf(err) != catalog.InvalidArgument {
		t.Errorf("token %d: %v", access.MaxTokensPerPrincipal+1, err)
	}
}

// TestLegacyTokensStayValid: a tf_ token stored before tfp_ still authenticates; other
// prefixes never do.
func TestLegacyTokensStayValid(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reg, store := clocked(t, dir, &clock{now: time.Now()}, true)
	legacy := "tf_" + strings.Repeat("a", 52)
	sum := sha256Hex(legacy)
	rec := `{"id":"tok_legacy","hash":"` + sum + `","org":"acme","principal":"user:admin","name":"old","createdAt":"2026-01-01T00:00:00Z"}`
	if err := store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Set([]byte("ac\x00t\x00"+sum), []byte(rec)); err != nil {
			return err
		}
		return tx.Set([]byte("ac\x00i\x00tok_legacy"), []byte(sum))
	}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	_ = reg
	reg, _ = clocked(t, dir, &clock{now: time.Now()}, false)
	if p, _, err := reg.Authenticate(legacy); err != nil || p.Ref() != "user:admin" {
		t.Errorf("legacy tf_ token: %v %v", p, err)
	}
	for _, bad := range []string{"tfx_" + strings.Repeat("a", 52), "TFP_" + strings.Repeat("a", 52), "tfp_", "tfp_" + strings.Repeat("a", 300)} {
		if _, _, err := reg.Authenticate(bad); !errors.Is(err, access.ErrBadToken) {
			t.Errorf("Authenticate(%.20q...) = %v", bad, err)
		}
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func errMsg(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestLastUseNeverRevivesARevokedToken: requests note and write last uses while tokens are
// revoked; no write of a last use brings a revoked token back, also after a restart.
func TestLastUseNeverRevivesARevokedToken(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c := &clock{now: time.Now()}
	reg, store := clocked(t, dir, c, true)
	var toks []access.NewToken
	for i := 0; i < 20; i++ {
		tok, err := reg.CreateToken(ctx, "acme", "user:jane@acme", "t"+strings.Repeat("x", i), 0)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				c.Add(20 * time.Second) // a flush every third request or so
				_, _, _ = reg.Authenticate(toks[i%len(toks)].Secret)
			}
		}()
	}
	for i := 0; i < len(toks); i += 2 {
		if ok, err := reg.RevokeToken(ctx, toks[i].ID); !ok || err != nil {
			t.Fatalf("revoke %d: %v %v", i, ok, err)
		}
	}
	wg.Wait()
	if err := reg.FlushLastUsed(ctx); err != nil {
		t.Fatal(err)
	}
	store.Close()
	reg, _ = clocked(t, dir, c, false)
	for i, tok := range toks {
		_, _, err := reg.Authenticate(tok.Secret)
		if revoked := i%2 == 0; revoked != (err != nil) {
			t.Errorf("token %d (revoked %v) after a restart: %v", i, revoked, err)
		}
	}
	if n := len(reg.Tokens("acme", "user:jane@acme")); n != len(toks)/2 {
		t.Errorf("%d tokens after a restart, want %d", n, len(toks)/2)
	}
}

// BenchmarkAuthenticate: a request's token check, with its last use noted, from many
// goroutines at once.
func BenchmarkAuthenticate(b *testing.B) {
	store := openStore(b, b.TempDir())
	reg, err := access.OpenRegistry(context.Background(), store)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := reg.Bootstrap(context.Background(), "acme", func(string) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := reg.Authenticate(tok.Secret); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
