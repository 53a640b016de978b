// Package access owns who may do what: principals (users, teams, groups, workloads, the
// org), roles, grants, tokens and credentials, decisions and their explanations.
//
// Decisions are pure functions of the values they are given; Registry loads and keeps
// those values (principals, grants, token hashes) from the store, under the key prefix
// "ac\0":
//
//	ac\0p\0<org>\0<kind>:<name>          Principal (JSON, with a team's or group's members, a member's home)
//	ac\0g\0<org>\0<principal>\0<role>\0<scope>  Grant (JSON)
//	ac\0t\0<sha256 of token, hex>        Token record (JSON), never the token itself
//	ac\0i\0<token id>                   the token's hash, to revoke by id
//	ac\0settings\0<org>                 OrgSettings (JSON), once changed (settings.go)
//	ac\0audit\0<org>\0<ns:8><rand:4>     AuditEntry (JSON): the audit log, append-only
//	ac\0cs\0<secret id>                 ClientSecret (JSON, with the secret's SHA-256)
//	ac\0is\0<org>\0<issuer URL>        TrustedIssuer (JSON, with its JWKS)
//	ac\0wp\0<policy id>                 WorkloadPolicy (JSON)
//	ac\0w\0<org>\0user:<name>           a user's password: its argon2id PHC string (password.go)
//	ac\0s\0<sha256 of session, hex>      console Session record (JSON, session.go), never the secret
//
// # Audit log
//
// audit.go keeps one record per change and per request refused with FORBIDDEN. A change's
// record is written in the transaction of the change, so that both are durable or neither
// is; nothing deletes a record. The key is the org, then the time in nanoseconds
// (big-endian, strictly increasing in the process) and 4 random bytes: an org's log is one
// key range, read newest first with catalog.Txn.IterateReverse, and since/until are key
// bounds. A record's time is taken inside its transaction, just before the commit: of two
// writes at the same moment the later-timed may commit first, so a reader paging at that
// instant can miss the other until it reads again. To record a new operation:
//
//   - In a registry write (its one r.store.Update): call
//     audit(ctx, tx, org, action, target, details) inside the Update func, or from any
//     package WriteAudit(ctx, tx, AuditEntry{Org, Action, Target, Details}). Principal and
//     RequestID come from ctx (WithActor, WithRequestID: the server sets both for every
//     authenticated request), At, ID and Result ("ok") are filled in; without an actor the
//     principal is "system".
//   - In a catalog commit: pass AuditAlso(ctx, entry) as the catalog.Also of
//     Repo.CreateBranch/DeleteBranch, tags.Service.CreateBranch/DeleteBranch/DefineTag, or
//     CommitInfo.Also; for a planned write of definitions set the request's Record to
//     AuditPlan(ctx, entry) (tags.Recorder), which names the plan's paths.
//   - For what changes nothing (a refusal): Registry.AppendAudit(ctx, entry), its own
//     transaction.
//
// Details is a compact JSON object naming what changed (AuditPaths for paths: the first
// MaxAuditPaths and a count), never a secret. Registry.AuditLog reads a page (AuditQuery:
// principal, target prefix, action, since, until, first, after; at most MaxAuditScan
// records looked at per page).
//
// Workload credentials (credentials.go, oidc.go) end in tokens issued by POST /oauth/token:
// ordinary tokens of the workload that last IssuedTokenLifetime and name their source (a
// client secret or a workload policy), so that revoking the source revokes them. VerifyJWT
// verifies an OIDC subject token with go-jose against a trusted issuer's keys only:
// asymmetric algorithms, a kid that names a key, exp required, iss, aud, exp, nbf and iat
// checked with ClockLeeway.
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
// Several orgs (orgs.go): a user lives in its home org; AddOrgMember makes it a member of
// another, a principal user:NAME there whose Home names the home org. ActingPrincipal
// finds, for a token's principal and the org a request names, the member principal it
// acts as there (or none: not a member, or no such org, alike); its rights there come from
// that org's grants only. Only users are members of several orgs, and members hold no
// tokens of their own: the home org's token acts everywhere. CreateOrg writes the new org's
// principals and grant in the catalog's transaction that creates the org (a callback), and
// DeletePrincipal of a user at home removes its memberships in the same transaction.
//
// access imports tags, lineage and catalog, nothing above them.
package access
