package catalog

import (
	"strings"
	"testing"
)

// checkErr fails the test unless err is nil when want is "" and otherwise an error whose
// message contains want.
func checkErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: unexpected error: %v", what, err)
	case want != "" && err == nil:
		t.Errorf("%s: no error, want one containing %q", what, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q does not contain %q", what, err, want)
	}
}

// pathOf returns a path of exactly n bytes made of segments of at most 200 bytes.
func pathOf(n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		seg := min(n-b.Len(), MaxSegmentBytes)
		b.WriteString(strings.Repeat("p", seg))
	}
	return b.String()
}

func TestValidatePath(t *testing.T) {
	seg200 := strings.Repeat("a", MaxSegmentBytes)
	tests := []struct {
		path string
		want string // "" for valid, else part of the error
	}{
		{"User", ""},
		{"data/forecast", ""},
		{"jane@acme/weather", ""},
		{"JHUAPL/Mouse 17/EM", ""},
		{"jane.doe@acme/weather", ""},
		{"sales/orders-2024_v2", ""},
		{"日本/データ", ""},     // Unicode letters
		{"x/٣٤", ""},       // Unicode digits
		{"a.b/...c/d", ""}, // dots are fine before the last segment
		{seg200, ""},       // a segment of exactly 200 bytes
		{pathOf(MaxPathBytes), ""},
		{"", "empty path"},
		{"/User", "segment 1"},
		{"/User", "empty name"},
		{"User/", "segment 2"},
		{"a//b", "empty name"},
		{".", `"." is not a name`},
		{"..", `".." is not a name`},
		{"a/../b", `segment 2 (".."): ".." is not a name`},
		{"a/./b", `"." is not a name`},
		{" User", "leading or trailing space"},
		{"User ", "leading or trailing space"},
		{"a/ b/c", "segment 2"},
		{"Us\ter", "control character U+0009"},
		{"a\x00b", "control character U+0000"},
		{"a\u0085b", "control character U+0085"},
		{"User.city", `contains ".", which starts a member name`},
		{"a/b.c", `segment 2 ("b.c")`},
		{"a\xffb", "not valid UTF-8"},
		{"a*b", `contains '*'`},
		{"a:b", `contains ':'`},
		{"a\u200bb", `contains '\u200b'`}, // a format character, not a letter
		{"a/" + seg200 + "x", "201 bytes, over the limit of 200"},
		{pathOf(MaxPathBytes + 1), "1025 bytes, over the limit of 1024"},
	}
	for _, tt := range tests {
		checkErr(t, "ValidatePath("+clip(tt.path)+")", ValidatePath(tt.path), tt.want)
	}
}

func TestValidateMemberName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"city", ""},
		{"total_in_hometown", ""},
		{"temp 2", ""},
		{"prix-€", `contains '€'`},
		{"", "empty name"},
		{"a.b", `contains "."`},
		{"a/b", `contains "/"`},
		{" x", "leading or trailing space"},
		{"x\n", "control character"},
		{"..", "is not a name"},
		{strings.Repeat("m", MaxSegmentBytes+1), "over the limit of 200"},
	}
	for _, tt := range tests {
		checkErr(t, "ValidateMemberName("+clip(tt.name)+")", ValidateMemberName(tt.name), tt.want)
	}
}

func TestSplitMember(t *testing.T) {
	tests := []struct{ in, asset, member string }{
		{"Ds.col", "Ds", "col"},
		{"Ds", "Ds", ""},
		{"a.b/c.d", "a.b/c", "d"},
		{"jane.doe@acme/weather.temp", "jane.doe@acme/weather", "temp"},
		{"Ds.a.b", "Ds", "a.b"}, // the first "." after the last "/" starts the member
		{"Ds.", "Ds", ""},
		{".x", "", "x"},
		{"a.b/c", "a.b/c", ""},
		{"", "", ""},
		{"a/b/", "a/b/", ""},
	}
	for _, tt := range tests {
		a, m := SplitMember(tt.in)
		if a != tt.asset || m != tt.member {
			t.Errorf("SplitMember(%q) = (%q, %q), want (%q, %q)", tt.in, a, m, tt.asset, tt.member)
		}
	}
}

