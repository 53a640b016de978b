package graphql

import (
	"context"
	"fmt"
	"time"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// Tokens of users and workloads (DESIGN §5, issue 8 item 6): Query.tokens and
// Mutation.createToken and revokeToken. For the caller's own tokens no grant is needed (a
// principal with no grants still gets its own tokens); for another principal's, MANAGE on
// the org.

const tokenTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// tokenOwner is the principal whose tokens a request is about: the caller when principal
// is null or the caller's own reference, else one that needs MANAGE on the org.
func (r *Resolver) tokenOwner(ctx context.Context, principal *string) (*Caller, string, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, "", err
	}
	self := c.Principal.Ref()
	if principal == nil || *principal == self {
		return c, self, nil
	}
	if _, err := r.authorize(ctx, access.Manage, "", "*"); err != nil {
		return nil, "", err
	}
	if _, _, err := catalog.ParsePrincipalRef(*principal); err != nil {
		return nil, "", argError("principal: %v", err)
	}
	return c, *principal, nil
}

// CreateToken resolves Mutation.createToken.
func (r *Resolver) CreateToken(ctx context.Context, args struct {
	Principal        *string
	Name             string
	ExpiresInSeconds *int32
}) (*newTokenResolver, error) {
	c, owner, err := r.tokenOwner(ctx, args.Principal)
	if err != nil {
		return nil, err
	}
	var ttl time.Duration
	if s := args.ExpiresInSeconds; s != nil {
		max := int32(access.MaxTokenLifetime / time.Second)
		if *s <= 0 || *s > max {
			return nil, argError("expiresInSeconds must be between 1 and %d (a year), not %d; leave it out for a token that does not expire", max, *s)
		}
		ttl = time.Duration(*s) * time.Second
	}
	// A token of one's own never outlives the token that makes it: a short-lived token
	// (an exchanged or client-credentials one, or one given an expiry) cannot turn itself
	// into a lasting one. Left out, the expiry is the calling token's.
	if exp := c.Token.ExpiresAt; owner == c.Principal.Ref() && exp != nil {
		left := time.Until(*exp).Truncate(time.Second)
		switch {
		case ttl == 0:
			ttl = max(left, time.Second)
		case ttl > left:
			return nil, argError("expiresInSeconds %d: a token may not outlive the token that creates it, which expires in %d seconds (at %s)",
				*args.ExpiresInSeconds, int64(left/time.Second), exp.UTC().Format(time.RFC3339))
		}
	}
	t, err := r.reg.CreateToken(ctx, c.Org, owner, args.Name, ttl)
	if err != nil {
		return nil, toAPI(err)
	}
	return &newTokenResolver{tokenInfoResolver{t.Token}, t.Secret}, nil
}

// Tokens resolves Query.tokens.
func (r *Resolver) Tokens(ctx context.Context, args struct{ Principal *string }) ([]*tokenInfoResolver, error) {
	c, owner, err := r.tokenOwner(ctx, args.Principal)
	if err != nil {
		return nil, err
	}
	if owner != c.Principal.Ref() {
		p, ok := r.reg.Principal(c.Org, owner)
		if !ok {
			return nil, toAPI(&catalog.Error{Op: "tokens", Kind: catalog.NotFound, Path: owner, Msg: fmt.Sprintf("principal %s does not exist in org %q", owner, c.Org)})
		}
		if p.Kind != "user" && p.Kind != "workload" {
			return nil, argError("tokens: %s holds no tokens: only users and workloads do", owner)
		}
	}
	list := r.reg.Tokens(c.Org, owner)
	if err := charge(ctx, 1+len(list)); err != nil {
		return nil, err
	}
	out := make([]*tokenInfoResolver, len(list))
	for i, t := range list {
		out[i] = &tokenInfoResolver{t}
	}
	return out, nil
}

// RevokeToken resolves Mutation.revokeToken.
func (r *Resolver) RevokeToken(ctx context.Context, args struct{ ID gql.ID }) (bool, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return false, err
	}
	id := string(args.ID)
	// Never say whether a token the caller may not see exists.
	notFound := toAPI(&catalog.Error{Op: "revokeToken", Kind: catalog.NotFound, Path: id,
		Msg: fmt.Sprintf("no token %q among the tokens you may revoke (yours, or with MANAGE on the org, the org's)", id)})
	t, ok := r.reg.Token(id)
	if !ok || t.Org != c.Org {
		return false, notFound
	}
	if t.Principal != c.Principal.Ref() {
		if _, err := r.authorize(ctx, access.Manage, "", "*"); err != nil {
			return false, notFound
		}
	}
	ok, err = r.reg.RevokeToken(ctx, id)
	if err != nil {
		return false, toAPI(err)
	}
	if !ok {
		return false, notFound
	}
	return true, nil
}

type tokenInfoResolver struct{ t access.Token }

func (t *tokenInfoResolver) ID() gql.ID        { return gql.ID(t.t.ID) }
func (t *tokenInfoResolver) Name() string      { return t.t.Name }
func (t *tokenInfoResolver) Principal() string { return t.t.Principal }
func (t *tokenInfoResolver) CreatedAt() string { return t.t.CreatedAt.UTC().Format(tokenTimeFormat) }
func (t *tokenInfoResolver) ExpiresAt() *string {
	return formatTokenTime(t.t.ExpiresAt)
}
func (t *tokenInfoResolver) LastUsedAt() *string {
	return formatTokenTime(t.t.LastUsedAt)
}

func formatTokenTime(at *time.Time) *string {
	if at == nil {
		return nil
	}
	s := at.UTC().Format(tokenTimeFormat)
	return &s
}

type newTokenResolver struct {
	tokenInfoResolver
	secret string
}

func (t *newTokenResolver) Token() string { return t.secret }
