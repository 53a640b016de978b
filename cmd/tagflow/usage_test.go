package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// cobraWords are cobra's and pflag's own phrasings, which no message of ours contains.
var cobraWords = []string{"accepts", "arg(s)", "received", "strconv", "invalid argument", "flag needs an argument",
	"if any flags in the group", "required flag(s)", "Usage:"}

// TestUsageInOurWords: command groups without or with an unknown subcommand, wrong
// arguments and flag values of the wrong kind are usage errors (exit 1) in our words,
// naming what is wrong; nothing is sent (the server is a closed port: a request would exit 3).
func TestUsageInOurWords(t *testing.T) {
	env := []string{"TAGFLOW_SERVER=" + closedURL(t), "TAGFLOW_TOKEN=tf_whatever"}
	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"branch", "foo"}, []string{`unknown command "foo" for tagflow branch`, "create, delete, list"}},
		{[]string{"branch", "lst"}, []string{`unknown command "lst"`, `did you mean "list"?`}},
		{[]string{"branch"}, []string{"tagflow branch needs a command: create, delete, list"}},
		{[]string{"tags", "frobnicate"}, []string{`unknown command "frobnicate" for tagflow tags`, "define, list, set"}},
		{[]string{"tags"}, []string{"tagflow tags needs a command"}},
		{[]string{"admin", "reset"}, []string{`unknown command "reset" for tagflow admin`, "reset-token"}},
		{[]string{"admin"}, []string{"tagflow admin needs a command: reset-token"}},
		{[]string{}, []string{"tagflow needs a command:", "branch", "deploy", "serve"}},
		{[]string{"completion"}, []string{"tagflow completion needs a command: bash, fish, powershell, zsh"}},
		{[]string{"frobnicate"}, []string{`unknown command "frobnicate" for tagflow;`}},
		{[]string{"get"}, []string{"tagflow get needs PATH, got none", "e.g. tagflow get User"}},
		{[]string{"get", "User", "City"}, []string{`tagflow get needs PATH, got 2 arguments ("User" "City")`}},
		{[]string{"explain", "User"}, []string{`tagflow explain needs PATH TAG, got 1 argument ("User")`}},
		{[]string{"explain", "User", "PII", "x"}, []string{"tagflow explain needs PATH TAG, got 3 arguments"}},
		{[]string{"lineage"}, []string{"tagflow lineage needs PATH, got none"}},
		{[]string{"tags", "set"}, []string{"tagflow tags set needs PATH [TAG...], got none"}},
		{[]string{"tags", "define"}, []string{"tagflow tags define needs NAME, got none"}},
		{[]string{"tags", "list", "extra"}, []string{`tagflow tags list takes no arguments, got 1 argument ("extra")`}},
		{[]string{"branch", "create"}, []string{"tagflow branch create needs NAME, got none", "e.g. tagflow branch create dev"}},
		{[]string{"branch", "delete", "a", "b"}, []string{"tagflow branch delete needs NAME, got 2 arguments"}},
		{[]string{"branch", "list", "x"}, []string{"tagflow branch list takes no arguments"}},
		{[]string{"deploy", "x.yaml"}, []string{`tagflow deploy takes no arguments, got 1 argument ("x.yaml")`}},
		{[]string{"serve", "extra"}, []string{"tagflow serve takes no arguments"}},
		{[]string{"admin", "reset-token", "x"}, []string{"tagflow admin reset-token takes no arguments", "e.g. tagflow admin reset-token --data"}},
		{[]string{"lineage", "User", "--depth", "x"}, []string{`--depth "x": use a whole number`}},
		{[]string{"lineage", "User", "--upstream=maybe"}, []string{`--upstream "maybe": use true or false`}},
		{[]string{"lineage", "User", "--upstream", "--downstream"}, []string{"tagflow lineage: --upstream and --downstream cannot be given together"}},
		{[]string{"deploy", "-f"}, []string{"-f/--file needs a value: the definitions document"}},
		{[]string{"get", "User", "--branch"}, []string{"-b/--branch needs a value"}},
		{[]string{"serve", "--max-deploy-bytes", "1k"}, []string{`--max-deploy-bytes "1k": use a whole number`}},
		{[]string{"serve", "--gc-interval", "5"}, []string{`--gc-interval "5": use a duration`}},
		{[]string{"get", "User", "--bogus"}, []string{"unknown flag: --bogus", "tagflow get --help lists the flags"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := mustRun(t, 1, env, "", tc.args...)
			mustContain(t, "stderr", r.stderr, append([]string{"tagflow: "}, tc.wants...)...)
			mustNotContain(t, "stderr", r.stderr, cobraWords...)
			if r.stdout != "" {
				t.Errorf("a usage error printed to stdout: %s", r.stdout)
			}
		})
	}
	// Help is still help.
	for _, args := range [][]string{{"--help"}, {"branch", "--help"}, {"help", "tags"}, {"admin", "reset-token", "-h"}} {
		r := mustRun(t, 0, env, "", args...)
		mustContain(t, strings.Join(args, " "), r.stdout, "Usage:")
	}
}

