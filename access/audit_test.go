package access_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

func TestAuditRecordsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	ctx := access.WithRequestID(access.WithActor(context.Background(), "user:admin"), "r-1")
	reg, closeStore := bootstrapped(t, dir)
	if _, err := reg.CreatePrincipal(ctx, "acme", "user", "jane@acme"); err != nil {
		t.Fatal(err)
	}
	if err := reg.DeletePrincipal(ctx, "acme", "user:jane@acme"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reg.ResetAdminToken(context.Background(), "acme", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	closeStore()
	reg, closeStore = openRegistry(t, dir)
	defer closeStore()
	page, err := reg.AuditLog(context.Background(), access.AuditQuery{Org: "acme", First: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Entries {
		got = append(got, e.Action+" "+e.Target+" "+e.Principal+" "+e.RequestID)
	}
	want := []string{"resetAdminToken user:admin system ", "deletePrincipal user:jane@acme user:admin r-1",
		"createUser user:jane@acme user:admin r-1", "bootstrap user:admin system "}
	if strings.Join(got, "|") != strings.Join(want, "|") || page.HasNext {
		t.Errorf("after a restart: %q (more %v), want %q", got, page.HasNext, want)
	}
	// Another org's log is its own.
	if p, _ := reg.AuditLog(context.Background(), access.AuditQuery{Org: "acm", First: 10}); len(p.Entries) != 0 {
		t.Errorf("org acm sees %d records of acme", len(p.Entries))
	}
}

func TestAuditRecordIsPartOfItsChange(t *testing.T) {
	store := openStore(t, t.TempDir())
	ctx := context.Background()
	// A record that cannot be written undoes the change it records.
	err := store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Set([]byte("x"), []byte("1")); err != nil {
			return err
		}
		return access.WriteAudit(ctx, tx, access.AuditEntry{Action: "x"}) // no org
	})
	if err == nil {
		t.Fatal("a record without an org was written")
	}
	if err := store.View(ctx, func(tx catalog.Txn) error { _, err := tx.Get([]byte("x")); return err }); !errors.Is(err, catalog.ErrKeyNotFound) {
		t.Errorf("the change stayed without its record: %v", err)
	}
}

func TestAuditLogPagesAndScanLimit(t *testing.T) {
	store := openStore(t, t.TempDir())
	reg, err := access.OpenRegistry(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var mid time.Time
	for i := range 50 {
		action := "even"
		if i%2 == 1 {
			action = "odd"
		}
		if i == 25 {
			mid = time.Now()
		}
		if err := reg.AppendAudit(ctx, access.AuditEntry{Org: "acme", Action: action, Target: fmt.Sprintf("t%02d", i), Details: strings.Repeat("é", 300_000)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := reg.AuditLog(ctx, access.AuditQuery{Org: "acme", First: 1000})
	if err != nil || len(all.Entries) != 50 || all.Entries[0].Target != "t49" || all.Entries[49].Target != "t00" {
		t.Fatalf("the whole log: %v, %d entries", err, len(all.Entries))
	}
	if d := all.Entries[0].Details; len(d) > 256<<10 || !strings.HasSuffix(d, "…") {
		t.Errorf("details of %d bytes are not bounded", len(d))
	}
	for i := 1; i < 50; i++ {
		if all.Entries[i-1].ID <= all.Entries[i].ID || all.Entries[i-1].At.Before(all.Entries[i].At) {
			t.Fatalf("not newest first at %d: %s %s", i, all.Entries[i-1].ID, all.Entries[i].ID)
		}
	}
	since, _ := reg.AuditLog(ctx, access.AuditQuery{Org: "acme", First: 1000, Since: mid})
	until, _ := reg.AuditLog(ctx, access.AuditQuery{Org: "acme", First: 1000, Until: mid})
	if len(since.Entries) != 25 || len(until.Entries) != 25 || since.Entries[24].Target != "t25" || until.Entries[0].Target != "t24" {
		t.Errorf("since %d, until %d entries around record 25", len(since.Entries), len(until.Entries))
	}
	// With 10 records looked at per page, a filter matching half of them answers pages of
	// 5, each with a cursor past what it looked at.
	defer access.SetAuditScanLimit(10)()
	var odd []string
	after := ""
	for pages := 0; ; pages++ {
		p, err := reg.AuditLog(ctx, access.AuditQuery{Org: "acme", First: 100, Action: "odd", After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			odd = append(odd, e.Target)
		}
		if !p.HasNext {
			break
		}
		if p.End == after || pages > 10 {
			t.Fatalf("page %d does not move on: %q", pages, p.End)
		}
		after = p.End
	}
	if len(odd) != 25 || odd[0] != "t49" || odd[24] != "t01" {
		t.Errorf("odd entries through pages: %v", odd)
	}
	for _, q := range []access.AuditQuery{
		{Org: "acme", First: 1001}, {Org: "acme", First: -1}, {Org: "acme", After: "zz"},
		{Org: "acme", After: "00112233445566778899aabbcc"}, {Org: "acme", Since: mid, Until: mid},
	} {
		if _, err := reg.AuditLog(ctx, q); catalog.KindOf(err) != catalog.InvalidArgument {
			t.Errorf("AuditLog(%+v): %v, want InvalidArgument", q, err)
		}
	}
}

// FuzzAuditQuery: whatever a client sends as a cursor or filters, and whatever a record
// holds, the log answers a page or InvalidArgument, and every record reads back as valid
// JSON within its bounds.
func FuzzAuditQuery(f *testing.F) {
	f.Add("user:a", "deploy", "branch:main", "", "00112233445566778899aabb", int64(0))
	f.Add("\xff\xfe", "a\x00b", "é", "zz", "", int64(-1))
	store := openStore(f, f.TempDir())
	reg, err := access.OpenRegistry(context.Background(), store)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, principal, action, target, reason, after string, since int64) {
		ctx := context.Background()
		err := reg.AppendAudit(ctx, access.AuditEntry{Org: "acme", Principal: principal, Action: action, Target: target,
			Reason: strings.Repeat(reason, 1+5000/(1+len(reason)))})
		if err != nil && action != "" {
			t.Fatalf("append: %v", err)
		}
		q := access.AuditQuery{Org: "acme", First: 3, Principal: principal, After: after}
		if since != 0 {
			q.Since = time.Unix(0, since)
		}
		p, err := reg.AuditLog(ctx, q)
		if err != nil {
			if catalog.KindOf(err) != catalog.InvalidArgument {
				t.Fatalf("AuditLog: %v", err)
			}
			return
		}
		for _, e := range p.Entries {
			if len(e.Reason) > 4<<10 || len(e.Target) > 4<<10 || e.Principal != principal {
				t.Fatalf("entry out of bounds or filter: %d %d %q", len(e.Reason), len(e.Target), e.Principal)
			}
		}
	})
}
