package access_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

func TestBranchGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		glob    string
		match   []string
		nomatch []string
	}{
		{"*", []string{"main", "dev/jane", "dev/jane/x", "prod"}, nil},
		{"main", []string{"main"}, []string{"Main", "main2", "mai", "main/x", "dev/main"}},
		{"dev/jane", []string{"dev/jane"}, []string{"dev", "dev/jane/x", "dev/janet"}},
		{"dev/*", []string{"dev/jane", "dev/x-1", "dev/ü"}, []string{"dev", "dev/jane/x", "devx/jane", "prod/jane", "main"}},
		{"dev/**", []string{"dev/jane", "dev/jane/x", "dev/a/b/c"}, []string{"dev", "devx/jane", "main"}},
		{"release-*", []string{"release-1.2", "release-", "release-x@y"}, []string{"release", "release-1/x", "prerelease-1"}},
		{"*-hotfix", []string{"a-hotfix", "-hotfix", "x-y-hotfix"}, []string{"hotfix", "a-hotfix/x", "a-hotfixes"}},
		{"feat*/*", []string{"feat/x", "feature/x"}, []string{"feat", "feature/x/y", "fea/x"}},
		{"*/*", []string{"dev/jane", "a/b"}, []string{"main", "a/b/c"}},
		{"*/**", []string{"dev/jane", "a/b/c"}, []string{"main"}},
		{"team/*/**", []string{"team/data/x", "team/data/x/y"}, []string{"team/data", "team", "other/data/x"}},
		{"a*b*c", []string{"abc", "aXbYc", "abbbc", "acbc", "abcbc"}, []string{"ab", "acb", "abcd", "a/b/c"}},
		{"v*.*", []string{"v1.2", "v.", "v10.20.30"}, []string{"v12", "x1.2"}},
	} {
		g, err := access.ParseBranchGlob(tc.glob)
		if err != nil {
			t.Errorf("ParseBranchGlob(%q): %v", tc.glob, err)
			continue
		}
		if g.String() != tc.glob {
			t.Errorf("ParseBranchGlob(%q).String() = %q", tc.glob, g.String())
		}
		for _, b := range tc.match {
			if !g.Match(b) {
				t.Errorf("%q does not match %q", tc.glob, b)
			}
		}
		for _, b := range tc.nomatch {
			if g.Match(b) {
				t.Errorf("%q matches %q", tc.glob, b)
			}
		}
	}
	if (access.BranchGlob{}).Match("main") {
		t.Error("the zero BranchGlob matches main")
	}
}

func TestParseBranchGlobErrors(t *testing.T) {
	for _, tc := range []struct{ glob, want string }{
		{"", `branch glob "": empty; write a branch name, "dev/*", or "*" for every branch`},
		{"**", `branch glob "**": column 1: "**" alone: write "*" for every branch`},
		{"dev/**/x", `branch glob "dev/**/x": column 5: "**" may only end a glob, meaning any depth under what comes before it`},
		{"dev/a**", `branch glob "dev/a**": column 6: "**" is a whole segment; inside a segment "*" already matches any run of characters`},
		{"dev//x", `branch glob "dev//x": column 5: empty segment; segments are separated by one "/"`},
		{"dev/", `branch glob "dev/": column 5: empty segment; segments are separated by one "/"`},
		{"/dev", `branch glob "/dev": column 1: empty segment; segments are separated by one "/"`},
		{"dev/../x", `branch glob "dev/../x": column 5: ".." is not a segment`},
		{"dev/-x", `branch glob "dev/-x": column 5: a segment starts with a letter, a digit or "*", not '-'`},
		{".x", `branch glob ".x": column 1: a segment starts with a letter, a digit or "*", not '.'`},
		{"dev/ja ne", `branch glob "dev/ja ne": column 7: ' ' is not allowed; branch globs hold letters, digits, _ - . @ /, and "*" as a wildcard`},
		{"dév/j?", `branch glob "dév/j?": column 6: '?' is not allowed; branch globs hold letters, digits, _ - . @ /, and "*" as a wildcard`},
		{"main\x00", `branch glob "main\x00": column 5: '\x00' is not allowed...`},
		{"a\xffb", `branch glob "a\xffb": not valid UTF-8`},
		{strings.Repeat("a", 201), `201 bytes, over the limit of 200`},
	} {
		_, err := access.ParseBranchGlob(tc.glob)
		if err == nil {
			t.Errorf("ParseBranchGlob(%q) accepted it", tc.glob)
			continue
		}
		if catalog.KindOf(err) != catalog.InvalidArgument {
			t.Errorf("ParseBranchGlob(%q): %v is not InvalidArgument", tc.glob, err)
		}
		want, part := strings.CutSuffix(tc.want, "...")
		if part || !strings.HasPrefix(tc.want, "branch glob") {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("ParseBranchGlob(%q):\n got %s\nwant ...%s...", tc.glob, err, want)
			}
		} else if err.Error() != tc.want {
			t.Errorf("ParseBranchGlob(%q):\n got %s\nwant %s", tc.glob, err, tc.want)
		}
	}
}

