// Package lineage owns the per-branch lineage graph of DESIGN §3: containment and
// derivation edges between datasets, fields, featuresets and features, the fail-closed rule
// for pipelines without column lineage, cycle checks for deploys, and upstream/downstream
// traversal.
//
// lineage imports catalog and nothing else of tagflow.
package lineage
