package graphql

import (
	"context"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// Caller is the authenticated principal of a request and the org it acts in.
type Caller struct {
	Principal access.Principal
	Token     access.Token    // zero when a session signed in
	Session   *access.Session // the console session, nil for a token (auth.go)
	Org       string
}

type callerKey struct{}

func withCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// callerOf returns the request's caller; every resolver runs behind the authentication
// middleware, so a missing caller is a wiring bug answered with UNAUTHENTICATED.
func callerOf(ctx context.Context) (*Caller, error) {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	if c == nil {
		return nil, toAPI(&catalog.Error{Kind: catalog.Unauthenticated, Msg: "no credentials"})
	}
	return c, nil
}
