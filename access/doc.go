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
//	ac\0w\0<org>\0user:<name>           a user's password: its argon2id PHC string (password.go)
//	ac\0s\0<sha256 of session, hex>      console Session record (JSON, session.go), never the secret
//
// Secrets (tokens, session secrets) are found by the SHA-256 of what the caller sends, a
// map look-up: no secret is ever compared by value, so no timing tells anything about one.
// Password hashes and CSRF tokens are compared with crypto/subtle.
//
// A grant's scope (scope.go) and a rule's branch globs (branchglob.go) are parsed once
// into values that match without allocating: ParseScope and ParseBranchGlob refuse a
// mistake with an InvalidArgument naming where it is, and Scope.Covers, Scope.CoversScope
// and BranchGlob.Match answer on the hot path of a decision. Scope "ns/**" covers what is
// under ns/, never the asset named ns; templates ${user} and ${team} are whole segments,
// expanded for the requester (Requester) when a decision is made. Scope.Miss says in a
// sentence why a scope does not cover a path.
//
// A role's rule holds a tag expression over the present tags of an asset (expr.go): tag
// names, !, && and || (in that order of binding), parentheses, true and false. ParseExpr
// parses it once into a tree, kept for the canonical String and for Why/Explain, and a
// branching program for evaluation: one instruction per tag mentioned, each testing its tag
// and jumping on the answer, so that && and || short-circuit without a stack and "!" costs
// nothing. Decisions evaluate it with EvalSorted on the asset's sorted tag names, so access
// never handles tag ids or the vocabulary. A mistake is an *ExprError naming its 1-based
// column; ParseRuleTags wraps it as INVALID_ARGUMENT.
//
// access imports tags, lineage and catalog, nothing above them.
package access
