package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

const assetQuery = `query($p: String!, $b: String) { asset(path: $p, branch: $b) {
  path kind tags cancels owner description
  ... on Dataset { fields { name type key tags cancels description } pipeline { inputs columns { field from } } }
  ... on Featureset { features { name type from tags cancels description } }
  ... on Field { name type key dataset }
  ... on Feature { name type from featureset }
} }`

type member struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Key         bool     `json:"key"`
	From        []string `json:"from"`
	Tags        []string `json:"tags"`
	Cancels     []string `json:"cancels"`
	Description *string  `json:"description"`
}

type assetInfo struct {
	Path        string   `json:"path"`
	Kind        string   `json:"kind"`
	Tags        []string `json:"tags"`
	Cancels     []string `json:"cancels"`
	Owner       *string  `json:"owner"`
	Description *string  `json:"description"`
	Fields      []member `json:"fields,omitempty"`
	Features    []member `json:"features,omitempty"`
	Pipeline    *struct {
		Inputs  []string `json:"inputs"`
		Columns []struct {
			Field string   `json:"field"`
			From  []string `json:"from"`
		} `json:"columns"`
	} `json:"pipeline,omitempty"`
	Name       string   `json:"name,omitempty"`
	Type       string   `json:"type,omitempty"`
	Key        bool     `json:"key,omitempty"`
	From       []string `json:"from,omitempty"`
	Dataset    string   `json:"dataset,omitempty"`
	Featureset string   `json:"featureset,omitempty"`
}

func newGet(g *globals) *cobra.Command {
	var branch string
	cmd := &cobra.Command{
		Use:     "get PATH",
		Short:   "Show a dataset, field (Ds.col), featureset or feature",
		Example: "tagflow get User\ntagflow get User.city --branch dev",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Asset *assetInfo }
			if err := c.query(assetQuery, map[string]any{"p": args[0], "b": branch}, &out); err != nil {
				return err
			}
			if out.Asset == nil {
				return &exitError{code: exitRefused, err: &refusal{Code: "NOT_FOUND", Message: fmt.Sprintf("%s does not exist on branch %s", args[0], branch)}}
			}
			if g.output == "json" {
				return printJSON(out.Asset)
			}
			printAsset(os.Stdout, out.Asset)
			return nil
		},
	}
	cmd.Flags().StringVarP(&branch, "branch", "b", "main", "the branch to read")
	return cmd
}

func tagList(tags, cancels []string) string {
	parts := append([]string{}, tags...)
	for _, c := range cancels {
		parts = append(parts, "~"+c)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func printAsset(w io.Writer, a *assetInfo) {
	fmt.Fprintf(w, "%s  (%s)\n", a.Path, strings.ToLower(a.Kind))
	if a.Description != nil {
		fmt.Fprintf(w, "  %s\n", *a.Description)
	}
	if a.Owner != nil {
		fmt.Fprintf(w, "owner:  %s\n", *a.Owner)
	}
	fmt.Fprintf(w, "tags:   %s\n", tagList(a.Tags, a.Cancels))
	if a.Type != "" {
		fmt.Fprintf(w, "type:   %s\n", a.Type)
	}
	if a.Key {
		fmt.Fprintln(w, "key:    yes")
	}
	if len(a.From) > 0 {
		fmt.Fprintf(w, "from:   %s\n", strings.Join(a.From, ", "))
	}
	if p := a.Pipeline; p != nil {
		fmt.Fprintf(w, "inputs: %s\n", strings.Join(p.Inputs, ", "))
		if p.Columns != nil {
			fmt.Fprintln(w, "column lineage:")
			for _, c := range p.Columns {
				fmt.Fprintf(w, "  %s <- %s\n", c.Field, strings.Join(c.From, ", "))
			}
		} else {
			fmt.Fprintln(w, "column lineage: none declared (every input field is a parent)")
		}
	}
	members, head := a.Fields, "FIELD\tTYPE\tKEY\tTAGS"
	if a.Kind == "FEATURESET" {
		members, head = a.Features, "FEATURE\tTYPE\tFROM\tTAGS"
	}
	if len(members) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, head)
	for _, m := range members {
		third := ""
		if a.Kind == "FEATURESET" {
			third = strings.Join(m.From, ", ")
		} else if m.Key {
			third = "key"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Name, m.Type, third, tagList(m.Tags, m.Cancels))
	}
	tw.Flush()
}
