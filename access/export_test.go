package access

import (
	"sync"
	"time"
)

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

// LightPasswords makes new password hashes cheap (m=64 KiB, t=1) for the tests of this
// package; verification reads the parameters from each hash.
func LightPasswords() {
	lightOnce.Do(func() { hashParams = passwordParams{memory: 64, passes: 1, lanes: 1, saltLen: 16, keyLen: 32} })
}

var lightOnce sync.Once

// ParsePHC is parsePHC, for its fuzz test.
func ParsePHC(s string) error { _, err := parsePHC(s); return err }

// VerifyPassword is the password check, for its tests.
var VerifyPassword = verifyPassword

// HashPasswordOWASP hashes with the parameters of production, whatever LightPasswords did.
func HashPasswordOWASP(pw string) string { return hashWith(owaspParams, pw) }
