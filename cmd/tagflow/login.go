package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// The commands of signing in (issue 9 item 3): login, logout and user passwd.
//
// `tagflow login --user NAME` signs in with the password (POST /auth/login), uses the
// session (its cookie and CSRF header) to create a personal token named "cli on HOST
// TIME" that expires in loginTokenLifetime, ends the session, and stores the server, the
// token and the org in the config file (mode 0600). Later commands use that token when
// neither --token nor TAGFLOW_TOKEN gives one.

// loginTokenLifetime is the lifetime of the token `tagflow login` creates.
const loginTokenLifetime = 30 * 24 * time.Hour

// maxSecretInput bounds what is read from stdin for a password or a token.
const maxSecretInput = 4 << 10

// Header and cookie names of the server's sign-in (graphql.SessionCookie, CSRFHeader).
const (
	sessionCookie = "tagflow_session"
	csrfHeader    = "X-Tagflow-CSRF"
)

func newLogin(g *globals) *cobra.Command {
	var user, org string
	var passwordStdin, tokenStdin bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in and store a token in the config file, which later commands use",
		Long: `Sign in with a user name and password (read from standard input, never from an
argument): the CLI gets a personal token ("cli on HOST ...", valid 30 days) and stores it
with the server and the org in the config file (mode 0600; TAGFLOW_CONFIG names another).
--org names the org; it may be left out when the server holds one org.
With --token-stdin the CLI stores a token you have (after checking it) instead.
tagflow logout revokes the stored token and removes it.`,
		Example: "printf '%s\\n' \"$PASSWORD\" | tagflow login --server https://tagflow.example --user jane@acme --password-stdin\n" +
			"tagflow login --token-stdin < token.txt",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case tokenStdin && (user != "" || passwordStdin || org != ""):
				return usageErr("--token-stdin stores a token: give it without --user, --org or --password-stdin")
			case tokenStdin:
				return loginWithToken(g)
			case user == "":
				return usageErr("login needs --user NAME (or --token-stdin to store a token you have)")
			case !passwordStdin:
				return usageErr("login reads the password from standard input: pass --password-stdin (a password is never an argument, which others can see in ps)")
			}
			pw, err := readSecret("password")
			if err != nil {
				return err
			}
			return loginWithPassword(g, org, user, pw)
		},
	}
	f := cmd.Flags()
	f.StringVar(&user, "user", "", "your user name, e.g. jane@acme")
	f.StringVar(&org, "org", "", "your org (may be left out when the server holds one)")
	f.BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	f.BoolVar(&tokenStdin, "token-stdin", false, "store the token read from standard input instead of signing in")
	return cmd
}

func newLogout(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Revoke the token that tagflow login stored and remove it from the config file",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			p, _ := configPath()
			if cfg.Token == "" {
				fmt.Fprintf(os.Stderr, "No token stored in %s: nothing to do.\n", p)
				return nil
			}
			c, err := newClient(g, cfg, cfg.Token)
			if err != nil {
				return err
			}
			var me struct {
				Me struct {
					Token *struct{ ID string }
				}
			}
			revoked := ""
			err = c.query(`{ me { token { id } } }`, nil, &me)
			if err == nil && me.Me.Token != nil {
				var out struct{ RevokeToken bool }
				err = c.query(`mutation($id: ID!) { revokeToken(id: $id) }`, map[string]any{"id": me.Me.Token.ID}, &out)
				revoked = me.Me.Token.ID
			}
			if err != nil && !isRefusal(err, "UNAUTHENTICATED") {
				return err // the server could not be asked, or refused: the token is kept
			}
			cfg.Token = ""
			if err := saveConfig(cfg); err != nil {
				return err
			}
			if revoked != "" {
				fmt.Fprintf(os.Stderr, "Revoked token %s and removed it from %s.\n", revoked, p)
			} else {
				fmt.Fprintf(os.Stderr, "The stored token was not valid any more; removed it from %s.\n", p)
			}
			return nil
		},
	}
}

func newUserPasswd(g *globals) *cobra.Command {
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password (yours, or with MANAGE on the org another user's)",
		Long: `Set the password of user NAME (a name, or user:NAME), read from standard input: 12 to
256 characters. Setting another user's needs MANAGE on the org. Every session of that user
ends, but the one making the change.`,
		Example: "printf '%s\\n' \"$NEWPASSWORD\" | tagflow user passwd jane@acme --password-stdin",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if !passwordStdin {
				return usageErr("passwd reads the password from standard input: pass --password-stdin (a password is never an argument)")
			}
			ref := args[0]
			if !strings.Contains(ref, ":") {
				ref = "user:" + ref
			}
			pw, err := readSecret("password")
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ SetPassword bool }
			if err := c.query(`mutation($u: String, $p: String!) { setPassword(user: $u, password: $p) }`, map[string]any{"u": ref, "p": pw}, &out); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "Set the password of %s; its other sessions ended.\n", ref)
			return nil
		},
	}
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