// TestBranchGlobAcceptsBranchNames holds globs to the branch-name rules: every valid
// branch name is a glob matching exactly itself.
func TestBranchGlobAcceptsBranchNames(t *testing.T) {
	for _, b := range []string{"main", "prod", "dev/jane", "dev/jane.doe@acme", "release-1.2", "v1_2", "ünïcode/ß"} {
		if err := catalog.ValidateBranchName(b); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		g, err := access.ParseBranchGlob(b)
		if err != nil || !g.Match(b) || g.Match(b+"x") {
			t.Errorf("glob %q: %v", b, err)
		}
	}
}

func TestBranchGlobText(t *testing.T) {
	var gs []access.BranchGlob
	if err := json.Unmarshal([]byte(`["main","dev/*"]`), &gs); err != nil || len(gs) != 2 || !gs[1].Match("dev/jane") {
		t.Fatalf("unmarshal: %v, %v", gs, err)
	}
	b, err := json.Marshal(gs)
	if err != nil || string(b) != `["main","dev/*"]` {
		t.Fatalf("marshal: %s, %v", b, err)
	}
	if err := json.Unmarshal([]byte(`["dev/**/x"]`), &gs); err == nil {
		t.Fatal("a bad glob unmarshalled")
	}
}

func TestBranchGlobMatchDoesNotAllocate(t *testing.T) {
	for _, tc := range []struct{ glob, branch string }{
		{"*", "dev/jane"}, {"main", "main"}, {"dev/**", "dev/jane/x"}, {"dev/*", "dev/jane"},
		{"release-*", "release-1.2"}, {"team/*/**", "team/data/x/y"},
	} {
		g := access.MustParseBranchGlob(tc.glob)
		if n := testing.AllocsPerRun(100, func() { g.Match(tc.branch) }); n != 0 {
			t.Errorf("%q matching %q: %v allocations", tc.glob, tc.branch, n)
		}
	}
}

func BenchmarkBranchGlobMatch(b *testing.B) {
	for _, bc := range []struct{ name, glob, branch string }{
		{"all", "*", "dev/jane/feature-x"},
		{"exact", "main", "main"},
		{"exact-miss", "main", "dev/jane"},
		{"under", "dev/**", "dev/jane/feature-x"},
		{"one-level", "dev/*", "dev/jane"},
		{"one-level-miss", "dev/*", "dev/jane/feature-x"},
		{"in-segment", "release-*", "release-2026.12"},
		{"two-stars", "*/feat*-*", "jane/feature-tags"},
	} {
		g := access.MustParseBranchGlob(bc.glob)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Match(bc.branch)
			}
		})
	}
}

// FuzzParseBranchGlob checks that no glob makes parsing or matching panic, that an accepted
// glob round-trips, and that a glob without "*" matches exactly the branch it names.
func FuzzParseBranchGlob(f *testing.F) {
	for _, s := range []string{"*", "**", "main", "dev/*", "dev/**", "release-*", "a*b*c", "dev/**/x", ""} {
		f.Add(s, "dev/jane")
	}
	f.Fuzz(func(t *testing.T, s, branch string) {
		g, err := access.ParseBranchGlob(s)
		if err != nil {
			if catalog.KindOf(err) != catalog.InvalidArgument {
				t.Fatalf("ParseBranchGlob(%q): %v is not InvalidArgument", s, err)
			}
			return
		}
		if g.String() != s {
			t.Fatalf("String() = %q, want %q", g.String(), s)
		}
		m := g.Match(branch)
		if !strings.Contains(s, "*") {
			if m != (branch == s) || catalog.ValidateBranchName(s) != nil {
				t.Fatalf("%q: a glob without \"*\" is a branch name matching only itself", s)
			}
		}
	})
}
