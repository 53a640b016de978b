// Package storetest is the conformance suite of catalog.Store: every implementation runs
// Run against itself in its own tests (like lakeFS's kvtest). It imports only catalog and
// the standard library, and is imported only by tests.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
)

// Run tests the store that open returns. open is called once per subtest and must return a
// new, empty store; it registers the store's Close with t.Cleanup itself. Besides the
// methods' contracts, Run requires what the catalog relies on: an Update may run while a
// View is open (and the View does not see it), and Batch writes more than one
// transaction holds.
func Run(t *testing.T, open func(t *testing.T) catalog.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s catalog.Store)
	}{
		{"GetSetDelete", testGetSetDelete},
		{"ValuesAreTheCallers", testValuesAreTheCallers},
		{"IteratePrefixOrder", testIteratePrefixOrder},
		{"IterateStops", testIterateStops},
		{"IterateReverse", testIterateReverse},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"UpdateSeesItsOwnWrites", testUpdateSeesItsOwnWrites},
		{"ViewIsReadOnly", testViewIsReadOnly},
		{"ViewIsASnapshot", testViewIsASnapshot},
		{"Batch", testBatch},
		{"BatchError", testBatchError},
		{"CanceledContext", testCanceledContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

func set(t *testing.T, s catalog.Store, kv ...string) {
	t.Helper()
	err := s.Update(context.Background(), func(tx catalog.Txn) error {
		for i := 0; i+1 < len(kv); i += 2 {
			if err := tx.Set([]byte(kv[i]), []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// get returns the value of key, or ok=false when it is absent.
func get(t *testing.T, s catalog.Store, key string) (string, bool) {
	t.Helper()
	var v []byte
	err := s.View(context.Background(), func(tx catalog.Txn) error {
		var err error
		v, err = tx.Get([]byte(key))
		return err
	})
	if errors.Is(err, catalog.ErrKeyNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return string(v), true
}

type kv struct{ k, v string }

func iterate(t *testing.T, s catalog.Store, prefix string) []kv {
	t.Helper()
	var out []kv
	err := s.View(context.Background(), func(tx catalog.Txn) error {
		return tx.Iterate([]byte(prefix), func(k, v []byte) error {
			out = append(out, kv{string(k), string(v)})
			return nil
		})
	})
	if err != nil {
		t.Fatalf("Iterate(%q): %v", prefix, err)
	}
	return out
}

func keys(t *testing.T, s catalog.Store, prefix string) []string {
	t.Helper()
	var out []string
	err := s.View(context.Background(), func(tx catalog.Txn) error {
		return tx.Keys([]byte(prefix), func(k []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	if err != nil {
		t.Fatalf("Keys(%q): %v", prefix, err)
	}
	return out
}

func testGetSetDelete(t *testing.T, s catalog.Store) {
	ctx := context.Background()
	err := s.View(ctx, func(tx catalog.Txn) error {
		v, err := tx.Get([]byte("missing"))
		if !errors.Is(err, catalog.ErrKeyNotFound) {
			t.Errorf("Get of a missing key = %q, %v; want an error wrapping ErrKeyNotFound", v, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	set(t, s, "a", "1", "b\x00c", "binary\xff\x00", "empty", "")
	for _, c := range []struct{ k, v string }{{"a", "1"}, {"b\x00c", "binary\xff\x00"}, {"empty", ""}} {
		if v, ok := get(t, s, c.k); !ok || v != c.v {
			t.Errorf("Get(%q) = %q, %v; want %q", c.k, v, ok, c.v)
		}
	}
	if _, ok := get(t, s, "b"); ok {
		t.Error(`Get("b") finds a key that only starts with it`)
	}
	set(t, s, "a", "2")
	if v, _ := get(t, s, "a"); v != "2" {
		t.Errorf("after overwriting, Get(a) = %q", v)
	}
	err = s.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Delete([]byte("a")); err != nil {
			return err
		}
		return tx.Delete([]byte("never-set")) // deleting an absent key is no error
	})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, ok := get(t, s, "a"); ok {
		t.Error("a deleted key is still there")
	}
	if got := keys(t, s, ""); fmt.Sprint(got) != fmt.Sprint([]string{"b\x00c", "empty"}) {
		t.Errorf("Keys after the delete = %q", got)
	}
}

func testValuesAreTheCallers(t *testing.T, s catalog.Store) {
	set(t, s, "k", "value")
	var kept []byte
	err := s.View(context.Background(), func(tx catalog.Txn) error {
		v, err := tx.Get([]byte("k"))
		kept = v
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	set(t, s, "k", "other", "k2", "filler")
	if string(kept) != "value" {
		t.Errorf("a value kept after its transaction changed to %q", kept)
	}
	kept[0] = 'X'
	if v, _ := get(t, s, "k"); v != "other" {
		t.Errorf("changing a returned value changed the store: %q", v)
	}
}

func testIteratePrefixOrder(t *testing.T, s catalog.Store) {
	// Keys around the prefix "p/": shorter, equal, longer, with NUL and 0xff bytes, and
	// neighbours that sort just before and after every key with the prefix.
	all := []string{"p", "p.", "p/", "p/\x00", "p/a", "p/a\x00b", "p/a/b", "p/b", "p/\xff", "p/\xff\xff", "p0", "q", "o/z", "\x00"}
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var pairs []string
	for _, k := range all {
		pairs = append(pairs, k, "v:"+k)
	}
	set(t, s, pairs...)
	for _, prefix := range []string{"p/", "p", "p/a", "", "\x00", "r", "p/\xff"} {
		var want []string
		for _, k := range all {
			if bytes.HasPrefix([]byte(k), []byte(prefix)) {
				want = append(want, k)
			}
		}
		sort.Strings(want)
		got := iterate(t, s, prefix)
		if len(got) != len(want) {
			t.Errorf("Iterate(%q) gives %d keys, want %d: %q", prefix, len(got), len(want), got)
			continue
		}
		for i, g := range got {
			if g.k != want[i] || g.v != "v:"+want[i] {
				t.Errorf("Iterate(%q)[%d] = %q=%q, want %q", prefix, i, g.k, g.v, want[i])
			}
		}
		if gk := keys(t, s, prefix); fmt.Sprintf("%q", gk) != fmt.Sprintf("%q", want) {
			t.Errorf("Keys(%q) = %q, want %q", prefix, gk, want)
		}
	}
}

func testIterateStops(t *testing.T, s catalog.Store) {
	var pairs []string
	for i := range 100 {
		pairs = append(pairs, fmt.Sprintf("k%03d", i), "v")
	}
	set(t, s, pairs...)
	stop := errors.New("stop")
	for _, useKeys := range []bool{false, true} {
		n := 0
		err := s.View(context.Background(), func(tx catalog.Txn) error {
			fn := func(k []byte) error {
				n++
				if n == 10 {
					return fmt.Errorf("at %s: %w", k, stop)
				}
				return nil
			}
			if useKeys {
				return tx.Keys([]byte("k"), fn)
			}
			return tx.Iterate([]byte("k"), func(k, _ []byte) error { return fn(k) })
		})
		if !errors.Is(err, stop) || n != 10 {
			t.Errorf("keys=%v: an error from fn ends the iteration with it: got %v after %d calls", useKeys, err, n)
		}
	}
}

func testIterateReverse(t *testing.T, s catalog.Store) {
	all := []string{"p", "p.", "p/", "p/\x00", "p/a", "p/a\x00b", "p/a/b", "p/b", "p/\xff", "p/\xff\xff", "p0", "q", "o/z", "\x00", "\xff", "\xff\xff\x01"}
	var pairs []string
	for _, k := range all {
		pairs = append(pairs, k, "v:"+k)
	}
	set(t, s, pairs...)
	sorted := append([]string(nil), all...)
	sort.Strings(sorted)
	for _, prefix := range []string{"p/", "p", "p/a", "", "\x00", "r", "p/\xff", "\xff", "\xff\xff"} {
		for _, before := range []string{"", "p/a", "p/a\x00", "p/\xff", "p/zz", "a", "\xff\xff\x01"} {
			var want []string
			for i := len(sorted) - 1; i >= 0; i-- {
				k := sorted[i]
				if strings.HasPrefix(k, prefix) && (before == "" || k < before) {
					want = append(want, k)
				}
			}
			var b []byte
			if before != "" {
				b = []byte(before)
			}
			var got []string
			err := s.View(context.Background(), func(tx catalog.Txn) error {
				return tx.IterateReverse([]byte(prefix), b, func(k, v []byte) error {
					if string(v) != "v:"+string(k) {
						t.Errorf("IterateReverse(%q, %q): %q has value %q", prefix, before, k, v)
					}
					got = append(got, string(k))
					return nil
				})
			})
			if err != nil {
				t.Fatalf("IterateReverse(%q, %q): %v", prefix, before, err)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
				t.Errorf("IterateReverse(%q, before %q) = %q, want %q", prefix, before, got, want)
			}
		}
	}
	stop := errors.New("stop")
	n := 0
	err := s.View(context.Background(), func(tx catalog.Txn) error {
		return tx.IterateReverse(nil, nil, func([]byte, []byte) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		})
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("an error from fn ends IterateReverse with it: got %v after %d calls", err, n)
	}
}

func testUpdateRollsBack(t *testing.T, s catalog.Store) {
	set(t, s, "keep", "old", "gone", "here")
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx catalog.Txn) error {
		for _, k := range []string{"new1", "new2"} {
			if err := tx.Set([]byte(k), []byte("x")); err != nil {
				return err
			}
		}
		if err := tx.Set([]byte("keep"), []byte("new")); err != nil {
			return err
		}
		if err := tx.Delete([]byte("gone")); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the error of fn", err)
	}
	if v, _ := get(t, s, "keep"); v != "old" {
		t.Errorf("a failed Update changed keep to %q", v)
	}
	if _, ok := get(t, s, "gone"); !ok {
		t.Error("a failed Update deleted a key")
	}
	if got := keys(t, s, "new"); len(got) != 0 {
		t.Errorf("a failed Update wrote %q", got)
	}
}

func testUpdateSeesItsOwnWrites(t *testing.T, s catalog.Store) {
	set(t, s, "a", "1")
	err := s.Update(context.Background(), func(tx catalog.Txn) error {
		if err := tx.Set([]byte("b"), []byte("2")); err != nil {
			return err
		}
		if err := tx.Delete([]byte("a")); err != nil {
			return err
		}
		if v, err := tx.Get([]byte("b")); err != nil || string(v) != "2" {
			t.Errorf("Get of a key set in the transaction = %q, %v", v, err)
		}
		if _, err := tx.Get([]byte("a")); !errors.Is(err, catalog.ErrKeyNotFound) {
			t.Errorf("Get of a key deleted in the transaction: %v", err)
		}
		var ks []string
		err := tx.Keys(nil, func(k []byte) error { ks = append(ks, string(k)); return nil })
		if err != nil || fmt.Sprint(ks) != "[b]" {
			t.Errorf("Keys in the transaction = %v, %v; want [b]", ks, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testViewIsReadOnly(t *testing.T, s catalog.Store) {
	err := s.View(context.Background(), func(tx catalog.Txn) error {
		return tx.Set([]byte("k"), []byte("v"))
	})
	if err == nil {
		t.Error("Set in a View succeeded")
	}
	if _, ok := get(t, s, "k"); ok {
		t.Error("a View wrote a key")
	}
}

func testViewIsASnapshot(t *testing.T, s catalog.Store) {
	set(t, s, "k", "before")
	err := s.View(context.Background(), func(tx catalog.Txn) error {
		set(t, s, "k", "after", "k2", "new")
		if v, err := tx.Get([]byte("k")); err != nil || string(v) != "before" {
			t.Errorf("a View sees a later Update: %q, %v", v, err)
		}
		n := 0
		if err := tx.Keys([]byte("k"), func([]byte) error { n++; return nil }); err != nil || n != 1 {
			t.Errorf("a View's Keys sees a later Update: %d keys, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := get(t, s, "k"); v != "after" {
		t.Errorf("after the View, k = %q", v)
	}
}

// testBatch writes more keys than one transaction of a typical store holds.
func testBatch(t *testing.T, s catalog.Store) {
	const n = 50000
	ctx := context.Background()
	value := func(i int) []byte { return fmt.Appendf(nil, "value %d %0100d", i, i) }
	err := s.Batch(ctx, func(w catalog.BatchWriter) error {
		for i := n - 1; i >= 0; i-- { // out of order on purpose
			if err := w.Set(fmt.Appendf(nil, "batch/%06d", i), value(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Batch of %d keys: %v", n, err)
	}
	i := 0
	err = s.View(ctx, func(tx catalog.Txn) error {
		return tx.Iterate([]byte("batch/"), func(k, v []byte) error {
			if want := fmt.Sprintf("batch/%06d", i); string(k) != want || !bytes.Equal(v, value(i)) {
				return fmt.Errorf("key %d is %q=%q, want %q", i, k, v, want)
			}
			i++
			return nil
		})
	})
	if err != nil || i != n {
		t.Fatalf("after the batch: %d keys read, %v", i, err)
	}
	// Delete every other key in a second batch.
	err = s.Batch(ctx, func(w catalog.BatchWriter) error {
		for i := 0; i < n; i += 2 {
			if err := w.Delete(fmt.Appendf(nil, "batch/%06d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Batch of deletes: %v", err)
	}
	ks := keys(t, s, "batch/")
	if len(ks) != n/2 || ks[0] != "batch/000001" || ks[len(ks)-1] != fmt.Sprintf("batch/%06d", n-1) {
		t.Errorf("after deleting every other key: %d keys", len(ks))
	}
}

func testBatchError(t *testing.T, s catalog.Store) {
	boom := errors.New("boom")
	err := s.Batch(context.Background(), func(w catalog.BatchWriter) error {
		if err := w.Set([]byte("x"), []byte("1")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Batch returned %v, want the error of fn", err)
	}
}

func testCanceledContext(t *testing.T, s catalog.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	errs := []error{
		s.View(ctx, func(catalog.Txn) error { called = true; return nil }),
		s.Update(ctx, func(tx catalog.Txn) error { called = true; return tx.Set([]byte("k"), []byte("v")) }),
		s.Batch(ctx, func(w catalog.BatchWriter) error { called = true; return w.Set([]byte("k"), []byte("v")) }),
	}
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("call %d with a canceled context: %v, want context.Canceled", i, err)
		}
	}
	if called {
		t.Error("a function ran under a canceled context")
	}
	if _, ok := get(t, s, "k"); ok {
		t.Error("a write under a canceled context happened")
	}
}
