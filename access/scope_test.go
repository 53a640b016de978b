package access_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

// The requesters of DESIGN §7's Acme scenario, and a workload.
var (
	jane     = access.Requester{User: "jane@acme", Teams: []string{"data"}}
	alan     = access.Requester{User: "alan@acme", Teams: []string{"quant"}}
	janeDoe  = access.Requester{User: "jane.doe@acme", Teams: []string{"data", "ml"}}
	loner    = access.Requester{User: "lone@acme"}
	workload = access.Requester{Teams: []string{"data"}} // a workload: no ${user}
	nobody   = access.Requester{}
)

func TestParseScopeKinds(t *testing.T) {
	for _, tc := range []struct {
		scope string
		kind  access.ScopeKind
	}{
		{"*", access.ScopeOrg},
		{"data/**", access.ScopePrefix},
		{"JHUAPL/Mouse 17/**", access.ScopePrefix},
		{"jane.doe@acme/**", access.ScopePrefix}, // "." is fine before the last segment
		{"User", access.ScopeAsset},
		{"data/forecast", access.ScopeAsset},
		{"JHUAPL/Mouse 17/EM", access.ScopeAsset},
		{"${user}/**", access.ScopeTemplate},
		{"${team}/**", access.ScopeTemplate},
		{"proj/${team}/**", access.ScopeTemplate},
		{"${team}/${user}/**", access.ScopeTemplate},
		{"${user}/notes", access.ScopeTemplate},
		{"${user}", access.ScopeTemplate},
	} {
		s, err := access.ParseScope(tc.scope)
		if err != nil {
			t.Errorf("ParseScope(%q): %v", tc.scope, err)
			continue
		}
		if s.Kind() != tc.kind {
			t.Errorf("ParseScope(%q).Kind() = %v, want %v", tc.scope, s.Kind(), tc.kind)
		}
		if s.String() != tc.scope {
			t.Errorf("ParseScope(%q).String() = %q", tc.scope, s.String())
		}
		again, err := access.ParseScope(s.String())
		if err != nil || again.String() != s.String() || again.Kind() != s.Kind() {
			t.Errorf("round trip of %q: %v, %v", tc.scope, again, err)
		}
	}
}

