// Package importer turns metadata written by other tools into tagflow definitions
// documents (DESIGN §8): the rules both importers share — how an outside name becomes a
// path segment or member name, how an outside type becomes a tagflow type — and the Result
// they return: a catalog.Document, ready to deploy like any other, and the Notes that say
// what was odd in the input.
//
// Translation is pure: bytes in, a document and notes out. Nothing here reads files, the
// network, the clock or the environment, and nothing deploys; the CLI and the HTTP
// endpoint compose that. The importers themselves are the subpackages openlineage and
// dbt; importertest holds what their tests share.
//
// importer imports catalog and nothing else of tagflow (DESIGN §1: no lineage, tags,
// access or graphql).
package importer
