// Command tagflow is tagflow's one binary: the server (serve) and the CLI that talks to it
// (deploy, branch, get, lineage, explain, tags), and offline administration (admin).
//
// Exit codes: 0 ok, 1 usage, 2 the server said no (its message is printed), 3 the server
// could not be reached.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes of the CLI.
const (
	exitOK          = 0
	exitUsage       = 1
	exitRefused     = 2
	exitUnreachable = 3
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root, g := newRoot()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var se *silentExit
	if errors.As(err, &se) {
		return se.code // the answer is printed (can-i's "no")
	}
	fmt.Fprintln(os.Stderr, "tagflow:", err)
	// Scripts that asked for JSON get the server's refusal as JSON on stdout too.
	var r *refusal
	if g.output == "json" && errors.As(err, &r) {
		problems := r.Problems
		if problems == nil {
			problems = []problemEntry{}
		}
		_ = printJSON(map[string]any{"code": r.Code, "message": r.Message, "errors": problems, "problemCount": max(r.Total, len(problems))})
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage // cobra's own errors are about flags and arguments
}

type globals struct {
	server string
	token  string
	output string
	org    string // the org requests act in (org.go)
}

func newRoot() (*cobra.Command, *globals) {
	g := &globals{}
	root := &cobra.Command{
		Use:           "tagflow",
		Short:         "tagflow: a lineage-aware data catalog with column-level tag governance",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.server, "server", "", "tagflow server URL (env TAGFLOW_SERVER, else the config file's, else "+defaultServer+")")
	pf.StringVar(&g.token, "token", "", "access token (env TAGFLOW_TOKEN; a path prefixed with @ reads it from that file)")
	pf.StringVarP(&g.output, "output", "o", "text", "output format: text or json")
	pf.StringVar(&g.org, "org", "", "the org to act in (env TAGFLOW_ORG, else the config file's, set by tagflow org use; else the token's own)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if g.output != "text" && g.output != "json" {
			return usageErr("--output must be text or json, not %q", g.output)
		}
		return checkFlagGroups(cmd)
	}
	root.AddCommand(newServe(), newDeploy(g), newImport(g), newBranch(g), newGet(g), newLineage(g), newExplain(g), newTags(g))
	root.AddCommand(newDelete(g), newSearch(g), newLs(g), newImpact(g), newAdmin(g))
	root.AddCommand(newPrincipal(g), newUser(g), newTeam(g), newGroup(g), newWorkload(g))
	root.AddCommand(newToken(g))
	root.AddCommand(newRole(g), newGrant(g), newRevoke(g), newGrants(g))
	root.AddCommand(newCanI(g), newColumns(g))
	root.AddCommand(newSettings(g))
	root.AddCommand(newOrg(g))
	root.AddCommand(newAudit(g))
	root.AddCommand(newIssuer(g))
	root.AddCommand(newLogin(g), newLogout(g))
	usageRules(root) // last: it applies to every command added above
	return root, g
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