// TestEveryCommandSaysWhatItTakes walks the command tree, so that a new command gets the
// same rules: every command has an argument validator, and whatever it refuses is refused
// in our words (the validators of the tree are tried with no and with many arguments).
func TestEveryCommandSaysWhatItTakes(t *testing.T) {
	root, _ := newRoot()
	var check func(c *cobra.Command)
	check = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			check(sub)
		}
		if !c.Runnable() {
			return
		}
		if c.Args == nil {
			t.Errorf("%s has no Args validator: give it one (cobra.NoArgs, cobra.ExactArgs(n), ...)", c.CommandPath())
			return
		}
		for _, args := range [][]string{nil, strings.Fields("a b c d e f g h i j k l m n o p")} {
			err := c.Args(c, args)
			var ee *exitError
			if err != nil && (!errors.As(err, &ee) || ee.code != exitUsage) {
				t.Errorf("%s with %d arguments: %v is not a usage error in our words", c.CommandPath(), len(args), err)
			}
			if err != nil && !strings.Contains(err.Error(), c.CommandPath()) {
				t.Errorf("%s with %d arguments: %q does not name the command", c.CommandPath(), len(args), err)
			}
		}
	}
	check(root)
}

// TestBranchNameRules: a branch name starts (each segment) with a letter or digit, and a
// name that differs from an existing branch only by case is refused with a "did you mean".
func TestBranchNameRules(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "branch", "create", "dev")
	for _, tc := range []struct {
		name  string
		wants []string
	}{
		{"MAIN", []string{"CONFLICT", `differs only by case from the existing branch "main"`, `did you mean "main"?`}},
		{"Dev", []string{"CONFLICT", `did you mean "dev"?`}},
		{"-x", []string{"INVALID_ARGUMENT", "starts with '-'", "letter or digit"}},
		{"dev/.x", []string{"INVALID_ARGUMENT", `segment ".x" starts with '.'`}},
	} {
		r := mustRun(t, 2, s.env(), "", "branch", "create", "--", tc.name)
		mustContain(t, "branch create "+tc.name, r.stderr, tc.wants...)
	}
	r := mustRun(t, 2, s.env(), "", "get", "User", "--branch", "Main")
	mustContain(t, "get --branch Main", r.stderr, `did you mean "main"?`)
	if b := s.branches(t); len(b) != 2 {
		t.Errorf("branches after the refused names: %v", b)
	}
}

// TestArgsErrorWording: the wording for the shapes of Use lines a new command may have.
func TestArgsErrorWording(t *testing.T) {
	for _, tc := range []struct {
		use  string
		args cobra.PositionalArgs
		got  []string
		want string
	}{
		{"ls [PREFIX]", cobra.MaximumNArgs(1), []string{"a", "b"}, `tagflow ls takes only [PREFIX], got 2 arguments ("a" "b")`},
		{"impact PATH", cobra.ExactArgs(1), nil, "tagflow impact needs PATH, got none (tagflow impact --help tells more)"},
		{"delete PATH...", cobra.MinimumNArgs(1), nil, "tagflow delete needs PATH..., got none"},
		{"search --tag T", cobra.NoArgs, []string{"PII"}, `tagflow search takes no arguments, got 1 argument ("PII")`},
	} {
		root := &cobra.Command{Use: "tagflow"}
		c := &cobra.Command{Use: tc.use, Args: tc.args, RunE: func(*cobra.Command, []string) error { return nil }}
		root.AddCommand(c)
		usageRules(root)
		err := c.Args(c, tc.got)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s with %q: %v, want %q", tc.use, tc.got, err, tc.want)
		}
	}
}
