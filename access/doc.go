// Package access owns who may do what: principals (users, teams, groups, workloads, the
// org), roles, grants, tokens and credentials, decisions and their explanations.
//
// Decisions are pure functions of the values they are given; Registry loads and keeps
// those values (principals, grants, token hashes) from the store, under the key prefix
// "ac\0":
//
//	ac\0p\0<org>\0<kind>:<name>          Principal (JSON, with a team's or group's members)
//	ac\0g\0<org>\0<principal>\0<role>\0<scope>  Grant (JSON)
//	ac\0t\0<sha256 of token, hex>        Token record (JSON), never the token itself
//	ac\0i\0<token id>                   the token's hash, to revoke by id
//
// access imports tags, lineage and catalog, nothing above them.
package access
