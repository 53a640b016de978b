package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// impactPage is the page size the CLI asks Query.impact for.
const impactPage = 1000

// impactInfo is the answer of tagflow impact -o json.
type impactInfo struct {
	Path       string   `json:"path"`
	Branch     string   `json:"branch"`
	TotalCount int      `json:"totalCount"`
	Nodes      []string `json:"nodes"`
}

func newImpact(g *globals) *cobra.Command {
	var branch string
	cmd := &cobra.Command{
		Use:   "impact PATH",
		Short: "List every asset downstream of an asset (impact analysis)",
		Long: `List every dataset, field, featureset and feature downstream of an asset — everything
a change to it may affect, and everything its tags reach — sorted by path, one a line.
-o json prints {"path", "branch", "totalCount", "nodes"}.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			w := bufio.NewWriter(os.Stdout)
			defer w.Flush()
			info := impactInfo{Path: args[0], Branch: branch, Nodes: []string{}}
			var after any // null: the first page
			for page := 0; ; page++ {
				var out struct {
					Impact struct {
						TotalCount int      `json:"totalCount"`
						Nodes      []string `json:"nodes"`
						PageInfo   struct {
							HasNextPage bool    `json:"hasNextPage"`
							EndCursor   *string `json:"endCursor"`
						} `json:"pageInfo"`
					} `json:"impact"`
				}
				if err := c.query(`query($p: String!, $b: String, $n: Int, $a: String) {
  impact(path: $p, branch: $b, first: $n, after: $a) { totalCount nodes pageInfo { hasNextPage endCursor } } }`,
					map[string]any{"p": args[0], "b": branch, "n": impactPage, "a": after}, &out); err != nil {
					return err
				}
				im := out.Impact
				if page == 0 {
					info.TotalCount = im.TotalCount
					if g.output == "text" {
						switch im.TotalCount {
						case 0:
							fmt.Fprintf(w, "Nothing is downstream of %s on %s.\n", args[0], branch)
						default:
							fmt.Fprintf(w, "%s downstream of %s on %s:\n", plural(im.TotalCount, "asset"), args[0], branch)
						}
					}
				}
				if g.output == "json" {
					info.Nodes = append(info.Nodes, im.Nodes...)
				} else {
					for _, n := range im.Nodes {
						fmt.Fprintln(w, "  "+n)
					}
				}
				if !im.PageInfo.HasNextPage || im.PageInfo.EndCursor == nil {
					break
				}
				after = *im.PageInfo.EndCursor
			}
			if g.output == "json" {
				w.Flush()
				return printJSON(info)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&branch, "branch", "b", "main", "the branch to read")
	return cmd
}