// readSecret reads a password or token from stdin: its first line, without the newline.
func readSecret(what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(os.Stdin, maxSecretInput+1))
	if err != nil {
		return "", usageErr("read the %s from standard input: %v", what, err)
	}
	if len(b) > maxSecretInput {
		return "", usageErr("the %s on standard input is longer than %d bytes", what, maxSecretInput)
	}
	s, _, _ := strings.Cut(string(b), "\n")
	s = strings.TrimSuffix(s, "\r")
	if s == "" {
		return "", usageErr("no %s on standard input", what)
	}
	return s, nil
}

// serverOf is the server a command talks to: --server, TAGFLOW_SERVER, the config file's,
// or defaultServer (the order of g.client).
func serverOf(g *globals, cfg cliConfig) (string, error) {
	server := g.server
	for _, s := range []string{os.Getenv("TAGFLOW_SERVER"), cfg.Server, defaultServer} {
		if server == "" {
			server = s
		}
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usageErr("--server %q must be an http:// or https:// URL", server)
	}
	return strings.TrimRight(server, "/"), nil
}

// newClient is a client of the server for cfg with token (none: "").
func newClient(g *globals, cfg cliConfig, token string) (*client, error) {
	server, err := serverOf(g, cfg)
	if err != nil {
		return nil, err
	}
	return &client{base: server, token: token, http: &http.Client{Timeout: time.Minute}}, nil
}

// isRefusal reports whether err is the server's refusal with code.
func isRefusal(err error, code string) bool {
	var r *refusal
	return errors.As(err, &r) && r.Code == code
}

func loginWithPassword(g *globals, org, user, pw string) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	c, err := newClient(g, cfg, "")
	if err != nil {
		return err
	}
	body := map[string]string{"user": user, "password": pw}
	if org != "" {
		body["org"] = org
	}
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, c.base+"/auth/login", bytes.NewReader(raw))
	if err != nil {
		return usageErr("%v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	var sess struct {
		Principal, Org, CSRFToken string
	}
	ans, cookies, err := c.doWithCookies(req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(ans, &sess); err != nil || sess.CSRFToken == "" {
		return &exitError{code: exitRefused, err: fmt.Errorf("the server's login answer is not one: %.200s", ans)}
	}
	var ck *http.Cookie
	for _, k := range cookies {
		if k.Name == sessionCookie {
			ck = k
		}
	}
	if ck == nil {
		return &exitError{code: exitRefused, err: fmt.Errorf("the server's login answer sets no session cookie")}
	}
	c.header = http.Header{"Cookie": {ck.Name + "=" + ck.Value}, csrfHeader: {sess.CSRFToken}}
	// End the session whatever happens next: the token is what the CLI keeps.
	defer func() {
		req, _ := http.NewRequest(http.MethodPost, c.base+"/auth/logout", nil)
		_, _, _ = c.do(req)
	}()
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown host"
	}
	name := fmt.Sprintf("cli on %.60s %s", host, time.Now().UTC().Format("2006-01-02 15:04:05"))
	var out struct{ CreateToken tokenInfo }
	if err := c.query(`mutation($n: String!, $e: Int) { createToken(name: $n, expiresInSeconds: $e) { id token name expiresAt } }`,
		map[string]any{"n": name, "e": int64(loginTokenLifetime / time.Second)}, &out); err != nil {
		return err
	}
	t := out.CreateToken
	cfg.Server, cfg.Token, cfg.Org = c.base, t.Token, sess.Org
	if err := saveConfig(cfg); err != nil {
		return err
	}
	p, _ := configPath()
	until := ""
	if t.ExpiresAt != nil {
		until = " until " + *t.ExpiresAt
	}
	fmt.Fprintf(os.Stderr, "Signed in to %s as %s in org %s; token %s (%q), valid%s, stored in %s.\n",
		c.base, sess.Principal, sess.Org, t.ID, t.Name, until, p)
	return nil
}

// doWithCookies is do, returning the cookies the answer sets too.
func (c *client) doWithCookies(req *http.Request) ([]byte, []*http.Cookie, error) {
	var cookies []*http.Cookie
	hc := *c.http
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err == nil {
			cookies = resp.Cookies()
		}
		return resp, err
	})
	cc := *c
	cc.http = &hc
	raw, _, err := cc.do(req)
	return raw, cookies, err
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func loginWithToken(g *globals) error {
	tok, err := readSecret("token")
	if err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	c, err := newClient(g, cfg, tok)
	if err != nil {
		return err
	}
	var me struct {
		Me struct {
			Org       string
			Principal struct{ Ref string }
		}
	}
	if err := c.query(`{ me { org principal { ref } } }`, nil, &me); err != nil {
		return err
	}
	cfg.Server, cfg.Token, cfg.Org = c.base, tok, me.Me.Org
	if err := saveConfig(cfg); err != nil {
		return err
	}
	p, _ := configPath()
	fmt.Fprintf(os.Stderr, "The token signs in as %s in org %s; stored it in %s.\n", me.Me.Principal.Ref, me.Me.Org, p)
	return nil
}
