// Package badgerstore is the Badger implementation of catalog.Store, and the only package
// of tagflow that imports Badger. Badger's errors are translated here and never escape.
package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/catalog"
)

// Options configure the store. The zero value is a sensible small service.
type Options struct {
	// Dir is the data directory; empty means in memory (tests).
	Dir string
	// CacheMB is Badger's block cache size; default 64.
	CacheMB int64
	// GCInterval is how often the value log is garbage-collected; default 10 minutes,
	// negative disables it.
	GCInterval time.Duration
	Log        zerolog.Logger
}

// Store is a catalog.Store on Badger.
type Store struct {
	db   *badger.DB
	stop chan struct{}
	done chan struct{}
	log  zerolog.Logger
}

var _ catalog.Store = (*Store)(nil)

// Open opens (or creates) the store. Memory is bounded by explicit options suited to a
// 2-core service with a few GiB: two 32 MiB memtables, a 64 MiB block cache, a 32 MiB
// index cache, two compactors.
func Open(opts Options) (*Store, error) {
	bo := badger.DefaultOptions(opts.Dir)
	if opts.Dir == "" {
		bo = bo.WithInMemory(true)
	}
	cache := opts.CacheMB
	if cache <= 0 {
		cache = 64
	}
	bo = bo.
		WithLogger(badgerLogger{opts.Log}).
		WithMemTableSize(32 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(cache << 20).
		WithIndexCacheSize(32 << 20).
		WithNumCompactors(2).
		WithValueLogFileSize(256 << 20).
		WithCompression(options.ZSTD).
		WithSyncWrites(true).
		WithDetectConflicts(true)
	if opts.Dir != "" {
		// Values over 1 KiB go to the value log. In memory there is none, and Badger refuses
		// values over the threshold, so there it keeps its default (1 MiB).
		bo = bo.WithValueThreshold(1 << 10)
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", opts.Dir, err)
	}
	s := &Store{db: db, stop: make(chan struct{}), done: make(chan struct{}), log: opts.Log}
	interval := opts.GCInterval
	if interval == 0 {
		interval = 10 * time.Minute
	}
	if interval > 0 && opts.Dir != "" {
		go s.gcLoop(interval)
	} else {
		close(s.done)
	}
	return s, nil
}

func (s *Store) gcLoop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			n := 0
			for s.db.RunValueLogGC(0.5) == nil {
				n++
			}
			if n > 0 {
				s.log.Info().Int("files", n).Msg("value log garbage collected")
			}
		}
	}
}

// Close stops the garbage collector and closes Badger.
func (s *Store) Close() error {
	select {
	case <-s.stop:
		return nil
	default:
	}
	close(s.stop)
	<-s.done
	return translate(s.db.Close())
}

// View implements catalog.Store.
func (s *Store) View(ctx context.Context, fn func(catalog.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return translate(s.db.View(func(t *badger.Txn) error { return fn(txn{t}) }))
}

// Update implements catalog.Store.
func (s *Store) Update(ctx context.Context, fn func(catalog.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return translate(s.db.Update(func(t *badger.Txn) error { return fn(txn{t}) }))
}

// Batch implements catalog.Store.
func (s *Store) Batch(ctx context.Context, fn func(catalog.BatchWriter) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	if err := fn(batch{wb}); err != nil {
		return translate(err)
	}
	if err := wb.Flush(); err != nil {
		return translate(err)
	}
	// With SyncWrites every commit of the batch was synced; Sync again in case Badger
	// changes that for write batches.
	return translate(s.db.Sync())
}

type batch struct{ wb *badger.WriteBatch }

func (b batch) Set(k, v []byte) error { return b.wb.Set(k, v) }
func (b batch) Delete(k []byte) error { return b.wb.Delete(k) }

type txn struct{ t *badger.Txn }

func (t txn) Get(k []byte) ([]byte, error) {
	it, err := t.t.Get(k)
	if err != nil {
		return nil, translate(err)
	}
	return it.ValueCopy(nil)
}

func (t txn) Set(k, v []byte) error { return translate(t.t.Set(k, v)) }
func (t txn) Delete(k []byte) error { return translate(t.t.Delete(k)) }

func (t txn) Iterate(prefix []byte, fn func(k, v []byte) error) error {
	it := t.t.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		err := item.Value(func(v []byte) error { return fn(item.Key(), v) })
		if err != nil {
			return err
		}
	}
	return nil
}

func (t txn) Keys(prefix []byte, fn func(k []byte) error) error {
	it := t.t.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		if err := fn(it.Item().Key()); err != nil {
			return err
		}
	}
	return nil
}

func (t txn) IterateReverse(prefix, before []byte, fn func(k, v []byte) error) error {
	// Badger's reverse Seek lands on the greatest key <= its argument. No Prefix option:
	// with it the iterator is invalid on the key it lands on when that key is outside the
	// prefix (the prefix's successor), and the loop would end before it began.
	end := successor(prefix) // nil: every key from the prefix on has it
	if before != nil && (end == nil || bytes.Compare(before, end) < 0) {
		end = before
	}
	it := t.t.NewIterator(badger.IteratorOptions{Reverse: true, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Seek(end); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if end != nil && bytes.Compare(k, end) >= 0 {
			continue // end itself: before is exclusive, the successor outside the prefix
		}
		if !bytes.HasPrefix(k, prefix) {
			return nil
		}
		if err := item.Value(func(v []byte) error { return fn(k, v) }); err != nil {
			return err
		}
	}
	return nil
}

// successor is the least key greater than every key with the prefix, or nil when there is
// none (an empty prefix, or one of only 0xff bytes).
func successor(prefix []byte) []byte {
	s := bytes.Clone(prefix)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0xff {
			s[i]++
			return s[:i+1]
		}
	}
	return nil
}

// ErrTxnTooBig is returned when one Update holds more than Badger's transaction limit.
var ErrTxnTooBig = errors.New("transaction too big; write large data with Batch")

// ErrConflict is returned when a concurrent transaction changed what an Update read.
var ErrConflict = errors.New("concurrent update conflict")

func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return catalog.ErrKeyNotFound
	case errors.Is(err, badger.ErrTxnTooBig):
		return ErrTxnTooBig
	case errors.Is(err, badger.ErrConflict):
		return &catalog.Error{Kind: catalog.Conflict, Msg: "a concurrent change conflicted; retry", Err: ErrConflict}
	}
	return err
}

type badgerLogger struct{ l zerolog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error().Str("component", "badger").Msgf(trim(f), a...)
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn().Str("component", "badger").Msgf(trim(f), a...)
}
func (b badgerLogger) Infof(f string, a ...any) {
	b.l.Debug().Str("component", "badger").Msgf(trim(f), a...)
}
func (b badgerLogger) Debugf(f string, a ...any) {
	b.l.Trace().Str("component", "badger").Msgf(trim(f), a...)
}

func trim(f string) string {
	for len(f) > 0 && f[len(f)-1] == '\n' {
		f = f[:len(f)-1]
	}
	return f
}
