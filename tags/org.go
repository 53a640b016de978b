package tags

import (
	"context"

	"github.com/tagflow/tagflow/catalog"
)

// CreateOrg creates an org with an empty main branch and publishes that branch's view, so
// that the org is usable at once. also writes in the same store transaction as the org's
// catalog records (the access layer's principals and grants of the new org): the org
// exists whole or not at all.
func (s *Service) CreateOrg(ctx context.Context, name string, also func(catalog.Txn) error) error {
	unlock := s.lock(name, catalog.MainBranch)
	defer unlock()
	b, err := s.repo.CreateOrgWith(ctx, name, also)
	if err != nil {
		return err
	}
	v := NewVocab()
	s.mu.Lock()
	s.vocabs[name] = v
	s.mu.Unlock()
	s.publish(&View{Org: name, Catalog: b, Snapshot: catalog.EmptySnapshot,
		Lineage: Build(v, catalog.EmptySnapshot.Get, nil), Vocab: v})
	return nil
}