func TestParseScopeErrors(t *testing.T) {
	for _, tc := range []struct {
		scope string
		want  string // the whole message, or a part of it when it ends in "..."
	}{
		{"", `scope "": empty scope; write "*" for the whole org, "ns/**" for everything under ns/, or an asset path`},
		{"data/*", `scope "data/*": one "*" is not a scope; write "data/**" for everything under data/, or "*" for the whole org`},
		{"a/b/*", `scope "a/b/*": one "*" is not a scope; write "a/b/**" for everything under a/b/, or "*" for the whole org`},
		{"data/*/**", `scope "data/*/**": segment 2 ("*"): "*" is not a scope segment; write "data/**" for everything under data/, or "*" for the whole org`},
		{"*/x", `scope "*/x": segment 1 ("*"): "*" is not a wildcard in scopes...`},
		{"da*ta/**", `scope "da*ta/**": segment 1 ("da*ta"): "*" is not a wildcard in scopes...`},
		{"**", `scope "**": "**" alone is not a scope; write "*" for the whole org`},
		{"a/**/b", `scope "a/**/b": segment 2 ("**"): "**" may only end a scope, meaning everything under what comes before it`},
		{"a/**/**", `scope "a/**/**": segment 2 ("**"): "**" may only end a scope...`},
		{"${usr}/**", `scope "${usr}/**": segment 1 ("${usr}"): not a template; templates are whole segments, ${user} or ${team}`},
		{"x${user}/**", `scope "x${user}/**": segment 1 ("x${user}"): not a template...`},
		{"${user}/${user}/**", `scope "${user}/${user}/**": segment 2 ("${user}"): ${user} appears twice; each template appears at most once`},
		{"${team}/a/${team}", `scope "${team}/a/${team}": segment 3 ("${team}"): ${team} appears twice...`},
		{"User.city", `scope "User.city": a scope names an asset, not a field or feature; a grant on User covers its members`},
		{"data/sales.amount", `scope "data/sales.amount": a scope names an asset, not a field or feature; a grant on data/sales covers its members`},
		{"data//x", `scope "data//x": segment 2 (""): empty name`},
		{"data/", `scope "data/": segment 2 (""): empty name`},
		{"/data", `scope "/data": segment 1 (""): empty name`},
		{"../x/**", `scope "../x/**": segment 1 (".."): ".." is not a name`},
		{" data/**", `scope " data/**": segment 1 (" data"): " data" has a leading or trailing space`},
		{"da#ta", `scope "da#ta": "da#ta" contains '#'; names hold letters, digits, space and _ - . @`},
		{"a/b\x01", `scope "a/b\x01": segment 2 ("b\x01"): name contains control character U+0001`},
		{strings.Repeat("a", 201) + "/**", `segment 1 ("` + strings.Repeat("a", 57) + `..."): name is 201 bytes, over the limit of 200...`},
		{strings.Repeat("a/", 600) + "**", `1202 bytes, over the limit of 1024...`},
	} {
		_, err := access.ParseScope(tc.scope)
		if err == nil {
			t.Errorf("ParseScope(%q) accepted it", tc.scope)
			continue
		}
		var ce *catalog.Error
		if !errors.As(err, &ce) || ce.Kind != catalog.InvalidArgument {
			t.Errorf("ParseScope(%q): %v is not an InvalidArgument *catalog.Error", tc.scope, err)
		}
		if want, ok := strings.CutSuffix(tc.want, "..."); ok {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("ParseScope(%q):\n got %s\nwant ...%s...", tc.scope, err, want)
			}
		} else if err.Error() != tc.want {
			t.Errorf("ParseScope(%q):\n got %s\nwant %s", tc.scope, err, tc.want)
		}
	}
}

