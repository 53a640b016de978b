package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// The run events a branch accepted (OpenLineage, DESIGN §8), kept so that the merge of a
// branch's events survives a restart: the catalog stores them and does not read them.
//
//	re\0<org>\0<hash>                   a chunk of events, one per line (content-addressed)
//	rl\0<org>\0<branch>\0<hash>         the branch accepted the chunk (empty value)
//
// Chunks are written with Batch before the deploy that applies them (a large batch of
// events does not fit one transaction); the small link keys are written in the deploy's
// own transaction (LinkRunEvents as its Also), so events are accepted exactly when the
// change they caused is committed. A chunk nothing links to is left over from a refused
// or failed deploy; it is harmless, and a later identical chunk reuses its key.
const (
	prefixRunEvents = "re\x00"
	prefixRunLinks  = "rl\x00"
)

// MaxRunEventChunk is the most bytes of events one chunk holds.
const MaxRunEventChunk = 1 << 20

// RunEventChunk is a stored chunk of run events: its id and its events, one per line.
type RunEventChunk struct {
	ID     string
	Events []byte
}

// ChunkRunEvents packs events (each one line of JSON, no newline inside) into chunks of at
// most MaxRunEventChunk bytes (an event larger than that is a chunk alone).
func ChunkRunEvents(events [][]byte) []RunEventChunk {
	var out []RunEventChunk
	var cur []byte
	flush := func() {
		if len(cur) == 0 {
			return
		}
		sum := sha256.Sum256(cur)
		out = append(out, RunEventChunk{ID: hex.EncodeToString(sum[:]), Events: cur})
		cur = nil
	}
	for _, ev := range events {
		if len(cur) > 0 && len(cur)+len(ev)+1 > MaxRunEventChunk {
			flush()
		}
		cur = append(cur, ev...)
		cur = append(cur, '\n')
	}
	flush()
	return out
}

// PutRunEvents writes chunks of an org's run events, durably, linked to no branch yet.
func PutRunEvents(ctx context.Context, s Store, org string, chunks []RunEventChunk) error {
	if len(chunks) == 0 {
		return nil
	}
	return s.Batch(ctx, func(w BatchWriter) error {
		for _, c := range chunks {
			if err := w.Set([]byte(prefixRunEvents+org+"\x00"+c.ID), c.Events); err != nil {
				return err
			}
		}
		return nil
	})
}

// LinkRunEvents is the Also that makes a branch accept chunks written by PutRunEvents.
func LinkRunEvents(org, branch string, chunks []RunEventChunk) Also {
	return func(tx Txn) error {
		for _, c := range chunks {
			if err := tx.Set(runLinkKey(org, branch, c.ID), nil); err != nil {
				return err
			}
		}
		return nil
	}
}

// copyRunLinks links to branch to every chunk that branch from accepted: a branch made from
// another starts with its origin's events, as it starts with its origin's definitions, so
// the next event merges with them instead of replacing what they declared.
func copyRunLinks(tx Txn, org, from, to string) error {
	prefix := []byte(prefixRunLinks + org + "\x00" + from + "\x00")
	var ids []string
	if err := tx.Iterate(prefix, func(k, _ []byte) error {
		ids = append(ids, string(k[len(prefix):]))
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.Set(runLinkKey(org, to, id), nil); err != nil {
			return err
		}
	}
	return nil
}

// deleteRunLinks removes a deleted branch's links, so that a new branch of the same name
// does not inherit its events (the chunks stay: other branches may link to them).
func deleteRunLinks(tx Txn, org, branch string) error {
	prefix := []byte(prefixRunLinks + org + "\x00" + branch + "\x00")
	var keys [][]byte
	if err := tx.Iterate(prefix, func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k...))
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func runLinkKey(org, branch, id string) []byte {
	return []byte(prefixRunLinks + org + "\x00" + branch + "\x00" + id)
}

// RunEvents calls fn with each event a branch accepted, in no particular order (a chunk
// and its events may repeat: what reads them must not care, as a merge of events does not).
func RunEvents(ctx context.Context, s Store, org, branch string, fn func(event []byte) error) error {
	var ids []string
	prefix := []byte(prefixRunLinks + org + "\x00" + branch + "\x00")
	if err := s.View(ctx, func(tx Txn) error {
		return tx.Iterate(prefix, func(k, _ []byte) error {
			ids = append(ids, string(k[len(prefix):]))
			return nil
		})
	}); err != nil {
		return fmt.Errorf("read the run events of %s: %w", branch, err)
	}
	for _, id := range ids {
		var chunk []byte
		if err := s.View(ctx, func(tx Txn) error {
			var err error
			chunk, err = tx.Get([]byte(prefixRunEvents + org + "\x00" + id))
			return err
		}); err != nil {
			return fmt.Errorf("read run events %s of %s: %w", id, branch, err)
		}
		for len(chunk) > 0 {
			line, rest, _ := bytes.Cut(chunk, []byte{'\n'})
			chunk = rest
			if len(line) == 0 {
				continue
			}
			if err := fn(line); err != nil {
				return err
			}
		}
	}
	return nil
}
