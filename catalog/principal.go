package catalog

import (
	"fmt"
	"strings"
	"unicode"
)

// PrincipalKinds are the kinds a principal reference may name (DESIGN §5).
var PrincipalKinds = []string{"user", "team", "group", "org", "workload"}

// MaxPrincipalName is the longest principal name in bytes.
const MaxPrincipalName = 200

// ParsePrincipalRef splits a principal reference "kind:name" (user:jane@acme, team:data) and
// checks it: a known kind, a name of letters, digits and "_ - . @", not starting with "_".
func ParsePrincipalRef(ref string) (kind, name string, err error) {
	kind, name, ok := strings.Cut(ref, ":")
	if !ok {
		return "", "", fmt.Errorf("principal %q must be written kind:name, e.g. user:jane or team:data", clip(ref))
	}
	known := false
	for _, k := range PrincipalKinds {
		known = known || k == kind
	}
	if !known {
		return "", "", fmt.Errorf("principal %q: unknown kind %q (expected %s)", clip(ref), clip(kind), strings.Join(PrincipalKinds, ", "))
	}
	if err := ValidatePrincipalName(name); err != nil {
		return "", "", fmt.Errorf("principal %q: %w", clip(ref), err)
	}
	return kind, name, nil
}

// ValidatePrincipalName checks the name of a user, team, group, workload or org.
func ValidatePrincipalName(name string) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	if len(name) > MaxPrincipalName {
		return fmt.Errorf("name is %d bytes, over the limit of %d", len(name), MaxPrincipalName)
	}
	if strings.HasPrefix(name, "_") {
		return fmt.Errorf("names may not start with \"_\"")
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.' || r == '@') {
			return fmt.Errorf("name %q contains %q; names hold letters, digits and _ - . @", clip(name), r)
		}
	}
	return nil
}