func TestScopeCovers(t *testing.T) {
	type cover struct {
		path string
		who  access.Requester
		want bool
	}
	for _, tc := range []struct {
		scope string
		cases []cover
	}{
		{"*", []cover{
			{"User", nobody, true}, {"User.city", nobody, true}, {"a/b/c", jane, true},
			{"", nobody, true}, // the org itself
		}},
		{"data/**", []cover{
			{"data/forecast", nobody, true},
			{"data/forecast.temp", nobody, true},
			{"data/x/y/z", nobody, true},
			{"data", nobody, false}, // the asset named like the namespace is not under it
			{"data.col", nobody, false},
			{"database/x", nobody, false},
			{"dat", nobody, false},
			{"other/data/x", nobody, false},
			{"", nobody, false},
		}},
		{"jane.doe@acme/**", []cover{
			{"jane.doe@acme/weather", nobody, true},
			{"jane.doe@acme/weather.temp", nobody, true},
			{"jane", nobody, false},
		}},
		{"User", []cover{
			{"User", nobody, true},
			{"User.city", nobody, true},
			{"UserFeatures", nobody, false},
			{"UserFeatures.city", nobody, false},
			{"User/x", nobody, false},
			{"Use", nobody, false},
			{"", nobody, false},
		}},
		{"data/forecast", []cover{
			{"data/forecast", nobody, true},
			{"data/forecast.temp", nobody, true},
			{"data", nobody, false},
			{"data/forecast/x", nobody, false},
		}},
		// DESIGN §7, Acme: one org-wide grant each of ${user}/** and ${team}/**.
		{"${user}/**", []cover{
			{"jane@acme/weather", jane, true},
			{"jane@acme/weather.temp", jane, true},
			{"jane@acme/a/b", jane, true},
			{"alan@acme/bonds", jane, false},
			{"alan@acme/bonds", alan, true},
			{"jane@acme", jane, false},
			{"jane@acme/weather", workload, false}, // a workload has no ${user}
			{"jane@acme/weather", nobody, false},
			{"jane.doe@acme/weather.temp", janeDoe, true},
			{"data/forecast", jane, false},
			{"", jane, false},
		}},
		{"${team}/**", []cover{
			{"data/forecast", jane, true},
			{"data/forecast.temp", jane, true},
			{"quant/stocks", jane, false},
			{"quant/stocks", alan, true},
			{"ml/model", janeDoe, true}, // any of the requester's teams
			{"data/forecast", janeDoe, true},
			{"data/forecast", loner, false},
			{"data/forecast", workload, true}, // a workload in team data
			{"data", jane, false},
			{"jane@acme/weather", jane, false},
		}},
		{"proj/${team}/**", []cover{
			{"proj/data/x", jane, true},
			{"proj/data/x/y.z", jane, true},
			{"proj/quant/x", jane, false},
			{"proj/data", jane, false},
			{"data/x", jane, false},
			{"proj", jane, false},
		}},
		{"${team}/${user}/**", []cover{
			{"data/jane@acme/x", jane, true},
			{"data/alan@acme/x", jane, false},
			{"quant/jane@acme/x", jane, false},
			{"data/jane@acme", jane, false},
		}},
		{"${user}/notes", []cover{
			{"jane@acme/notes", jane, true},
			{"jane@acme/notes.text", jane, true},
			{"jane@acme/notes/x", jane, false},
			{"alan@acme/notes", jane, false},
			{"jane@acme/other", jane, false},
		}},
		{"${user}", []cover{
			{"jane@acme", jane, true},
			{"jane@acme.col", jane, true},
			{"jane@acme/x", jane, false},
		}},
	} {
		s := access.MustParseScope(tc.scope)
		for _, c := range tc.cases {
			if got := s.Covers(c.path, c.who); got != c.want {
				t.Errorf("%s covers %q for %+v = %v, want %v", tc.scope, c.path, c.who, got, c.want)
			}
			if miss := s.Miss(c.path, c.who); (miss == "") != c.want {
				t.Errorf("%s Miss(%q, %+v) = %q, covers %v", tc.scope, c.path, c.who, miss, c.want)
			}
		}
	}
}

// coversOracle is DESIGN §5's rule written plainly, from the scope's text: the member's
// asset (catalog.SplitMember), split into segments, against the scope's segments with the
// templates expanded.
func coversOracle(scope, path string, who access.Requester) bool {
	if scope == "*" {
		return true
	}
	if path == "" {
		return false
	}
	asset, _ := catalog.SplitMember(path)
	pat := strings.Split(scope, "/")
	deep := pat[len(pat)-1] == "**"
	if deep {
		pat = pat[:len(pat)-1]
	}
	segs := strings.Split(asset, "/")
	if len(segs) < len(pat) || (deep && len(segs) == len(pat)) || (!deep && len(segs) != len(pat)) {
		return false
	}
	if deep && strings.Join(segs[len(pat):], "/") == "" {
		return false
	}
	for i, p := range pat {
		switch p {
		case "${user}":
			if who.User == "" || segs[i] != who.User {
				return false
			}
		case "${team}":
			if !slices.Contains(who.Teams, segs[i]) {
				return false
			}
		default:
			if segs[i] != p {
				return false
			}
		}
	}
	return true
}

// TestScopeCoversOracle holds the fast Covers to the plain oracle on every scope and path of
// the tables, and on odd paths.
func TestScopeCoversOracle(t *testing.T) {
	scopes := []string{"*", "data/**", "User", "data/forecast", "${user}/**", "${team}/**",
		"proj/${team}/**", "${team}/${user}/**", "${user}/notes", "${user}", "jane.doe@acme/**"}
	paths := []string{"", "User", "User.city", "User.", "data", "data.x", "data/", "data/.x", "data/.x/y",
		"data/forecast", "data/forecast.temp", "data/forecast/x", "data/x.y.z", "jane@acme",
		"jane@acme.x", "jane@acme/", "jane@acme/.x", "jane@acme/.x/y", "jane@acme/notes",
		"jane@acme/notes.t", "jane.doe@acme/w.t", "jane.doe@acme", "proj/data/x", "proj/data",
		"data/jane@acme/x", "a/b/c/d.e", "/", "//", "."}
	for _, sc := range scopes {
		s := access.MustParseScope(sc)
		for _, p := range paths {
			for _, who := range []access.Requester{jane, janeDoe, alan, loner, workload, nobody} {
				if got, want := s.Covers(p, who), coversOracle(sc, p, who); got != want {
					t.Errorf("%s covers %q for %+v = %v; the oracle says %v", sc, p, who, got, want)
				}
			}
		}
	}
}

