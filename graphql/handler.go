package graphql

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// graphql executes one GraphQL request. Errors of the query itself get the codes that
// graphql-go leaves out: GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED.
func (s *Server) graphql(c *gin.Context) {
	b := s.state.Load()
	var req gqlRequest
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			gqlFail(c, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "the request body is larger than the limit of "+humanBytes(mbe.Limit))
			return
		}
		gqlFail(c, http.StatusBadRequest, "INVALID_ARGUMENT", "could not read the request body")
		return
	}
	if err := json.Unmarshal(body, &req); err != nil {
		gqlFail(c, http.StatusBadRequest, "GRAPHQL_PARSE_FAILED", "the body must be a JSON object {\"query\", \"variables\", \"operationName\"}: "+err.Error())
		return
	}
	if req.Query == "" {
		gqlFail(c, http.StatusBadRequest, "GRAPHQL_PARSE_FAILED", "the request has no query")
		return
	}
	ctx, cancel := withTimeout(c, s.cfg.QueryTimeout)
	defer cancel()
	resp := b.schema.Exec(ctx, req.Query, req.OperationName, req.Variables)
	for _, e := range resp.Errors {
		addCode(e, resp.Data == nil)
	}
	c.JSON(http.StatusOK, resp)
}

// addCode gives every error a machine code. Errors from resolvers carry theirs already.
func addCode(e *gqlerrors.QueryError, beforeExecution bool) {
	if e.Extensions != nil && e.Extensions["code"] != nil {
		return
	}
	code := "INTERNAL"
	switch {
	case errors.Is(e.Err, gqlerrors.ErrSyntax):
		code = "GRAPHQL_PARSE_FAILED"
	case e.Rule != "" || beforeExecution:
		code = "GRAPHQL_VALIDATION_FAILED"
	case e.ResolverError != nil:
		code = "INTERNAL"
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
	branch := c.DefaultQuery("branch", catalog.MainBranch)
	dryRun, err1 := queryBool(c, "dryRun")
	prune, err2 := queryBool(c, "prune")
	if err := errors.Join(err1, err2); err != nil {
		abort(c, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error())
		return
	}
	doc, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			abort(c, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "the document is larger than the limit of "+humanBytes(mbe.Limit))
			return
		}
		abort(c, http.StatusBadRequest, "INVALID_ARGUMENT", "could not read the document")
		return
	}
	r := &Resolver{svc: b.svc, reg: b.reg}
	ctx, cancel := withTimeout(c, s.cfg.DeployTimeout)
	defer cancel()
	res, err := r.Deploy(ctx, deployArgs{Document: string(doc),
		Branch: gql.NullString{Value: &branch, Set: true}, DryRun: gql.NullBool{Value: &dryRun, Set: true}, Prune: gql.NullBool{Value: &prune, Set: true}})
	if err != nil {
		s.metrics.deploys.WithLabelValues("refused").Inc()
		abortErr(c, err)
		return
	}
	s.metrics.deploys.WithLabelValues(deployOutcome(res.r, dryRun)).Inc()
	c.JSON(http.StatusOK, deployJSON(res.r))
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
