package catalog

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTagBytes is the longest tag name.
const MaxTagBytes = 200

// ValidateTagName checks a tag name: letters, digits and "_ - . :". It does not accept the
// "~" prefix; see ParseTagDecl.
func ValidateTagName(t string) error {
	if t == "" {
		return fmt.Errorf("empty tag name")
	}
	if len(t) > MaxTagBytes {
		return fmt.Errorf("tag name is %d bytes, over the limit of %d", len(t), MaxTagBytes)
	}
	if !utf8.ValidString(t) {
		return fmt.Errorf("tag name is not valid UTF-8")
	}
	for _, r := range t {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '_', r == '-', r == '.', r == ':':
		case r == '~':
			return fmt.Errorf("tag %q: \"~\" is only allowed as the first character, to cancel a tag", clip(t))
		default:
			return fmt.Errorf("tag %q contains %q; tags hold letters, digits and _ - . :", clip(t), r)
		}
	}
	return nil
}

// ParseTagDecl parses a tag declaration: "t" declares t, "~t" cancels t.
func ParseTagDecl(d string) (name string, cancel bool, err error) {
	if strings.HasPrefix(d, "~") {
		name, cancel = d[1:], true
	} else {
		name = d
	}
	if err := ValidateTagName(name); err != nil {
		return "", false, err
	}
	return name, cancel, nil
}