func TestScopeMiss(t *testing.T) {
	for _, tc := range []struct {
		scope, path string
		who         access.Requester
		want        string
	}{
		{"data/**", "alan@acme/bonds", jane, "scope data/** does not cover alan@acme/bonds"},
		{"data/**", "data", jane, "scope data/** covers what is under data/, not data itself"},
		{"data/**", "data.col", jane, "scope data/** covers what is under data/, not data itself"},
		{"User", "Transaction.amount", jane, "scope User does not cover Transaction.amount"},
		{"User", "", jane, "scope User does not cover the org as a whole"},
		{"${user}/**", "alan@acme/bonds", jane, "scope ${user}/** (for jane@acme: jane@acme/**) does not cover alan@acme/bonds"},
		{"${team}/**", "quant/stocks", jane, "scope ${team}/** (for jane@acme in teams data: data/**) does not cover quant/stocks"},
		{"${team}/**", "quant/stocks", janeDoe, "scope ${team}/** (for jane.doe@acme in teams data, ml: data/**, ml/**) does not cover quant/stocks"},
		{"${team}/${user}/**", "x/y", jane, "scope ${team}/${user}/** (for jane@acme in teams data: data/jane@acme/**) does not cover x/y"},
		{"${team}/**", "data/x", loner, "scope ${team}/** (${team} stands for the requester's teams, and lone@acme belongs to none) does not cover data/x"},
		{"${team}/**", "data/x", nobody, "scope ${team}/** (${team} stands for the requester's teams, and it belongs to none) does not cover data/x"},
		{"${user}/**", "ci/x", workload, "scope ${user}/** (${user} stands only for a user, and the requester is not one) does not cover ci/x"},
		{"*", "anything", nobody, ""},
	} {
		if got := access.MustParseScope(tc.scope).Miss(tc.path, tc.who); got != tc.want {
			t.Errorf("%s Miss(%q):\n got %q\nwant %q", tc.scope, tc.path, got, tc.want)
		}
	}
	if got := (access.Scope{}).Miss("User", jane); got != "an empty scope covers nothing" {
		t.Errorf("zero Scope Miss = %q", got)
	}
}

