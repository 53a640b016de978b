// Package importer turns metadata written by other tools into tagflow definitions
// documents (DESIGN §8): the rules both importers share — how an outside name becomes a
// path segment or member name, how an outside type becomes a tagflow type — and the Result
// they return: a catalog.Document, ready to deploy like any other (YAML and JSON give its
// written form), and the Notes that say what was odd in the input.
//
// Translation is pure: bytes in, a document and notes out. Nothing here reads files, the
// network, the clock or the environment, and nothing deploys; the CLI and the HTTP
// endpoint compose that. The importers themselves are the subpackages openlineage and
// dbt; importertest holds what their tests share.
//
// importer imports catalog and nothing else of tagflow (DESIGN §1: no lineage, tags,
// access or graphql); TestLayering checks it.
//
// # Decisions where §8 is silent
//
// Names: a leading or trailing space, which no segment may hold, becomes "_" like any
// other character a segment may not hold; a name that stays over a limit (a segment over
// 200 bytes, a path over 1,024) is an error naming the source, since no mapping fixes it.
// Dataset and field names that map to one path or member are an error naming both, in
// sorted order (the same error whatever came first).
//
// OpenLineage: "later" is by eventTime, then by the event type's place in a run (START,
// RUNNING, COMPLETE, ABORT, FAIL), then by the greater value, so that no arrival order
// decides; an event with no or a bad eventTime counts as the earliest, with a note. A
// schema field with no type does not erase a known type. Fields come in the order of the
// earliest schema that lists them, then the fields only column lineage names, by name,
// as str. A job that reads the dataset it writes (or column lineage naming the output's
// own fields) would be a cycle of one: the self-loop is left out, with a note; longer
// cycles are noted (a deploy refuses them). Where several jobs write one output and only
// some send column lineage, the output has column lineage (§8: "an output with a
// columnLineage facet"), and a note says which jobs' inputs reach its fields only
// through it. OpenLineage's own tags are not imported: §8 gives them no meaning. The job
// and its documentation facet become the pipeline's description. Datasets or lineage
// entries with no name at all are skipped with a note.
//
// dbt: a node's tags are its tags and its config's tags; meta is meta and config.meta
// (dbt has moved meta into config). The meta rules apply to all four dataset kinds
// (§8's "model" read as the node), the ~PII of meta.pii: false to the node only, never to
// a column. Meta keys are matched as written; only boolean true counts (a string "true"
// gets a note); terms may be one comma-separated string or a list of them. Where a node
// would declare both PII and ~PII (a tag against meta.pii: false), PII is kept, with a
// note: what we are not sure of may be PII. A dbt tag that is no tagflow tag name is
// left out with a note (MapTags can rename it). A depends_on entry of a kind that is no
// dataset (a test, a macro) is no input; one missing from the manifest whose kind could
// be a dataset is a placeholder. Every dataset node's depends_on is compared with its
// parent_map entry, and parent_map entries for nodes the manifest lacks are noted once.
package importer
