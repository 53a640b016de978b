package graphql

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
)

// POST /oauth/token (DESIGN §5; issue 9 item 2): the OAuth2 client_credentials grant
// (RFC 6749 §4.4) and the token exchange grant (RFC 8693) for workloads. It is the
// authentication, so it takes no bearer token; its body is at most MaxOAuthBodyBytes and a
// subject token at most access.MaxJWTBytes. Only application/x-www-form-urlencoded is
// taken; a field the grant does not know, a repeated one, or a query parameter is
// invalid_request naming it. Answers carry Cache-Control: no-store; errors are RFC 6749
// §5.2 {"error", "error_description"}, and the description never holds a secret.

// MaxOAuthBodyBytes limits the body of POST /oauth/token.
const MaxOAuthBodyBytes = 64 << 10

// Grant and token types of RFC 8693.
const (
	grantClientCredentials = "client_credentials"
	grantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeJWT           = "urn:ietf:params:oauth:token-type:jwt"
	tokenTypeAccess        = "urn:ietf:params:oauth:token-type:access_token"
)

// oauthFields are the form fields each grant takes.
var oauthFields = map[string][]string{
	grantClientCredentials: {"grant_type", "client_id", "client_secret", "scope"},
	grantTokenExchange: {"grant_type", "subject_token", "subject_token_type", "requested_token_type",
		"actor_token", "actor_token_type", "scope", "audience", "resource"},
}

func (s *Server) oauthToken(c *gin.Context) {
	b := s.state.Load()
	if b == nil {
		c.Set(ctxExpected, true)
		oauthFail(c, &access.OAuthError{Code: "temporarily_unavailable", Msg: "the server is still loading the catalog; try again shortly"}, false)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	if c.Request.ContentLength > MaxOAuthBodyBytes {
		c.Header("Connection", "close")
		oauthFail(c, invalidRequest("the body is larger than the limit of "+humanBytes(MaxOAuthBodyBytes)), false)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxOAuthBodyBytes)
	form, err := readOAuthForm(c)
	if err != nil {
		oauthFail(c, err, false)
		return
	}
	grant := form.Get("grant_type")
	switch grant {
	case grantClientCredentials:
		s.clientCredentials(c, b, form)
	case grantTokenExchange:
		s.tokenExchange(c, b, form)
	case "":
		oauthFail(c, invalidRequest("grant_type is missing: use client_credentials or "+grantTokenExchange), false)
	default:
		oauthFail(c, &access.OAuthError{Code: "unsupported_grant_type",
			Msg: "grant_type " + quoteShort(grant) + " is not supported: use client_credentials or " + grantTokenExchange}, false)
	}
}

func invalidRequest(msg string) *access.OAuthError {
	return &access.OAuthError{Code: "invalid_request", Msg: msg}
}

// readOAuthForm reads the form body strictly: its media type, no query parameters, no
// field twice, and only the fields of its grant.
func readOAuthForm(c *gin.Context) (url.Values, error) {
	if c.Request.URL.RawQuery != "" {
		q, _ := url.ParseQuery(c.Request.URL.RawQuery)
		names := make([]string, 0, len(q))
		for k := range q {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, invalidRequest("POST /oauth/token takes its parameters in the form body, not the URL (found " + quoteShort(strings.Join(names, ", ")) + ")")
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, invalidRequest("the body must be application/x-www-form-urlencoded (Content-Type " + quoteShort(c.GetHeader("Content-Type")) + ")")
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, invalidRequest("the body is larger than the limit of " + humanBytes(MaxOAuthBodyBytes))
		}
		return nil, invalidRequest("the body could not be read")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalidRequest("the body is not a valid form (" + err.Error() + ")")
	}
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if len(form[k]) > 1 {
			return nil, invalidRequest("the field " + quoteShort(k) + " is given twice; each field is given once (RFC 6749 §3.2)")
		}
	}
	allowed, ok := oauthFields[form.Get("grant_type")]
	if !ok {
		return form, nil // the grant type's own error comes first
	}
	for _, k := range names {
		if !slices.Contains(allowed, k) {
			return nil, invalidRequest("unknown field " + quoteShort(k) + " for grant_type " + form.Get("grant_type") + "; it takes " + strings.Join(allowed, ", "))
		}
	}
	return form, nil
}

// quoteShort quotes s, cut to 100 bytes: a description never echoes much of the input.
func quoteShort(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return '?'
		}
		return r
	}, s) + `"`
}