func TestScopeCoversScope(t *testing.T) {
	for _, tc := range []struct {
		outer, inner string
		granter      access.Requester
		want         bool
	}{
		{"*", "*", nobody, true},
		{"*", "data/**", nobody, true},
		{"*", "${user}/**", nobody, true},
		{"*", "User", nobody, true},
		{"data/**", "*", nobody, false},
		{"data/**", "data/**", nobody, true},
		{"data/**", "data/x/**", nobody, true},
		{"data/**", "data/x", nobody, true},
		{"data/**", "data", nobody, false}, // ns/** does not cover ns
		{"data/**", "database/x", nobody, false},
		{"data/**", "quant/**", nobody, false},
		{"data/**", "data/${user}/**", nobody, true}, // every expansion is under data/
		{"data/**", "data/${team}", nobody, true},
		{"data/**", "${team}/**", jane, false}, // reaches other teams' namespaces
		{"a/b/**", "a/**", nobody, false},
		{"User", "User", nobody, true},
		{"User", "User/x", nobody, false},
		{"User", "Transaction", nobody, false},
		{"User", "User/**", nobody, false},
		{"User", "*", nobody, false},
		// Templates held by the granter are expanded for it.
		{"${user}/**", "jane@acme/weather", jane, true},
		{"${user}/**", "jane@acme/x/**", jane, true},
		{"${user}/**", "jane@acme/**", jane, true},
		{"${user}/**", "alan@acme/bonds", jane, false},
		{"${user}/**", "jane@acme", jane, false},
		{"${user}/**", "jane@acme/weather", workload, false},
		{"${user}/**", "jane@acme/weather", nobody, false},
		// A template granted to others reaches other users: only * or a prefix before it covers it.
		{"${user}/**", "${user}/**", jane, false},
		{"${user}/**", "${user}/notes", jane, false},
		{"${team}/**", "${team}/**", jane, false},
		{"${team}/**", "data/forecast", jane, true},
		{"${team}/**", "data/**", jane, true},
		{"${team}/**", "ml/x", janeDoe, true},
		{"${team}/**", "quant/stocks", jane, false},
		{"${team}/**", "data/${user}/**", jane, true},
		{"proj/${team}/**", "proj/data/x", jane, true},
		{"proj/${team}/**", "proj/quant/x", jane, false},
		{"${user}/notes", "jane@acme/notes", jane, true},
		{"${user}/notes", "jane@acme/notes/**", jane, false},
	} {
		outer, inner := access.MustParseScope(tc.outer), access.MustParseScope(tc.inner)
		if got := outer.CoversScope(inner, tc.granter); got != tc.want {
			t.Errorf("%s covers scope %s for %+v = %v, want %v", tc.outer, tc.inner, tc.granter, got, tc.want)
		}
		// What a covered literal scope covers, the outer scope covers for the granter.
		if tc.want && inner.Kind() != access.ScopeTemplate {
			for _, p := range []string{tc.inner, tc.inner + ".col", strings.TrimSuffix(tc.inner, "**") + "x/y.z"} {
				if inner.Covers(p, tc.granter) && !outer.Covers(p, tc.granter) {
					t.Errorf("%s covers scope %s, but not its path %q", tc.outer, tc.inner, p)
				}
			}
		}
	}
	if (access.Scope{}).CoversScope(access.MustParseScope("User"), jane) {
		t.Error("the zero Scope covers a scope")
	}
}

// TestScopeText checks that a scope is stored in JSON as its string and parsed back.
func TestScopeText(t *testing.T) {
	type grant struct {
		Scope access.Scope `json:"scope"`
	}
	b, err := json.Marshal(grant{access.MustParseScope("${team}/**")})
	if err != nil || string(b) != `{"scope":"${team}/**"}` {
		t.Fatalf("marshal: %s, %v", b, err)
	}
	var g grant
	if err := json.Unmarshal(b, &g); err != nil || g.Scope.Kind() != access.ScopeTemplate || !g.Scope.Covers("data/x", jane) {
		t.Fatalf("unmarshal: %+v, %v", g, err)
	}
	if err := json.Unmarshal([]byte(`{"scope":"data/*"}`), &g); err == nil || !strings.Contains(err.Error(), `one "*" is not a scope`) {
		t.Fatalf("unmarshal of a bad scope: %v", err)
	}
}

// TestScopeCoversDoesNotAllocate holds the hot path of a decision to zero allocations.
func TestScopeCoversDoesNotAllocate(t *testing.T) {
	for _, tc := range []struct{ scope, path string }{
		{"*", "User.city"},
		{"data/**", "data/forecast.temp"},
		{"User", "User.city"},
		{"${user}/**", "jane@acme/weather.temp"},
		{"${team}/**", "quant/stocks"},
		{"proj/${team}/${user}/**", "proj/data/jane@acme/x/y"},
	} {
		s := access.MustParseScope(tc.scope)
		if n := testing.AllocsPerRun(100, func() { s.Covers(tc.path, janeDoe) }); n != 0 {
			t.Errorf("%s covers %q: %v allocations", tc.scope, tc.path, n)
		}
	}
}

