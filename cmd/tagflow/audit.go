package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// The command of the audit log (issue 9 item 4): tagflow audit, one page of Query.auditLog.

// auditEntry is an AuditEntry as the API answers it.
type auditEntry struct {
	At        string  `json:"at"`
	Principal string  `json:"principal"`
	Action    string  `json:"action"`
	Target    string  `json:"target"`
	Result    string  `json:"result"`
	Reason    *string `json:"reason"`
	Details   *string `json:"details"`
	RequestID *string `json:"requestId"`
}

func newAudit(g *globals) *cobra.Command {
	var principal, target, action, since, until, after string
	var first int
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit log of the org, newest first (MANAGE on the org)",
		Long: `Show one page of the org's audit log, newest first: every change of definitions, tags,
tag definitions, branches, principals, roles, grants and tokens, and every request refused
with FORBIDDEN ("denied", with its reason). --since and --until are RFC 3339 times
(since: at or after; until: before). When there is more, the cursor of the next page is
printed on stderr (pass it to --after); with -o json it is in the answer.`,
		Example: "tagflow audit\ntagflow audit --principal user:jane@acme --since 2026-01-01T00:00:00Z\ntagflow audit --target branch: --action deploy -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if first < 0 || first > 1000 {
				return usageErr("--first must be between 0 and 1000, not %d", first)
			}
			for _, t := range []struct{ name, v string }{{"since", since}, {"until", until}} {
				if t.v == "" {
					continue
				}
				if _, err := time.Parse(time.RFC3339Nano, t.v); err != nil {
					return usageErr("--%s %q is not an RFC 3339 time (such as 2026-01-02T15:04:05Z)", t.name, t.v)
				}
			}
			vars := map[string]any{"first": first}
			for k, v := range map[string]string{"principal": principal, "target": target, "action": action, "since": since, "until": until, "after": after} {
				if v != "" {
					vars[k] = v
				}
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct {
				AuditLog struct {
					Nodes    []auditEntry `json:"nodes"`
					PageInfo struct {
						HasNextPage bool    `json:"hasNextPage"`
						EndCursor   *string `json:"endCursor"`
					} `json:"pageInfo"`
				}
			}
			if err := c.query(`query($principal: String, $target: String, $action: String, $since: String, $until: String, $first: Int, $after: String) {
  auditLog(principal: $principal, targetPrefix: $target, action: $action, since: $since, until: $until, first: $first, after: $after) {
    nodes { at principal action target result reason details requestId } pageInfo { hasNextPage endCursor } } }`, vars, &out); err != nil {
				return err
			}
			log := out.AuditLog
			if log.Nodes == nil {
				log.Nodes = []auditEntry{}
			}
			if g.output == "json" {
				return printJSON(map[string]any{"entries": log.Nodes, "hasNextPage": log.PageInfo.HasNextPage, "endCursor": log.PageInfo.EndCursor})
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "AT\tPRINCIPAL\tACTION\tTARGET\tRESULT\tREASON\tREQUEST")
			for _, e := range log.Nodes {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At, e.Principal, e.Action, cell(e.Target), e.Result, cell(deref(e.Reason)), deref(e.RequestID))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if log.PageInfo.HasNextPage && log.PageInfo.EndCursor != nil {
				fmt.Fprintf(os.Stderr, "More entries: tagflow audit --after %s (with the same filters)\n", *log.PageInfo.EndCursor)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&principal, "principal", "", "only entries of this principal, e.g. user:jane@acme")
	f.StringVar(&target, "target", "", "only entries whose target starts with this, e.g. branch: or quant/")
	f.StringVar(&action, "action", "", "only entries of this action, e.g. deploy or createToken")
	f.StringVar(&since, "since", "", "only entries at or after this RFC 3339 time")
	f.StringVar(&until, "until", "", "only entries before this RFC 3339 time")
	f.IntVar(&first, "first", 100, "how many entries (0 to 1000)")
	f.StringVar(&after, "after", "", "the cursor of the page before (printed when there is more)")
	return cmd
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// cell is s for a table cell: one line, at most 80 characters.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}
