package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// The commands of lineage and tags: explain, lineage, and tags set|define|list.

// tagsArgsNote is the help text about tags as command-line arguments, with an example.
func tagsArgsNote(example string) string {
	return `A tag that starts with "-" must follow "--", or it is read as a flag:
  ` + example + `
Quote "~t" in a shell ('~PII'): an unquoted ~name is the home directory of the user
"name" if there is one.`
}

// dashHint makes a flag error of a command that takes tags say how to pass a tag that
// starts with "-".
func dashHint(cmd *cobra.Command) *cobra.Command {
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageErr("%v (a tag that starts with \"-\" goes after --: %s ... -- -x)", err, cmd.CommandPath())
	})
	return cmd
}

type tagPath struct {
	Source string   `json:"source"`
	Path   []string `json:"path"`
}

// explanation is Query.explainTag's answer, with the question.
type explanation struct {
	Path        string    `json:"path"`
	Tag         string    `json:"tag"`
	Branch      string    `json:"branch"`
	Present     bool      `json:"present"`
	Sources     []tagPath `json:"sources"`
	CancelledBy []string  `json:"cancelledBy"`
}

func newExplain(g *globals) *cobra.Command {
	var branch string
	cmd := &cobra.Command{
		Use:   "explain PATH TAG",
		Short: "Say why an asset has, or does not have, a tag",
		Long: `Say why an asset has, or does not have, a tag: the assets that declare it, each with
one path along which it arrives, and the assets whose ~TAG cancels it.

` + tagsArgsNote("tagflow explain User.city -- -x"),
		Args: cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct {
				ExplainTag explanation `json:"explainTag"`
			}
			if err := c.query(`query($p: String!, $t: String!, $b: String) { explainTag(path: $p, tag: $t, branch: $b) { present sources { source path } cancelledBy } }`,
				map[string]any{"p": args[0], "t": args[1], "b": branch}, &out); err != nil {
				return err
			}
			e := &out.ExplainTag
			e.Path, e.Tag, e.Branch = args[0], args[1], branch
			if g.output == "json" {
				return printJSON(e)
			}
			printExplanation(os.Stdout, e)
			return nil
		},
	}
	cmd.Flags().StringVarP(&branch, "branch", "b", "main", "the branch to read")
	return dashHint(cmd)
}

func printExplanation(w io.Writer, e *explanation) {
	sources := func(lead string) {
		for _, s := range e.Sources {
			fmt.Fprintf(w, "  %s %s: %s\n", lead, s.Source, strings.Join(s.Path, " -> "))
		}
	}
	switch {
	case e.Present:
		fmt.Fprintf(w, "%s has %s.\n", e.Path, e.Tag)
		sources("from")
	case len(e.CancelledBy) > 0:
		fmt.Fprintf(w, "%s does not have %s (cancelled).\n", e.Path, e.Tag)
		sources("would arrive from")
		for _, c := range e.CancelledBy {
			fmt.Fprintf(w, "  cancelled by %s's ~%s\n", c, e.Tag)
		}
	case len(e.Sources) > 0:
		fmt.Fprintf(w, "%s does not have %s.\n", e.Path, e.Tag)
		sources("would arrive from")
	default:
		fmt.Fprintf(w, "%s does not have %s: no source reaches it.\n", e.Path, e.Tag)
	}
}

type lineageNode struct {
	Path    string   `json:"path"`
	Kind    string   `json:"kind"`
	Tags    []string `json:"tags"`
	Cancels []string `json:"cancels"`
}

type lineageEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Kind string `json:"kind"`
}

type lineageInfo struct {
	Nodes    []lineageNode `json:"nodes"`
	Edges    []lineageEdge `json:"edges"`
	Redacted []string      `json:"redacted"`
}

