package access_test

import (
	"strings"
	"testing"

	"github.com/tagflow/tagflow/access"
)

// customRoles are the roles of the decision tests.
func customRoles(t testing.TB) map[string]*access.Role {
	t.Helper()
	roles := map[string]*access.Role{}
	for name, rules := range map[string][]access.RuleInput{
		"analyst": {{Modes: []string{"READ_DATA", "READ_DEFINITIONS"}, Tags: "!PII"}},
		"writer":  {{Modes: []string{"WRITE_DATA", "WRITE_DEFINITIONS"}, Tags: "!PII"}},
		"prodci":  {{Modes: []string{"WRITE_DEFINITIONS"}, Branches: []string{"prod"}}},
		"devs":    {{Modes: []string{"READ_DATA"}, Branches: []string{"main", "dev/*"}}},
		"steward": {{Modes: []string{"MANAGE"}}},
		"country": {
			{Modes: []string{"READ_DEFINITIONS"}},
			{Modes: []string{"READ_DATA"}, Tags: "!sensitive || country:IN"},
		},
		"nothing": {{Modes: []string{"READ_DATA"}, Tags: "false"}},
		"tagged":  {{Modes: []string{"WRITE_DEFINITIONS"}, Tags: "stripe"}},
	} {
		rs, err := access.ParseRules("createRole", rules)
		if err != nil {
			t.Fatal(err)
		}
		roles[name] = &access.Role{Name: name, Rules: rs}
	}
	return roles
}

// acmeJane is jane@acme of DESIGN §7: in team data, group scientists, org acme.
var acmeJane = access.Subject{Principal: "user:jane@acme", Memberships: []string{"team:data", "group:scientists", "org:acme"}}

func grant(principal, role, scope string) access.Grant {
	return access.Grant{Org: "acme", Principal: principal, Role: role, Scope: scope}
}

func declaredOn(asset string) func(string) string {
	return func(string) string { return "declared on " + asset }
}

