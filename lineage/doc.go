// Package lineage owns the per-branch lineage graph of DESIGN §3: containment and
// derivation edges between datasets, fields, featuresets and features, the fail-closed rule
// for pipelines without column lineage, cycle checks for deploys, and upstream/downstream
// walks at column or dataset granularity.
//
// The graph is held in memory over dense int32 node ids, in copy-on-write columns (path,
// kind, members, parents, children, level, and a hashed path index), so that a branch and
// each new version of one share everything they do not change. Apply updates a graph in
// place of a clone from a catalog change: only the written assets, and the readers of an
// asset whose fields changed (their fail-closed parents), are rewired, and topological
// levels are raised only where an edge requires it.
//
// lineage imports catalog and nothing else of tagflow.
package lineage