func newLineage(g *globals) *cobra.Command {
	var branch string
	var upstream, downstream, datasets bool
	var depth int
	cmd := &cobra.Command{
		Use:   "lineage PATH",
		Short: "Show the assets upstream or downstream of an asset, with their tags",
		Long: `Show the assets within --depth hops upstream or downstream (the default) of an asset,
with their tags, and the edges between them: containment (a dataset to its fields),
derivation (pipelines, column lineage, features' from) and fail-closed (every field of
an input of a pipeline without column lineage). --depth 0 is the asset alone.
--datasets folds fields and features into their datasets and featuresets.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if depth < 0 {
				return usageErr("--depth must be 0 or more, not %d", depth)
			}
			dir := "DOWNSTREAM"
			if upstream {
				dir = "UPSTREAM"
			}
			gran := "COLUMN"
			if datasets {
				gran = "DATASET"
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Lineage lineageInfo }
			if err := c.query(`query($p: String!, $b: String, $d: Direction!, $n: Int, $g: Granularity) {
  lineage(path: $p, branch: $b, direction: $d, depth: $n, granularity: $g) { nodes { path kind tags cancels } edges { from to kind } redacted } }`,
				map[string]any{"p": args[0], "b": branch, "d": dir, "n": depth, "g": gran}, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(out.Lineage)
			}
			fmt.Printf("Lineage of %s on %s (%s, depth %d", args[0], branch, strings.ToLower(dir), depth)
			if datasets {
				fmt.Print(", datasets")
			}
			fmt.Printf("): %s, %s.\n", plural(len(out.Lineage.Nodes), "node"), plural(len(out.Lineage.Edges), "edge"))
			printLineage(os.Stdout, &out.Lineage)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&branch, "branch", "b", "main", "the branch to read")
	f.BoolVar(&upstream, "upstream", false, "walk to what the asset is computed from")
	f.BoolVar(&downstream, "downstream", false, "walk to what is computed from the asset (the default)")
	f.IntVar(&depth, "depth", 1, "how many hops to walk (0: the asset alone)")
	f.BoolVar(&datasets, "datasets", false, "fold fields and features into their datasets and featuresets")
	cmd.MarkFlagsMutuallyExclusive("upstream", "downstream")
	return cmd
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// lowerKind is an API enum value as the text output shows it: FAIL_CLOSED is fail-closed.
func lowerKind(k string) string { return strings.ReplaceAll(strings.ToLower(k), "_", "-") }

func printLineage(w io.Writer, l *lineageInfo) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tKIND\tTAGS")
	for _, n := range l.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", n.Path, lowerKind(n.Kind), tagList(n.Tags, n.Cancels))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nEDGES")
	if len(l.Edges) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, e := range l.Edges {
		fmt.Fprintf(w, "  %s -> %s (%s)\n", e.From, e.To, lowerKind(e.Kind))
	}
	if len(l.Redacted) > 0 {
		fmt.Fprintln(w, "\nREDACTED (you may not read them; their edges are shown)")
		for _, p := range l.Redacted {
			fmt.Fprintln(w, "  "+p)
		}
	}
}

type taggedAsset struct {
	Path         string   `json:"path"`
	Kind         string   `json:"kind"`
	Tags         []string `json:"tags"`
	Cancels      []string `json:"cancels"`
	DeclaredTags []string `json:"declaredTags"`
	StewardTags  []string `json:"stewardTags"`
}

type tagDefinition struct {
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Propagate   bool    `json:"propagate"`
	Negation    string  `json:"negation"`
}

const tagDefinitionFields = "name description propagate negation"

func newTags(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tags",
		Short: "Set stewards' tags on assets, and define tags",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("unknown command %q for %q (set, define or list)", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newTagsSet(g), newTagsDefine(g), newTagsList(g))
	return cmd
}

func newTagsSet(g *globals) *cobra.Command {
	var branch string
	cmd := &cobra.Command{
		Use:   "set PATH [TAG...]",
		Short: "Set the steward tags of an asset (t or ~t); none clears them",
		Long: `Set the steward tags of a dataset, field, featureset or feature on one branch: the full
list of its steward declarations, each a tag (PII) or a cancellation (~PII). A steward's
declaration of a tag replaces the definition's (PII replaces a declared ~PII), and a
deploy never removes it. With no tags, the steward tags are cleared.

` + tagsArgsNote("tagflow tags set User.city -- -x"),
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			tags := append([]string{}, args[1:]...)
			var out struct{ SetTags taggedAsset }
			if err := c.query(`mutation($p: String!, $t: [String!]!, $b: String) { setTags(path: $p, tags: $t, branch: $b) { path kind tags cancels declaredTags stewardTags } }`,
				map[string]any{"p": args[0], "t": tags, "b": branch}, &out); err != nil {
				return err
			}
			a := out.SetTags
			if g.output == "json" {
				return printJSON(a)
			}
			if len(a.StewardTags) == 0 {
				fmt.Printf("Cleared the steward tags of %s on %s.\n", a.Path, branch)
			} else {
				fmt.Printf("Set the steward tags of %s on %s: %s.\n", a.Path, branch, strings.Join(a.StewardTags, ", "))
			}
			fmt.Printf("  tags:      %s\n", tagList(a.Tags, a.Cancels))
			fmt.Printf("  declared:  %s\n", listOrDash(a.DeclaredTags))
			fmt.Printf("  stewards:  %s\n", listOrDash(a.StewardTags))
			return nil
		},
	}
	cmd.Flags().StringVarP(&branch, "branch", "b", "main", "the branch to change")
	return dashHint(cmd)
}

func listOrDash(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}

func newTagsDefine(g *globals) *cobra.Command {
	var description, negation string
	var noPropagate bool
	cmd := &cobra.Command{
		Use:   "define NAME",
		Short: "Define a tag for the whole org: description, propagation and negation",
		Long: `Define a tag for the whole org and re-propagate it on every branch. Every setting is
set: one left out takes its default (propagates, negation DOWNSTREAM, no description).

--no-propagate keeps the tag on the assets that declare it and their fields.
--negation DOWNSTREAM (the default): a ~NAME declassifies everything computed from its
asset. --negation NODE: a ~NAME stops the tag at its asset only; where the tag also
arrives by another path it stays (use it for tags that must never be lost, like PII).`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			var neg any // null: the default
			switch n := strings.ToUpper(negation); n {
			case "":
			case "NODE", "DOWNSTREAM":
				neg = n
			default:
				return usageErr("--negation must be NODE or DOWNSTREAM, not %q", negation)
			}
			var desc any
			if description != "" {
				desc = description
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ DefineTag tagDefinition }
			if err := c.query(`mutation($n: String!, $d: String, $p: Boolean, $g: Negation) { defineTag(name: $n, description: $d, propagate: $p, negation: $g) { `+tagDefinitionFields+` } }`,
				map[string]any{"n": args[0], "d": desc, "p": !noPropagate, "g": neg}, &out); err != nil {
				return err
			}
			d := out.DefineTag
			if g.output == "json" {
				return printJSON(d)
			}
			fmt.Printf("Defined tag %s on every branch.\n", d.Name)
			if d.Propagate {
				fmt.Println("  propagate:  yes, down the lineage")
			} else {
				fmt.Println("  propagate:  no, it stays on the assets that declare it and their fields")
			}
			if d.Negation == "NODE" {
				fmt.Printf("  negation:   NODE, a ~%s stops it at that asset only\n", d.Name)
			} else {
				fmt.Printf("  negation:   DOWNSTREAM, a ~%s declassifies everything computed from its asset\n", d.Name)
			}
			if d.Description != nil {
				fmt.Printf("  description: %s\n", *d.Description)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&description, "description", "", "what the tag means")
	f.BoolVar(&noPropagate, "no-propagate", false, "keep the tag on the assets that declare it (and their fields)")
	f.StringVar(&negation, "negation", "", "how far a ~tag reaches: DOWNSTREAM (default) or NODE")
	return cmd
}

func newTagsList(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "List the tags defined with tags define", Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ TagDefinitions []tagDefinition }
			if err := c.query(`{ tagDefinitions { `+tagDefinitionFields+` } }`, nil, &out); err != nil {
				return err
			}
			if out.TagDefinitions == nil {
				out.TagDefinitions = []tagDefinition{}
			}
			if g.output == "json" {
				return printJSON(out.TagDefinitions)
			}
			if len(out.TagDefinitions) == 0 {
				fmt.Println("No tags are defined; every tag in use has the defaults (it propagates, negation DOWNSTREAM).")
				return nil
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TAG\tPROPAGATE\tNEGATION\tDESCRIPTION")
			for _, d := range out.TagDefinitions {
				prop, desc := "yes", "-"
				if !d.Propagate {
					prop = "no"
				}
				if d.Description != nil {
					desc = *d.Description
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, prop, d.Negation, desc)
			}
			return tw.Flush()
		},
	}
}