func TestDecide(t *testing.T) {
	roles := customRoles(t)
	// The Acme scenario: one org-wide grant each of ${user}/** and ${team}/**.
	acme := []access.Grant{grant("org:acme", "editor", "${user}/**"), grant("org:acme", "editor", "${team}/**")}
	for _, tc := range []struct {
		name   string
		grants []access.Grant
		req    access.Request
		allow  bool
		reason string // exact
		stages []access.Stage
	}{
		// Ownership: the four modes, not MANAGE.
		{name: "owner reads", req: access.Request{Mode: access.ReadData, Path: "data/forecast", Branch: "main", Tags: []string{"PII"}, Owner: "user:jane@acme"},
			allow: true, reason: "allowed: user:jane@acme owns data/forecast (owners hold the four modes on their assets)"},
		{name: "team owner writes a field", req: access.Request{Mode: access.WriteDefinitions, Path: "User.city", Branch: "dev/x", Owner: "team:data"},
			allow: true, reason: "allowed: team:data owns User (and so User.city), and user:jane@acme belongs to it (owners hold the four modes on their assets)"},
		{name: "owner lacks MANAGE", req: access.Request{Mode: access.Manage, Path: "User", Branch: "main", Owner: "team:data"},
			reason: "denied: no grant of user:jane@acme or its teams, groups and org covers User; team:data owns User, but owners hold the four modes, not MANAGE"},
		{name: "another's ownership", req: access.Request{Mode: access.ReadData, Path: "User", Branch: "main", Owner: "team:quant"},
			reason: "denied: no grant of user:jane@acme or its teams, groups and org covers User"},
		// Scope.
		{name: "scope miss", grants: []access.Grant{grant("team:data", "viewer", "quant/**")},
			req:    access.Request{Mode: access.ReadData, Path: "data/forecast", Branch: "main"},
			reason: "denied: no grant of user:jane@acme or its teams, groups and org covers data/forecast", stages: []access.Stage{access.StageScope}},
		{name: "org as a whole", grants: []access.Grant{grant("user:jane@acme", "admin", "data/**")},
			req:    access.Request{Mode: access.Manage, Path: "", Branch: "main"},
			reason: "denied: no grant of user:jane@acme or its teams, groups and org covers the org", stages: []access.Stage{access.StageScope}},
		{name: "org grant covers the org", grants: []access.Grant{grant("user:jane@acme", "admin", "*")},
			req: access.Request{Mode: access.Manage, Path: "", Branch: "main"}, allow: true,
			reason: "allowed by role admin (granted to user:jane@acme on *)"},
		{name: "others' grants do not count", grants: []access.Grant{grant("team:quant", "admin", "*"), grant("user:alan@acme", "admin", "*")},
			req:    access.Request{Mode: access.ReadData, Path: "User", Branch: "main"},
			reason: "denied: no grant of user:jane@acme or its teams, groups and org covers User"},
		// Mode.
		{name: "mode miss", grants: []access.Grant{grant("user:jane@acme", "viewer", "*")},
			req:    access.Request{Mode: access.WriteData, Path: "User", Branch: "main"},
			reason: "denied: role viewer (granted to user:jane@acme on *) allows READ_DEFINITIONS, READ_DATA, not WRITE_DATA", stages: []access.Stage{access.StageMode}},
		{name: "editor lacks MANAGE", grants: []access.Grant{grant("team:data", "editor", "data/**")},
			req:    access.Request{Mode: access.Manage, Path: "data/forecast", Branch: "main"},
			reason: "denied: role editor (granted to team:data on data/**) allows READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA, not MANAGE", stages: []access.Stage{access.StageMode}},
		{name: "unknown role", grants: []access.Grant{grant("team:data", "ghost", "*")},
			req:    access.Request{Mode: access.ReadData, Path: "User", Branch: "main"},
			reason: "denied: role ghost (granted to team:data on *) allows nothing: no role is named ghost", stages: []access.Stage{access.StageRole}},
		{name: "not a mode", grants: []access.Grant{grant("user:jane@acme", "admin", "*")},
			req:    access.Request{Mode: access.Mode("read"), Path: "User", Branch: "main"},
			reason: `denied: "read" is not a mode; the modes are READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA, MANAGE`},
		// Branch.
		{name: "branch miss", grants: []access.Grant{grant("workload:ci", "prodci", "*"), grant("team:data", "devs", "*")},
			req:    access.Request{Mode: access.ReadData, Path: "User", Branch: "dev/jane/x"},
			reason: "denied: role devs (granted to team:data on *) allows READ_DATA only on branches main, dev/*, not on dev/jane/x", stages: []access.Stage{access.StageBranch}},
		{name: "branch hit", grants: []access.Grant{grant("team:data", "devs", "*")},
			req: access.Request{Mode: access.ReadData, Path: "User", Branch: "dev/jane"}, allow: true,
			reason: "allowed by role devs (granted to team:data on *)"},
		// Tags: the reason names the tag and where it came from.
		{name: "tag expression false", grants: []access.Grant{grant("team:data", "analyst", "*")},
			req:    access.Request{Mode: access.ReadData, Path: "User.city", Branch: "main", Tags: []string{"PII"}, TagSource: declaredOn("User")},
			reason: "denied: role analyst (granted to team:data on *) allows READ_DATA only where !PII; User.city has PII, declared on User", stages: []access.Stage{access.StageTags}},
		{name: "absent tag", grants: []access.Grant{grant("group:scientists", "country", "*")},
			req:    access.Request{Mode: access.ReadData, Path: "Sales", Branch: "main", Tags: []string{"sensitive"}, TagSource: declaredOn("Sales")},
			reason: "denied: role country (granted to group:scientists on *) allows READ_DATA only where !sensitive || country:IN; Sales has sensitive, declared on Sales and Sales does not have country:IN", stages: []access.Stage{access.StageTags}},
		{name: "second rule", grants: []access.Grant{grant("group:scientists", "country", "*")},
			req: access.Request{Mode: access.ReadDefinitions, Path: "Sales", Branch: "main", Tags: []string{"sensitive"}}, allow: true,
			reason: "allowed by role country (granted to group:scientists on *)"},
		{name: "false rule", grants: []access.Grant{grant("org:acme", "nothing", "*")},
			req:    access.Request{Mode: access.ReadData, Path: "Sales", Branch: "main"},
			reason: "denied: role nothing (granted to org:acme on *) allows READ_DATA only where false; the expression is false everywhere", stages: []access.Stage{access.StageTags}},
		// Fields judged on their own tags; a dataset grant covers its fields.
		{name: "field without PII", grants: []access.Grant{grant("team:data", "analyst", "User")},
			req: access.Request{Mode: access.ReadData, Path: "User.id", Branch: "main", Tags: nil}, allow: true,
			reason: "allowed by role analyst (granted to team:data on User)"},
		{name: "dataset grant covers member", grants: []access.Grant{grant("team:data", "viewer", "User")},
			req: access.Request{Mode: access.ReadData, Path: "User.city", Branch: "main", Tags: []string{"PII"}}, allow: true,
			reason: "allowed by role viewer (granted to team:data on User)"},
		{name: "dataset grant is not a prefix", grants: []access.Grant{grant("team:data", "viewer", "User")},
			req:    access.Request{Mode: access.ReadData, Path: "UserFeatures.city", Branch: "main"},
			reason: "denied: no grant of user:jane@acme or its teams, groups and org covers UserFeatures.city", stages: []access.Stage{access.StageScope}},
		// Memberships: group and org grants.
		{name: "group grant", grants: []access.Grant{grant("group:scientists", "viewer", "lab/**")},
			req: access.Request{Mode: access.ReadDefinitions, Path: "lab/mouse17", Branch: "main"}, allow: true,
			reason: "allowed by role viewer (granted to group:scientists on lab/**)"},
		{name: "org grant", grants: []access.Grant{grant("org:acme", "viewer", "*")},
			req: access.Request{Mode: access.ReadData, Path: "quant/stocks", Branch: "main"}, allow: true,
			reason: "allowed by role viewer (granted to org:acme on *)"},
		// Writes: judged before and after.
		{name: "write keeping no PII", grants: []access.Grant{grant("team:data", "writer", "*")},
			req:   access.Request{Mode: access.WriteDefinitions, Path: "User", Branch: "main", Change: &access.Change{Before: []string{"x"}, After: []string{"y"}}},
			allow: true, reason: "allowed by role writer (granted to team:data on *)"},
		{name: "escaping !PII by dropping PII", grants: []access.Grant{grant("team:data", "writer", "*")},
			req:    access.Request{Mode: access.WriteDefinitions, Path: "User", Branch: "main", Change: &access.Change{Before: []string{"PII"}, After: nil}, TagSource: declaredOn("User")},
			reason: "denied: role writer (granted to team:data on *) allows WRITE_DEFINITIONS only where !PII; before the change, User has PII, declared on User", stages: []access.Stage{access.StageTags}},
		{name: "adding PII", grants: []access.Grant{grant("team:data", "writer", "*")},
			req:    access.Request{Mode: access.WriteData, Path: "User", Branch: "main", Change: &access.Change{Before: nil, After: []string{"PII"}}},
			reason: "denied: role writer (granted to team:data on *) allows WRITE_DATA only where !PII; after the change, User has PII", stages: []access.Stage{access.StageTags}},
		{name: "creating what one could not write", grants: []access.Grant{grant("team:data", "writer", "*")},
			req:    access.Request{Mode: access.WriteDefinitions, Path: "User.email", Branch: "main", Change: &access.Change{Creates: true, After: []string{"PII"}}, TagSource: declaredOn("User")},
			reason: "denied: role writer (granted to team:data on *) allows WRITE_DEFINITIONS only where !PII; as created, User.email has PII, declared on User", stages: []access.Stage{access.StageTags}},
		{name: "creating untagged", grants: []access.Grant{grant("team:data", "tagged", "*")},
			req:    access.Request{Mode: access.WriteDefinitions, Path: "Txn", Branch: "main", Change: &access.Change{Creates: true}},
			reason: "denied: role tagged (granted to team:data on *) allows WRITE_DEFINITIONS only where stripe; as created, Txn does not have stripe", stages: []access.Stage{access.StageTags}},
		{name: "creating", grants: []access.Grant{grant("team:data", "writer", "*")},
			req:   access.Request{Mode: access.WriteDefinitions, Path: "User.email", Branch: "main", Change: &access.Change{Creates: true, Before: []string{"PII"}}},
			allow: true, reason: "allowed by role writer (granted to team:data on *)"},
		{name: "removing a PII asset", grants: []access.Grant{grant("team:data", "writer", "*")},
			req:    access.Request{Mode: access.WriteDefinitions, Path: "User", Branch: "main", Change: &access.Change{Removes: true, Before: []string{"PII"}}},
			reason: "denied: role writer (granted to team:data on *) allows WRITE_DEFINITIONS only where !PII; before its removal, User has PII", stages: []access.Stage{access.StageTags}},
		{name: "a read ignores the change", grants: []access.Grant{grant("team:data", "analyst", "*")},
			req:   access.Request{Mode: access.ReadData, Path: "User", Branch: "main", Change: &access.Change{Before: []string{"PII"}}},
			allow: true, reason: "allowed by role analyst (granted to team:data on *)"},
		// Declaring a new ~t needs MANAGE.
		{name: "new ~PII without MANAGE", grants: []access.Grant{grant("team:data", "editor", "*")},
			req:    access.Request{Mode: access.WriteDefinitions, Path: "TxnByCity", Branch: "main", NewCancels: []string{"PII"}},
			reason: "denied: declaring ~PII on TxnByCity needs MANAGE there (cancelling a tag removes it from everything downstream: a steward's act); role editor (granted to team:data on *) allows READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA, not MANAGE", stages: []access.Stage{access.StageMode}},
		{name: "owner declaring ~PII", req: access.Request{Mode: access.WriteDefinitions, Path: "TxnByCity", Branch: "main", Owner: "team:data", NewCancels: []string{"PII"}},
			reason: "denied: declaring ~PII on TxnByCity needs MANAGE there (cancelling a tag removes it from everything downstream: a steward's act); no grant of user:jane@acme or its teams, groups and org covers TxnByCity; team:data owns TxnByCity, but owners hold the four modes, not MANAGE"},
		{name: "new ~PII by a steward", grants: []access.Grant{grant("team:data", "editor", "*"), grant("user:jane@acme", "steward", "TxnByCity")},
			req:   access.Request{Mode: access.WriteDefinitions, Path: "TxnByCity", Branch: "main", NewCancels: []string{"PII", "stripe"}},
			allow: true, reason: "allowed by role editor (granted to team:data on *); declaring ~PII, ~stripe is allowed by role steward (granted to user:jane@acme on TxnByCity)"},
		// DESIGN §7 Acme: jane@acme in team data.
		{name: "acme own namespace", grants: acme,
			req: access.Request{Mode: access.WriteDefinitions, Path: "jane@acme/weather", Branch: "main", Change: &access.Change{Creates: true}}, allow: true,
			reason: "allowed by role editor (granted to org:acme on ${user}/**)"},
		{name: "acme team namespace", grants: acme,
			req: access.Request{Mode: access.WriteData, Path: "data/forecast.temp", Branch: "main"}, allow: true,
			reason: "allowed by role editor (granted to org:acme on ${team}/**)"},
		{name: "acme another's namespace", grants: acme,
			req:    access.Request{Mode: access.WriteDefinitions, Path: "alan@acme/bonds", Branch: "main"},
			reason: "denied: no grant of user:jane@acme or its teams, groups and org covers alan@acme/bonds", stages: []access.Stage{access.StageScope, access.StageScope}},
		{name: "acme another team", grants: acme,
			req:    access.Request{Mode: access.ReadDefinitions, Path: "quant/stocks", Branch: "main"},
			reason: "denied: no grant of user:jane@acme or its teams, groups and org covers quant/stocks", stages: []access.Stage{access.StageScope, access.StageScope}},
		// Several grants: the reason names each covering one.
		{name: "several covering grants", grants: []access.Grant{
			grant("team:data", "viewer", "quant/**"), grant("team:data", "analyst", "*"), grant("org:acme", "devs", "*"), grant("user:jane@acme", "viewer", "other")},
			req:    access.Request{Mode: access.ReadData, Path: "User.city", Branch: "prod", Tags: []string{"PII"}, TagSource: declaredOn("User")},
			reason: "denied: role analyst (granted to team:data on *) allows READ_DATA only where !PII; User.city has PII, declared on User; role devs (granted to org:acme on *) allows READ_DATA only on branches main, dev/*, not on prod",
			stages: []access.Stage{access.StageScope, access.StageTags, access.StageBranch, access.StageScope}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := access.Compile(acmeJane, tc.grants, roles)
			got := p.Check(&tc.req)
			if got.Allowed != tc.allow {
				t.Errorf("Check allowed = %v, want %v", got.Allowed, tc.allow)
			}
			if got.Reason != "" {
				t.Errorf("Check built a reason: %q", got.Reason)
			}
			ex := p.Explain(&tc.req)
			if ex.Allowed != tc.allow {
				t.Errorf("Explain allowed = %v, want %v", ex.Allowed, tc.allow)
			}
			if ex.Reason != tc.reason {
				t.Errorf("reason = %s\nwant     %s", ex.Reason, tc.reason)
			}
			if tc.allow && (got.Grant == nil) == (got.Owner == "") {
				t.Errorf("an allow names its grant or its owner: %+v", got)
			}
			if !tc.allow {
				if got.Grant != nil || ex.Grant != nil {
					t.Errorf("a deny names a grant")
				}
				var stages []access.Stage
				for _, d := range ex.Denials {
					stages = append(stages, d.Stage)
					if d.Grant == nil || !strings.Contains(d.Reason, d.Grant.Scope) {
						t.Errorf("denial %+v does not name its grant", d)
					}
				}
				if strings.Join(stagesText(stages), ",") != strings.Join(stagesText(tc.stages), ",") {
					t.Errorf("stages = %v, want %v", stages, tc.stages)
				}
			}
		})
	}
}

