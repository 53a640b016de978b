package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// exitNo is can-i's answer "no" (kubectl auth can-i's 1). A usage mistake of can-i is 1
// too, as in kubectl: a "no" prints "no" and the reason on stdout, a usage mistake prints
// nothing on stdout. A refusal of the question itself (--as without MANAGE) is 2.
const exitNo = 1

// modeArg is a mode as typed (read_data, READ_DATA, read-data), checked here.
func modeArg(s string) (string, error) {
	m := strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
	switch m {
	case "READ_DEFINITIONS", "WRITE_DEFINITIONS", "READ_DATA", "WRITE_DATA", "MANAGE":
		return m, nil
	}
	return "", usageErr("mode %q: the modes are READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA, WRITE_DATA, MANAGE", s)
}

// canIInfo is the answer of tagflow can-i -o json.
type canIInfo struct {
	Allowed bool    `json:"allowed"`
	Reason  string  `json:"reason"`
	Mode    string  `json:"mode"`
	Path    string  `json:"path"`
	Branch  string  `json:"branch"`
	As      *string `json:"as"`
}

func newCanI(g *globals) *cobra.Command {
	var branch, as string
	cmd := &cobra.Command{
		Use:   "can-i MODE PATH",
		Short: "Ask whether you (or, with MANAGE on the org, another principal) may use MODE on PATH",
		Long: `Ask the server's decision for MODE (READ_DEFINITIONS, WRITE_DEFINITIONS, READ_DATA,
WRITE_DATA, MANAGE) on PATH ("" for the org itself) at a branch, like kubectl auth can-i.
Prints "yes" or "no" and the reason. Exit 0 for yes, 1 for no (a usage mistake is 1 too,
and prints nothing on stdout), 2 when the server refuses the question (--as needs MANAGE
on the org). -o json prints {"allowed", "reason", "mode", "path", "branch", "as"} and
exits like text.`,
		Args: cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			mode, err := modeArg(args[0])
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			vars := map[string]any{"m": mode, "p": args[1], "b": branch}
			info := canIInfo{Mode: mode, Path: args[1], Branch: branch}
			if as != "" {
				vars["as"] = as
				info.As = &as
			}
			var out struct {
				Check struct {
					Allowed bool   `json:"allowed"`
					Reason  string `json:"reason"`
				} `json:"check"`
			}
			if err := c.query(`query($m: Mode!, $p: String!, $b: String, $as: String) {
  check(mode: $m, path: $p, branch: $b, as: $as) { allowed reason } }`, vars, &out); err != nil {
				return err
			}
			info.Allowed, info.Reason = out.Check.Allowed, out.Check.Reason
			if g.output == "json" {
				if err := printJSON(info); err != nil {
					return err
				}
			} else {
				answer := "no"
				if info.Allowed {
					answer = "yes"
				}
				fmt.Printf("%s\n%s\n", answer, info.Reason)
			}
			if !info.Allowed {
				return &silentExit{code: exitNo}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&branch, "branch", "b", "main", "the branch to ask about")
	cmd.Flags().StringVar(&as, "as", "", "ask for this principal (user:jane@acme); needs MANAGE on the org")
	return cmd
}

// silentExit ends the command with code and nothing more on stderr: its answer is printed.
type silentExit struct{ code int }

func (e *silentExit) Error() string { return "" }

// columnsInfo is the answer of tagflow columns -o json.
type columnsInfo struct {
	Dataset string         `json:"dataset"`
	Branch  string         `json:"branch"`
	Mode    string         `json:"mode"`
	As      *string        `json:"as"`
	Result  string         `json:"result"`
	Visible []string       `json:"visible"`
	Hidden  []hiddenColumn `json:"hidden"`
}

type hiddenColumn struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

func newColumns(g *globals) *cobra.Command {
	var branch, as, mode string
	cmd := &cobra.Command{
		Use:   "columns DATASET",
		Short: "Show which columns of a dataset you (or another principal) may use, and why not",
		Long: `Show the server's columnAccess for DATASET: ALLOW, PARTIAL or DENY, and a table of its
columns, visible or hidden, each hidden one with its reason. --mode is READ_DATA unless
given; --as asks for another principal (needs MANAGE on the org). -o json prints
{"dataset", "branch", "mode", "as", "result", "visible", "hidden": [{"name", "reason"}]}.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			m, err := modeArg(mode)
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			vars := map[string]any{"d": args[0], "b": branch, "m": m}
			info := columnsInfo{Dataset: args[0], Branch: branch, Mode: m}
			if as != "" {
				vars["as"] = as
				info.As = &as
			}
			var out struct {
				ColumnAccess struct {
					Result  string         `json:"result"`
					Visible []string       `json:"visible"`
					Hidden  []hiddenColumn `json:"hidden"`
				} `json:"columnAccess"`
			}
			if err := c.query(`query($d: String!, $b: String, $m: Mode, $as: String) {
  columnAccess(dataset: $d, branch: $b, mode: $m, as: $as) { result visible hidden { name reason } } }`, vars, &out); err != nil {
				return err
			}
			ca := out.ColumnAccess
			info.Result, info.Visible, info.Hidden = ca.Result, ca.Visible, ca.Hidden
			if g.output == "json" {
				return printJSON(info)
			}
			w := bufio.NewWriter(os.Stdout)
			defer w.Flush()
			who := "you"
			if as != "" {
				who = as
			}
			fmt.Fprintf(w, "%s on %s, %s for %s: %s (%d visible, %d hidden)\n", args[0], branch, m, who, ca.Result, len(ca.Visible), len(ca.Hidden))
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "COLUMN\tACCESS\tREASON")
			for _, v := range ca.Visible {
				fmt.Fprintf(tw, "%s\tvisible\t\n", v)
			}
			for _, h := range ca.Hidden {
				fmt.Fprintf(tw, "%s\thidden\t%s\n", h.Name, h.Reason)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&branch, "branch", "b", "main", "the branch to ask about")
	cmd.Flags().StringVar(&as, "as", "", "ask for this principal (user:jane@acme); needs MANAGE on the org")
	cmd.Flags().StringVarP(&mode, "mode", "m", "READ_DATA", "the mode: READ_DATA, WRITE_DATA, READ_DEFINITIONS, ...")
	return cmd
}