func (s *Server) clientCredentials(c *gin.Context, b *backend, form url.Values) {
	if _, ok := form["scope"]; ok {
		oauthFail(c, &access.OAuthError{Code: "invalid_scope", Msg: "tagflow tokens carry no scopes (a token acts with its workload's grants); leave scope out"}, false)
		return
	}
	id, secret := form.Get("client_id"), form.Get("client_secret")
	_, hasID := form["client_id"]
	_, hasSecret := form["client_secret"]
	basic := false
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, cred, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Basic") {
			oauthFail(c, invalidRequest("the Authorization header must be Basic (client_id:client_secret), or left out for credentials in the form"), false)
			return
		}
		if hasID || hasSecret {
			oauthFail(c, invalidRequest("the client is authenticated twice (HTTP Basic and the form); use one (RFC 6749 §2.3)"), false)
			return
		}
		basic = true
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		u, p, ok := strings.Cut(string(raw), ":")
		if err != nil || !ok {
			oauthFail(c, &access.OAuthError{Code: "invalid_client", Msg: "the Basic credentials are not base64 of client_id:client_secret"}, true)
			return
		}
		// RFC 6749 §2.3.1: both are form-encoded before Basic encoding.
		if id, err = url.QueryUnescape(u); err == nil {
			secret, err = url.QueryUnescape(p)
		}
		if err != nil {
			oauthFail(c, &access.OAuthError{Code: "invalid_client", Msg: "the Basic credentials are not form-encoded client_id:client_secret"}, true)
			return
		}
	} else {
		switch {
		case !hasID && !hasSecret:
			oauthFail(c, &access.OAuthError{Code: "invalid_client", Msg: "client authentication is missing: give client_id and client_secret in the form or as HTTP Basic"}, false)
			return
		case !hasID:
			oauthFail(c, invalidRequest("client_id is missing"), false)
			return
		case !hasSecret:
			oauthFail(c, invalidRequest("client_secret is missing"), false)
			return
		}
	}
	iss, err := b.reg.ClientCredentials(c.Request.Context(), id, secret)
	if err != nil {
		oauthFail(c, err, basic)
		return
	}
	c.Set(ctxLogger, iss.Token.Principal)
	c.JSON(http.StatusOK, gin.H{"access_token": iss.Secret, "token_type": "Bearer", "expires_in": expiresIn(iss.Token)})
}

func (s *Server) tokenExchange(c *gin.Context, b *backend, form url.Values) {
	if c.GetHeader("Authorization") != "" {
		oauthFail(c, invalidRequest("the token exchange takes no client authentication: the subject token is the credential; leave the Authorization header out"), false)
		return
	}
	switch {
	case form.Has("actor_token") || form.Has("actor_token_type"):
		oauthFail(c, invalidRequest("actor_token: delegation is not supported; exchange the subject token alone"), false)
		return
	case form.Has("audience") || form.Has("resource"):
		oauthFail(c, &access.OAuthError{Code: "invalid_target", Msg: "tagflow issues tokens for itself only; leave audience and resource out"}, false)
		return
	case form.Has("scope"):
		oauthFail(c, &access.OAuthError{Code: "invalid_scope", Msg: "tagflow tokens carry no scopes (a token acts with its workload's grants); leave scope out"}, false)
		return
	case form.Get("subject_token") == "":
		oauthFail(c, invalidRequest("subject_token is missing: give the platform's OIDC JWT"), false)
		return
	case form.Get("subject_token_type") != tokenTypeJWT:
		oauthFail(c, invalidRequest("subject_token_type must be "+tokenTypeJWT+", not "+quoteShort(form.Get("subject_token_type"))), false)
		return
	case form.Has("requested_token_type") && form.Get("requested_token_type") != tokenTypeAccess:
		oauthFail(c, invalidRequest("requested_token_type must be "+tokenTypeAccess+" (or left out), not "+quoteShort(form.Get("requested_token_type"))), false)
		return
	}
	iss, err := b.reg.ExchangeToken(c.Request.Context(), form.Get("subject_token"))
	if err != nil {
		oauthFail(c, err, false)
		return
	}
	c.Set(ctxLogger, iss.Token.Principal)
	c.JSON(http.StatusOK, gin.H{"access_token": iss.Secret, "issued_token_type": tokenTypeAccess,
		"token_type": "Bearer", "expires_in": expiresIn(iss.Token)})
}

func expiresIn(t access.Token) int64 {
	if t.ExpiresAt == nil {
		return 0
	}
	return int64(t.ExpiresAt.Sub(t.CreatedAt) / time.Second)
}

// oauthStatus is the one mapping of OAuth error codes to HTTP statuses (RFC 6749 §5.2).
func oauthStatus(code string) int {
	switch code {
	case "invalid_client":
		return http.StatusUnauthorized
	case "temporarily_unavailable":
		return http.StatusServiceUnavailable
	case "server_error":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// oauthFail answers an RFC 6749 §5.2 error; basic adds the WWW-Authenticate challenge of a
// client that authenticated with HTTP Basic. An error that is not an OAuthError is
// server_error, its text only in the log.
func oauthFail(c *gin.Context, err error, basic bool) {
	var oe *access.OAuthError
	if !errors.As(err, &oe) {
		zerolog.Ctx(c.Request.Context()).Error().Err(err).Msg("token endpoint")
		oe = &access.OAuthError{Code: "server_error", Msg: "internal error"}
	}
	if basic && oe.Code == "invalid_client" {
		c.Header("WWW-Authenticate", `Basic realm="tagflow"`)
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.AbortWithStatusJSON(oauthStatus(oe.Code), gin.H{"error": oe.Code, "error_description": oe.Msg})
}
