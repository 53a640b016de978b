package catalog

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on names (DESIGN §2).
const (
	MaxSegmentBytes = 200
	MaxPathBytes    = 1024
)

// ValidatePath checks an asset path: slash-separated segments of letters, digits, space and
// "_ - . @"; the last segment holds no ".". It returns nil or an error saying what is wrong.
func ValidatePath(p string) error {
	if p == "" {
		return fmt.Errorf("empty path")
	}
	if len(p) > MaxPathBytes {
		return fmt.Errorf("path is %d bytes, over the limit of %d", len(p), MaxPathBytes)
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if err := validateSegment(s, i == len(segs)-1); err != nil {
			if len(segs) > 1 {
				return fmt.Errorf("segment %d (%q): %w", i+1, clip(s), err)
			}
			return err
		}
	}
	return nil
}

// ValidateMemberName checks the name of a field or feature: the rules of a path's last segment.
func ValidateMemberName(n string) error {
	if strings.Contains(n, "/") {
		return fmt.Errorf("%q contains \"/\"", clip(n))
	}
	return validateSegment(n, true)
}

func validateSegment(s string, last bool) error {
	if s == "" {
		return fmt.Errorf("empty name")
	}
	if len(s) > MaxSegmentBytes {
		return fmt.Errorf("name is %d bytes, over the limit of %d", len(s), MaxSegmentBytes)
	}
	if s == "." || s == ".." {
		return fmt.Errorf("%q is not a name", s)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("name is not valid UTF-8")
	}
	if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return fmt.Errorf("%q has a leading or trailing space", clip(s))
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', r == '_', r == '-', r == '@':
		case r == '.':
			if last {
				return fmt.Errorf("%q contains \".\", which starts a member name", clip(s))
			}
		case unicode.IsControl(r):
			return fmt.Errorf("name contains control character %U", r)
		default:
			return fmt.Errorf("%q contains %q; names hold letters, digits, space and _ - . @", clip(s), r)
		}
	}
	return nil
}

// SplitMember splits "Ds.col" into ("Ds", "col"): the first "." after the last "/" starts
// the member name. A path with no member returns member "".
func SplitMember(p string) (asset, member string) {
	slash := strings.LastIndexByte(p, '/')
	if dot := strings.IndexByte(p[slash+1:], '.'); dot >= 0 {
		i := slash + 1 + dot
		return p[:i], p[i+1:]
	}
	return p, ""
}

// ValidateRef checks a path that may name an asset or a member ("Ds" or "Ds.col").
func ValidateRef(p string) error {
	asset, member := SplitMember(p)
	if err := ValidatePath(asset); err != nil {
		return err
	}
	if member != "" || strings.HasSuffix(p, ".") {
		if err := ValidateMemberName(member); err != nil {
			return fmt.Errorf("member: %w", err)
		}
	}
	return nil
}

// ValidateBranchName checks a branch name: slash-separated segments ("dev/jane") of letters,
// digits and "_ - . @", each starting with a letter or digit, at most 200 bytes in all.
// Globs ("dev/*") are for roles, not names.
func ValidateBranchName(b string) error {
	if b == "" {
		return fmt.Errorf("empty branch name")
	}
	if len(b) > MaxSegmentBytes {
		return fmt.Errorf("branch name is %d bytes, over the limit of %d", len(b), MaxSegmentBytes)
	}
	for _, s := range strings.Split(b, "/") {
		if s == "" || s == "." || s == ".." {
			return fmt.Errorf("branch name %q has an empty, \".\" or \"..\" segment", clip(b))
		}
	}
	for _, r := range b {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '_', r == '-', r == '.', r == '@', r == '/':
		default:
			return fmt.Errorf("branch name %q contains %q; branch names hold letters, digits and _ - . @ /", clip(b), r)
		}
	}
	for _, s := range strings.Split(b, "/") {
		// "-x" would read as a flag on a command line, ".x" as a hidden file.
		if r, _ := utf8.DecodeRuneInString(s); !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if s == b {
				return fmt.Errorf("branch name %q starts with %q; a branch name starts with a letter or digit", clip(b), r)
			}
			return fmt.Errorf("branch name %q: segment %q starts with %q; each segment starts with a letter or digit", clip(b), clip(s), r)
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:37] + "..."
}
