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
	"strings"

	"github.com/spf13/cobra"
)

func newDeploy(g *globals) *cobra.Command {
	var file, branch string
	var dryRun, prune bool
	cmd := &cobra.Command{
		Use:   "deploy -f FILE",
		Short: "Deploy a definitions document (YAML or JSON) to a branch",
		Long: `Deploy a definitions document to a branch, atomically: every problem is reported at
once with its line, and nothing is written unless the whole document is valid.
-f - reads the document from standard input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return usageErr("deploy needs -f FILE (or -f - for standard input)")
			}
			doc, err := readDoc(file)
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			q := url.Values{"branch": {branch}, "dryRun": {strconv.FormatBool(dryRun)}, "prune": {strconv.FormatBool(prune)}}
			var body io.Reader = bytes.NewReader(doc)
			if isTerminal(os.Stderr) && len(doc) > 1<<20 {
				body = &progressReader{r: body, total: int64(len(doc)), w: os.Stderr}
			}
			req, err := http.NewRequest(http.MethodPost, c.base+"/api/v1/deploy?"+q.Encode(), body)
			if err != nil {
				return usageErr("%v", err)
			}
			req.ContentLength = int64(len(doc))
			ct := "application/yaml"
			if t := bytes.TrimLeft(doc, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			raw, _, err := c.do(req)
			if pr, ok := body.(*progressReader); ok {
				pr.done()
			}
			// The server refuses the plan of an invalid document with 400 as it refuses the
			// deploy; the plan still lists the problems (-o json prints the refusal).
			var r *refusal
			if dryRun && g.output != "json" && errors.As(err, &r) && r.Code == "INVALID_DEFINITION" {
				printDeploy(os.Stdout, &deployResult{Errors: r.Problems}, branch, dryRun)
			}
			if err != nil {
				return err
			}
			var res deployResult
			if err := json.Unmarshal(raw, &res); err != nil {
				return &exitError{code: exitRefused, err: fmt.Errorf("unexpected answer: %.200s", raw)}
			}
			if g.output == "json" {
				if err := printJSON(json.RawMessage(raw)); err != nil {
					return err
				}
			} else {
				printDeploy(os.Stdout, &res, branch, dryRun)
			}
			printWarnings(os.Stderr, res.Warnings)
			if len(res.Errors) > 0 {
				return &exitError{code: exitRefused, err: fmt.Errorf("the plan has %s", plural(len(res.Errors), "problem"))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "file", "f", "", "the definitions document (- for standard input)")
	f.StringVarP(&branch, "branch", "b", "main", "the branch to deploy to")
	f.BoolVar(&dryRun, "dry-run", false, "plan only: show what would change, write nothing")
	f.BoolVar(&prune, "prune", false, "remove assets under the document's namespace that it does not list")
	return cmd
}

func readDoc(file string) ([]byte, error) {
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, usageErr("read %s: %v", file, err)
	}
	return b, nil
}

type deployResult struct {
	Changed       bool           `json:"changed"`
	Added         []string       `json:"added"`
	ChangedAssets []string       `json:"changedAssets"`
	Removed       []string       `json:"removed"`
	TagChanges    []tagChange    `json:"tagChanges"`
	Errors        []problemEntry `json:"errors"`
	Version       int            `json:"version"`
	// TagChangeCount is how many assets' tags changed; TagChanges holds the first by path.
	TagChangeCount int      `json:"tagChangeCount"`
	Warnings       []string `json:"warnings"`
}

type tagChange struct {
	Path    string   `json:"path"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

func printDeploy(w io.Writer, r *deployResult, branch string, dryRun bool) {
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "The document has %s; nothing would be deployed:\n", plural(len(r.Errors), "problem"))
		for _, p := range r.Errors {
			fmt.Fprintln(w, "  "+p.String())
		}
		return
	}
	verb := "Deployed to"
	if dryRun {
		verb = "Plan for"
	}
	if !r.Changed {
		fmt.Fprintf(w, "%s %s: no changes (branch at version %d).\n", verb, branch, r.Version)
		return
	}
	fmt.Fprintf(w, "%s %s: %d added, %d changed, %d removed", verb, branch, len(r.Added), len(r.ChangedAssets), len(r.Removed))
	if !dryRun {
		fmt.Fprintf(w, " (version %d)", r.Version)
	}
	fmt.Fprintln(w, ".")
	list := func(sign string, paths []string) {
		const show = 20
		for i, p := range paths {
			if i == show {
				fmt.Fprintf(w, "  %s ... and %d more\n", sign, len(paths)-show)
				break
			}
			fmt.Fprintf(w, "  %s %s\n", sign, p)
		}
	}
	list("+", r.Added)
	list("~", r.ChangedAssets)
	list("-", r.Removed)
	printTagChanges(w, "Tag changes", r.TagChanges, r.TagChangeCount)
}

// printTagChanges prints what a write (deploy, tags set, tags define) did to tags: at most
// 50 of the assets whose tags changed, and how many more there are.
func printTagChanges(w io.Writer, title string, changes []tagChange, count int) {
	if count < len(changes) {
		count = len(changes) // an answer without the count: what it lists
	}
	if count == 0 {
		return
	}
	fmt.Fprintf(w, "%s (%s):\n", title, plural(count, "asset"))
	const show = 50 // -o json has more
	for i, t := range changes {
		if i == show {
			break
		}
		var parts []string
		for _, a := range t.Added {
			parts = append(parts, "+"+a)
		}
		for _, a := range t.Removed {
			parts = append(parts, "-"+a)
		}
		fmt.Fprintf(w, "  %s: %s\n", t.Path, strings.Join(parts, " "))
	}
	if shown := min(show, len(changes)); count > shown {
		if count <= maxJSONTagChanges {
			fmt.Fprintf(w, "  ... and %d more (-o json lists them all)\n", count-shown)
		} else {
			fmt.Fprintf(w, "  ... and %d more (-o json lists the first %d)\n", count-shown, maxJSONTagChanges)
		}
	}
}

// maxJSONTagChanges is how many tag changes -o json shows at most (the server's bound).
const maxJSONTagChanges = 10000

// printWarnings prints the warnings of a write to w (stderr), one a line.
func printWarnings(w io.Writer, warnings []string) {
	for _, m := range warnings {
		fmt.Fprintln(w, "warning: "+m)
	}
}

// progressReader prints how much of a large document has been sent.
type progressReader struct {
	r     io.Reader
	total int64
	sent  int64
	last  int64
	w     io.Writer
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.sent += int64(n)
	if pct := p.sent * 100 / p.total; pct != p.last {
		p.last = pct
		fmt.Fprintf(p.w, "\rsending %d%% of %.1f MB", pct, float64(p.total)/1e6)
		if pct == 100 {
			fmt.Fprint(p.w, "; the server is validating and committing...")
		}
	}
	return n, err
}

func (p *progressReader) done() { fmt.Fprint(p.w, "\r\033[K") }

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