func TestValidateRef(t *testing.T) {
	tests := []struct{ ref, want string }{
		{"Ds", ""},
		{"Ds.col", ""},
		{"a.b/Ds.col", ""},
		{"jane.doe@acme/weather.temp", ""},
		{"Ds./x", ""}, // "Ds." is a namespace segment here
		{"", "empty path"},
		{".col", "empty path"},
		{"Ds.", "member: empty name"},
		{"Ds.a.b", `member: "a.b" contains "."`},
		{"/Ds.col", "empty name"},
		{"Ds.c ol ", "member:"},
		{"D s/.x", "empty name"},
	}
	for _, tt := range tests {
		checkErr(t, "ValidateRef("+tt.ref+")", ValidateRef(tt.ref), tt.want)
	}
}

func TestValidateBranchName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"main", ""},
		{"dev/jane", ""},
		{"release-1.2", ""},
		{"jane@acme/fix_42", ""},
		{"功能/分支", ""},
		{strings.Repeat("b", MaxSegmentBytes), ""},
		{"", "empty branch name"},
		{strings.Repeat("b", MaxSegmentBytes+1), "over the limit of 200"},
		{"dev/*", `contains '*'`},
		{"a b", `contains ' '`},
		{"a:b", `contains ':'`},
		{"a\tb", `contains '\t'`},
		{"/dev", `an empty, "." or ".." segment`},
		{"dev/", `an empty, "." or ".." segment`},
		{"a//b", `an empty, "." or ".." segment`},
		{"..", `an empty, "." or ".." segment`},
		{"dev/../main", `an empty, "." or ".." segment`},
		{".", `an empty, "." or ".." segment`},
		{"-x", `starts with '-'; a branch name starts with a letter or digit`},
		{".hidden", `starts with '.'`},
		{"_x", `starts with '_'`},
		{"@jane", `starts with '@'`},
		{"dev/-x", `segment "-x" starts with '-'`},
		{"dev/.x", `segment ".x" starts with '.'`},
		{"1.2/x-y", ""},
	}
	for _, tt := range tests {
		checkErr(t, "ValidateBranchName("+clip(tt.name)+")", ValidateBranchName(tt.name), tt.want)
	}
}

func TestParsePrincipalRef(t *testing.T) {
	tests := []struct {
		ref, kind, name string
		want            string
	}{
		{"user:jane@acme", "user", "jane@acme", ""},
		{"team:data", "team", "data", ""},
		{"group:eng-all", "group", "eng-all", ""},
		{"org:acme", "org", "acme", ""},
		{"workload:ci.bot_1", "workload", "ci.bot_1", ""},
		{"user:Jürgen", "user", "Jürgen", ""},
		{"user:" + strings.Repeat("j", MaxPrincipalName), "user", strings.Repeat("j", MaxPrincipalName), ""},
		{"jane", "", "", "must be written kind:name"},
		{"", "", "", "must be written kind:name"},
		{"robot:r2", "", "", `unknown kind "robot"`},
		{"User:jane", "", "", `unknown kind "User"`},
		{":jane", "", "", `unknown kind ""`},
		{"user:", "", "", "empty name"},
		{"user:_admin", "", "", `may not start with "_"`},
		{"team:_", "", "", `may not start with "_"`},
		{"user:jane doe", "", "", `contains ' '`},
		{"user:a:b", "", "", `contains ':'`},
		{"user:" + strings.Repeat("j", MaxPrincipalName+1), "", "", "over the limit of 200"},
	}
	for _, tt := range tests {
		kind, name, err := ParsePrincipalRef(tt.ref)
		checkErr(t, "ParsePrincipalRef("+clip(tt.ref)+")", err, tt.want)
		if kind != tt.kind || name != tt.name {
			t.Errorf("ParsePrincipalRef(%q) = (%q, %q), want (%q, %q)", clip(tt.ref), kind, name, tt.kind, tt.name)
		}
	}
}

