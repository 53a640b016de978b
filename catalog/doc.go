// Package catalog owns tagflow's domain: orgs, branches, datasets and their fields,
// featuresets and their features, pipelines and column lineage; definitions documents
// (parsing, name resolution, validation); planning a deploy as a Change; and the durable,
// versioned Repo behind the small Store interface.
//
// catalog imports no other tagflow package. Lineage (cycles) and tags (impact) are composed
// above it, by the deploy flow in package tags.
//
// # Storage
//
// A branch's definitions are a Snapshot: every top-level asset (dataset or featureset with
// its members) sorted by path, cut into pages of about 128 assets. Pages and the root that
// lists them are immutable blobs addressed by the SHA-256 of their content, so branches
// that share history share them. A deploy writes its new pages in batches of any size
// (Store.Batch), then moves the branch head in one small synced transaction. Until the head
// moves nothing points at the new pages, so a crash leaves the old state whole; the
// garbage collector (Repo.CollectGarbage) later deletes blobs no head reaches. Creating a
// branch writes one small record that points at its origin's root.
//
// Key layout (parts separated by NUL bytes, which no name may hold):
//
//	org\0<org>                          Org record (JSON)
//	br\0<org>\0<branch>                 Branch head: root id, version, timestamps (JSON)
//	cm\0<org>\0<branch>\0<version:hex16> Commit record (JSON): author, counts, root
//	rt\0<id>                            Snapshot root: the list of page ids (JSON)
//	pg\0<id>                            Page: JSON array of assets, sorted by path
//	re\0<org>\0<hash>                   Run events (OpenLineage), one per line (runevents.go)
//	rl\0<org>\0<branch>\0<hash>         The branch accepted those run events (empty)
//
// Other packages keep their own records in the same store under prefixes of their own,
// documented in their packages: access uses "ac\0", tags "tg\0" (the tag vocabulary).
// A change can carry writes of the layer above into its own transaction (Also: in
// CommitInfo, CreateBranch, DeleteBranch), which is how access's audit record of a change
// is as durable as the change; the catalog does not know what they write.
// Txn.IterateReverse reads a key range from its end (the audit log, newest first).
package catalog