func stagesText(s []access.Stage) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

// TestDecideScopeMissNamed: each candidate grant's denial says why its scope misses.
func TestDecideScopeMissNamed(t *testing.T) {
	acme := []access.Grant{grant("org:acme", "editor", "${user}/**"), grant("org:acme", "editor", "${team}/**")}
	p := access.Compile(acmeJane, acme, nil)
	d := p.Explain(&access.Request{Mode: access.WriteDefinitions, Path: "alan@acme/bonds", Branch: "main"})
	want := []string{
		"role editor (granted to org:acme on ${user}/**): scope ${user}/** (for jane@acme: jane@acme/**) does not cover alan@acme/bonds",
		"role editor (granted to org:acme on ${team}/**): scope ${team}/** (for jane@acme in teams data: data/**) does not cover alan@acme/bonds",
	}
	if len(d.Denials) != len(want) {
		t.Fatalf("denials = %+v", d.Denials)
	}
	for i, w := range want {
		if d.Denials[i].Reason != w {
			t.Errorf("denial %d = %s\nwant %s", i, d.Denials[i].Reason, w)
		}
	}
	// A workload is not a user: ${user} does not expand for it, ${team} does.
	ci := access.Compile(access.Subject{Principal: "workload:ci", Memberships: []string{"team:data", "org:acme"}}, acme, nil)
	if ci.Check(&access.Request{Mode: access.WriteData, Path: "ci/x", Branch: "main"}).Allowed {
		t.Error("${user}/** expanded for a workload")
	}
	if !ci.Check(&access.Request{Mode: access.WriteData, Path: "data/x", Branch: "main"}).Allowed {
		t.Error("${team}/** did not expand for a workload's team")
	}
}

