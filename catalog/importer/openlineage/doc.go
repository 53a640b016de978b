// Package openlineage translates OpenLineage run events into a tagflow definitions
// document (DESIGN §8). Events merge per job, every event of every run adding to what the
// job declares: a dataset's fields are the union of every schema facet seen for it (the
// type of the latest event wins; no event removes a field), each output is a dataset whose
// pipeline reads the union of the inputs of the jobs that write it, and a columnLineage
// facet becomes column lineage (DIRECT and INDIRECT entries and the whole-dataset list
// alike), with masking declaring ~PII. What column lineage names but no event declares is
// added as a placeholder and reported in a note.
//
// The merge is a join of independent facts (sets, and "latest by event time" values), so
// any order, repetition or interleaving of the same events gives the same document: the
// property the HTTP endpoint's out-of-order, at-least-once deliveries rely on.
//
// Input is one event (a JSON object), a JSON array of events, or JSON lines, read as a
// stream one event at a time. The package is pure and imports only catalog and importer.
package openlineage
