// Package graphql is tagflow's API: the GraphQL schema (schema.graphql, embedded) and its
// resolvers on graphql-go, the REST deploy endpoint, health, readiness and metrics, the
// authentication middleware, and the HTTP wiring on gin. Error kinds become API codes in
// one function (codeOf) and HTTP statuses in one function (statusOf).
//
// graphql imports access, tags, lineage and catalog; only it and web import gin and
// graphql-go.
package graphql