func TestDecideMoreThanThreeGrants(t *testing.T) {
	var gs []access.Grant
	for _, s := range []string{"*", "User", "a/**", "b/**", "c/**"} {
		gs = append(gs, grant("team:data", "viewer", s))
	}
	gs[2], gs[3], gs[4] = grant("team:data", "viewer", "*"), grant("org:acme", "viewer", "*"), grant("group:scientists", "viewer", "User")
	p := access.Compile(acmeJane, gs, nil)
	d := p.Explain(&access.Request{Mode: access.WriteData, Path: "User", Branch: "main"})
	if d.Allowed || len(d.Denials) != 5 || !strings.HasSuffix(d.Reason, "; and 2 more grants") || strings.Count(d.Reason, "not WRITE_DATA") != 3 {
		t.Errorf("reason = %s", d.Reason)
	}
}

func TestColumnAccess(t *testing.T) {
	roles := customRoles(t)
	cols := []access.Column{
		{Name: "id"},
		{Name: "city", Tags: []string{"PII"}},
		{Name: "email", Tags: []string{"PII", "contact"}},
		{Name: "country", Tags: []string{"country:IN"}},
	}
	sources := map[string]func(string) string{ // by column path
		"User.city": declaredOn("User"),
		"User.email": func(tag string) string {
			if tag == "PII" {
				return "from Signup.email"
			}
			return ""
		},
	}
	tagSource := func(path, tag string) string {
		if f := sources[path]; f != nil {
			return f(tag)
		}
		return ""
	}
	for _, tc := range []struct {
		name    string
		grants  []access.Grant
		owner   string
		mode    access.Mode
		result  access.AccessResult
		visible []string
		hidden  map[string]string // name -> exact reason
	}{
		{name: "allow", grants: []access.Grant{grant("team:data", "viewer", "User")}, mode: access.ReadData,
			result: access.Allow, visible: []string{"id", "city", "email", "country"}},
		{name: "owner", owner: "team:data", mode: access.ReadData,
			result: access.Allow, visible: []string{"id", "city", "email", "country"}},
		{name: "partial", grants: []access.Grant{grant("team:quant", "admin", "*"), grant("team:data", "analyst", "*")}, mode: access.ReadData,
			result: access.Partial, visible: []string{"id", "country"}, hidden: map[string]string{
				"city":  "denied: role analyst (granted to team:data on *) allows READ_DATA only where !PII; User.city has PII, declared on User",
				"email": "denied: role analyst (granted to team:data on *) allows READ_DATA only where !PII; User.email has PII, from Signup.email",
			}},
		{name: "partial by two rules", grants: []access.Grant{grant("team:data", "analyst", "*"), grant("group:scientists", "devs", "*")}, mode: access.ReadData,
			result: access.Allow, visible: []string{"id", "city", "email", "country"}},
		{name: "deny", grants: []access.Grant{grant("team:data", "viewer", "quant/**")}, mode: access.ReadData,
			result: access.Deny, hidden: map[string]string{
				"id":      "denied: no grant of user:jane@acme or its teams, groups and org covers User.id",
				"city":    "denied: no grant of user:jane@acme or its teams, groups and org covers User.city",
				"email":   "denied: no grant of user:jane@acme or its teams, groups and org covers User.email",
				"country": "denied: no grant of user:jane@acme or its teams, groups and org covers User.country",
			}},
		{name: "deny by mode", grants: []access.Grant{grant("team:data", "viewer", "*")}, mode: access.WriteData,
			result: access.Deny, hidden: map[string]string{
				"id":      "denied: role viewer (granted to team:data on *) allows READ_DEFINITIONS, READ_DATA, not WRITE_DATA",
				"city":    "denied: role viewer (granted to team:data on *) allows READ_DEFINITIONS, READ_DATA, not WRITE_DATA",
				"email":   "denied: role viewer (granted to team:data on *) allows READ_DEFINITIONS, READ_DATA, not WRITE_DATA",
				"country": "denied: role viewer (granted to team:data on *) allows READ_DEFINITIONS, READ_DATA, not WRITE_DATA",
			}},
		{name: "owner lacks MANAGE", owner: "team:data", mode: access.Manage,
			result: access.Deny, hidden: map[string]string{
				"id":      "denied: no grant of user:jane@acme or its teams, groups and org covers User.id; team:data owns User (and so User.id), but owners hold the four modes, not MANAGE",
				"city":    "denied: no grant of user:jane@acme or its teams, groups and org covers User.city; team:data owns User (and so User.city), but owners hold the four modes, not MANAGE",
				"email":   "denied: no grant of user:jane@acme or its teams, groups and org covers User.email; team:data owns User (and so User.email), but owners hold the four modes, not MANAGE",
				"country": "denied: no grant of user:jane@acme or its teams, groups and org covers User.country; team:data owns User (and so User.country), but owners hold the four modes, not MANAGE",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := access.Compile(acmeJane, tc.grants, roles)
			req := &access.ColumnsRequest{Dataset: "User", Branch: "main", Mode: tc.mode, Owner: tc.owner, Columns: cols, Explain: true, TagSource: tagSource}
			got := p.ColumnAccess(req)
			if got.Result != tc.result {
				t.Errorf("result = %s, want %s", got.Result, tc.result)
			}
			if strings.Join(got.Visible, ",") != strings.Join(tc.visible, ",") {
				t.Errorf("visible = %v, want %v", got.Visible, tc.visible)
			}
			if len(got.Hidden) != len(tc.hidden) {
				t.Errorf("hidden = %+v, want %d", got.Hidden, len(tc.hidden))
			}
			for _, h := range got.Hidden {
				if h.Reason != tc.hidden[h.Name] {
					t.Errorf("%s hidden: %s\nwant %s", h.Name, h.Reason, tc.hidden[h.Name])
				}
			}
			// Each column's answer is Explain's for its path; without Explain the reasons are empty.
			for _, c := range cols {
				d := p.Explain(&access.Request{Mode: tc.mode, Path: "User." + c.Name, Branch: "main", Tags: c.Tags, Owner: tc.owner, TagSource: sources["User."+c.Name]})
				if d.Allowed != !hasHidden(got.Hidden, c.Name) {
					t.Errorf("%s: Explain allowed = %v, ColumnAccess disagrees", c.Name, d.Allowed)
				}
				if !d.Allowed && d.Reason != tc.hidden[c.Name] {
					t.Errorf("%s: Explain reason %s\nColumnAccess  %s", c.Name, d.Reason, tc.hidden[c.Name])
				}
			}
			req.Explain = false
			quiet := p.ColumnAccess(req)
			if quiet.Result != got.Result || len(quiet.Hidden) != len(got.Hidden) {
				t.Errorf("without Explain: %+v", quiet)
			}
			for _, h := range quiet.Hidden {
				if h.Reason != "" {
					t.Errorf("a reason built without Explain: %s", h.Reason)
				}
			}
		})
	}
}

