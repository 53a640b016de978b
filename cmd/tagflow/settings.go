package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

// settingsInfo is what tagflow settings prints with -o json.
type settingsInfo struct {
	ListNames bool `json:"listNames"`
}

func newSettings(g *globals) *cobra.Command {
	var listNames string
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Show or change the org's settings (MANAGE on the org)",
		Long: `Show the settings of the org, or change them with their flags (an unset flag keeps its
setting). --list-names=false keeps asset names private: a member lists and finds only the
assets it may read, and lineage, impact and explanations show the others as "(redacted)";
true (the default) lets every member list every name.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out settingsInfo
			if cmd.Flags().Changed("list-names") {
				v, err := strconv.ParseBool(listNames)
				if err != nil {
					return usageErr("--list-names must be true or false, not %q", listNames)
				}
				var res struct {
					S settingsInfo `json:"setOrgSettings"`
				}
				if err := c.query(`mutation($l: Boolean) { setOrgSettings(listNames: $l) { listNames } }`, map[string]any{"l": v}, &res); err != nil {
					return err
				}
				out = res.S
			} else {
				var res struct {
					S settingsInfo `json:"orgSettings"`
				}
				if err := c.query(`{ orgSettings { listNames } }`, nil, &res); err != nil {
					return err
				}
				out = res.S
			}
			if g.output == "json" {
				return printJSON(out)
			}
			fmt.Printf("list-names: %t\n", out.ListNames)
			return nil
		},
	}
	cmd.Flags().StringVar(&listNames, "list-names", "", "true: every member lists every asset name; false: only those it may read")
	return cmd
}
