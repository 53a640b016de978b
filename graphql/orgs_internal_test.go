package graphql

import (
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/tagflow/tagflow/access"
)

// FuzzOrgHeader: parseOrgHeader never panics; what it accepts is a valid org name without
// a control character, and what it refuses it refuses with a sentence naming the header.
func FuzzOrgHeader(f *testing.F) {
	for _, s := range []string{"acme", "", "a b", "be\tta", "_x", strings.Repeat("x", 201), "jane@acme", "\xff", "ü-org", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set(OrgHeader, v)
		org, err := parseOrgHeader(h)
		if err != nil {
			if org != "" || !strings.Contains(err.Error(), OrgHeader) {
				t.Fatalf("%q: refused with %q, %v", v, org, err)
			}
			return
		}
		if org != v || access.ValidateOrgName(org) != nil || strings.ContainsFunc(org, unicode.IsControl) || len(org) > 200 {
			t.Fatalf("%q accepted as %q", v, org)
		}
	})
}
