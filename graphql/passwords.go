package graphql

import (
	"context"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// Passwords of users (issue 9 item 3): Mutation.setPassword, and Me.token, the token that
// authenticated a request (so that `tagflow logout` can revoke the one it stored).

// SetPassword resolves Mutation.setPassword: the caller's own password (no grant needed,
// as for its own tokens: a token of the user can already do whatever the user can), or
// with MANAGE on the org another user's. It ends the user's other sessions.
func (r *Resolver) SetPassword(ctx context.Context, args struct {
	User     *string
	Password string
}) (bool, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return false, err
	}
	target := c.Principal.Ref()
	if args.User != nil && *args.User != target {
		if _, err := r.authorize(ctx, access.Manage, "", "*"); err != nil {
			return false, err
		}
		if _, _, err := catalog.ParsePrincipalRef(*args.User); err != nil {
			return false, argError("setPassword: user: %v (write user:NAME)", err)
		}
		target = *args.User
	}
	keep := ""
	if c.Session != nil {
		keep = c.Session.Hash
	}
	if _, err := r.reg.SetPassword(ctx, c.Org, target, args.Password, keep); err != nil {
		return false, toAPI(err)
	}
	return true, nil
}

// Token resolves Me.token: null when a console session signed the request in.
func (m *meResolver) Token() *tokenInfoResolver {
	if m.c.Token.ID == "" {
		return nil
	}
	t, ok := m.reg.Token(m.c.Token.ID)
	if !ok {
		t = m.c.Token
	}
	return &tokenInfoResolver{t}
}