func BenchmarkScopeCovers(b *testing.B) {
	many := access.Requester{User: "jane@acme", Teams: []string{"data", "ml", "quant"}}
	for _, bc := range []struct{ name, scope, path string }{
		{"org", "*", "data/forecast.temp"},
		{"prefix", "data/**", "data/forecast.temp"},
		{"prefix-miss", "data/**", "quant/stocks.price"},
		{"asset", "User", "User.city"},
		{"asset-miss", "User", "UserFeatures.city"},
		{"template-user", "${user}/**", "jane@acme/weather.temp"},
		{"template-user-miss", "${user}/**", "alan@acme/bonds.yield"},
		{"template-team-3", "${team}/**", "quant/stocks.price"},
		{"template-deep", "proj/${team}/${user}/**", "proj/quant/jane@acme/x/y.z"},
	} {
		s := access.MustParseScope(bc.scope)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Covers(bc.path, many)
			}
		})
	}
}

// FuzzParseScope checks that no string makes ParseScope or Covers panic, that an accepted
// scope round-trips through String, and that a refusal is an InvalidArgument.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"*", "**", "data/**", "User", "User.city", "${user}/**", "${team}/**",
		"proj/${team}/**", "${user}/notes", "data/*", "a/**/b", "${usr}", "JHUAPL/Mouse 17/EM", ""} {
		f.Add(s, "data/forecast.temp")
	}
	f.Fuzz(func(t *testing.T, s, path string) {
		sc, err := access.ParseScope(s)
		if err != nil {
			if catalog.KindOf(err) != catalog.InvalidArgument {
				t.Fatalf("ParseScope(%q): %v is not InvalidArgument", s, err)
			}
			return
		}
		if sc.String() != s {
			t.Fatalf("ParseScope(%q).String() = %q", s, sc.String())
		}
		again, err := access.ParseScope(sc.String())
		if err != nil || again.Kind() != sc.Kind() {
			t.Fatalf("round trip of %q: %v, %v", s, again.Kind(), err)
		}
		who := access.Requester{User: "jane@acme", Teams: []string{"data"}}
		if sc.Covers(path, who) != again.Covers(path, who) {
			t.Fatalf("%q and its round trip disagree on %q", s, path)
		}
		for _, who := range []access.Requester{who, janeDoe, workload, nobody} {
			if got, want := sc.Covers(path, who), coversOracle(s, path, who); got != want {
				t.Fatalf("%q covers %q for %+v = %v; the oracle says %v", s, path, who, got, want)
			}
		}
		_ = sc.Miss(path, who)
		if !access.MustParseScope("*").CoversScope(sc, who) {
			t.Fatalf("* does not cover %q", s)
		}
		if sc.Kind() != access.ScopeTemplate && !sc.CoversScope(sc, who) {
			t.Fatalf("%q does not cover itself", s)
		}
	})
}

func TestScopeCoversAnything(t *testing.T) {
	jane := access.Requester{User: "jane", Teams: []string{"data"}}
	loner := access.Requester{User: "loner"}
	workload := access.Requester{}
	for _, tc := range []struct {
		scope                 string
		jane, loner, workload bool
	}{
		{"*", true, true, true},
		{"data/**", true, true, true},
		{"User", true, true, true},
		{"${user}/**", true, true, false},
		{"${team}/**", true, false, false},
		{"${team}/${user}", true, false, false},
	} {
		s, err := access.ParseScope(tc.scope)
		if err != nil {
			t.Fatal(err)
		}
		if s.CoversAnything(jane) != tc.jane || s.CoversAnything(loner) != tc.loner || s.CoversAnything(workload) != tc.workload {
			t.Errorf("%s: jane %v loner %v workload %v", tc.scope, s.CoversAnything(jane), s.CoversAnything(loner), s.CoversAnything(workload))
		}
	}
	if (access.Scope{}).CoversAnything(jane) {
		t.Error("the zero scope covers something")
	}
}
