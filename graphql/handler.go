package graphql

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

type gqlRequest struct {
	Query         string
	OperationName string
	Variables     map[string]any
}

// requestKeys are the keys a GraphQL request body may hold; extensions is read and ignored.
var requestKeys = []string{"query", "variables", "operationName", "extensions"}

// decodeRequest reads a GraphQL request body: a JSON object of requestKeys, each of the
// JSON type it must have. Its errors say what is wrong in the words of the request.
func decodeRequest(body []byte) (gqlRequest, *apiError) {
	var req gqlRequest
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return req, argError("the body must be a JSON object {\"query\", \"variables\", \"operationName\", \"extensions\"}")
	}
	var unknown []string
	for k := range raw {
		if !slices.Contains(requestKeys, k) {
			unknown = append(unknown, strconv.Quote(k))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return req, argError("unknown key %s in the request body (known: %s)", strings.Join(unknown, ", "), strings.Join(requestKeys, ", "))
	}
	field := func(key string, into any, want string) *apiError {
		v, ok := raw[key]
		if !ok || string(v) == "null" {
			return nil
		}
		if json.Unmarshal(v, into) != nil {
			return argError("%q in the request body must be %s", key, want)
		}
		return nil
	}
	var ext map[string]any
	for _, err := range []*apiError{
		field("query", &req.Query, "a string"),
		field("operationName", &req.OperationName, "a string"),
		field("variables", &req.Variables, "an object of variable values"),
		field("extensions", &ext, "an object"),
	} {
		if err != nil {
			return req, err
		}
	}
	if req.Query == "" {
		return req, &apiError{msg: "the request has no query", kind: catalog.InvalidArgument, code: "GRAPHQL_PARSE_FAILED"}
	}
	return req, nil
}

// graphql executes one GraphQL request. Errors of the query itself get the codes that
// graphql-go leaves out: GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED. A request that
// is refused whole (its body, its cost, its deadline) answers one error with the HTTP
// status of its kind; errors of an executed query answer 200.
func (s *Server) graphql(c *gin.Context) {
	b := s.state.Load()
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			gqlFailErr(c, &catalog.Error{Kind: catalog.TooLarge, Msg: "the request body is larger than the limit of " + humanBytes(mbe.Limit)})
			return
		}
		gqlFailErr(c, &catalog.Error{Kind: catalog.InvalidArgument, Msg: "could not read the request body"})
		return
	}
	req, aerr := decodeRequest(body)
	if aerr != nil {
		gqlFail(c, statusOf(aerr.kind), aerr.code, aerr.msg)
		return
	}
	if n := countExpensive(req.Query); n > MaxExpensiveFields {
		aerr := expensiveRefusal(n)
		gqlFail(c, statusOf(aerr.kind), aerr.code, aerr.msg)
		return
	}
	ctx, denied := withDenials(c.Request.Context())
	ctx, done := withLimits(ctx, s.cfg.QueryTimeout, s.cfg.MaxRequestCost)
	defer done()
	resp := b.schema.Exec(ctx, req.Query, req.OperationName, req.Variables)
	denied.fromResponse(resp.Errors)
	recordDenial(c.Request.Context(), b.reg, denied.action, denied.err)
	if ctx.Err() != nil {
		aerr := ctxErr(ctx)
		status := statusOf(aerr.kind)
		if aerr.code == "GRAPHQL_VALIDATION_FAILED" {
			status = http.StatusOK // like graphql-go's own validation errors
		}
		gqlFail(c, status, aerr.code, aerr.msg)
		return
	}
	for _, e := range resp.Errors {
		addCode(e, resp.Data == nil)
	}
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && len(resp.Data) > 0 {
		// graphql-go's data is compact JSON from encoding/json already (HTML-escaped):
		// written as it is, not marshalled a second time (16% of a 200-column columnAccess).
		// With its length declared, the answer goes out unchunked, in one write when it
		// fits the connection's buffer.
		c.Header("Content-Type", "application/json; charset=utf-8")
		c.Header("Content-Length", strconv.Itoa(len(dataOpen)+len(resp.Data)+len(dataClose)))
		c.Status(http.StatusOK)
		c.Writer.Write(dataOpen)
		c.Writer.Write(resp.Data)
		c.Writer.Write(dataClose)
		return
	}
	c.JSON(http.StatusOK, resp)
}

var dataOpen, dataClose = []byte(`{"data":`), []byte(`}`)

// addCode gives every error a machine code. Errors from resolvers carry theirs already;
// the others are graphql-go's, whose words are kept only where they are about the query.
func addCode(e *gqlerrors.QueryError, beforeExecution bool) {
	if e.Extensions != nil && e.Extensions["code"] != nil {
		return
	}
	code := "INTERNAL"
	switch {
	case errors.Is(e.Err, gqlerrors.ErrSyntax):
		code = "GRAPHQL_PARSE_FAILED"
	case errors.Is(e.Err, gql.ErrTooManySelections):
		code = "GRAPHQL_VALIDATION_FAILED"
		e.Message = fmt.Sprintf("the query expands to more than %d selections (fragments included); ask for fewer fields or split it", MaxSelections)
	case e.Rule != "" || beforeExecution:
		code = "GRAPHQL_VALIDATION_FAILED"
	case e.ResolverError != nil:
		code = "INTERNAL"
		e.Message = "internal error"
	case len(e.Path) == 0:
		// Before any resolver ran: an argument that its variable's value does not fit,
		// in Go's words. The variable check of the HTTP handler names it first.
		code = "GRAPHQL_VALIDATION_FAILED"
		e.Message = "a variable's value does not have the type the query declares for it"
	default:
		e.Message = "internal error"
	}
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

func gqlFail(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"errors": []gin.H{{"message": msg, "extensions": gin.H{"code": code}}}})
}

