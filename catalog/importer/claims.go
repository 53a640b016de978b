package importer

import "fmt"

// Claims records which outside object each path (or member name) stands for, so that two
// objects mapping to one name are an error naming both (DESIGN §8) rather than one
// silently taking the other's place.
type Claims struct {
	what string // "dataset", "column of food_delivery/public/orders"
	by   map[string]string
}

// NewClaims returns empty claims; what names the kind of name in errors.
func NewClaims(what string) *Claims { return &Claims{what: what, by: map[string]string{}} }

// Claim records that source maps to name. It fails if another source already did; the
// two sources are named in sorted order, so the error is the same whatever came first.
func (c *Claims) Claim(name, source string) error {
	prev, ok := c.by[name]
	if !ok {
		c.by[name] = source
		return nil
	}
	if prev == source {
		return nil
	}
	a, b := prev, source
	if b < a {
		a, b = b, a
	}
	return fmt.Errorf("%s and %s both map to the %s %q; rename one of them at the source", a, b, c.what, name)
}
