package badgerstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/catalog/storetest"
)

func open(t *testing.T, dir string) *badgerstore.Store {
	t.Helper()
	s, err := badgerstore.Open(badgerstore.Options{Dir: dir, GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestConformanceInMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) catalog.Store { return open(t, "") })
}

func TestConformanceOnDisk(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) catalog.Store { return open(t, t.TempDir()) })
}

// TestReopen checks that what an Update and a Batch wrote is there after a restart.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	big := make([]byte, 64<<10) // in the value log, not the LSM tree
	for i := range big {
		big[i] = byte(i)
	}
	err := s.Update(ctx, func(tx catalog.Txn) error { return tx.Set([]byte("small"), []byte("v")) })
	if err == nil {
		err = s.Batch(ctx, func(w catalog.BatchWriter) error { return w.Set([]byte("big"), big) })
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	s2 := open(t, dir)
	err = s2.View(ctx, func(tx catalog.Txn) error {
		v, err := tx.Get([]byte("small"))
		if err != nil || string(v) != "v" {
			return fmt.Errorf("small = %q, %v", v, err)
		}
		v, err = tx.Get([]byte("big"))
		if err != nil || string(v) != string(big) {
			return fmt.Errorf("big: %d bytes, %v", len(v), err)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// TestLargeValueInMemory stores a value over the on-disk value threshold in memory, where
// there is no value log.
func TestLargeValueInMemory(t *testing.T) {
	s := open(t, "")
	v := make([]byte, 200<<10)
	ctx := context.Background()
	if err := s.Batch(ctx, func(w catalog.BatchWriter) error { return w.Set([]byte("page"), v) }); err != nil {
		t.Fatalf("Batch of a 200 KiB value in memory: %v", err)
	}
	if err := s.Update(ctx, func(tx catalog.Txn) error { return tx.Set([]byte("page2"), v) }); err != nil {
		t.Fatalf("Update of a 200 KiB value in memory: %v", err)
	}
}

// TestErrorsAreTranslated checks that Badger's errors do not escape the store.
func TestErrorsAreTranslated(t *testing.T) {
	ctx := context.Background()
	s := open(t, "")

	// Too much for one transaction.
	v := make([]byte, 512)
	err := s.Update(ctx, func(tx catalog.Txn) error {
		for i := 0; i < 20000; i++ {
			if err := tx.Set(fmt.Appendf(nil, "k%06d", i), v); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, badgerstore.ErrTxnTooBig) {
		t.Errorf("a 10 MB Update: %v, want ErrTxnTooBig", err)
	}

	// A concurrent change to what an Update read.
	if err := s.Update(ctx, func(tx catalog.Txn) error { return tx.Set([]byte("c"), []byte("0")) }); err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx catalog.Txn) error {
		if _, err := tx.Get([]byte("c")); err != nil {
			return err
		}
		if err := s.Update(ctx, func(tx2 catalog.Txn) error { return tx2.Set([]byte("c"), []byte("other")) }); err != nil {
			return err
		}
		return tx.Set([]byte("c"), []byte("mine"))
	})
	if !errors.Is(err, badgerstore.ErrConflict) || catalog.KindOf(err) != catalog.Conflict {
		t.Errorf("a conflicting Update: %v (kind %v), want ErrConflict of kind Conflict", err, catalog.KindOf(err))
	}
	err = s.View(ctx, func(tx catalog.Txn) error {
		v, err := tx.Get([]byte("c"))
		if string(v) != "other" {
			return fmt.Errorf("c = %q, %v after the conflict", v, err)
		}
		_, err = tx.Get([]byte("missing"))
		return err
	})
	if !errors.Is(err, catalog.ErrKeyNotFound) || err != catalog.ErrKeyNotFound {
		t.Errorf("Get of a missing key: %v, want catalog.ErrKeyNotFound itself", err)
	}
}
