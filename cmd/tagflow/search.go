package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// listedAsset is one asset of a search or a listing.
type listedAsset struct {
	Path    string   `json:"path"`
	Kind    string   `json:"kind"`
	Tags    []string `json:"tags"`
	Cancels []string `json:"cancels"`
	Owner   *string  `json:"owner"`
}

const listedFields = "path kind tags cancels owner"

type assetPage struct {
	TotalCount int           `json:"totalCount"`
	Nodes      []listedAsset `json:"nodes"`
	PageInfo   struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	} `json:"pageInfo"`
}

const pageFields = `totalCount nodes { ` + listedFields + ` } pageInfo { hasNextPage endCursor }`

var assetKinds = []string{"DATASET", "FIELD", "FEATURESET", "FEATURE"}

func newSearch(g *globals) *cobra.Command {
	var branch, kind, owner string
	var tags []string
	var limit int
	cmd := &cobra.Command{
		Use:   "search [TEXT]",
		Short: "Find datasets, fields, featuresets and features by text, kind, tag and owner",
		Long: `Find the assets of a branch that match every filter given: TEXT in the path or the
description (ignoring case), --kind, every --tag present (tagflow search --tag PII --kind
FIELD lists every PII column), --owner (a field's owner is its dataset's). Results are
sorted by path; --limit 0 shows them all.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr("tagflow search takes at most one TEXT (quote text with spaces), not %d", len(args))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if limit < 0 {
				return usageErr("--limit must be 0 (no limit) or more, not %d", limit)
			}
			vars := map[string]any{"b": branch}
			if len(args) == 1 {
				vars["t"] = args[0]
			}
			if kind != "" {
				k := strings.ToUpper(kind)
				if !slices.Contains(assetKinds, k) {
					return usageErr("--kind must be one of %s, not %q", strings.Join(assetKinds, ", "), kind)
				}
				vars["k"] = k
			}
			if len(tags) > 0 {
				vars["tags"] = tags
			}
			if owner != "" {
				vars["o"] = owner
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var found []listedAsset
			total := 0
			for {
				first := 1000
				if limit > 0 {
					first = min(first, limit-len(found))
				}
				vars["n"] = first
				var out struct{ Search assetPage }
				if err := c.query(`query($b: String, $t: String, $k: AssetKind, $tags: [String!], $o: String, $n: Int, $a: String) {
  search(branch: $b, text: $t, kind: $k, tags: $tags, owner: $o, first: $n, after: $a) { `+pageFields+` } }`, vars, &out); err != nil {
					return err
				}
				found = append(found, out.Search.Nodes...)
				total = out.Search.TotalCount
				if !out.Search.PageInfo.HasNextPage || (limit > 0 && len(found) >= limit) || len(out.Search.Nodes) == 0 {
					break
				}
				vars["a"] = *out.Search.PageInfo.EndCursor
			}
			if found == nil {
				found = []listedAsset{}
			}
			if g.output == "json" {
				return printJSON(map[string]any{"totalCount": total, "nodes": found})
			}
			if total == 0 {
				fmt.Printf("No assets on %s match.\n", branch)
				return nil
			}
			printListed(os.Stdout, found, true)
			if len(found) < total {
				fmt.Printf("... %d of %d shown (--limit 0 shows all)\n", len(found), total)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&branch, "branch", "b", "main", "the branch to search")
	f.StringVar(&kind, "kind", "", "only assets of this kind: DATASET, FIELD, FEATURESET or FEATURE")
	f.StringArrayVar(&tags, "tag", nil, "only assets that have this tag (repeat for several: all must be present)")
	f.StringVar(&owner, "owner", "", "only assets of this owner (team:data, user:jane)")
	f.IntVar(&limit, "limit", 100, "show at most this many (0: all)")
	return cmd
}

func newLs(g *globals) *cobra.Command {
	var branch string
	cmd := &cobra.Command{
		Use:   "ls [PREFIX]",
		Short: "List the datasets and featuresets whose path starts with PREFIX",
		Long: `List the datasets and featuresets of a branch whose path starts with PREFIX (the raw
start of the path: "data/" lists a namespace, "Us" lists User and UserFeatures), sorted by
path, with their tags.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr("tagflow ls takes at most one PREFIX, not %d", len(args))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			prefix := ""
			if len(args) == 1 {
				prefix = args[0]
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var all []listedAsset
			for _, field := range []string{"datasets", "featuresets"} {
				vars := map[string]any{"b": branch, "p": prefix}
				for {
					var out map[string]assetPage
					if err := c.query(`query($b: String, $p: String, $a: String) { `+field+`(branch: $b, prefix: $p, first: 1000, after: $a) { `+pageFields+` } }`, vars, &out); err != nil {
						return err
					}
					page := out[field]
					all = append(all, page.Nodes...)
					if !page.PageInfo.HasNextPage || page.PageInfo.EndCursor == nil {
						break
					}
					vars["a"] = *page.PageInfo.EndCursor
				}
			}
			sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
			if all == nil {
				all = []listedAsset{}
			}
			if g.output == "json" {
				return printJSON(all)
			}
			if len(all) == 0 {
				if prefix == "" {
					fmt.Printf("No datasets or featuresets on %s.\n", branch)
				} else {
					fmt.Printf("No datasets or featuresets on %s start with %q.\n", branch, prefix)
				}
				return nil
			}
			printListed(os.Stdout, all, false)
			return nil
		},
	}
	cmd.Flags().StringVarP(&branch, "branch", "b", "main", "the branch to list")
	return cmd
}

// printListed prints assets one a line: path, kind, tags (and owner if asked).
func printListed(w io.Writer, assets []listedAsset, withOwner bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if withOwner {
		fmt.Fprintln(tw, "PATH\tKIND\tTAGS\tOWNER")
	} else {
		fmt.Fprintln(tw, "PATH\tKIND\tTAGS")
	}
	for _, a := range assets {
		if withOwner {
			owner := "-"
			if a.Owner != nil {
				owner = *a.Owner
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Path, lowerKind(a.Kind), tagList(a.Tags, a.Cancels), owner)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", a.Path, lowerKind(a.Kind), tagList(a.Tags, a.Cancels))
		}
	}
	tw.Flush()
}
