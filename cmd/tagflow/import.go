package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/tagflow/tagflow/catalog/importer"
	"github.com/tagflow/tagflow/catalog/importer/dbt"
	"github.com/tagflow/tagflow/catalog/importer/openlineage"
)

// tagflow import: metadata of other tools in (DESIGN §8). OpenLineage events go to the
// server's POST /api/v1/lineage, so that a file import and events that pipelines post one
// by one share one merge state; a dbt manifest is translated here and deployed through
// POST /api/v1/deploy like any document.

func newImport(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import OpenLineage events or a dbt manifest",
	}
	cmd.AddCommand(newImportOpenLineage(g), newImportDBT(g))
	return cmd
}

func newImportOpenLineage(g *globals) *cobra.Command {
	var branch string
	var dryRun, print bool
	cmd := &cobra.Command{
		Use:   "openlineage FILE|-",
		Short: "Send OpenLineage run events (a JSON object, an array or JSON lines) to a branch",
		Long: `Send OpenLineage run events to the server, which validates them against the OpenLineage
schema, merges them with every event the branch accepted before (per job, in any order,
duplicates once) and deploys what they change: all the events of the file or none.
--print translates the file alone, locally, and prints the document; nothing is sent.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readDoc(args[0])
			if err != nil {
				return err
			}
			if print {
				res, err := openlineage.Translate(bytes.NewReader(data), openlineage.Options{})
				if err != nil {
					return &exitError{code: exitRefused, err: fmt.Errorf("%s: %v", args[0], err)}
				}
				return printImported(g, res)
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			q := url.Values{"branch": {branch}, "dryRun": {strconv.FormatBool(dryRun)}}
			raw, err := post(c, "/api/v1/lineage?"+q.Encode(), "application/json", data, dryRun, g, branch)
			if err != nil {
				return err
			}
			var out struct {
				Accepted int             `json:"accepted"`
				New      int             `json:"new"`
				Deploy   json.RawMessage `json:"deploy"`
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				return &exitError{code: exitRefused, err: fmt.Errorf("unexpected answer: %.200s", raw)}
			}
			if g.output == "json" {
				return printJSON(json.RawMessage(raw))
			}
			fmt.Fprintf(os.Stdout, "%s accepted, %d new.\n", plural(out.Accepted, "event"), out.New)
			return printDeployAnswer(g, out.Deploy, branch, dryRun)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&branch, "branch", "b", "main", "the branch to import to")
	f.BoolVar(&dryRun, "dry-run", false, "plan only: show what the events would change, write nothing")
	f.BoolVar(&print, "print", false, "print the translated document (YAML) and send nothing")
	return cmd
}

func newImportDBT(g *globals) *cobra.Command {
	var branch, namespace string
	var mapTags []string
	var dryRun, prune, print bool
	cmd := &cobra.Command{
		Use:   "dbt target/manifest.json",
		Short: "Import a dbt manifest: models, seeds, snapshots and sources as datasets",
		Long: `Translate a dbt manifest (what dbt compile writes to target/manifest.json) and deploy it.
In CI, after dbt compile:  tagflow import dbt target/manifest.json --namespace dbt/shop --prune
--prune removes the datasets under --namespace that the manifest no longer has (models
deleted from the project); a re-import of an unchanged manifest answers "no changes".
--map-tag pii=PII renames a dbt tag (compared case-insensitively); repeat it for more.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if prune && namespace == "" {
				return usageErr("--prune needs --namespace: prune removes what the manifest no longer lists under that namespace only")
			}
			opts := dbt.Options{Namespace: namespace}
			for _, m := range mapTags {
				from, to, err := dbt.ParseMapTag(m)
				if err != nil {
					return usageErr("--map-tag: %v", err)
				}
				if opts.MapTags == nil {
					opts.MapTags = map[string]string{}
				}
				opts.MapTags[from] = to
			}
			var r io.Reader = os.Stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return usageErr("read %s: %v", args[0], err)
				}
				defer f.Close()
				r = f
			}
			res, err := dbt.Translate(r, opts)
			if err != nil {
				return &exitError{code: exitRefused, err: fmt.Errorf("%s: %v", args[0], err)}
			}
			if print {
				return printImported(g, res)
			}
			printNotes(res.Notes)
			doc, err := importer.YAML(res.Document)
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			q := url.Values{"branch": {branch}, "dryRun": {strconv.FormatBool(dryRun)}, "prune": {strconv.FormatBool(prune)}}
			raw, err := post(c, "/api/v1/deploy?"+q.Encode(), "application/yaml", doc, dryRun, g, branch)
			if err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(json.RawMessage(raw))
			}
			return printDeployAnswer(g, raw, branch, dryRun)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&branch, "branch", "b", "main", "the branch to import to")
	f.StringVar(&namespace, "namespace", "", "put every dataset under NS/ (needed by --prune)")
	f.BoolVar(&prune, "prune", false, "remove datasets under --namespace that the manifest no longer has")
	f.StringArrayVar(&mapTags, "map-tag", nil, "rename a dbt tag: from=to (pii=PII); repeatable")
	f.BoolVar(&dryRun, "dry-run", false, "plan only: show what would change, write nothing")
	f.BoolVar(&print, "print", false, "print the translated document (YAML) and deploy nothing")
	return cmd
}

// post sends an import's body and returns the answer; a refused dry run still prints the
// problems of its plan, as tagflow deploy --dry-run does.
func post(c *client, path, contentType string, body []byte, dryRun bool, g *globals, branch string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, usageErr("%v", err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", contentType)
	raw, _, err := c.do(req)
	var r *refusal
	if dryRun && g.output != "json" && errors.As(err, &r) && r.Code == "INVALID_DEFINITION" {
		printDeploy(os.Stdout, &deployResult{Errors: r.Problems}, branch, dryRun)
	}
	return raw, err
}

func printDeployAnswer(g *globals, raw []byte, branch string, dryRun bool) error {
	var res deployResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return &exitError{code: exitRefused, err: fmt.Errorf("unexpected answer: %.200s", raw)}
	}
	printDeploy(os.Stdout, &res, branch, dryRun)
	printWarnings(os.Stderr, res.Warnings)
	if len(res.Errors) > 0 {
		return &exitError{code: exitRefused, err: fmt.Errorf("the plan has %s", plural(len(res.Errors), "problem"))}
	}
	return nil
}

// printImported prints a translated document (YAML, or JSON with -o json) on stdout and its
// notes on stderr.
func printImported(g *globals, res *importer.Result) error {
	printNotes(res.Notes)
	var out []byte
	var err error
	if g.output == "json" {
		out, err = importer.JSON(res.Document)
	} else {
		out, err = importer.YAML(res.Document)
	}
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}

func printNotes(notes []importer.Note) {
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, "note: "+n.String())
	}
}
