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

	"github.com/tagflow/tagflow/catalog"
)

// defaultServer is the server the CLI talks to when neither --server, TAGFLOW_SERVER nor
// the config file names one.
const defaultServer = "http://127.0.0.1:8080"

// client talks to a tagflow server.
type client struct {
	base  string
	token string
	org   string // sent as X-Tagflow-Org when not ""
	http  *http.Client
	// header is sent with every request besides the token (login.go: a session's cookie
	// and CSRF header, with no token).
	header http.Header
}

func (g *globals) client() (*client, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	tok := g.token
	if tok == "" {
		tok = os.Getenv("TAGFLOW_TOKEN")
	}
	if tok == "" {
		tok = cfg.Token // what `tagflow login` stored
	}
	if strings.HasPrefix(tok, "@") {
		b, err := os.ReadFile(tok[1:])
		if err != nil {
			return nil, usageErr("read token file: %v", err)
		}
		tok = strings.TrimSpace(string(b))
	}
	if tok == "" {
		return nil, usageErr("no token: pass --token, set TAGFLOW_TOKEN or run tagflow login (the server wrote the admin's to DATA/admin.token)")
	}
	server := g.server
	if server == "" {
		server = os.Getenv("TAGFLOW_SERVER")
	}
	if server == "" {
		server = cfg.Server
	}
	if server == "" {
		server = defaultServer
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErr("--server %q must be an http:// or https:// URL", server)
	}
	org := g.org
	if org == "" {
		org = os.Getenv("TAGFLOW_ORG")
	}
	if org == "" {
		org = cfg.Org // what `tagflow org use` stored
	}
	if org != "" {
		if err := catalog.ValidatePrincipalName(org); err != nil {
			return nil, usageErr("org %q (from --org, TAGFLOW_ORG or the config file): %v", org, err)
		}
	}
	return &client{base: strings.TrimRight(server, "/"), token: tok, org: org, http: &http.Client{Timeout: 15 * time.Minute}}, nil
}

// gqlError is one GraphQL error as the server sends it.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code         string         `json:"code"`
		Problems     []problemEntry `json:"problems"`
		ProblemCount int            `json:"problemCount"`
	} `json:"extensions"`
}

type problemEntry struct {
	Asset   *string `json:"asset"`
	Message string  `json:"message"`
	Line    *int    `json:"line"`
}

func (p problemEntry) String() string {
	var b strings.Builder
	if p.Line != nil {
		fmt.Fprintf(&b, "line %d: ", *p.Line)
	}
	if p.Asset != nil {
		b.WriteString(*p.Asset + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// refusal is the server's "no", with its code and problems.
type refusal struct {
	Code     string
	Message  string
	Problems []problemEntry
	// Total is how many problems there were in all; the server lists at most 1,000.
	Total int
}

func (r *refusal) Error() string {
	var b strings.Builder
	// The message is the server's sentence as is; the code and the problems come from
	// their own fields, one problem a line.
	msg := r.Message
	total := max(r.Total, len(r.Problems))
	switch n := len(r.Problems); {
	case n == 0:
		fmt.Fprintf(&b, "%s (%s)", msg, r.Code)
	case total == 1:
		fmt.Fprintf(&b, "%s (%s, 1 problem)", msg, r.Code)
	case total > n:
		fmt.Fprintf(&b, "%s (%s, %d problems; the first %d follow)", msg, r.Code, total, n)
	default:
		fmt.Fprintf(&b, "%s (%s, %d problems)", msg, r.Code, n)
	}
	for _, p := range r.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// query runs a GraphQL operation and decodes data into out.
func (c *client) query(q string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return usageErr("%v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	raw, status, err := c.do(req)
	if err != nil {
		return err
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return &exitError{code: exitRefused, err: fmt.Errorf("the server answered %d with something that is not GraphQL: %.200s", status, raw)}
	}
	if len(resp.Errors) > 0 {
		e := resp.Errors[0]
		return &exitError{code: exitRefused, err: &refusal{Code: e.Extensions.Code, Message: e.Message, Problems: e.Extensions.Problems, Total: e.Extensions.ProblemCount}}
	}
	if out != nil {
		return json.Unmarshal(resp.Data, out)
	}
	return nil
}

// do sends a request with the token and returns the body; a transport failure is
// exitUnreachable, a REST error body is a refusal.
func (c *client) do(req *http.Request) ([]byte, int, error) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.org != "" {
		req.Header.Set("X-Tagflow-Org", c.org)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, &exitError{code: exitUnreachable, err: fmt.Errorf("cannot reach %s: %v", c.base, err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return nil, 0, &exitError{code: exitUnreachable, err: fmt.Errorf("reading the answer of %s: %v", c.base, err)}
	}
	if resp.StatusCode >= 400 {
		var r struct {
			Code         string         `json:"code"`
			Message      string         `json:"message"`
			Errors       []problemEntry `json:"errors"`
			ProblemCount int            `json:"problemCount"`
		}
		if json.Unmarshal(raw, &r) == nil && r.Code != "" {
			return nil, resp.StatusCode, &exitError{code: exitRefused, err: &refusal{Code: r.Code, Message: r.Message, Problems: r.Errors, Total: r.ProblemCount}}
		}
		var g struct {
			Errors []gqlError `json:"errors"`
		}
		if json.Unmarshal(raw, &g) == nil && len(g.Errors) > 0 {
			return nil, resp.StatusCode, &exitError{code: exitRefused, err: &refusal{Code: g.Errors[0].Extensions.Code, Message: g.Errors[0].Message}}
		}
		return nil, resp.StatusCode, &exitError{code: exitRefused, err: fmt.Errorf("the server answered %s: %.200s", resp.Status, raw)}
	}
	return raw, resp.StatusCode, nil
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
