package graphql

import (
	"context"
	"errors"
	"net/http"

	"github.com/tagflow/tagflow/catalog"
)

// apiError is an error as the API shows it: a message and a machine code, plus the
// problems of an invalid definitions document.
type apiError struct {
	msg      string
	kind     catalog.Kind // for the HTTP status (statusOf)
	code     string       // codeOf(kind)
	problems []catalog.Problem
	count    int    // how many problems there were in all; problems lists the first
	target   string // what was refused (catalog.Error.Path), for the audit log
}

func (e *apiError) Error() string { return e.msg }

// Extensions implements graphql-go's ResolverError.
func (e *apiError) Extensions() map[string]any {
	ext := map[string]any{"code": e.code}
	if e.problems != nil {
		ext["problems"] = problemList(e.problems)
		ext["problemCount"] = e.count
	}
	return ext
}

// toAPI turns any error of a lower layer into an apiError. Internal errors keep their
// message out of the answer: it may name files or keys.
func toAPI(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = &catalog.Error{Kind: catalog.Timeout, Msg: "the request ran past its deadline and was stopped"}
	}
	k := catalog.KindOf(err)
	msg := err.Error()
	if k == catalog.Internal {
		msg = "internal error"
	}
	var ce *catalog.Error
	if errors.As(err, &ce) && k != catalog.Internal {
		msg = ce.Summary() // its own words, without the wrapping of the layers above; problems go in their field
	}
	ae = &apiError{msg: msg, kind: k, code: codeOf(k), problems: catalog.ProblemsOf(err), count: catalog.ProblemCountOf(err)}
	if ce != nil {
		ae.target = ce.Path
	}
	return ae
}

// codeOf is the one mapping of error kinds to API codes.
func codeOf(k catalog.Kind) string {
	switch k {
	case catalog.InvalidDefinition, catalog.InvalidArgument, catalog.NotFound, catalog.Conflict,
		catalog.Forbidden, catalog.Unauthenticated:
		return k.String()
	case catalog.TooLarge:
		return "PAYLOAD_TOO_LARGE"
	case catalog.TooExpensive:
		return "COST_LIMIT"
	case catalog.Timeout:
		return "TIMEOUT"
	}
	return "INTERNAL"
}

// statusOf is the one mapping of error kinds to HTTP statuses.
func statusOf(k catalog.Kind) int {
	switch k {
	case catalog.InvalidDefinition, catalog.InvalidArgument:
		return http.StatusBadRequest
	case catalog.NotFound:
		return http.StatusNotFound
	case catalog.Conflict:
		return http.StatusConflict
	case catalog.Forbidden:
		return http.StatusForbidden
	case catalog.Unauthenticated:
		return http.StatusUnauthorized
	case catalog.TooLarge:
		return http.StatusRequestEntityTooLarge
	case catalog.TooExpensive:
		return http.StatusBadRequest
	case catalog.Timeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

func argError(format string, args ...any) *apiError {
	return toAPI(catalog.Errorf("", catalog.InvalidArgument, format, args...))
}

// problemJSON is a document problem as the API shows it.
type problemJSON struct {
	Asset   *string `json:"asset"`
	Message string  `json:"message"`
	Line    *int32  `json:"line"`
}

func problemList(ps []catalog.Problem) []problemJSON {
	out := make([]problemJSON, len(ps))
	for i, p := range ps {
		out[i].Message = p.Msg
		if p.Asset != "" {
			a := p.Asset
			out[i].Asset = &a
		}
		if p.Line > 0 {
			l := int32(p.Line)
			out[i].Line = &l
		}
	}
	return out
}