// gqlFailErr answers err in the GraphQL shape, its status and code from the one mapping
// (statusOf, codeOf). Only conditions of HTTP itself that no error kind names (a wrong
// method or media type, 405 and 415) are answered with gqlFail or abort directly.
func gqlFailErr(c *gin.Context, err error) {
	ae := toAPI(err)
	gqlFail(c, statusOf(ae.kind), ae.code, ae.msg)
}

// restDeploy is POST /api/v1/deploy: the body is the document; ?branch=, ?dryRun=, ?prune=.
func (s *Server) restDeploy(c *gin.Context) {
	b := s.state.Load()
	ct := c.GetHeader("Content-Type")
	if ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		switch {
		case err != nil:
			abort(c, http.StatusUnsupportedMediaType, "INVALID_ARGUMENT", "bad Content-Type "+strconv.Quote(ct))
			return
		case mt == "application/yaml", mt == "application/x-yaml", mt == "text/yaml", mt == "text/x-yaml",
			mt == "application/json", mt == "text/plain", mt == "application/octet-stream":
		default:
			abort(c, http.StatusUnsupportedMediaType, "INVALID_ARGUMENT", "Content-Type "+mt+" is not a definitions document; send application/yaml or application/json")
			return
		}
	}
	if err := checkParams(c.Request.URL.RawQuery, deployParams); err != nil {
		abortErr(c, err)
		return
	}
	branch := c.DefaultQuery("branch", catalog.MainBranch)
	dryRun, err1 := queryBool(c, "dryRun")
	prune, err2 := queryBool(c, "prune")
	if err := errors.Join(err1, err2); err != nil {
		abortErr(c, &catalog.Error{Kind: catalog.InvalidArgument, Msg: err.Error()})
		return
	}
	doc, err := readBody(c, "the document")
	if err != nil {
		abortErr(c, err)
		return
	}
	ctx, cancel := withTimeout(c, s.cfg.DeployTimeout)
	defer cancel()
	res, err := deploy(ctx, b.svc, b.reg, deployInput{Branch: branch, Document: doc, DryRun: dryRun, Prune: prune})
	if err != nil {
		s.metrics.deploys.WithLabelValues("refused").Inc()
		ae := toAPI(err)
		if ae.kind == catalog.Forbidden {
			recordDenial(c.Request.Context(), b.reg, "deploy", ae)
		}
		abortErr(c, ae)
		return
	}
	if dryRun && len(res.Errors) > 0 {
		// A hook reads the status: an invalid document is 400 for a dry run too (DESIGN §6).
		s.metrics.deploys.WithLabelValues("refused").Inc()
		abortErr(c, &catalog.Error{Op: "deploy " + branch, Kind: catalog.InvalidDefinition, Path: branch,
			Msg: "the document is invalid; nothing would be deployed (dry run)", Problems: res.Errors})
		return
	}
	s.metrics.deploys.WithLabelValues(deployOutcome(res, dryRun)).Inc()
	c.JSON(http.StatusOK, deployJSON(res))
}

// readBody reads a REST request's body (what: "the document"); its error, a body over
// the limit or one that could not be read, is for abortErr.
func readBody(c *gin.Context, what string) ([]byte, error) {
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &catalog.Error{Kind: catalog.TooLarge, Msg: what + " is larger than the limit of " + humanBytes(mbe.Limit)}
		}
		return nil, &catalog.Error{Kind: catalog.InvalidArgument, Msg: "could not read " + what}
	}
	return b, nil
}

// deployParams are the query parameters of POST /api/v1/deploy.
var deployParams = []string{"branch", "dryRun", "prune"}

// checkParams refuses a query parameter the endpoint does not know (a misspelled dryRun
// must never deploy) and one given twice, naming them, with InvalidArgument.
func checkParams(rawQuery string, known []string) error {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return catalog.Errorf("", catalog.InvalidArgument, "the query string %q is not valid: %v", rawQuery, err)
	}
	var problems []string
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		switch {
		case !slices.Contains(known, k):
			problems = append(problems, "unknown query parameter "+strconv.Quote(k))
		case len(q[k]) > 1:
			problems = append(problems, fmt.Sprintf("query parameter %q is given %d times", k, len(q[k])))
		}
	}
	if len(problems) > 0 {
		return catalog.Errorf("", catalog.InvalidArgument, "%s (known: %s); nothing was done", strings.Join(problems, "; "), strings.Join(known, ", "))
	}
	return nil
}

func deployOutcome(r *tags.DeployResult, dryRun bool) string {
	switch {
	case dryRun:
		return "dry_run"
	case r.Changed:
		return "changed"
	}
	return "unchanged"
}

// deployJSON is the DeployResult in the shape of the GraphQL type, with every tag change
// it holds (at most tags.MaxTagChanges; tagChangeCount says how many in all).
func deployJSON(r *tags.DeployResult) gin.H {
	changes := make([]gin.H, len(r.TagChanges))
	for i, t := range r.TagChanges {
		changes[i] = gin.H{"path": t.Path, "added": t.Added, "removed": t.Removed}
	}
	return gin.H{
		"changed": r.Changed, "added": r.Added, "changedAssets": r.ChangedAssets, "removed": r.Removed,
		"tagChanges": changes, "errors": problemList(r.Errors), "version": r.Version,
		"problemCount":   r.ProblemCount,
		"tagChangeCount": r.TagChangeCount, "warnings": nonNil(r.Warnings),
	}
}

func queryBool(c *gin.Context, name string) (bool, error) {
	v, ok := c.GetQuery(name)
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errors.New("query parameter " + name + "=" + strconv.Quote(v) + " must be true or false")
	}
	return b, nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
