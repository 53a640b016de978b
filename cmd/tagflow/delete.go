package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

const deleteAssetsMutation = `mutation($p: [String!]!, $b: String, $dry: Boolean) {
  deleteAssets(paths: $p, branch: $b, dryRun: $dry) { changed added changedAssets removed tagChanges { path added removed } tagChangeCount errors { asset message line } version } }`

func newDelete(g *globals) *cobra.Command {
	var branch string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "delete PATH...",
		Short: "Delete datasets and featuresets, with their fields and features, from a branch",
		Long: `Delete datasets and featuresets, with their fields and features and their stewards'
tags, from a branch, in one commit. It is refused, and nothing is deleted, while an asset
that stays still reads one of them (delete the readers in the same command, or deploy them
without the reference). A field or feature is dropped by deploying its dataset or
featureset without it. --dry-run shows what would be deleted.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("tagflow delete needs the paths of the datasets or featuresets to delete")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct {
				DeleteAssets json.RawMessage `json:"deleteAssets"`
			}
			if err := c.query(deleteAssetsMutation, map[string]any{"p": args, "b": branch, "dry": dryRun}, &out); err != nil {
				return err
			}
			var res deployResult
			if err := json.Unmarshal(out.DeleteAssets, &res); err != nil {
				return &exitError{code: exitRefused, err: fmt.Errorf("unexpected answer: %.200s", out.DeleteAssets)}
			}
			if g.output == "json" {
				if err := printJSON(out.DeleteAssets); err != nil {
					return err
				}
			} else {
				printDelete(os.Stdout, &res, branch, dryRun)
			}
			if len(res.Errors) > 0 {
				return &exitError{code: exitRefused, err: fmt.Errorf("the deletion has %s", plural(len(res.Errors), "problem"))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&branch, "branch", "b", "main", "the branch to delete from")
	f.BoolVar(&dryRun, "dry-run", false, "plan only: show what would be deleted, delete nothing")
	return cmd
}

// printDelete prints a deletion's result the way printDeploy prints a deploy's.
func printDelete(w io.Writer, r *deployResult, branch string, dryRun bool) {
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "The deletion has %s; nothing would be deleted:\n", plural(len(r.Errors), "problem"))
		for _, p := range r.Errors {
			fmt.Fprintln(w, "  "+p.String())
		}
		return
	}
	if dryRun {
		fmt.Fprintf(w, "Plan for %s: %d removed.\n", branch, len(r.Removed))
	} else {
		fmt.Fprintf(w, "Deleted from %s: %d removed (version %d).\n", branch, len(r.Removed), r.Version)
	}
	for _, p := range r.Removed {
		fmt.Fprintf(w, "  - %s\n", p)
	}
	printTagChanges(w, "Tag changes", r.TagChanges, r.TagChangeCount)
}
