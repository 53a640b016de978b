package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// grantInfo is a Grant as the API answers it.
type grantInfo struct {
	Principal string `json:"principal"`
	Role      string `json:"role"`
	Scope     string `json:"scope"`
	CreatedAt string `json:"createdAt"`
}

const grantFields = "principal role scope createdAt"

const scopeHelp = `SCOPE is * (the org), a prefix ns/**, one asset path (a dataset's grant covers its
fields), or a template ${user}/** or ${team}/** (quote it for the shell).`

func newGrant(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "grant PRINCIPAL ROLE SCOPE", Short: "Grant a role on a scope to a principal (MANAGE)",
		Long: "Grant ROLE (built in or custom) on SCOPE to PRINCIPAL, a reference such as team:data.\n" +
			"Granting what is granted already changes nothing.\n\n" + scopeHelp,
		Example: "tagflow grant team:data analyst 'data/**'\ntagflow grant org:acme editor '${user}/**'",
		Args:    cobra.ExactArgs(3),
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Grant grantInfo }
			if err := c.query(`mutation($p: String!, $r: String!, $s: String!) { grant(principal: $p, role: $r, scope: $s) { `+grantFields+` } }`,
				map[string]any{"p": args[0], "r": args[1], "s": args[2]}, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(out.Grant)
			}
			fmt.Printf("Granted %s on %s to %s.\n", out.Grant.Role, out.Grant.Scope, out.Grant.Principal)
			return nil
		},
	}
}

func newRevoke(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "revoke PRINCIPAL ROLE SCOPE", Short: "Revoke a grant (MANAGE)",
		Long:    "Revoke the grant of ROLE on SCOPE to PRINCIPAL. A grant that does not exist is refused (exit 2, NOT_FOUND).\n\n" + scopeHelp,
		Example: "tagflow revoke team:data analyst 'data/**'",
		Args:    cobra.ExactArgs(3),
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Revoke bool }
			if err := c.query(`mutation($p: String!, $r: String!, $s: String!) { revoke(principal: $p, role: $r, scope: $s) }`,
				map[string]any{"p": args[0], "r": args[1], "s": args[2]}, &out); err != nil {
				return err
			}
			if !out.Revoke {
				return &exitError{code: exitRefused, err: &refusal{Code: "NOT_FOUND",
					Message: fmt.Sprintf("%s holds no grant of %s on %s; nothing was revoked", args[0], args[1], args[2])}}
			}
			if g.output == "json" {
				return printJSON(map[string]any{"revoked": grantInfo{Principal: args[0], Role: args[1], Scope: args[2]}})
			}
			fmt.Printf("Revoked %s on %s from %s.\n", args[1], args[2], args[0])
			return nil
		},
	}
}

func newGrants(g *globals) *cobra.Command {
	var principal, scope string
	cmd := &cobra.Command{
		Use: "grants", Short: "List the grants of the org, sorted by principal, role and scope (MANAGE)",
		Example: "tagflow grants --principal team:data\ntagflow grants --scope '*'",
		Args:    cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			vars := map[string]any{}
			if principal != "" {
				vars["p"] = principal
			}
			if scope != "" {
				vars["s"] = scope
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Grants []grantInfo }
			if err := c.query(`query($p: String, $s: String) { grants(principal: $p, scope: $s) { `+grantFields+` } }`, vars, &out); err != nil {
				return err
			}
			if out.Grants == nil {
				out.Grants = []grantInfo{}
			}
			if g.output == "json" {
				return printJSON(out.Grants)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PRINCIPAL\tROLE\tSCOPE\tCREATED")
			for _, gr := range out.Grants {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", gr.Principal, gr.Role, gr.Scope, gr.CreatedAt)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&principal, "principal", "", "only the grants of this principal (a reference, e.g. team:data)")
	cmd.Flags().StringVar(&scope, "scope", "", "only the grants on exactly this scope")
	return cmd
}
