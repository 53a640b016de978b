package catalog

import "context"

// Store is the key-value store tagflow keeps everything in. Keys are bytes; a Txn sees a
// consistent snapshot. The Badger implementation lives in catalog/badgerstore; nothing else
// imports Badger.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Txn) error) error
	// Update runs fn in a read-write transaction and commits it durably if fn returns nil.
	// Keep it small: a transaction holds a few MB at most. Large writes use Batch.
	Update(ctx context.Context, fn func(Txn) error) error
	// Batch writes many key-values outside one transaction, in as many transactions as it
	// takes, and returns once they are durable. It is for immutable, content-addressed keys
	// that nothing points to yet; a small Update then makes them visible (DESIGN §1).
	Batch(ctx context.Context, fn func(BatchWriter) error) error
	// Close flushes and closes the store.
	Close() error
}

// Txn is a transaction of a Store.
type Txn interface {
	// Get returns the value of key or an error wrapping ErrKeyNotFound. The value is the
	// caller's to keep.
	Get(key []byte) ([]byte, error)
	Set(key, value []byte) error
	Delete(key []byte) error
	// Iterate calls fn for each key with the prefix, in key order, until fn returns an error.
	// key and value are valid only during the call.
	Iterate(prefix []byte, fn func(key, value []byte) error) error
	// Keys calls fn for each key with the prefix, in key order, without reading values.
	Keys(prefix []byte, fn func(key []byte) error) error
	// IterateReverse calls fn for each key with the prefix that sorts before before (every
	// one when before is nil), newest-first style: in reverse key order, until fn returns
	// an error. It is how a time-ordered log is read from its end (access's audit log)
	// without scanning it from the start. key and value are valid only during the call.
	IterateReverse(prefix, before []byte, fn func(key, value []byte) error) error
}

// BatchWriter writes key-values for Store.Batch.
type BatchWriter interface {
	Set(key, value []byte) error
	Delete(key []byte) error
}
