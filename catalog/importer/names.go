package importer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagflow/tagflow/catalog"
)

// Segment maps an outside name to one path segment (DESIGN §8): every character a segment
// may not hold becomes "_", one for one; a segment "." or ".." becomes "_" or "__". With
// last set (the dataset's own name, or a member name), "." is one of those characters.
// A leading or trailing space, which no segment may hold, becomes "_" too. The empty
// string stays empty (empty segments are dropped by Path).
func Segment(s string, last bool) string {
	if s == "." || s == ".." {
		return strings.Repeat("_", len(s))
	}
	var b strings.Builder
	b.Grow(len(s))
	n := utf8.RuneCountInString(s)
	i := 0
	for _, r := range s {
		i++
		switch {
		case r == ' ' && (i == 1 || i == n):
			b.WriteByte('_')
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', r == '_', r == '-', r == '@':
			b.WriteRune(r)
		case r == '.' && !last:
			b.WriteRune(r)
		default:
			b.WriteByte('_') // includes U+FFFD, which stands for invalid UTF-8
		}
	}
	return b.String()
}

// MemberName maps an outside column name to a member name: the rules of a last segment,
// so "/" and "." become "_".
func MemberName(s string) string { return Segment(s, true) }

// Path joins outside name parts into a path: each part mapped by Segment (the last one as
// the dataset's own name), empty parts dropped. It fails when nothing is left or the path
// breaks a limit that no mapping can fix (a segment over 200 bytes, a path over 1,024).
func Path(parts []string) (string, error) {
	segs := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			segs = append(segs, p)
		}
	}
	if len(segs) == 0 {
		return "", fmt.Errorf("the name is empty")
	}
	for i, p := range segs {
		segs[i] = Segment(p, i == len(segs)-1)
	}
	path := strings.Join(segs, "/")
	if err := catalog.ValidatePath(path); err != nil {
		return "", err
	}
	return path, nil
}

// OpenLineagePath is the path of an OpenLineage dataset: a namespace "scheme://a/b" gives
// the segments scheme, a, b (a namespace without "://" is one segment), then the name
// split on "/" and ".". So food_delivery + public.customers is
// food_delivery/public/customers and hive://localhost:9083 + test.t1 is
// hive/localhost_9083/test/t1.
func OpenLineagePath(namespace, name string) (string, error) {
	var parts []string
	if scheme, rest, ok := strings.Cut(namespace, "://"); ok {
		parts = append(parts, scheme)
		parts = append(parts, strings.Split(rest, "/")...)
	} else {
		parts = append(parts, strings.ReplaceAll(namespace, "/", "_"))
	}
	parts = append(parts, strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '.' })...)
	return Path(parts)
}

// DbtPath is the path of a dbt node: its unique_id split on "." (model.jaffle_shop.customers
// is model/jaffle_shop/customers).
func DbtPath(uniqueID string) (string, error) {
	return Path(strings.Split(uniqueID, "."))
}

// MemberNameOK maps a column name and says whether a member of that name can exist.
func MemberNameOK(s string) (string, error) {
	m := MemberName(s)
	if m == "" {
		return "", fmt.Errorf("the column name is empty")
	}
	if err := catalog.ValidateMemberName(m); err != nil {
		return "", err
	}
	return m, nil
}