func TestParseTagDecl(t *testing.T) {
	tests := []struct {
		decl   string
		name   string
		cancel bool
		want   string
	}{
		{"PII", "PII", false, ""},
		{"country:IN", "country:IN", false, ""},
		{"~PII", "PII", true, ""},
		{"~country:IN", "country:IN", true, ""},
		{"tier-1.gold_x", "tier-1.gold_x", false, ""},
		{"Ärzte", "Ärzte", false, ""},
		{"~" + strings.Repeat("t", MaxTagBytes), strings.Repeat("t", MaxTagBytes), true, ""},
		{"", "", false, "empty tag name"},
		{"~", "", false, "empty tag name"},
		{"a~b", "", false, `"~" is only allowed as the first character`},
		{"~~x", "", false, `"~" is only allowed as the first character`},
		{"P II", "", false, `contains ' '`},
		{" PII", "", false, `contains ' '`},
		{"PII ", "", false, `contains ' '`},
		{"~ PII", "", false, `contains ' '`},
		{"a/b", "", false, `contains '/'`},
		{"a\x00b", "", false, `contains '\x00'`},
		{"a\xffb", "", false, "not valid UTF-8"},
		{strings.Repeat("t", MaxTagBytes+1), "", false, "over the limit of 200"},
	}
	for _, tt := range tests {
		name, cancel, err := ParseTagDecl(tt.decl)
		checkErr(t, "ParseTagDecl("+clip(tt.decl)+")", err, tt.want)
		if name != tt.name || cancel != tt.cancel {
			t.Errorf("ParseTagDecl(%q) = (%q, %v), want (%q, %v)", clip(tt.decl), name, cancel, tt.name, tt.cancel)
		}
	}
}

func TestValidateTagName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"PII", ""},
		{"country:IN", ""},
		{"~PII", `"~" is only allowed as the first character`}, // the prefix belongs to declarations
		{"", "empty tag name"},
		{"P\tII", `contains '\t'`},
	}
	for _, tt := range tests {
		checkErr(t, "ValidateTagName("+tt.name+")", ValidateTagName(tt.name), tt.want)
	}
}

func TestNormalizeType(t *testing.T) {
	nest := func(wrapper string, depth int) string {
		return strings.Repeat(wrapper+"[", depth) + "int" + strings.Repeat("]", depth)
	}
	good := []struct{ in, want string }{
		{"int", "int"},
		{"float", "float"},
		{"bool", "bool"},
		{"str", "str"},
		{"bytes", "bytes"},
		{"datetime", "datetime"},
		{"date", "date"},
		{"decimal", "decimal"},
		{" str\t", "str"},
		{"optional[int]", "optional[int]"},
		{"list[optional[int]]", "list[optional[int]]"},
		{"map[str, list[float]]", "map[str,list[float]]"},
		{"map[ str , int ]", "map[str,int]"},
		{"list [ map[str, optional[decimal]] ]", "list[map[str,optional[decimal]]]"},
		{"map[str,map[str,bytes]]", "map[str,map[str,bytes]]"},
		{nest("list", maxTypeDepth), nest("list", maxTypeDepth)},
	}
	for _, tt := range good {
		got, err := NormalizeType(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeType(%q) = (%q, %v), want %q", clip(tt.in), got, err, tt.want)
		}
	}
	bad := []struct{ in, want string }{
		{"", "empty type"},
		{"  ", "empty type"},
		{"integer", `unknown type "integer"`},
		{"tuple[int]", `unknown type "tuple"`},
		{"Int", "expected a type name"},
		{"list", "list needs a type argument: list[T]"},
		{"optional", "optional needs a type argument"},
		{"list[]", "expected a type name"},
		{"list[int", `list[...] is missing its "]"`},
		{"optional[int,str]", `optional[...] is missing its "]"`},
		{"list[int]]", `unexpected "]"`},
		{"list[int]x", `unexpected "x"`},
		{"map[int,str]", "map keys must be str: map[str,T]"},
		{"map[str]", "map keys must be str"},
		{"map[str,]", "expected a type name"},
		{"map[str,int", `map[...] is missing its "]"`},
		{"in t", "space inside a type name"},
		{"list [opt ional[int]]", "space inside a type name"},
		{nest("list", maxTypeDepth+1), "nested more than 32 deep"},
		{nest("optional", 200), "nested more than 32 deep"},
	}
	for _, tt := range bad {
		got, err := NormalizeType(tt.in)
		checkErr(t, "NormalizeType("+clip(tt.in)+")", err, tt.want)
		if got != "" {
			t.Errorf("NormalizeType(%q) = %q with an error, want \"\"", clip(tt.in), got)
		}
	}
}
