package graphql

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tagflow/tagflow/catalog"
)

// The cost of one request (DESIGN §6: the cost of a whole request counts every alias, and
// every request stops at its deadline, work included).
//
// Two bounds hold together. Before execution, a query may name at most MaxExpensiveFields
// fields whose work grows with the catalog (expensiveFields; every alias counts). During
// execution, every such resolver charges what it does — nodes walked, items answered — to
// the request's budget (Config.MaxRequestCost) with charge; past it, the request is
// cancelled with COST_LIMIT, which stops the walks of the other fields too, and the answer
// is that one error. The deadline (Config.QueryTimeout) cancels the same context: walks
// look at it every few thousand nodes and the answer is TIMEOUT.
const (
	// MaxExpensiveFields bounds the fields of expensiveFields in one query.
	MaxExpensiveFields = 10
	// DefaultMaxRequestCost is the budget of one request: about four walks over every node
	// of a 1.1M-node branch.
	DefaultMaxRequestCost = 5_000_000
)

// expensiveFields are the root fields whose work grows with the catalog. A resolver added
// for such a field adds its name here and calls charge.
var expensiveFields = map[string]bool{
	"impact": true, "lineage": true, "datasets": true, "featuresets": true,
	"explainTag": true, "search": true, "tagUsage": true,
	"principals": true,
	"check":      true, "columnAccess": true,
}

// limits are one request's: its budget, its timeout and the cancel of its context.
type limits struct {
	left    atomic.Int64
	budget  int64
	timeout time.Duration
	cancel  context.CancelCauseFunc
}

type limitsKey struct{}

// withLimits gives a request its deadline and cost budget. The returned cancel must be
// called when the request ends.
func withLimits(parent context.Context, timeout time.Duration, budget int64) (context.Context, func()) {
	ctx, stop := context.WithTimeout(parent, timeout)
	ctx, cancel := context.WithCancelCause(ctx)
	l := &limits{budget: budget, timeout: timeout, cancel: cancel}
	l.left.Store(budget)
	ctx = context.WithValue(ctx, limitsKey{}, l)
	return ctx, func() { cancel(nil); stop() }
}

func limitsOf(ctx context.Context) *limits {
	l, _ := ctx.Value(limitsKey{}).(*limits)
	return l
}

// charge counts n units of work (nodes walked, items answered) of a resolver against its
// request's budget. Past the budget it cancels the request, so that the other fields stop
// too, and returns COST_LIMIT. A context without a budget (an internal call) is not
// counted. Every resolver whose work grows with the catalog calls it, once per answer or
// once per step of a long walk.
func charge(ctx context.Context, n int) error {
	l := limitsOf(ctx)
	if l == nil {
		return nil
	}
	if l.left.Add(-int64(n)) >= 0 {
		return nil
	}
	err := &catalog.Error{Kind: catalog.TooExpensive, Msg: fmt.Sprintf(
		"the request does more than %d units of work (nodes walked and items answered, counted over all its fields and aliases); split it into smaller requests or ask for less (smaller pages, depth)",
		l.budget)}
	l.cancel(err)
	return toAPI(err)
}

// stopErr is the error of a resolver whose work failed with err: when the request's
// context has ended, the reason it ended (COST_LIMIT, TIMEOUT), else err.
func stopErr(ctx context.Context, err error) *apiError {
	if ctx.Err() != nil {
		return ctxErr(ctx)
	}
	return toAPI(err)
}

// ctxErr says why a request's context ended: a budget spent, a query refused while it
// started, its deadline, or the client gone.
func ctxErr(ctx context.Context) *apiError {
	cause := context.Cause(ctx)
	var ce *catalog.Error
	var ae *apiError
	switch {
	case errors.As(cause, &ae):
		return ae
	case errors.As(cause, &ce):
		return toAPI(ce)
	case errors.Is(cause, context.DeadlineExceeded):
		msg := "the request ran past its deadline; ask for less or split it"
		if l := limitsOf(ctx); l != nil {
			msg = fmt.Sprintf("the request ran longer than its limit of %s and was stopped; ask for less (smaller pages, depth) or split it", l.timeout)
		}
		return toAPI(&catalog.Error{Kind: catalog.Timeout, Msg: msg})
	}
	return toAPI(&catalog.Error{Kind: catalog.Timeout, Msg: "the request was cancelled before it finished"})
}

// countExpensive counts the fields of expensiveFields that query names, aliases included:
// an upper bound of the expensive root fields that executing it can run (a field that
// appears once in the text runs at most once per response key; fragments spread twice at
// one level merge). It reads the text as GraphQL tokens, so names inside strings and
// comments, aliases, argument names, variables, directives, and operation, fragment and
// type names do not count.
func countExpensive(query string) int {
	n := 0
	prev := "" // the previous significant token
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
		case c == '#':
			for i < len(query) && query[i] != '\n' && query[i] != '\r' {
				i++
			}
		case c == '"':
			i = skipString(query, i)
			prev = `"`
		case c == '.' && i+2 < len(query) && query[i+1] == '.' && query[i+2] == '.':
			i += 3
			prev = "..."
		case isNameStart(c):
			j := i + 1
			for j < len(query) && isNameChar(query[j]) {
				j++
			}
			name := query[i:j]
			if expensiveFields[name] && !afterNonField(prev) && !beforeColon(query, j) {
				n++
			}
			prev, i = name, j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(query) && (isNameChar(query[j]) || query[j] == '.' || query[j] == '+' || query[j] == '-') {
				j++
			}
			prev, i = "0", j
		default:
			prev, i = string(c), i+1
		}
	}
	return n
}

// afterNonField: a name after these tokens is a variable, directive, fragment, operation
// or type name, not a field.
func afterNonField(prev string) bool {
	switch prev {
	case "$", "@", "...", "on", "fragment", "query", "mutation", "subscription":
		return true
	}
	return false
}

// beforeColon: a name followed by ':' is an alias or an argument name.
func beforeColon(s string, i int) bool {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r', ',':
			i++
		case '#':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		default:
			return s[i] == ':'
		}
	}
	return false
}

// skipString returns the index after the string or block string that starts at i.
func skipString(s string, i int) int {
	if len(s) >= i+3 && s[i:i+3] == `"""` {
		for j := i + 3; j < len(s); j++ {
			switch {
			case s[j] == '\\' && len(s) >= j+4 && s[j+1:j+4] == `"""`:
				j += 3
			case len(s) >= j+3 && s[j:j+3] == `"""`:
				return j + 3
			}
		}
		return len(s)
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"', '\n', '\r':
			return j + 1
		}
	}
	return len(s)
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

// expensiveRefusal refuses, before execution, a query that names too many expensive fields.
func expensiveRefusal(n int) *apiError {
	return toAPI(&catalog.Error{Kind: catalog.TooExpensive, Msg: fmt.Sprintf(
		"the query asks for %d fields that walk or list the catalog (%s; every alias counts); at most %d are allowed in one request: split it",
		n, strings.Join(slices.Sorted(maps.Keys(expensiveFields)), ", "), MaxExpensiveFields)})
}
