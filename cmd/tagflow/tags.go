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

// tagStop is a declaring asset whose tag stops on its way: where, and why.
type tagStop struct {
	Source string   `json:"source"`
	At     string   `json:"at"`
	Path   []string `json:"path"`
	Reason string   `json:"reason"`
}

// explanation is Query.explainTag's answer, with the question.
type explanation struct {
	Path        string    `json:"path"`
	Tag         string    `json:"tag"`
	Branch      string    `json:"branch"`
	Present     bool      `json:"present"`
	Sources     []tagPath `json:"sources"`
	CancelledBy []string  `json:"cancelledBy"`
	Stopped     []tagStop `json:"stopped"`
}

func newExplain(g *globals) *cobra.Command {
	var branch string
	cmd := &cobra.Command{
		Use:   "explain PATH TAG",
		Short: "Say why an asset has, or does not have, a tag",
		Long: `Say why an asset has, or does not have, a tag: the assets that declare it, each with
one path along which it arrives, the assets whose ~TAG cancels it, and every other asset
that declares it and whose path to this one stops: at a ~TAG with negation NODE, where a
cancellation meets a fail-closed edge, or where a tag that does not propagate meets a
derivation edge.

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
			if err := c.query(`query($p: String!, $t: String!, $b: String) { explainTag(path: $p, tag: $t, branch: $b) { present sources { source path } cancelledBy stopped { source at path reason } } }`,
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
	case len(e.Sources) > 0, len(e.Stopped) > 0:
		fmt.Fprintf(w, "%s does not have %s.\n", e.Path, e.Tag)
		sources("would arrive from")
	default:
		fmt.Fprintf(w, "%s does not have %s: no source reaches it.\n", e.Path, e.Tag)
	}
	for _, s := range e.Stopped {
		fmt.Fprintf(w, "  would arrive from %s, stopped at %s%s: %s\n", s.Source, s.At, stopWhy(s.Reason, e.Tag), strings.Join(s.Path, " -> "))
	}
}

// stopWhy says why a tag stops at a node, after "stopped at NODE".
func stopWhy(reason, tag string) string {
	switch reason {
	case "NODE_NEGATION":
		return " by its ~" + tag + " (NODE)"
	case "NOT_PROPAGATED":
		return " (" + tag + " does not propagate)"
	case "FAIL_CLOSED":
		return " (a cancellation does not travel fail-closed edges)"
	}
	return ""
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
	Path         string       `json:"path"`
	Kind         string       `json:"kind"`
	Tags         []string     `json:"tags"`
	Cancels      []string     `json:"cancels"`
	DeclaredTags []string     `json:"declaredTags"`
	StewardTags  []string     `json:"stewardTags"`
	WriteReport  *writeReport `json:"writeReport,omitempty"`
}

// writeReport is what a write changed: Asset.writeReport on setTags' answer.
type writeReport struct {
	TagChanges     []tagChange `json:"tagChanges"`
	TagChangeCount int         `json:"tagChangeCount"`
	Warnings       []string    `json:"warnings"`
}

// branchTagChanges is what a defineTag changed on one branch.
type branchTagChanges struct {
	Branch         string      `json:"branch"`
	TagChanges     []tagChange `json:"tagChanges"`
	TagChangeCount int         `json:"tagChangeCount"`
}

type tagDefinition struct {
	Name        string              `json:"name"`
	Description *string             `json:"description"`
	Propagate   bool                `json:"propagate"`
	Negation    string              `json:"negation"`
	Changes     *[]branchTagChanges `json:"changes,omitempty"`
}

// tagChangesFirst is how many tag changes to ask a write for: what the text shows, or
// with -o json all the server answers.
func (g *globals) tagChangesFirst() int {
	if g.output == "json" {
		return maxJSONTagChanges
	}
	return 50
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
			if err := c.query(`mutation($p: String!, $t: [String!]!, $b: String, $n: Int) { setTags(path: $p, tags: $t, branch: $b) { path kind tags cancels declaredTags stewardTags
  writeReport { tagChangeCount warnings tagChanges(first: $n) { path added removed } } } }`,
				map[string]any{"p": args[0], "t": tags, "b": branch, "n": g.tagChangesFirst()}, &out); err != nil {
				return err
			}
			a := out.SetTags
			rep := a.WriteReport
			if rep == nil {
				rep = &writeReport{}
			}
			defer printWarnings(os.Stderr, rep.Warnings)
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
			printTagChanges(os.Stdout, "Tag changes", rep.TagChanges, rep.TagChangeCount)
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
			if err := c.query(`mutation($n: String!, $d: String, $p: Boolean, $g: Negation, $f: Int) { defineTag(name: $n, description: $d, propagate: $p, negation: $g) { `+tagDefinitionFields+`
  changes { branch tagChangeCount tagChanges(first: $f) { path added removed } } } }`,
				map[string]any{"n": args[0], "d": desc, "p": !noPropagate, "g": neg, "f": g.tagChangesFirst()}, &out); err != nil {
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
			if d.Changes != nil {
				for _, b := range *d.Changes {
					if b.TagChangeCount == 0 {
						fmt.Printf("No tag changes on %s.\n", b.Branch)
						continue
					}
					printTagChanges(os.Stdout, "Tag changes on "+b.Branch, b.TagChanges, b.TagChangeCount)
				}
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

// tagUsage is one tag of Query.tagUsage: its definition and how much it is used.
type tagUsage struct {
	Name        string  `json:"name"`
	Defined     bool    `json:"defined"`
	Declared    int     `json:"declared"`
	Cancelled   int     `json:"cancelled"`
	Present     int     `json:"present"`
	Propagate   bool    `json:"propagate"`
	Negation    string  `json:"negation"`
	Description *string `json:"description"`
}

func newTagsList(g *globals) *cobra.Command {
	var branch string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the tags defined or in use, with counts and settings",
		Long: `List every tag defined with tags define or in use on the branch, sorted by name: whether
it is defined (a tag only in use has the defaults), on how many assets it is declared (t),
cancelled (~t) and present, and its settings.`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ TagUsage []tagUsage }
			if err := c.query(`query($b: String) { tagUsage(branch: $b) { name defined declared cancelled present propagate negation description } }`,
				map[string]any{"b": branch}, &out); err != nil {
				return err
			}
			if out.TagUsage == nil {
				out.TagUsage = []tagUsage{}
			}
			if g.output == "json" {
				return printJSON(out.TagUsage)
			}
			if len(out.TagUsage) == 0 {
				fmt.Printf("No tags are defined or in use on %s.\n", branch)
				return nil
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TAG\tDEFINED\tDECLARED\tCANCELLED\tPRESENT\tPROPAGATE\tNEGATION\tDESCRIPTION")
			for _, u := range out.TagUsage {
				def, prop, desc := "yes", "yes", "-"
				if !u.Defined {
					def = "no"
				}
				if !u.Propagate {
					prop = "no"
				}
				if u.Description != nil {
					desc = *u.Description
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", u.Name, def, u.Declared, u.Cancelled, u.Present, prop, u.Negation, desc)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&branch, "branch", "b", "main", "the branch whose use of tags to count")
	return cmd
}