func hasHidden(hs []access.HiddenColumn, name string) bool {
	for _, h := range hs {
		if h.Name == name {
			return true
		}
	}
	return false
}

func TestColumnAccessNoColumns(t *testing.T) {
	p := access.Compile(acmeJane, []access.Grant{grant("team:data", "analyst", "*")}, customRoles(t))
	for tags, want := range map[string]access.AccessResult{"": access.Allow, "PII": access.Deny} {
		var ts []string
		if tags != "" {
			ts = []string{tags}
		}
		got := p.ColumnAccess(&access.ColumnsRequest{Dataset: "Raw", Branch: "main", Mode: access.ReadData, DatasetTags: ts})
		if got.Result != want || len(got.Visible)+len(got.Hidden) != 0 {
			t.Errorf("tags %q: %+v, want %s", tags, got, want)
		}
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	p, reqs := bench20Grants(t)
	for _, req := range reqs {
		if n := testing.AllocsPerRun(100, func() { p.Check(req) }); n != 0 {
			t.Errorf("Check(%s %s) allocates %v times", req.Mode, req.Path, n)
		}
	}
}

// TestPolicyConcurrent: a Policy is immutable, so one compiled policy answers many
// requests at once (run with -race).
func TestPolicyConcurrent(t *testing.T) {
	p, reqs := bench20Grants(t)
	cols := columns200()
	done := make(chan bool)
	for w := 0; w < 4; w++ {
		go func() {
			ok := true
			for i := 0; i < 50; i++ {
				for j, req := range reqs {
					ok = ok && p.Check(req).Allowed == (j != 3) && p.Explain(req).Allowed == (j != 3)
				}
				ca := p.ColumnAccess(&access.ColumnsRequest{Dataset: "data/wide", Branch: "main", Mode: access.ReadData, Columns: cols, Explain: true})
				ok = ok && ca.Result == access.Partial && len(ca.Hidden) == 20
			}
			done <- ok
		}()
	}
	for w := 0; w < 4; w++ {
		if !<-done {
			t.Error("a concurrent answer differs")
		}
	}
}

// TestCompileRuleDefaults: a role built by hand without branches or tags gets ParseRule's
// defaults (every branch, every asset) instead of failing.
func TestCompileRuleDefaults(t *testing.T) {
	roles := map[string]*access.Role{"bare": {Name: "bare", Rules: []access.Rule{{Modes: access.ReadModes}}}}
	p := access.Compile(acmeJane, []access.Grant{grant("team:data", "bare", "*")}, roles)
	req := &access.Request{Mode: access.ReadData, Path: "User.city", Branch: "dev/x", Tags: []string{"PII"}}
	if !p.Check(req).Allowed || !p.Explain(req).Allowed {
		t.Error("a rule without branches and tags did not apply everywhere")
	}
	if roles["bare"].Rules[0].Tags != nil {
		t.Error("Compile changed the role it was given")
	}
}
