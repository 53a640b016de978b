// Package dbt translates a dbt manifest (target/manifest.json, schema v2 on) into a tagflow
// definitions document (DESIGN §8). Models, seeds, snapshots and sources become datasets
// named by their unique_id (model.jaffle_shop.customers is model/jaffle_shop/customers);
// tests, macros, docs, exposures and metrics do not. A dataset's fields are its documented
// columns, its pipeline reads its depends_on.nodes, and since dbt knows no column lineage
// every pipeline is fail-closed. dbt tags become tags as they are (renamed by
// Options.MapTags), and meta flags (pii, contains_pii, is_sensitive, sensitive, or pii among
// the terms) declare PII; a node's meta.pii: false declares ~PII. Owners are not imported:
// dbt's meta.owner names no tagflow principal.
//
// The manifest is read as a stream with encoding/json's Decoder: one node at a time, the
// macros, docs and SQL skipped unread into memory, so a 100 MB manifest needs a small
// multiple of what it declares, not of its size. The package is pure and imports only
// catalog and importer.
package dbt
