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
	var batchBytes int
	cmd := &cobra.Command{
		Use:   "openlineage FILE|-",
		Short: "Send OpenLineage run events (a JSON object, an array or JSON lines) to a branch",
		Long: `Send OpenLineage run events to the server, which validates them against the OpenLineage
schema, merges them with every event the branch accepted before (per job, in any order,
duplicates once) and deploys what they change. The file is read one event at a time and
sent in batches of at most --batch-bytes (keep it under the server's --max-lineage-bytes):
each batch is applied whole or not at all, and a refused batch stops the import, saying
which events were applied before it. A file of one batch is all or nothing.
--print translates the file alone, locally, and prints the document; nothing is sent.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if batchBytes < 1<<10 {
				return usageErr("--batch-bytes %d: at least 1024", batchBytes)
			}
			in, closeIn, err := openInput(args[0])
			if err != nil {
				return err
			}
			defer closeIn()
			if print {
				res, err := openlineage.Translate(in, openlineage.Options{})
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
			var answers []json.RawMessage
			var accepted, fresh, first, batches int
			var batch bytes.Buffer
			send := func(next int) error {
				if batch.Len() == 0 {
					return nil
				}
				if batches == 1 && dryRun {
					return usageErr("%s needs more than one batch of --batch-bytes %d: a dry run of a later batch cannot see what an earlier one would change; raise --batch-bytes or import without --dry-run", args[0], batchBytes)
				}
				raw, err := post(c, "/api/v1/lineage?"+q.Encode(), "application/json", batch.Bytes(), dryRun, g, branch)
				if err != nil {
					if batches > 0 {
						return fmt.Errorf("events %d to %d of %s were not applied (events 0 to %d were, in %s): %w",
							first, next-1, args[0], first-1, batchCount(batches), err)
					}
					return err
				}
				var out struct {
					Accepted int `json:"accepted"`
					New      int `json:"new"`
				}
				if err := json.Unmarshal(raw, &out); err != nil {
					return &exitError{code: exitRefused, err: fmt.Errorf("unexpected answer: %.200s", raw)}
				}
				accepted, fresh, batches, first = accepted+out.Accepted, fresh+out.New, batches+1, next
				answers = append(answers, raw)
				batch.Reset()
				return nil
			}
			var sendErr error // a refused batch, as the server said it (not a flaw of the file)
			err = openlineage.Events(in, func(i int, ev json.RawMessage) error {
				if batch.Len() > 0 && batch.Len()+len(ev)+1 > batchBytes {
					if sendErr = send(i); sendErr != nil {
						return sendErr
					}
				}
				batch.Write(ev)
				batch.WriteByte('\n')
				return nil
			})
			if err != nil && sendErr == nil {
				applied := ""
				if batches > 0 {
					applied = fmt.Sprintf(" (events 0 to %d were applied, in %s)", first-1, batchCount(batches))
				}
				err = &exitError{code: exitRefused, err: fmt.Errorf("%s: %v%s", args[0], err, applied)}
			}
			if err == nil {
				err = send(-1)
			}
			if err != nil {
				return err
			}
			if len(answers) == 0 {
				return &exitError{code: exitRefused, err: fmt.Errorf("%s holds no event", args[0])}
			}
			if g.output == "json" {
				if len(answers) == 1 {
					return printJSON(answers[0])
				}
				return printJSON(answers)
			}
			if len(answers) > 1 {
				fmt.Fprintf(os.Stdout, "%s accepted in %s, %d new.\n", plural(accepted, "event"), batchCount(len(answers)), fresh)
			} else {
				fmt.Fprintf(os.Stdout, "%s accepted, %d new.\n", plural(accepted, "event"), fresh)
			}
			for _, raw := range answers {
				var out struct {
					Deploy json.RawMessage `json:"deploy"`
				}
				_ = json.Unmarshal(raw, &out)
				if err := printDeployAnswer(g, out.Deploy, branch, dryRun); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&branch, "branch", "b", "main", "the branch to import to")
	f.BoolVar(&dryRun, "dry-run", false, "plan only: show what the events would change, write nothing")
	f.BoolVar(&print, "print", false, "print the translated document (YAML) and send nothing")
	f.IntVar(&batchBytes, "batch-bytes", 8<<20, "the most bytes of events one request sends")
	return cmd
}

// batchCount says "1 batch" or "N batches".
func batchCount(n int) string {
	if n == 1 {
		return "1 batch"
	}
	return strconv.Itoa(n) + " batches"
}

// openInput opens FILE, or standard input for "-".
func openInput(file string) (io.Reader, func(), error) {
	if file == "-" {
		return os.Stdin, func() {}, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, usageErr("read %s: %v", file, err)
	}
	return f, func() { f.Close() }, nil
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
