package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// The commands of roles and grants (DESIGN §5): role list|show|create|update|delete,
// grant, revoke and grants. A rule is given as --rule 'modes=M,M;branches=G,G;tags=EXPR'
// (see ruleHelp); grant and revoke are actions of their own and the listing is `grants`,
// so that no command is both an action and a group.

type ruleInfo struct {
	Modes    []string `json:"modes"`
	Branches []string `json:"branches"`
	Tags     string   `json:"tags"`
}

type roleInfo struct {
	Name    string     `json:"name"`
	BuiltIn bool       `json:"builtIn"`
	Rules   []ruleInfo `json:"rules"`
}

var modeNames = []string{"READ_DEFINITIONS", "WRITE_DEFINITIONS", "READ_DATA", "WRITE_DATA", "MANAGE"}

const roleFields = "name builtIn rules { modes branches tags }"

const ruleHelp = `A rule is --rule 'modes=M1,M2;branches=G1,G2;tags=EXPR': modes (required) are
READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA and MANAGE (any case);
branches are globs such as main, dev/* or * (default: every branch); tags is a tag
expression with names, !, &&, ||, parentheses and true (default: true, every asset). Give
--rule once per rule, in order; quote it for the shell.`

// parseRuleFlag turns one --rule value into a RuleInput's variables.
func parseRuleFlag(i int, s string) (map[string]any, error) {
	out := map[string]any{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok {
			return nil, usageErr("--rule %d (%q): %q has no \"=\"; write modes=...;branches=...;tags=...", i+1, s, part)
		}
		if _, dup := out[k]; dup {
			return nil, usageErr("--rule %d (%q): %s is given twice", i+1, s, k)
		}
		var list []string
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				list = append(list, x)
			}
		}
		switch k {
		case "modes":
			for j := range list {
				list[j] = strings.ToUpper(list[j])
				if !slices.Contains(modeNames, list[j]) {
					return nil, usageErr("--rule %d (%q): unknown mode %q; the modes are %s", i+1, s, list[j], strings.Join(modeNames, ", "))
				}
			}
			out[k] = list
		case "branches":
			out[k] = list
		case "tags":
			out[k] = strings.TrimSpace(v)
		default:
			return nil, usageErr("--rule %d (%q): unknown part %q; a rule has modes, branches and tags", i+1, s, k)
		}
	}
	if m, _ := out["modes"].([]string); len(m) == 0 {
		return nil, usageErr("--rule %d (%q): no modes; give e.g. modes=READ_DATA,READ_DEFINITIONS", i+1, s)
	}
	return out, nil
}

func ruleLine(r ruleInfo) string {
	return fmt.Sprintf("%s on branches %s where %s", strings.Join(r.Modes, ", "), strings.Join(r.Branches, ", "), r.Tags)
}

func newRole(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "role", Short: "List, show, create, update and delete roles (MANAGE on the org)"}
	list := &cobra.Command{
		Use: "list", Short: "List the roles: the built-ins, then the custom roles by name", Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Roles []roleInfo }
			if err := c.query(`{ roles { `+roleFields+` } }`, nil, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(out.Roles)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTYPE\tRULES")
			for _, r := range out.Roles {
				kind := "custom"
				if r.BuiltIn {
					kind = "built-in"
				}
				lines := make([]string, len(r.Rules))
				for i, ru := range r.Rules {
					lines[i] = ruleLine(ru)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, kind, strings.Join(lines, "; "))
			}
			return tw.Flush()
		},
	}
	show := &cobra.Command{
		Use: "show NAME", Short: "Show a role and its rules", Args: cobra.ExactArgs(1),
		Example: "tagflow role show analyst",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Role *roleInfo }
			if err := c.query(`query($n: String!) { role(name: $n) { `+roleFields+` } }`, map[string]any{"n": args[0]}, &out); err != nil {
				return err
			}
			if out.Role == nil {
				return &exitError{code: exitRefused, err: &refusal{Code: "NOT_FOUND", Message: fmt.Sprintf("role %q does not exist in the org", args[0])}}
			}
			return g.printRole("", *out.Role)
		},
	}
	del := &cobra.Command{
		Use: "delete NAME", Short: "Delete a custom role (refused while grants use it)", Args: cobra.ExactArgs(1),
		Example: "tagflow role delete analyst",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.query(`mutation($n: String!) { deleteRole(name: $n) }`, map[string]any{"n": args[0]}, nil); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"deleted": args[0]})
			}
			fmt.Printf("Deleted role %s.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(list, show, roleWrite(g, "create"), roleWrite(g, "update"), del)
	return cmd
}

// roleWrite is `role create|update NAME --rule ...`.
func roleWrite(g *globals, verb string) *cobra.Command {
	var rules []string
	mutation := verb + "Role"
	short := "Create a custom role from its rules"
	if verb == "update" {
		short = "Replace the rules of a custom role; the next decision uses them"
	}
	cmd := &cobra.Command{
		Use: verb + " NAME --rule RULE...", Short: short, Long: short + ".\n\n" + ruleHelp, Args: cobra.ExactArgs(1),
		Example: "tagflow role " + verb + " analyst --rule 'modes=READ_DEFINITIONS' --rule 'modes=READ_DATA;branches=main,dev/*;tags=!PII'",
		RunE: func(_ *cobra.Command, args []string) error {
			if len(rules) == 0 {
				return usageErr("tagflow role %s %s: give at least one --rule", verb, args[0])
			}
			var in []map[string]any
			for i, s := range rules {
				r, err := parseRuleFlag(i, s)
				if err != nil {
					return err
				}
				in = append(in, r)
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out map[string]roleInfo
			if err := c.query(`mutation($n: String!, $r: [RuleInput!]!) { `+mutation+`(name: $n, rules: $r) { `+roleFields+` } }`,
				map[string]any{"n": args[0], "r": in}, &out); err != nil {
				return err
			}
			v := map[string]string{"create": "Created", "update": "Updated"}[verb]
			return g.printRole(v, out[mutation])
		},
	}
	cmd.Flags().StringArrayVar(&rules, "rule", nil, "a rule: 'modes=M,M;branches=G,G;tags=EXPR' (repeat for each rule)")
	return cmd
}

// printRole prints a role, after verb ("Created") when it answers a write.
func (g *globals) printRole(verb string, r roleInfo) error {
	if g.output == "json" {
		return printJSON(r)
	}
	kind := "custom"
	if r.BuiltIn {
		kind = "built-in"
	}
	if verb != "" {
		fmt.Printf("%s role %s with %s:\n", verb, r.Name, plural(len(r.Rules), "rule"))
	} else {
		fmt.Printf("role %s (%s), %s:\n", r.Name, kind, plural(len(r.Rules), "rule"))
	}
	for i, ru := range r.Rules {
		fmt.Printf("  %d. %s\n", i+1, ruleLine(ru))
	}
	return nil
}
