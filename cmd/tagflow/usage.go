package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// usageRules puts every mistake in a command line into our own words, exit 1, for every
// command of the tree, so that a new command gets them by being added: a command group
// run without a subcommand or with an unknown one, arguments a command does not take,
// flag values of the wrong kind, and flag groups (mutually exclusive, required).
func usageRules(root *cobra.Command) {
	root.SetFlagErrorFunc(flagError)
	root.InitDefaultCompletionCmd() // now, not at Execute, so that the walk reaches it
	walk(root, func(c *cobra.Command) {
		if c.HasSubCommands() {
			c.SuggestionsMinimumDistance = 2
			c.Args = groupArgs
			c.RunE = func(*cobra.Command, []string) error { return nil } // groupArgs always refuses
			c.Run = nil
			return
		}
		if c.Args != nil {
			valid := c.Args
			c.Args = func(cmd *cobra.Command, args []string) error {
				err := valid(cmd, args)
				var ee *exitError
				if err == nil || errors.As(err, &ee) {
					return err
				}
				return argsError(cmd, args)
			}
		}
	})
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// groupArgs refuses a command group without a subcommand, or with one it does not have.
func groupArgs(cmd *cobra.Command, args []string) error {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	list := strings.Join(names, ", ")
	if len(args) == 0 {
		return usageErr("%s needs a command: %s (%s --help tells more)", cmd.CommandPath(), list, cmd.CommandPath())
	}
	hint := ""
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = fmt.Sprintf("; did you mean %q?", s[0])
	}
	return usageErr("unknown command %q for %s; its commands are: %s%s", args[0], cmd.CommandPath(), list, hint)
}

// argsError says what a command takes, from its Use line ("get PATH"), and what it got.
func argsError(cmd *cobra.Command, args []string) error {
	want := strings.TrimSpace(strings.TrimPrefix(cmd.Use, cmd.Name()))
	var got string
	switch len(args) {
	case 0:
		got = "none"
	case 1:
		got = fmt.Sprintf("1 argument (%q)", args[0])
	default:
		got = fmt.Sprintf("%d arguments (%s)", len(args), quoteAll(args))
	}
	var msg string
	switch {
	case want == "" || strings.HasPrefix(want, "-"):
		msg = fmt.Sprintf("%s takes no arguments, got %s", cmd.CommandPath(), got)
	case strings.HasPrefix(want, "["):
		msg = fmt.Sprintf("%s takes only %s, got %s", cmd.CommandPath(), want, got)
	default:
		msg = fmt.Sprintf("%s needs %s, got %s", cmd.CommandPath(), want, got)
	}
	if ex, _, _ := strings.Cut(strings.TrimSpace(cmd.Example), "\n"); ex != "" {
		msg += "; e.g. " + strings.TrimSpace(ex)
	} else {
		msg += fmt.Sprintf(" (%s --help tells more)", cmd.CommandPath())
	}
	return usageErr("%s", msg)
}

func quoteAll(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, " ")
}

// flagError puts pflag's parse errors into our words: the flag, what it got and what kind
// of value it takes.
func flagError(cmd *cobra.Command, err error) error {
	var iv *pflag.InvalidValueError
	var vr *pflag.ValueRequiredError
	var ne *pflag.NotExistError
	switch {
	case errors.As(err, &iv):
		f := iv.GetFlag()
		return usageErr("%s %q: %s", flagName(f), iv.GetValue(), valueKind(f))
	case errors.As(err, &vr):
		f := vr.GetFlag()
		return usageErr("%s needs a value: %s", flagName(f), valueKind(f))
	case errors.As(err, &ne):
		return usageErr("%s (%s --help lists the flags)", ne.Error(), cmd.CommandPath())
	}
	return usageErr("%s: %v (%s --help lists the flags)", cmd.CommandPath(), err, cmd.CommandPath())
}

// valueKind says in words what a flag takes.
func valueKind(f *pflag.Flag) string {
	switch t := f.Value.Type(); t {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "use a whole number, e.g. --" + f.Name + " " + exampleOr(f.DefValue, "1")
	case "float32", "float64":
		return "use a number, e.g. --" + f.Name + " " + exampleOr(f.DefValue, "1.5")
	case "duration":
		return "use a duration such as 30s, 10m or 1h"
	case "bool":
		return "use true or false (or the flag alone for true)"
	default:
		return f.Usage
	}
}

func flagName(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + "/--" + f.Name
	}
	return "--" + f.Name
}

func exampleOr(def, alt string) string {
	if def == "" || def == "0" {
		return alt
	}
	return def
}

// checkFlagGroups does cobra's flag-group checks (MarkFlagsMutuallyExclusive,
// MarkFlagRequired) before cobra would, in our words. It runs in the root's
// PersistentPreRunE, which cobra calls before its own checks.
func checkFlagGroups(cmd *cobra.Command) error {
	var err error
	seen := map[string]bool{}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		for _, group := range f.Annotations["cobra_annotation_mutually_exclusive"] {
			if seen[group] {
				continue
			}
			seen[group] = true
			var set []string
			for _, name := range strings.Fields(group) {
				if g := cmd.Flags().Lookup(name); g != nil && g.Changed {
					set = append(set, "--"+name)
				}
			}
			if len(set) > 1 {
				err = usageErr("%s: %s cannot be given together; choose one", cmd.CommandPath(), strings.Join(set, " and "))
				return
			}
		}
		if req := f.Annotations[cobra.BashCompOneRequiredFlag]; len(req) > 0 && req[0] == "true" && !f.Changed {
			err = usageErr("%s needs --%s (%s)", cmd.CommandPath(), f.Name, f.Usage)
		}
	})
	return err
}
