package catalog

import (
	"fmt"
	"strings"
)

// Scalar field types (DESIGN §2). Compound types wrap them: optional[T], list[T], map[str,T].
var scalarTypes = map[string]bool{
	"int": true, "float": true, "bool": true, "str": true, "bytes": true,
	"datetime": true, "date": true, "decimal": true,
}

// maxTypeDepth bounds nesting so that a hostile type cannot exhaust the stack.
const maxTypeDepth = 32

// NormalizeType checks a field type and returns its canonical spelling (no spaces).
func NormalizeType(t string) (string, error) {
	words := strings.Fields(t)
	s := strings.Join(words, "")
	if s == "" {
		return "", fmt.Errorf("empty type")
	}
	// Spaces may stand around brackets and commas, not inside a name ("in t" is no int).
	for i := 1; i < len(words); i++ {
		if isTypeLetter(words[i-1][len(words[i-1])-1]) && isTypeLetter(words[i][0]) {
			return "", fmt.Errorf("type %q: unexpected space inside a type name", clip(t))
		}
	}
	rest, err := parseType(s, 0)
	if err != nil {
		return "", fmt.Errorf("type %q: %w", clip(t), err)
	}
	if rest != "" {
		return "", fmt.Errorf("type %q: unexpected %q", clip(t), clip(rest))
	}
	return s, nil
}

// parseType consumes one type from the front of s and returns what follows.
func parseType(s string, depth int) (string, error) {
	if depth > maxTypeDepth {
		return "", fmt.Errorf("nested more than %d deep", maxTypeDepth)
	}
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z') {
		i++
	}
	name, rest := s[:i], s[i:]
	switch name {
	case "optional", "list":
		if !strings.HasPrefix(rest, "[") {
			return "", fmt.Errorf("%s needs a type argument: %s[T]", name, name)
		}
		rest, err := parseType(rest[1:], depth+1)
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(rest, "]") {
			return "", fmt.Errorf("%s[...] is missing its \"]\"", name)
		}
		return rest[1:], nil
	case "map":
		if !strings.HasPrefix(rest, "[str,") {
			return "", fmt.Errorf("map keys must be str: map[str,T]")
		}
		rest, err := parseType(rest[len("[str,"):], depth+1)
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(rest, "]") {
			return "", fmt.Errorf("map[...] is missing its \"]\"")
		}
		return rest[1:], nil
	}
	if !scalarTypes[name] {
		if name == "" {
			return "", fmt.Errorf("expected a type name at %q", clip(s))
		}
		return "", fmt.Errorf("unknown type %q (known: int, float, bool, str, bytes, datetime, date, decimal, optional[T], list[T], map[str,T])", name)
	}
	return rest, nil
}

func isTypeLetter(c byte) bool { return c >= 'a' && c <= 'z' }
