package graphql

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
)

// Sign-in for people (issue 9 item 3): POST /auth/login checks a password and sets the
// session cookie; POST /auth/logout ends the session. Every authenticated endpoint takes
// a bearer token or the session cookie (the token wins when both come); a request signed
// in by the cookie that is not GET or HEAD must carry the session's CSRF token in
// CSRFHeader, and, if it has an Origin header, come from this server's host.

// SessionCookie is the name of the session cookie.
const SessionCookie = "tagflow_session"

// CSRFHeader carries the session's CSRF token on requests signed in by the cookie.
const CSRFHeader = "X-Tagflow-CSRF"

// CSRFCookie holds the session's CSRF token where the console's scripts can read it (not
// HttpOnly), so a reloaded page can still send CSRFHeader. It is no credential: the server
// compares the header with the session's token, never with this cookie, and another
// site's scripts can read neither (same-origin policy) nor send it (SameSite=Strict).
const CSRFCookie = "tagflow_csrf"

// maxLoginBytes bounds the body of POST /auth/login.
const maxLoginBytes = 16 << 10

// loginRequest is the body of POST /auth/login.
type loginRequest struct {
	Org      *string `json:"org"`
	User     string  `json:"user"`
	Password string  `json:"password"`
}

// login is POST /auth/login.
func (s *Server) login(c *gin.Context) {
	b := s.state.Load()
	if b == nil {
		c.Set(ctxExpected, true)
		abort(c, http.StatusServiceUnavailable, "UNAVAILABLE", "the server is still loading the catalog")
		return
	}
	req, msg := decodeLogin(c)
	if msg == "" {
		msg = foreignOrigin(c)
	}
	if msg != "" {
		abort(c, http.StatusBadRequest, "INVALID_ARGUMENT", msg)
		return
	}
	org := ""
	if req.Org != nil {
		org = *req.Org
	}
	org, err := b.reg.LoginOrg(org)
	if err != nil {
		abortErr(c, err)
		return
	}
	now := s.now()
	userKey, addrKey := org+"\x00"+strings.ToLower(req.User), clientAddr(c.Request)
	if d := s.loginUsers.wait(userKey, now); d > 0 {
		s.auditLoginRefusal(c, b, org, req.User, "too many failed logins for this user")
		s.refuseRateLimited(c, d, "too many failed logins for this user")
		return
	}
	if d := s.loginAddrs.wait(addrKey, now); d > 0 {
		s.auditLoginRefusal(c, b, org, req.User, "too many failed logins from this address")
		s.refuseRateLimited(c, d, "too many failed logins from this address")
		return
	}
	sess, err := b.reg.Login(c.Request.Context(), org, req.User, req.Password)
	if errors.Is(err, access.ErrBadLogin) {
		s.loginUsers.fail(userKey, now)
		s.loginAddrs.fail(addrKey, now)
		s.auditLoginRefusal(c, b, org, req.User, access.ErrBadLogin.Msg)
	}
	if err != nil {
		abortErr(c, err)
		return
	}
	s.loginUsers.reset(userKey)
	c.Set(ctxLogger, sess.Principal)
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: sess.Secret, Path: "/",
		Expires: sess.ExpiresAt, MaxAge: int(access.SessionLifetime / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
	http.SetCookie(c.Writer, &http.Cookie{Name: CSRFCookie, Value: sess.CSRF, Path: "/",
		Expires: sess.ExpiresAt, MaxAge: int(access.SessionLifetime / time.Second),
		SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"principal": sess.Principal, "org": sess.Org, "csrfToken": sess.CSRF,
		"expiresAt": sess.ExpiresAt.UTC().Format(tokenTimeFormat)})
}

// decodeLogin reads the login body: one JSON object of loginRequest's keys, user and
// password required; the message says what is wrong, "" when nothing is.
func decodeLogin(c *gin.Context) (loginRequest, string) {
	var req loginRequest
	if c.Request.URL.RawQuery != "" {
		return req, "POST /auth/login takes no query parameters; send org, user and password in the JSON body"
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		return req, "POST /auth/login takes a JSON body (Content-Type: application/json)"
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxLoginBytes+1))
	if err != nil || len(raw) > maxLoginBytes {
		return req, fmt.Sprintf("the login body must be a JSON object of at most %d bytes", maxLoginBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, "the login body must be a JSON object {\"org\", \"user\", \"password\"} (org optional): " + err.Error()
	}
	if dec.More() {
		return req, "the login body must be one JSON object"
	}
	switch {
	case req.User == "":
		return req, "the login needs \"user\": your user name"
	case req.Password == "":
		return req, "the login needs \"password\""
	}
	return req, ""
}

// logout is POST /auth/logout: it ends the cookie's session (the CSRF rules apply) and
// clears the cookie; without a live session it only clears the cookie.
func (s *Server) logout(c *gin.Context) {
	b := s.state.Load()
	if b == nil {
		c.Set(ctxExpected, true)
		abort(c, http.StatusServiceUnavailable, "UNAVAILABLE", "the server is still loading the catalog")
		return
	}
	if c.Request.URL.RawQuery != "" {
		abort(c, http.StatusBadRequest, "INVALID_ARGUMENT", "POST /auth/logout takes no query parameters")
		return
	}
	ended := false
	if ck, err := c.Request.Cookie(SessionCookie); err == nil && ck.Value != "" {
		if p, sess, err := b.reg.AuthenticateSession(ck.Value); err == nil {
			if msg := csrfRefusal(c, &sess); msg != "" {
				auditCSRF(c, b, &sess, msg)
				abort(c, http.StatusForbidden, "FORBIDDEN", msg)
				return
			}
			c.Set(ctxLogger, p.Ref())
			if _, ended, err = b.reg.Logout(c.Request.Context(), ck.Value); err != nil {
				abortErr(c, err)
				return
			}
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
	http.SetCookie(c.Writer, &http.Cookie{Name: CSRFCookie, Value: "", Path: "/", MaxAge: -1,
		SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
	c.JSON(http.StatusOK, gin.H{"loggedOut": ended})
}

// signIn finds the caller of a request from its bearer token or, without one, its session
// cookie, with the CSRF rules; it answers the refusal itself and returns nil then.
func (s *Server) signIn(c *gin.Context, b *backend) *Caller {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="tagflow"`)
			s.refuse(c, http.StatusUnauthorized, "UNAUTHENTICATED", "the Authorization header must be \"Bearer <token>\"")
			return nil
		}
		p, t, err := b.reg.Authenticate(strings.TrimSpace(token))
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="tagflow", error="invalid_token"`)
			s.refuse(c, http.StatusUnauthorized, "UNAUTHENTICATED", err.Error())
			return nil
		}
		return &Caller{Principal: p, Token: t, Org: t.Org}
	}
	ck, err := c.Request.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		c.Header("WWW-Authenticate", `Bearer realm="tagflow"`)
		s.refuse(c, http.StatusUnauthorized, "UNAUTHENTICATED", "this endpoint needs an Authorization: Bearer <token> header (or a console session: POST /auth/login)")
		return nil
	}
	p, sess, err := b.reg.AuthenticateSession(ck.Value)
	if err != nil {
		s.refuse(c, http.StatusUnauthorized, "UNAUTHENTICATED", err.Error())
		return nil
	}
	if msg := csrfRefusal(c, &sess); msg != "" {
		auditCSRF(c, b, &sess, msg)
		s.refuse(c, http.StatusForbidden, "FORBIDDEN", msg)
		return nil
	}
	return &Caller{Principal: p, Org: sess.Org, Session: &sess}
}

// csrfRefusal says why a request signed in by sess's cookie is refused as a possible
// cross-site request forgery, "" when it is not.
func csrfRefusal(c *gin.Context, sess *access.Session) string {
	if m := c.Request.Method; m == http.MethodGet || m == http.MethodHead {
		return ""
	}
	if msg := foreignOrigin(c); msg != "" {
		return msg
	}
	h := c.GetHeader(CSRFHeader)
	if h == "" {
		return "a " + c.Request.Method + " signed in by the session cookie must carry the " + CSRFHeader + " header: the csrfToken that POST /auth/login answered"
	}
	if subtle.ConstantTimeCompare([]byte(h), []byte(sess.CSRF)) != 1 {
		return "the " + CSRFHeader + " header is not this session's CSRF token (the csrfToken that POST /auth/login answered)"
	}
	return ""
}

// foreignOrigin says why a request's Origin header is not this server's host, "" when it
// is or there is none.
func foreignOrigin(c *gin.Context) string {
	o := c.GetHeader("Origin")
	if o == "" {
		return ""
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, c.Request.Host) {
		return fmt.Sprintf("the request comes from origin %q, not from this server (%s): requests of other sites are refused with the session cookie", o, c.Request.Host)
	}
	return ""
}

// clientAddr is the address that login attempts are counted by: the peer's IP (IPv6 by
// its /64, which one client usually holds whole). X-Forwarded-For is not trusted: behind a
// proxy every client counts as the proxy.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// auditLoginRefusal writes the denied record of a failed or rate-limited login in the org
// it named, when that org exists (a login to no org leaves no record: there is no log to
// write it in, and the login rate limiter bounds how often either is written). The
// principal is "user:" and the name as typed, which need not be a user; never the password.
func (s *Server) auditLoginRefusal(c *gin.Context, b *backend, org, user, reason string) {
	if !b.reg.OrgExists(org) {
		return
	}
	ctx := c.Request.Context()
	e := access.AuditEntry{Org: org, Principal: "user:" + user, Action: "login", Target: "user:" + user,
		Result: access.AuditDenied, Reason: reason}
	if err := b.reg.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("audit record of a refused login not written")
	}
}

// auditCSRF writes the denied record of a request signed in by sess's cookie and refused
// as a possible cross-site request forgery, in the session's org, for its user.
func auditCSRF(c *gin.Context, b *backend, sess *access.Session, reason string) {
	ctx := c.Request.Context()
	e := access.AuditEntry{Org: sess.Org, Principal: sess.Principal, Action: "csrf", Target: "org:" + sess.Org,
		Result: access.AuditDenied, Reason: reason}
	if err := b.reg.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Msg("audit record of a CSRF refusal not written")
	}
}
