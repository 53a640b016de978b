package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

type branchInfo struct {
	Name       string  `json:"name"`
	From       *string `json:"from"`
	Version    int     `json:"version"`
	AssetCount int     `json:"assetCount"`
	UpdatedAt  string  `json:"updatedAt"`
}

const branchFields = "name from version assetCount updatedAt"

func newBranch(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "branch", Short: "Create, list and delete branches"}
	var from string
	create := &cobra.Command{
		Use: "create NAME", Short: "Create a branch as a copy of another (default main)", Args: cobra.ExactArgs(1),
		Example: "tagflow branch create dev\ntagflow branch create dev/jane --from dev",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ CreateBranch branchInfo }
			if err := c.query(`mutation($n: String!, $f: String) { createBranch(name: $n, from: $f) { `+branchFields+` } }`,
				map[string]any{"n": args[0], "f": from}, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(out.CreateBranch)
			}
			fmt.Printf("Created branch %s from %s (%d assets).\n", out.CreateBranch.Name, from, out.CreateBranch.AssetCount)
			return nil
		},
	}
	create.Flags().StringVar(&from, "from", "main", "the branch to copy")
	list := &cobra.Command{
		Use: "list", Short: "List branches", Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Branches []branchInfo }
			if err := c.query(`{ branches { `+branchFields+` } }`, nil, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(out.Branches)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "BRANCH\tFROM\tVERSION\tASSETS\tUPDATED")
			for _, b := range out.Branches {
				from := "-"
				if b.From != nil {
					from = *b.From
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", b.Name, from, b.Version, b.AssetCount, b.UpdatedAt)
			}
			return tw.Flush()
		},
	}
	del := &cobra.Command{
		Use: "delete NAME", Short: "Delete a branch (not main)", Args: cobra.ExactArgs(1),
		Example: "tagflow branch delete dev",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.query(`mutation($n: String!) { deleteBranch(name: $n) }`, map[string]any{"n": args[0]}, nil); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"deleted": args[0]})
			}
			fmt.Printf("Deleted branch %s.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, list, del)
	return cmd
}
