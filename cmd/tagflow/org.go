package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"
)

// The commands of orgs (issue 9 item 1): org list|use|create|add-member|remove-member.
// Every request acts in one org: --org, else TAGFLOW_ORG, else the config file's org (which
// org use sets), else the token's own; the client sends it as X-Tagflow-Org.

func newOrg(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "List, choose, create orgs and manage their members"}
	cmd.AddCommand(newOrgList(g), newOrgUse(g), newOrgCreate(g), newOrgMember(g, true), newOrgMember(g, false))
	return cmd
}

// myOrgs asks the server for the caller's orgs and its token's own org, acting in the
// token's own org (no X-Tagflow-Org): so that a stale active org can still be changed.
func myOrgs(g *globals) ([]string, string, string, error) {
	c, err := g.client()
	if err != nil {
		return nil, "", "", err
	}
	active := c.org
	c.org = ""
	var out struct {
		Orgs []string
		Me   struct{ Org string }
	}
	if err := c.query(`{ orgs me { org } }`, nil, &out); err != nil {
		return nil, "", "", err
	}
	if active == "" {
		active = out.Me.Org
	}
	return out.Orgs, out.Me.Org, active, nil
}

func newOrgList(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the orgs you belong to; * marks the one commands act in",
		Long: `List the orgs you belong to, sorted: the org your token was made in (your home) and the
orgs you are a member of. * marks the active org: --org, TAGFLOW_ORG, the config file's
(tagflow org use), or else your token's own.`,
		Example: "tagflow org list\ntagflow org list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			orgs, home, active, err := myOrgs(g)
			if err != nil {
				return err
			}
			if !slices.Contains(orgs, active) {
				fmt.Fprintf(os.Stderr, "The active org %q is not one of yours: commands will be refused (FORBIDDEN); choose another with tagflow org use.\n", active)
			}
			if g.output == "json" {
				return printJSON(map[string]any{"orgs": orgs, "active": active, "home": home})
			}
			for _, o := range orgs {
				mark := " "
				if o == active {
					mark = "*"
				}
				fmt.Printf("%s %s\n", mark, o)
			}
			return nil
		},
	}
}

func newOrgUse(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "use NAME",
		Short: "Make NAME the org later commands act in (saved in the config file)",
		Long: `Check that you belong to org NAME and save it as the active org in the CLI's config
file (mode 0600): later commands send it as X-Tagflow-Org. --org and TAGFLOW_ORG still win
over it for one command.`,
		Example: "tagflow org use acme",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			orgs, _, _, err := myOrgs(g)
			if err != nil {
				return err
			}
			if !slices.Contains(orgs, name) {
				return usageErr("you do not belong to an org %q; yours are %v (tagflow org list)", name, orgs)
			}
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			cfg.Org = name
			if err := saveConfig(cfg); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"org": name})
			}
			fmt.Printf("Now acting in org %s.\n", name)
			return nil
		},
	}
}

func newOrgCreate(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "create NAME",
		Short: "Create an org (MANAGE on the active org); you become its admin",
		Long: `Create org NAME (letters, digits and _ - . @, as a principal's name). It needs MANAGE on
the active org. You become a member of the new org holding the admin role on *; switch to
it with tagflow org use NAME.`,
		Example: "tagflow org create research",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ CreateOrg string }
			if err := c.query(`mutation($n: String!) { createOrg(name: $n) }`, map[string]any{"n": args[0]}, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"org": out.CreateOrg})
			}
			fmt.Printf("Created org %s; you are its admin (tagflow org use %s to act in it).\n", out.CreateOrg, out.CreateOrg)
			return nil
		},
	}
}

func newOrgMember(g *globals, add bool) *cobra.Command {
	use, short, field := "add-member ORG USER", "Make a user of the active org a member of ORG (MANAGE on ORG)", "addOrgMember"
	long := `Make USER (user:NAME, a user of the active org) a member of ORG: a principal user:NAME
there that signs in with its own tokens. It needs MANAGE on ORG; its rights there come from
ORG's grants only (grant it roles there).`
	example := "tagflow org add-member research user:jane@acme"
	if !add {
		use, short, field = "remove-member ORG USER", "Remove a member from ORG, with its grants there (MANAGE on ORG)", "removeOrgMember"
		long = `Remove USER (user:NAME, a member of ORG from another org) from ORG, with its grants there.
It needs MANAGE on ORG. A user of ORG itself is deleted with tagflow principal delete.`
		example = "tagflow org remove-member research user:jane@acme"
	}
	return &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out map[string]bool
			if err := c.query(`mutation($o: String!, $u: String!) { `+field+`(org: $o, user: $u) }`,
				map[string]any{"o": args[0], "u": args[1]}, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"org": args[0], "user": args[1], "member": add})
			}
			if add {
				fmt.Printf("%s is a member of org %s.\n", args[1], args[0])
			} else {
				fmt.Printf("Removed %s from org %s.\n", args[1], args[0])
			}
			return nil
		},
	}
}
