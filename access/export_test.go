package access

import "time"

// SetClock makes r read the time from now; call it before r is shared.
func SetClock(r *Registry, now func() time.Time) { r.now = now }
