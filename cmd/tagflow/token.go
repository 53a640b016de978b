package main

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// The commands of tokens (DESIGN §5): token create|list|revoke.

// tokenInfo is a TokenInfo (or NewToken, with Token) as the API answers it.
type tokenInfo struct {
	ID         string  `json:"id"`
	Token      string  `json:"token,omitempty"`
	Name       string  `json:"name"`
	Principal  string  `json:"principal"`
	CreatedAt  string  `json:"createdAt"`
	ExpiresAt  *string `json:"expiresAt"`
	LastUsedAt *string `json:"lastUsedAt,omitempty"`
}

// maxTokenLifetime is the server's bound (access.MaxTokenLifetime), checked here too so
// that a mistake is a usage error before anything is sent.
const maxTokenLifetime = 365 * 24 * time.Hour

func newToken(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke access tokens (yours, or with MANAGE another principal's)"}
	var forRef string
	var expires time.Duration
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a token and print it, once",
		Long: `Create a token named NAME (unique among the principal's tokens) for yourself, or with
--for (MANAGE on the org) for a user or workload of the org. The token is printed once, on
stdout, and never shown again: only its hash is kept. Its id (to revoke it) and a reminder
go to stderr. --expires gives its lifetime (up to 8760h, a year); without it the token does
not expire.`,
		Example: "tagflow token create laptop --expires 720h\ntagflow token create deploys --for workload:ci",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vars := map[string]any{"n": args[0]}
			if forRef != "" {
				vars["p"] = forRef
			}
			if cmd.Flags().Changed("expires") {
				if expires < time.Second || expires > maxTokenLifetime {
					return usageErr("--expires %v: give a lifetime from 1s to 8760h (a year), e.g. 720h; leave it out for a token that does not expire", expires)
				}
				vars["e"] = int64(expires / time.Second)
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ CreateToken tokenInfo }
			if err := c.query(`mutation($p: String, $n: String!, $e: Int) { createToken(principal: $p, name: $n, expiresInSeconds: $e) {
  id token name principal createdAt expiresAt } }`, vars, &out); err != nil {
				return err
			}
			t := out.CreateToken
			until := "it does not expire"
			if t.ExpiresAt != nil {
				until = "it expires at " + *t.ExpiresAt
			}
			fmt.Fprintf(os.Stderr, "Created token %s (%q) for %s; %s.\nThe token is shown only this once: store it now (revoke it with tagflow token revoke %s).\n",
				t.ID, t.Name, t.Principal, until, t.ID)
			if g.output == "json" {
				return printJSON(t)
			}
			fmt.Println(t.Token)
			return nil
		},
	}
	create.Flags().StringVar(&forRef, "for", "", "the user or workload to create it for (MANAGE on the org), e.g. user:jane@acme")
	create.Flags().DurationVar(&expires, "expires", 0, "its lifetime, e.g. 720h (at most 8760h); none: it does not expire")

	var listFor string
	list := &cobra.Command{
		Use: "list", Short: "List tokens by id and name (never their secrets)", Args: cobra.NoArgs,
		Example: "tagflow token list\ntagflow token list --for user:jane@acme",
		RunE: func(_ *cobra.Command, _ []string) error {
			vars := map[string]any{}
			if listFor != "" {
				vars["p"] = listFor
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ Tokens []tokenInfo }
			if err := c.query(`query($p: String) { tokens(principal: $p) { id name principal createdAt expiresAt lastUsedAt } }`, vars, &out); err != nil {
				return err
			}
			if out.Tokens == nil {
				out.Tokens = []tokenInfo{}
			}
			if g.output == "json" {
				return printJSON(out.Tokens)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tPRINCIPAL\tCREATED\tEXPIRES\tLAST USED")
			now := time.Now()
			for _, t := range out.Tokens {
				exp := "never"
				if t.ExpiresAt != nil {
					exp = *t.ExpiresAt
					if at, err := time.Parse(time.RFC3339, exp); err == nil && !now.Before(at) {
						exp += " (expired)"
					}
				}
				used := "never"
				if t.LastUsedAt != nil {
					used = *t.LastUsedAt
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Principal, t.CreatedAt, exp, used)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&listFor, "for", "", "the principal whose tokens to list (MANAGE on the org), e.g. user:jane@acme")

	revoke := &cobra.Command{
		Use: "revoke ID", Short: "Revoke a token: the next request that carries it is refused", Args: cobra.ExactArgs(1),
		Example: "tagflow token revoke tok_5f1c0d9e2a7b4c68",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.query(`mutation($id: ID!) { revokeToken(id: $id) }`, map[string]any{"id": args[0]}, nil); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"revoked": args[0]})
			}
			fmt.Printf("Revoked token %s.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
