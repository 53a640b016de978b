package access_test

import (
	"errors"
	"testing"

	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
)

func TestParseRuleDefaults(t *testing.T) {
	r, err := access.ParseRule([]string{"READ_DATA", "READ_DEFINITIONS"}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Modes != access.ReadModes {
		t.Errorf("modes = %v, want both reads", r.Modes)
	}
	if len(r.Branches) != 1 || r.Branches[0].String() != "*" || !r.MatchBranch("dev/jane/x") {
		t.Errorf("branches = %v, want [*] matching every branch", r.Branches)
	}
	if r.Tags.String() != "true" || !r.Tags.EvalSorted([]string{"PII"}) {
		t.Errorf("tags = %v, want true", r.Tags)
	}
	r, err = access.ParseRule([]string{"WRITE_DEFINITIONS"}, []string{"main", "dev/*"}, "!PII && public")
	if err != nil {
		t.Fatal(err)
	}
	if !r.MatchBranch("main") || !r.MatchBranch("dev/jane") || r.MatchBranch("prod") {
		t.Errorf("branches %v match wrongly", r.Branches)
	}
	if !r.Modes.Has(access.WriteDefinitions) || r.Modes.Has(access.WriteData) || r.Modes.Has(access.Mode("X")) {
		t.Errorf("modes = %v", r.Modes)
	}
}

func TestParseRulesErrors(t *testing.T) {
	ok := access.RuleInput{Modes: []string{"READ_DATA"}}
	for _, tc := range []struct {
		name  string
		rules []access.RuleInput
		want  string
	}{
		{"no rules", nil, `createRole: rules: empty; a role holds at least one rule`},
		{"no modes", []access.RuleInput{{}},
			`createRole: rules[0].modes: empty; a rule holds at least one of READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA, MANAGE`},
		{"unknown mode", []access.RuleInput{ok, {Modes: []string{"READ_DATA", "READ"}}},
			`createRole: rules[1].modes[1]: unknown mode "READ"; the modes are READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA, MANAGE`},
		{"lower-case mode", []access.RuleInput{{Modes: []string{"manage"}}},
			`createRole: rules[0].modes[0]: unknown mode "manage"; the modes are READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA, MANAGE`},
		{"bad glob", []access.RuleInput{ok, {Modes: []string{"READ_DATA"}, Branches: []string{"dev/**/x"}}},
			`createRole: rules[1].branches[0]: branch glob "dev/**/x": column 5: "**" may only end a glob, meaning any depth under what comes before it`},
		{"empty glob", []access.RuleInput{{Modes: []string{"READ_DATA"}, Branches: []string{"main", ""}}},
			`createRole: rules[0].branches[1]: branch glob "": empty; write a branch name, "dev/*", or "*" for every branch`},
		{"bad tags", []access.RuleInput{{Modes: []string{"READ_DATA"}, Tags: "PII && ("}},
			`createRole: rules[0].tags: "PII && (" — column 8: expected a tag name after "("`},
		{"tilde", []access.RuleInput{ok, ok, {Modes: []string{"READ_DATA"}, Tags: "~PII"}},
			`createRole: rules[2].tags: "~PII" — column 1: "~" is not an operator: it cancels a tag in a declaration; to say a tag is absent write !, as in !PII`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := access.ParseRules("createRole", tc.rules)
			var ce *catalog.Error
			if !errors.As(err, &ce) || ce.Kind != catalog.InvalidArgument {
				t.Fatalf("err = %v, want INVALID_ARGUMENT", err)
			}
			if err.Error() != tc.want {
				t.Errorf("err = %s\nwant  %s", err, tc.want)
			}
		})
	}
}

func TestBuiltInRoles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		modes access.ModeSet
	}{
		{"admin", access.AllModes},
		{"editor", access.FourModes},
		{"viewer", access.ReadModes},
	} {
		r, ok := access.BuiltInRole(tc.name)
		if !ok || !r.BuiltIn || r.Name != tc.name || len(r.Rules) != 1 {
			t.Fatalf("BuiltInRole(%s) = %+v, %v", tc.name, r, ok)
		}
		rule := r.Rules[0]
		if rule.Modes != tc.modes || !rule.MatchBranch("any/branch") || !rule.Tags.EvalSorted([]string{"PII", "secret"}) {
			t.Errorf("%s: rule %+v, want %v everywhere", tc.name, rule, tc.modes)
		}
		// Copies: changing one does not change the built-in role.
		r.Rules[0].Modes = 0
		if again, _ := access.BuiltInRole(tc.name); again.Rules[0].Modes != tc.modes {
			t.Errorf("%s: changing a copy changed the built-in role", tc.name)
		}
		if !access.IsBuiltInRole(tc.name) {
			t.Errorf("IsBuiltInRole(%s) = false", tc.name)
		}
	}
	if _, ok := access.BuiltInRole("analyst"); ok || access.IsBuiltInRole("Admin") {
		t.Error("only admin, editor and viewer are built in")
	}
	if got := len(access.BuiltInRoles()); got != 3 {
		t.Errorf("BuiltInRoles has %d roles", got)
	}
	if access.ReadModes.String() != "READ_DEFINITIONS, READ_DATA" {
		t.Errorf("ReadModes = %s", access.ReadModes)
	}
	for _, m := range access.Modes {
		if m.IsWrite() != (m == access.WriteData || m == access.WriteDefinitions) {
			t.Errorf("%s.IsWrite() = %v", m, m.IsWrite())
		}
	}
}

func TestValidateRoleName(t *testing.T) {
	for _, ok := range []string{"analyst", "pii-reader", "Safety.DS_2", "a"} {
		if err := access.ValidateRoleName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for name, want := range map[string]string{
		"":                             `role name "": empty; a role name is letters, digits, _ - . starting with a letter`,
		"_admin":                       `role name "_admin": starts with '_'; a role name starts with a letter (names starting with "_" are reserved)`,
		"1st":                          `role name "1st": starts with '1'; a role name starts with a letter (names starting with "_" are reserved)`,
		"pii read":                     `role name "pii read": column 4: ' ' is not allowed; a role name holds ASCII letters, digits, _ - .`,
		"a:b":                          `role name "a:b": column 2: ':' is not allowed; a role name holds ASCII letters, digits, _ - .`,
		"x" + string(make([]byte, 64)): "",
	} {
		err := access.ValidateRoleName(name)
		var ce *catalog.Error
		if !errors.As(err, &ce) || ce.Kind != catalog.InvalidArgument {
			t.Errorf("%q: err = %v, want INVALID_ARGUMENT", name, err)
			continue
		}
		if want != "" && err.Error() != want {
			t.Errorf("%q: %s\nwant %s", name, err, want)
		}
	}
}
