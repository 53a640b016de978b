package access

import "fmt"

// Mode is what a principal wants to do with an asset.
type Mode string

// The modes of DESIGN §5, and MANAGE for administering grants and roles.
const (
	ReadDefinitions  Mode = "READ_DEFINITIONS"
	WriteDefinitions Mode = "WRITE_DEFINITIONS"
	ReadData         Mode = "READ_DATA"
	WriteData        Mode = "WRITE_DATA"
	Manage           Mode = "MANAGE"
)

// Decision is the answer to "may P use mode m on path at branch?", with its reason.
type Decision struct {
	Allowed bool
	Reason  string
}

// Decide answers for principal p holding grants. Until custom roles exist (the access
// issue), only the built-in admin role on the whole org allows anything: default deny.
func Decide(p Principal, grants []Grant, mode Mode, path, branch string) Decision {
	for _, g := range grants {
		if g.Role == RoleAdmin && g.Scope == "*" {
			return Decision{Allowed: true, Reason: fmt.Sprintf("%s holds role admin on * (grant to %s)", p.Ref(), g.Principal)}
		}
	}
	what := path
	if what == "" {
		what = "the org"
	}
	return Decision{Allowed: false, Reason: fmt.Sprintf("no grant gives %s %s on %s at branch %s", p.Ref(), mode, what, branch)}
}
