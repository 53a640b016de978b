package graphql

import (
	"context"
	"fmt"
	"github.com/rs/zerolog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// Several organizations (issue 9 item 1): every request acts in one org, the token's own
// or the one X-Tagflow-Org names, where the token's user must be a member; rights there
// come from that org's grants only. Query.orgs lists the caller's orgs; createOrg,
// addOrgMember and removeOrgMember change them.

// OrgHeader names the org a request acts in.
const OrgHeader = "X-Tagflow-Org"

// parseOrgHeader reads OrgHeader: "" when the request has none; an error naming what is
// wrong for a value that can be no org's name (empty, two headers, too long, a control
// character or another character no name has).
func parseOrgHeader(h http.Header) (string, error) {
	vals := h.Values(OrgHeader)
	switch {
	case len(vals) == 0:
		return "", nil
	case len(vals) > 1:
		return "", fmt.Errorf("%s is given %d times; name one org", OrgHeader, len(vals))
	}
	v := vals[0]
	switch {
	case v == "":
		return "", fmt.Errorf("%s is empty; name an org, or leave the header out to act in the token's own org", OrgHeader)
	case len(v) > catalog.MaxPrincipalName:
		return "", fmt.Errorf("%s is %d bytes, over the limit of %d for an org name", OrgHeader, len(v), catalog.MaxPrincipalName)
	case !utf8.ValidString(v):
		return "", fmt.Errorf("%s is not UTF-8 text", OrgHeader)
	case strings.ContainsFunc(v, unicode.IsControl):
		return "", fmt.Errorf("%s holds a control character", OrgHeader)
	}
	if err := access.ValidateOrgName(v); err != nil {
		return "", fmt.Errorf("%s: %v", OrgHeader, err)
	}
	return v, nil
}

// notMember is the one answer for an org the caller may not act in, whether it does not
// exist or the caller is not a member: nobody learns which orgs exist.
func notMember(org string) *catalog.Error {
	return &catalog.Error{Kind: catalog.Forbidden, Path: org,
		Msg: fmt.Sprintf("you are not a member of org %q (or there is no such org)", org)}
}

// actingCaller is the caller of a request signed in (by a token or a session) in its home
// org: there, or in the org OrgHeader names. It refuses a bad header (400) or an org the
// user is not a member of (403, and a denied record in the caller's own org's audit log)
// itself, and then answers false.
func (s *Server) actingCaller(c *gin.Context, b *backend, signed *Caller) (*Caller, bool) {
	org, err := parseOrgHeader(c.Request.Header)
	if err != nil {
		s.refuse(c, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error())
		return nil, false
	}
	if org == "" || org == signed.Org {
		return signed, true
	}
	ap, ok := b.reg.ActingPrincipal(org, signed.Principal)
	if !ok {
		msg := notMember(org).Msg
		// Recorded in the caller's own org: the other one (if it exists) is not its to see.
		ctx := access.WithActor(c.Request.Context(), signed.Principal.Ref())
		e := access.AuditEntry{Org: signed.Org, Action: "switchOrg", Target: "org:" + org, Result: access.AuditDenied, Reason: msg}
		if err := b.reg.AppendAudit(ctx, e); err != nil {
			zerolog.Ctx(ctx).Error().Err(err).Msg("audit record of a denied org switch not written")
		}
		s.refuse(c, http.StatusForbidden, "FORBIDDEN", msg)
		return nil, false
	}
	return &Caller{Principal: ap, Token: signed.Token, Session: signed.Session, Org: org}, true
}

// authorizeIn allows or refuses mode on the whole of org for the caller: as its member
// principal there, judged on that org's grants. An org the caller is not a member of is
// FORBIDDEN whether it exists or not.
func (r *Resolver) authorizeIn(ctx context.Context, c *Caller, org string, mode access.Mode) error {
	if err := access.ValidateOrgName(org); err != nil {
		return argError("org %q: %v", org, err)
	}
	ap, ok := r.reg.ActingPrincipal(org, c.Principal)
	if !ok {
		return toAPI(notMember(org))
	}
	return r.judge(ctx, &Caller{Principal: ap, Token: c.Token, Org: org}, nil, mode, "", "*")
}

// Orgs resolves Query.orgs.
func (r *Resolver) Orgs(ctx context.Context) ([]string, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	out := r.reg.OrgsOf(c.Principal)
	if err := charge(ctx, 1+len(out)); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateOrg resolves Mutation.createOrg: MANAGE on the caller's current org; the org is
// made in the catalog and in access in one store transaction.
func (r *Resolver) CreateOrg(ctx context.Context, args struct{ Name string }) (string, error) {
	c, err := r.authorize(ctx, access.Manage, "", "*")
	if err != nil {
		return "", err
	}
	_, err = r.reg.CreateOrg(ctx, args.Name, c.Principal, func(ctx context.Context, also func(catalog.Txn) error) error {
		return r.svc.CreateOrg(ctx, args.Name, also)
	})
	if err != nil {
		return "", toAPI(err)
	}
	return args.Name, nil
}

type orgMemberArgs struct {
	Org  string
	User string
}

// userRef checks a user argument: a user reference.
func userRef(ref string) error {
	kind, _, err := catalog.ParsePrincipalRef(ref)
	switch {
	case !strings.Contains(ref, ":") && catalog.ValidatePrincipalName(ref) == nil:
		return argError("user %q is a name, not a reference: write user:%s", ref, ref)
	case err != nil:
		return argError("user: %v", err)
	case kind != "user":
		return argError("user %q: only users are members of several orgs; a %s belongs to one org", ref, kind)
	}
	return nil
}

// AddOrgMember resolves Mutation.addOrgMember: MANAGE on org; user is resolved in the
// caller's current org.
func (r *Resolver) AddOrgMember(ctx context.Context, args orgMemberArgs) (bool, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return false, err
	}
	if err := r.authorizeIn(ctx, c, args.Org, access.Manage); err != nil {
		return false, err
	}
	if err := userRef(args.User); err != nil {
		return false, err
	}
	if _, _, err := r.reg.AddOrgMember(ctx, args.Org, c.Org, args.User); err != nil {
		return false, toAPI(err)
	}
	return true, nil
}

// RemoveOrgMember resolves Mutation.removeOrgMember: MANAGE on org; user is a member of
// org from another org.
func (r *Resolver) RemoveOrgMember(ctx context.Context, args orgMemberArgs) (bool, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return false, err
	}
	if err := r.authorizeIn(ctx, c, args.Org, access.Manage); err != nil {
		return false, err
	}
	if err := userRef(args.User); err != nil {
		return false, err
	}
	if err := r.reg.RemoveOrgMember(ctx, args.Org, args.User); err != nil {
		return false, toAPI(err)
	}
	return true, nil
}
