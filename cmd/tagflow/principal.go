package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// The commands of principals (DESIGN §5): principal list|show|delete, user create,
// team|group create|set-members, workload create.

// principalInfo is a Principal as the API answers it.
type principalInfo struct {
	Ref       string    `json:"ref"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Members   *[]string `json:"members"`
	MemberOf  []string  `json:"memberOf"`
	CreatedAt string    `json:"createdAt"`
}

const principalFields = "ref name kind members memberOf createdAt"

var principalKinds = []string{"user", "team", "group", "workload", "org"}

// refOf is the reference of a team or group given by name or by reference.
func refOf(kind, arg string) string {
	if strings.Contains(arg, ":") {
		return arg
	}
	return kind + ":" + arg
}

func newPrincipal(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "principal", Short: "List, show and delete the users, teams, groups and workloads of the org"}
	var kind string
	list := &cobra.Command{
		Use: "list", Short: "List the principals of the org, sorted by reference", Args: cobra.NoArgs,
		Example: "tagflow principal list --kind team",
		RunE: func(_ *cobra.Command, _ []string) error {
			vars := map[string]any{"n": 1000}
			if kind != "" {
				if !slices.Contains(principalKinds, strings.ToLower(kind)) {
					return usageErr("--kind must be one of %s, not %q", strings.Join(principalKinds, ", "), kind)
				}
				vars["k"] = strings.ToUpper(kind)
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var all []principalInfo
			total := 0
			for {
				var out struct {
					Principals struct {
						TotalCount int             `json:"totalCount"`
						Nodes      []principalInfo `json:"nodes"`
						PageInfo   struct {
							HasNextPage bool    `json:"hasNextPage"`
							EndCursor   *string `json:"endCursor"`
						} `json:"pageInfo"`
					}
				}
				if err := c.query(`query($k: PrincipalKind, $n: Int, $a: String) { principals(kind: $k, first: $n, after: $a) {
  totalCount nodes { `+principalFields+` } pageInfo { hasNextPage endCursor } } }`, vars, &out); err != nil {
					return err
				}
				all = append(all, out.Principals.Nodes...)
				total = out.Principals.TotalCount
				if !out.Principals.PageInfo.HasNextPage || len(out.Principals.Nodes) == 0 {
					break
				}
				vars["a"] = *out.Principals.PageInfo.EndCursor
			}
			if all == nil {
				all = []principalInfo{}
			}
			if g.output == "json" {
				return printJSON(map[string]any{"totalCount": total, "nodes": all})
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tKIND\tMEMBERS\tMEMBER OF")
			for _, p := range all {
				members := "-"
				if p.Members != nil {
					members = fmt.Sprint(len(*p.Members))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Ref, strings.ToLower(p.Kind), members, listOr(p.MemberOf, "-"))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&kind, "kind", "", "only principals of this kind: user, team, group, workload or org")
	show := &cobra.Command{
		Use: "show REF", Short: "Show a principal: its kind, members or teams", Args: cobra.ExactArgs(1),
		Example: "tagflow principal show team:data",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Principal *principalInfo }
			if err := c.query(`query($r: String!) { principal(ref: $r) { `+principalFields+` } }`, map[string]any{"r": args[0]}, &out); err != nil {
				return err
			}
			if out.Principal == nil {
				return &exitError{code: exitRefused, err: &refusal{Code: "NOT_FOUND", Message: fmt.Sprintf("principal %s does not exist in the org", args[0])}}
			}
			p := out.Principal
			if g.output == "json" {
				return printJSON(p)
			}
			fmt.Printf("%s (%s, created %s)\n", p.Ref, strings.ToLower(p.Kind), p.CreatedAt)
			switch {
			case p.Members != nil:
				fmt.Printf("Members (%d):\n", len(*p.Members))
				for _, m := range *p.Members {
					fmt.Println("  " + m)
				}
			case p.Kind == "ORG":
				fmt.Println("Members: every user and workload of the org")
			default:
				fmt.Printf("Member of: %s\n", listOr(p.MemberOf, "no team or group"))
			}
			return nil
		},
	}
	del := &cobra.Command{
		Use: "delete REF", Short: "Delete a user, team, group or workload with its grants and tokens", Args: cobra.ExactArgs(1),
		Example: "tagflow principal delete user:jane@acme",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.query(`mutation($r: String!) { deletePrincipal(ref: $r) }`, map[string]any{"r": args[0]}, nil); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"deleted": args[0]})
			}
			fmt.Printf("Deleted %s, its grants and its tokens.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(list, show, del)
	return cmd
}

func listOr(l []string, none string) string {
	if len(l) == 0 {
		return none
	}
	return strings.Join(l, ", ")
}

// printPrincipal prints what a create or set-members answered.
func (g *globals) printPrincipal(verb string, p principalInfo) error {
	if g.output == "json" {
		return printJSON(p)
	}
	if p.Members == nil {
		fmt.Printf("%s %s.\n", verb, p.Ref)
		return nil
	}
	fmt.Printf("%s %s with %s%s\n", verb, p.Ref, plural(len(*p.Members), "member"), listOr(prefixAll(": ", *p.Members), ""))
	return nil
}

func prefixAll(lead string, l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return []string{lead + strings.Join(l, ", ") + "."}
}

// createCommand is `KIND create NAME`, with --member for teams and groups.
func createCommand(g *globals, kind, example string) *cobra.Command {
	var members []string
	mutation := "create" + strings.ToUpper(kind[:1]) + kind[1:]
	cmd := &cobra.Command{
		Use: "create NAME", Short: "Create a " + kind, Args: cobra.ExactArgs(1),
		Example: example,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			vars := map[string]any{"n": args[0]}
			q := `mutation($n: String!) { ` + mutation + `(name: $n) { ` + principalFields + ` } }`
			if kind == "team" || kind == "group" {
				vars["m"] = members
				q = `mutation($n: String!, $m: [String!]) { ` + mutation + `(name: $n, members: $m) { ` + principalFields + ` } }`
			}
			var out map[string]principalInfo
			if err := c.query(q, vars, &out); err != nil {
				return err
			}
			return g.printPrincipal("Created", out[mutation])
		},
	}
	if kind == "team" || kind == "group" {
		cmd.Flags().StringArrayVar(&members, "member", nil, "a member, as a reference: user:jane@acme or workload:ci (repeat for several)")
	}
	return cmd
}

// setMembersCommand is `team|group set-members NAME [MEMBER...]`.
func setMembersCommand(g *globals, kind, example string) *cobra.Command {
	mutation := "set" + strings.ToUpper(kind[:1]) + kind[1:] + "Members"
	return &cobra.Command{
		Use:   "set-members NAME [MEMBER...]",
		Short: "Replace the members of a " + kind + " (none: empty it)",
		Long: `Replace the members of a ` + kind + ` as a whole with the MEMBERs given, references of
users and workloads (user:jane@acme, workload:ci); with none, the ` + kind + ` is emptied.
NAME is the ` + kind + `'s name or reference.`,
		Args:    cobra.MinimumNArgs(1),
		Example: example,
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			members := args[1:]
			if members == nil {
				members = []string{}
			}
			var out map[string]principalInfo
			if err := c.query(`mutation($r: String!, $m: [String!]!) { `+mutation+`(`+kind+`: $r, members: $m) { `+principalFields+` } }`,
				map[string]any{"r": refOf(kind, args[0]), "m": members}, &out); err != nil {
				return err
			}
			return g.printPrincipal("Set", out[mutation])
		},
	}
}

func newUser(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Create users and set their passwords"}
	cmd.AddCommand(createCommand(g, "user", "tagflow user create jane@acme"), newUserPasswd(g)) // passwd: login.go
	return cmd
}

func newWorkload(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "workload", Short: "Create workloads (CI, services) and manage their credentials"}
	cmd.AddCommand(createCommand(g, "workload", "tagflow workload create ci"))
	addWorkloadCredentials(g, cmd) // secret, policy (credentials.go)
	return cmd
}

func newTeam(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "team", Short: "Create teams and set their members"}
	cmd.AddCommand(createCommand(g, "team", "tagflow team create data --member user:jane@acme --member user:samir@acme"),
		setMembersCommand(g, "team", "tagflow team set-members data user:jane@acme user:samir@acme"))
	return cmd
}

func newGroup(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "group", Short: "Create groups (synchronized from an identity provider) and set their members"}
	cmd.AddCommand(createCommand(g, "group", "tagflow group create analysts --member user:jane@acme"),
		setMembersCommand(g, "group", "tagflow group set-members analysts user:jane@acme"))
	return cmd
}
