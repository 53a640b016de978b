// Package tags owns tag governance on top of the catalog and its lineage: the org's tag
// vocabulary (Vocab: names interned to dense ids, definitions with propagate and
// negation), declared tags (definitions' and stewards'), the propagation engine (States),
// explanations (Explain: sources, cancellers and stopped sources), vocabulary hygiene
// (TagUsage; tag names that differ only by case), and Service, which composes catalog (validation, versions),
// lineage (cycles, the graph) and propagation into one atomic change of a branch.
//
// # Propagation
//
// For each node and tag the state is none < present < cancelled (DESIGN §4). A node's
// states are a small sorted list of (tag id, state); computing a node joins what each
// parent passes on along its edge (out: propagate false gives none along derivation edges;
// a cancellation gives none under negation NODE and along fail-closed edges) and lays the
// node's own declarations over it. From scratch, nodes are evaluated once each in level
// order (a counting sort of the graph's topological levels); incrementally, the nodes a
// change touches are evaluated in level order from a heap, and a node's children are
// queued only when its states changed, so the work is the part of the downstream cone that
// actually changes. TestIncrementalEqualsOracle holds the engine to a literal, memoized
// evaluation of DESIGN §4 for thousands of random changes.
//
// # Versions
//
// A branch's graph and states are copy-on-write columns (lineage.Column): every change
// makes a new version that shares all it does not touch, published atomically as a View
// with the catalog snapshot it matches; readers never lock. A new branch clones its
// origin's view in microseconds. States are not persisted: they are computed from the
// catalog at start, so an answer after a restart equals the one before. The vocabulary's
// defined tags are kept under "tg\0<org>\0<tag>"; steward declarations live in the
// catalog's asset records (catalog.Asset.Steward), so they branch, commit and go with their
// assets like everything else.
//
// A write's request may carry a Recorder (DeployRequest, DeleteRequest, SetTagsRequest)
// and CreateBranch, DeleteBranch and DefineTag take catalog.Also writes: the layer above
// puts its audit record into the transaction that commits the write.
//
// tags imports lineage and catalog, nothing above them.
package tags
