package access

import "time"

// SetClock makes r read the time from now; call it before r is shared.
func SetClock(r *Registry, now func() time.Time) { r.now = now }

// CachedPolicies is how many compiled policies r's cache holds.
func CachedPolicies(r *Registry) int { return r.cachedPolicies() }

// SetAuditScanLimit lowers how many records a page of the audit log looks at, and
// returns a func that restores it.
func SetAuditScanLimit(n int) func() {
	old := auditScanLimit
	auditScanLimit = n
	return func() { auditScanLimit = old }
}
