package access_test

import (
	"fmt"
	"testing"

	"github.com/tagflow/tagflow/access"
)

// bench20Grants is issue 8's target case: a principal with 20 grants through 3 teams (its
// own and its teams' and org's), custom roles with tag rules, and the requests timed: an
// allow by a prefix grant on a field with tags, an allow by a template, a write judged
// before and after, and a deny that tries every candidate.
func bench20Grants(t testing.TB) (*access.Policy, []*access.Request) {
	sub := access.Subject{Principal: "user:jane@acme", Memberships: []string{"team:data", "team:ml", "team:ops", "group:scientists", "org:acme"}}
	holders := []string{"user:jane@acme", "team:data", "team:ml", "team:ops"}
	roleNames := []string{"analyst", "writer", "devs", "country", "viewer"}
	var grants []access.Grant
	for i := 0; i < 17; i++ {
		scope := fmt.Sprintf("proj%d/**", i)
		if i%3 == 1 {
			scope = fmt.Sprintf("proj%d/ds", i)
		}
		grants = append(grants, grant(holders[i%len(holders)], roleNames[i%len(roleNames)], scope))
	}
	grants = append(grants,
		grant("team:data", "analyst", "data/**"),
		grant("org:acme", "editor", "${user}/**"),
		grant("org:acme", "writer", "${team}/**"),
	)
	if len(grants) != 20 {
		t.Fatalf("%d grants", len(grants))
	}
	p := access.Compile(sub, grants, customRoles(t))
	tags := []string{"country:IN", "daily", "stripe", "weather"}
	reqs := []*access.Request{
		{Mode: access.ReadData, Path: "data/forecast.temp", Branch: "main", Tags: tags},
		{Mode: access.WriteDefinitions, Path: "jane@acme/weather", Branch: "main", Tags: tags},
		{Mode: access.WriteData, Path: "ml/model.x", Branch: "main", Change: &access.Change{Before: tags, After: tags[:2]}},
		{Mode: access.ReadData, Path: "secret/x.y", Branch: "main", Tags: []string{"PII"}},
	}
	for i, want := range []bool{true, true, true, false} {
		if got := p.Check(reqs[i]).Allowed; got != want {
			t.Fatalf("request %d allowed = %v: %s", i, got, p.Explain(reqs[i]).Reason)
		}
	}
	return p, reqs
}

func BenchmarkCheck20Grants(b *testing.B) {
	p, reqs := bench20Grants(b)
	for i, name := range []string{"allow-prefix", "allow-template", "write-before-after", "deny"} {
		req := reqs[i]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Check(req)
			}
		})
	}
	b.Run("explain-deny", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.Explain(reqs[3])
		}
	})
}

// columns200 is a 200-column dataset under data/: every tenth column has PII (hidden by
// the analyst rule), the others a few tags.
func columns200() []access.Column {
	cols := make([]access.Column, 200)
	for i := range cols {
		tags := []string{"daily", "stripe"}
		if i%10 == 3 {
			tags = []string{"PII", "daily", "stripe"}
		}
		cols[i] = access.Column{Name: fmt.Sprintf("col%03d", i), Tags: tags}
	}
	return cols
}

func BenchmarkColumnAccess200(b *testing.B) {
	p, _ := bench20Grants(b)
	cols := columns200()
	for _, explain := range []bool{true, false} {
		name := "reasons"
		if !explain {
			name = "no-reasons"
		}
		req := &access.ColumnsRequest{Dataset: "data/wide", Branch: "main", Mode: access.ReadData, Columns: cols, Explain: explain,
			TagSource: func(string, string) string { return "declared on data/wide" }}
		if got := p.ColumnAccess(req); got.Result != access.Partial || len(got.Hidden) != 20 {
			b.Fatalf("%+v", got.Result)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.ColumnAccess(req)
			}
		})
	}
}

func BenchmarkCompile20Grants(b *testing.B) {
	p, _ := bench20Grants(b)
	roles := customRoles(b)
	sub := p.Subject()
	var grants []access.Grant
	for i := 0; i < 20; i++ {
		grants = append(grants, grant(sub.Memberships[i%3], "analyst", fmt.Sprintf("p%d/**", i)))
	}
	b.ReportAllocs()
	for b.Loop() {
		access.Compile(sub, grants, roles)
	}
}
