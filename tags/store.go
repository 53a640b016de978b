package tags

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tagflow/tagflow/catalog"
)

// The vocabulary is kept under "tg\\0<org>\\0<tag>" (JSON Definition), for defined tags only:
// a tag that is only used has the defaults.
const prefixTag = "tg\x00"

func loadVocab(ctx context.Context, store catalog.Store, org string) (*Vocab, error) {
	v := NewVocab()
	err := store.View(ctx, func(tx catalog.Txn) error {
		return tx.Iterate([]byte(prefixTag+org+"\x00"), func(k, val []byte) error {
			var d Definition
			if err := json.Unmarshal(val, &d); err != nil {
				return fmt.Errorf("tag definition %q: %w", k, err)
			}
			nv, err := v.Define(d)
			if err != nil {
				return fmt.Errorf("tag definition %q: %w", k, err)
			}
			v = nv
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load the tag vocabulary of %s: %w", org, err)
	}
	return v, nil
}

func saveDefinition(ctx context.Context, store catalog.Store, org string, d Definition, also []catalog.Also) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return store.Update(ctx, func(tx catalog.Txn) error {
		if err := tx.Set([]byte(prefixTag+org+"\x00"+d.Name), b); err != nil {
			return err
		}
		for _, fn := range also {
			if fn == nil {
				continue
			}
			if err := fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
}
