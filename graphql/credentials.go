package graphql

import (
	"context"
	"fmt"
	"strings"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// Workload credentials (DESIGN §5; issue 9 item 2): client secrets, trusted OIDC issuers
// and workload policies. Every field needs MANAGE on the org; POST /oauth/token (oauth.go)
// uses what they make.

func (r *Resolver) manage(ctx context.Context) (*Caller, error) {
	return r.authorize(ctx, access.Manage, "", "*")
}

// CreateClientSecret resolves Mutation.createClientSecret.
func (r *Resolver) CreateClientSecret(ctx context.Context, args struct {
	Workload string
	Name     *string
}) (*clientSecretResolver, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return nil, err
	}
	name := ""
	if args.Name != nil {
		name = *args.Name
	}
	s, err := r.reg.CreateClientSecret(ctx, c.Org, args.Workload, name)
	if err != nil {
		return nil, toAPI(err)
	}
	return &clientSecretResolver{clientSecretInfoResolver{s.ClientSecret}, s.Secret}, nil
}

// RevokeClientSecret resolves Mutation.revokeClientSecret.
func (r *Resolver) RevokeClientSecret(ctx context.Context, args struct{ ID gql.ID }) (bool, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return false, err
	}
	ok, err := r.reg.RevokeClientSecret(ctx, c.Org, string(args.ID))
	if err != nil {
		return false, toAPI(err)
	}
	if !ok {
		return false, toAPI(&catalog.Error{Op: "revokeClientSecret", Kind: catalog.NotFound, Path: string(args.ID),
			Msg: fmt.Sprintf("no client secret %q in the org", string(args.ID))})
	}
	return true, nil
}

// ClientSecrets resolves Query.clientSecrets.
func (r *Resolver) ClientSecrets(ctx context.Context, args struct{ Workload string }) ([]*clientSecretInfoResolver, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return nil, err
	}
	list, err := r.reg.ClientSecrets(c.Org, args.Workload)
	if err != nil {
		return nil, toAPI(err)
	}
	out := make([]*clientSecretInfoResolver, len(list))
	for i, s := range list {
		out[i] = &clientSecretInfoResolver{s}
	}
	return out, nil
}

// AddTrustedIssuer resolves Mutation.addTrustedIssuer.
func (r *Resolver) AddTrustedIssuer(ctx context.Context, args struct{ Issuer, Audience, Jwks string }) (bool, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return false, err
	}
	if _, err := r.reg.AddTrustedIssuer(ctx, c.Org, args.Issuer, args.Audience, []byte(args.Jwks)); err != nil {
		return false, toAPI(err)
	}
	return true, nil
}

// RemoveTrustedIssuer resolves Mutation.removeTrustedIssuer.
func (r *Resolver) RemoveTrustedIssuer(ctx context.Context, args struct{ Issuer string }) (bool, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return false, err
	}
	ok, err := r.reg.RemoveTrustedIssuer(ctx, c.Org, args.Issuer)
	if err != nil {
		return false, toAPI(err)
	}
	return ok, nil
}

// TrustedIssuers resolves Query.trustedIssuers.
func (r *Resolver) TrustedIssuers(ctx context.Context) ([]*trustedIssuerResolver, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return nil, err
	}
	list := r.reg.TrustedIssuers(c.Org)
	out := make([]*trustedIssuerResolver, len(list))
	for i, is := range list {
		out[i] = &trustedIssuerResolver{is}
	}
	return out, nil
}

// CreateWorkloadPolicy resolves Mutation.createWorkloadPolicy.
func (r *Resolver) CreateWorkloadPolicy(ctx context.Context, args struct {
	Workload, Issuer string
	Claims           []string
}) (gql.ID, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return "", err
	}
	p, err := r.reg.CreateWorkloadPolicy(ctx, c.Org, args.Workload, args.Issuer, args.Claims)
	if err != nil {
		return "", toAPI(err)
	}
	return gql.ID(p.ID), nil
}

// DeleteWorkloadPolicy resolves Mutation.deleteWorkloadPolicy.
func (r *Resolver) DeleteWorkloadPolicy(ctx context.Context, args struct{ ID gql.ID }) (bool, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return false, err
	}
	ok, err := r.reg.DeleteWorkloadPolicy(ctx, c.Org, string(args.ID))
	if err != nil {
		return false, toAPI(err)
	}
	if !ok {
		return false, toAPI(&catalog.Error{Op: "deleteWorkloadPolicy", Kind: catalog.NotFound, Path: string(args.ID),
			Msg: fmt.Sprintf("no workload policy %q in the org", string(args.ID))})
	}
	return true, nil
}

// WorkloadPolicies resolves Query.workloadPolicies.
func (r *Resolver) WorkloadPolicies(ctx context.Context, args struct{ Workload *string }) ([]*workloadPolicyResolver, error) {
	c, err := r.manage(ctx)
	if err != nil {
		return nil, err
	}
	ref := ""
	if args.Workload != nil {
		ref = *args.Workload
		if !strings.Contains(ref, ":") {
			ref = "workload:" + ref
		}
	}
	list := r.reg.WorkloadPolicies(c.Org, ref)
	if err := charge(ctx, 1+len(list)); err != nil {
		return nil, err
	}
	out := make([]*workloadPolicyResolver, len(list))
	for i, p := range list {
		out[i] = &workloadPolicyResolver{p}
	}
	return out, nil
}

type clientSecretInfoResolver struct{ s access.ClientSecret }

func (s *clientSecretInfoResolver) ID() gql.ID       { return gql.ID(s.s.ID) }
func (s *clientSecretInfoResolver) ClientID() string { return s.s.ClientID }
func (s *clientSecretInfoResolver) Name() string     { return s.s.Name }
func (s *clientSecretInfoResolver) Workload() string { return s.s.Workload }
func (s *clientSecretInfoResolver) CreatedAt() string {
	return s.s.CreatedAt.UTC().Format(tokenTimeFormat)
}

type clientSecretResolver struct {
	clientSecretInfoResolver
	secret string
}

func (s *clientSecretResolver) Secret() string { return s.secret }

type trustedIssuerResolver struct{ is access.TrustedIssuer }

func (t *trustedIssuerResolver) Issuer() string   { return t.is.Issuer }
func (t *trustedIssuerResolver) Audience() string { return t.is.Audience }
func (t *trustedIssuerResolver) KeyIds() []string { return t.is.KeyIDs() }
func (t *trustedIssuerResolver) FromFile() bool   { return t.is.FromFile }
func (t *trustedIssuerResolver) CreatedAt() string {
	return t.is.CreatedAt.UTC().Format(tokenTimeFormat)
}

type workloadPolicyResolver struct{ p access.WorkloadPolicy }

func (w *workloadPolicyResolver) ID() gql.ID       { return gql.ID(w.p.ID) }
func (w *workloadPolicyResolver) Workload() string { return w.p.Workload }
func (w *workloadPolicyResolver) Issuer() string   { return w.p.Issuer }
func (w *workloadPolicyResolver) CreatedAt() string {
	return w.p.CreatedAt.UTC().Format(tokenTimeFormat)
}
func (w *workloadPolicyResolver) Claims() []string {
	out := make([]string, len(w.p.Claims))
	for i, c := range w.p.Claims {
		out[i] = c.String()
	}
	return out
}
