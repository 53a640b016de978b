package graphql

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/graph-gophers/graphql-go/introspection"
	"github.com/graph-gophers/graphql-go/trace/noop"
	"github.com/tagflow/tagflow/catalog"
)

// variableCheck checks the request's variables against the types its operation declares,
// before anything runs: graphql-go checks only some, and words the rest after Go's types
// ("could not unmarshal 5 (float64) into string"). A variable that does not fit cancels
// the request with a GRAPHQL_VALIDATION_FAILED error naming it. It is graphql-go's tracer,
// the one hook that sees the variables' declared types.
type variableCheck struct{ noop.Tracer }

// queryError is an error of the request's query or variables, found before execution.
type queryError struct{ msg string }

func (e *queryError) Error() string { return e.msg }

func (variableCheck) TraceQuery(ctx context.Context, _ string, _ string, vars map[string]any, types map[string]*introspection.Type) (context.Context, func([]*gqlerrors.QueryError)) {
	done := func([]*gqlerrors.QueryError) {}
	l := limitsOf(ctx)
	if l == nil {
		return ctx, done
	}
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := checkValue(vars[n], types[n], "$"+n); err != "" {
			l.cancel(&apiError{msg: err, kind: catalog.InvalidArgument, code: "GRAPHQL_VALIDATION_FAILED"})
			break
		}
	}
	return ctx, done
}

// checkValue says what is wrong with the JSON value v as a value of type t, or "".
func checkValue(v any, t *introspection.Type, where string) string {
	if t.Kind() == "NON_NULL" {
		if v == nil {
			return fmt.Sprintf("variable %s must not be null (type %s)", where, typeName(t))
		}
		return checkValue(v, t.OfType(), where)
	}
	if v == nil {
		return ""
	}
	switch t.Kind() {
	case "LIST":
		list, ok := v.([]any)
		if !ok { // a single value stands for a list of one
			return checkValue(v, t.OfType(), where)
		}
		for i, x := range list {
			if err := checkValue(x, t.OfType(), fmt.Sprintf("%s[%d]", where, i)); err != "" {
				return err
			}
		}
		return ""
	case "ENUM":
		s, ok := v.(string)
		if ok {
			for _, e := range *t.EnumValues(&struct{ IncludeDeprecated bool }{true}) {
				if e.Name() == s {
					return ""
				}
			}
		}
		var known []string
		for _, e := range *t.EnumValues(&struct{ IncludeDeprecated bool }{true}) {
			known = append(known, e.Name())
		}
		return fmt.Sprintf("variable %s must be one of %s (type %s), not %s", where, strings.Join(known, ", "), typeName(t), jsonKind(v))
	case "INPUT_OBJECT":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("variable %s must be an object (type %s), not %s", where, typeName(t), jsonKind(v))
		}
		for _, f := range *t.InputFields(&struct{ IncludeDeprecated bool }{true}) {
			if err := checkValue(m[f.Name()], f.Type(), where+"."+f.Name()); err != "" {
				return err
			}
		}
		return ""
	}
	ok := true
	switch typeName(t) {
	case "String":
		_, ok = v.(string)
	case "Boolean":
		_, ok = v.(bool)
	case "Float":
		_, ok = v.(float64)
	case "Int":
		f, isNum := v.(float64)
		ok = isNum && f == math.Trunc(f) && f >= math.MinInt32 && f <= math.MaxInt32
		if isNum && !ok {
			return fmt.Sprintf("variable %s must be a 32-bit integer (type Int), not %v", where, f)
		}
	case "ID":
		switch v.(type) {
		case string, float64:
		default:
			ok = false
		}
	}
	if !ok {
		return fmt.Sprintf("variable %s must be %s, not %s", where, article(typeName(t)), jsonKind(v))
	}
	return ""
}

func typeName(t *introspection.Type) string {
	switch t.Kind() {
	case "NON_NULL":
		return typeName(t.OfType()) + "!"
	case "LIST":
		return "[" + typeName(t.OfType()) + "]"
	}
	if n := t.Name(); n != nil {
		return *n
	}
	return "?"
}

func article(name string) string {
	if name == "Int" || name == "ID" {
		return "an " + name
	}
	return "a " + name
}

// jsonKind names a decoded JSON value's kind, with the value when it is short.
func jsonKind(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) <= 40 {
			return fmt.Sprintf("the string %q", x)
		}
		return "a string"
	case float64:
		return fmt.Sprintf("the number %v", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "null"
}
