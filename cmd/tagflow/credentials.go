package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/tagflow/tagflow/access"
	"go.yaml.in/yaml/v3"
)

// The commands of workload credentials (DESIGN §5; issue 9 item 2): workload secret
// create|list|revoke, workload policy create|list|delete, issuer add|list|remove; and the
// --trusted-issuers file of serve.

// clientSecretInfo is a ClientSecret (with Secret once) or ClientSecretInfo as the API
// answers it.
type clientSecretInfo struct {
	ID        string `json:"id"`
	ClientID  string `json:"clientId"`
	Secret    string `json:"secret,omitempty"`
	Name      string `json:"name"`
	Workload  string `json:"workload"`
	CreatedAt string `json:"createdAt"`
}

type issuerInfo struct {
	Issuer    string   `json:"issuer"`
	Audience  string   `json:"audience"`
	KeyIDs    []string `json:"keyIds"`
	FromFile  bool     `json:"fromFile"`
	CreatedAt string   `json:"createdAt"`
}

type policyInfo struct {
	ID        string   `json:"id"`
	Workload  string   `json:"workload"`
	Issuer    string   `json:"issuer"`
	Claims    []string `json:"claims"`
	CreatedAt string   `json:"createdAt"`
}

// addWorkloadCredentials adds the secret and policy commands under workload.
func addWorkloadCredentials(g *globals, workload *cobra.Command) {
	workload.AddCommand(newWorkloadSecret(g), newWorkloadPolicy(g))
}

func newWorkloadSecret(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "secret", Short: "Create, list and revoke a workload's client secrets (OAuth2 client credentials)"}
	var name string
	create := &cobra.Command{
		Use:   "create WORKLOAD",
		Short: "Create a client secret and print the client id and the secret, once",
		Long: `Create a client secret for WORKLOAD (a name or workload:NAME; MANAGE on the org). The
client id (the same for every secret of the workload) and the secret are printed once on
stdout, "client_id client_secret"; only the secret's hash is kept. A client trades them at
POST /oauth/token (grant_type=client_credentials) for a token that lasts an hour. Rotate by
creating a second secret, moving the client to it, and revoking the first.`,
		Example: "tagflow workload secret create ci --name 2026-q1",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			vars := map[string]any{"w": args[0]}
			if name != "" {
				vars["n"] = name
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ CreateClientSecret clientSecretInfo }
			if err := c.query(`mutation($w: String!, $n: String) { createClientSecret(workload: $w, name: $n) { id clientId secret name workload createdAt } }`, vars, &out); err != nil {
				return err
			}
			s := out.CreateClientSecret
			fmt.Fprintf(os.Stderr, "Created client secret %s (%q) for %s.\nThe secret is shown only this once: store it now (revoke it with tagflow workload secret revoke %s).\n",
				s.ID, s.Name, s.Workload, s.ID)
			if g.output == "json" {
				return printJSON(s)
			}
			fmt.Println(s.ClientID, s.Secret)
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", `a name for the secret, unique for the workload (default "secret N")`)
	list := &cobra.Command{
		Use: "list WORKLOAD", Short: "List a workload's client secrets (never the secrets)", Args: cobra.ExactArgs(1),
		Example: "tagflow workload secret list ci",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ ClientSecrets []clientSecretInfo }
			if err := c.query(`query($w: String!) { clientSecrets(workload: $w) { id clientId name workload createdAt } }`, map[string]any{"w": args[0]}, &out); err != nil {
				return err
			}
			if out.ClientSecrets == nil {
				out.ClientSecrets = []clientSecretInfo{}
			}
			if g.output == "json" {
				return printJSON(out.ClientSecrets)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tCLIENT ID\tCREATED")
			for _, s := range out.ClientSecrets {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, s.Name, s.ClientID, s.CreatedAt)
			}
			return tw.Flush()
		},
	}
	revoke := &cobra.Command{
		Use: "revoke ID", Short: "Revoke a client secret and every token issued with it", Args: cobra.ExactArgs(1),
		Example: "tagflow workload secret revoke cs_5f1c0d9e2a7b4c68",
		RunE: func(_ *cobra.Command, args []string) error {
			return simpleMutation(g, `mutation($id: ID!) { revokeClientSecret(id: $id) }`, map[string]any{"id": args[0]},
				"revoked", args[0], "Revoked client secret "+args[0]+" and the tokens issued with it.")
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// simpleMutation runs a mutation that answers a Boolean and says done, or prints
// {key: value} with -o json.
func simpleMutation(g *globals, query string, vars map[string]any, key, value, done string) error {
	c, err := g.client()
	if err != nil {
		return err
	}
	if err := c.query(query, vars, nil); err != nil {
		return err
	}
	if g.output == "json" {
		return printJSON(map[string]any{key: value})
	}
	fmt.Println(done)
	return nil
}

func newWorkloadPolicy(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Map OIDC tokens of a trusted issuer to a workload (token exchange)"}
	var issuer string
	var claims []string
	create := &cobra.Command{
		Use:   "create WORKLOAD",
		Short: "Map the JWTs of --issuer whose claims all match --claim to WORKLOAD",
		Long: `Map the JWTs of a trusted issuer whose claims match every --claim key=value to WORKLOAD
(MANAGE on the org). A condition matches a string claim equal to value, or a boolean claim
and "true"/"false"; other claims never match. A JWT that matches policies of two workloads
maps to none. Prints the policy's id.`,
		Example: "tagflow workload policy create ci --issuer https://token.actions.githubusercontent.com \\\n  --claim repository=acme/pipelines --claim ref=refs/heads/main",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if issuer == "" {
				return usageErr("policy create needs --issuer URL (an issuer of tagflow issuer list)")
			}
			if len(claims) == 0 {
				return usageErr("policy create needs at least one --claim key=value, e.g. --claim repository=acme/pipelines")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ CreateWorkloadPolicy string }
			if err := c.query(`mutation($w: String!, $i: String!, $c: [String!]!) { createWorkloadPolicy(workload: $w, issuer: $i, claims: $c) }`,
				map[string]any{"w": args[0], "i": issuer, "c": claims}, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"id": out.CreateWorkloadPolicy})
			}
			fmt.Println(out.CreateWorkloadPolicy)
			return nil
		},
	}
	create.Flags().StringVar(&issuer, "issuer", "", "the trusted issuer (its https URL)")
	create.Flags().StringArrayVar(&claims, "claim", nil, "a claim condition key=value; repeat for more (all must match)")
	list := &cobra.Command{
		Use: "list [WORKLOAD]", Short: "List the workload policies of the org (or of one workload)", Args: cobra.MaximumNArgs(1),
		Example: "tagflow workload policy list\ntagflow workload policy list ci -o json",
		RunE: func(_ *cobra.Command, args []string) error {
			vars := map[string]any{}
			if len(args) == 1 {
				vars["w"] = args[0]
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ WorkloadPolicies []policyInfo }
			if err := c.query(`query($w: String) { workloadPolicies(workload: $w) { id workload issuer claims createdAt } }`, vars, &out); err != nil {
				return err
			}
			if out.WorkloadPolicies == nil {
				out.WorkloadPolicies = []policyInfo{}
			}
			if g.output == "json" {
				return printJSON(out.WorkloadPolicies)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tWORKLOAD\tISSUER\tCLAIMS")
			for _, p := range out.WorkloadPolicies {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Workload, p.Issuer, strings.Join(p.Claims, " "))
			}
			return tw.Flush()
		},
	}
	del := &cobra.Command{
		Use: "delete ID", Short: "Delete a workload policy and the tokens it issued", Args: cobra.ExactArgs(1),
		Example: "tagflow workload policy delete wp_5f1c0d9e2a7b4c68",
		RunE: func(_ *cobra.Command, args []string) error {
			return simpleMutation(g, `mutation($id: ID!) { deleteWorkloadPolicy(id: $id) }`, map[string]any{"id": args[0]},
				"deleted", args[0], "Deleted workload policy "+args[0]+" and the tokens it issued.")
		},
	}
	cmd.AddCommand(create, list, del)
	return cmd
}

func newIssuer(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "issuer", Short: "Trust OIDC issuers whose tokens workloads exchange (add, list, remove)"}
	var audience, jwksFile string
	add := &cobra.Command{
		Use:   "add ISSUER",
		Short: "Trust an OIDC issuer, with its public keys from a JWKS file",
		Long: `Trust ISSUER (the https URL its JWTs carry in iss; MANAGE on the org): its JWTs whose aud
contains --audience and that are signed by a key of --jwks-file (a JSON Web Key Set of public
keys; tagflow never fetches keys) may be exchanged at POST /oauth/token. Adding an issuer
that is trusted already replaces its audience and keys.`,
		Example: "tagflow issuer add https://token.actions.githubusercontent.com --audience tagflow --jwks-file github-jwks.json",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if audience == "" || jwksFile == "" {
				return usageErr("issuer add needs --audience and --jwks-file")
			}
			keys, err := os.ReadFile(jwksFile)
			if err != nil {
				return usageErr("--jwks-file: %v", err)
			}
			return simpleMutation(g, `mutation($i: String!, $a: String!, $k: String!) { addTrustedIssuer(issuer: $i, audience: $a, jwks: $k) }`,
				map[string]any{"i": args[0], "a": audience, "k": string(keys)}, "trusted", args[0], "Trusting "+args[0]+".")
		},
	}
	add.Flags().StringVar(&audience, "audience", "", "the audience its JWTs must carry in aud")
	add.Flags().StringVar(&jwksFile, "jwks-file", "", "a file holding the issuer's JSON Web Key Set (public keys)")
	list := &cobra.Command{
		Use: "list", Short: "List the issuers the org trusts", Args: cobra.NoArgs,
		Example: "tagflow issuer list -o json",
		RunE: func(_ *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ TrustedIssuers []issuerInfo }
			if err := c.query(`{ trustedIssuers { issuer audience keyIds fromFile createdAt } }`, nil, &out); err != nil {
				return err
			}
			if out.TrustedIssuers == nil {
				out.TrustedIssuers = []issuerInfo{}
			}
			if g.output == "json" {
				return printJSON(out.TrustedIssuers)
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ISSUER\tAUDIENCE\tKEYS\tFROM")
			for _, is := range out.TrustedIssuers {
				from := "api"
				if is.FromFile {
					from = "file"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", is.Issuer, is.Audience, strings.Join(is.KeyIDs, ","), from)
			}
			return tw.Flush()
		},
	}
	remove := &cobra.Command{
		Use: "remove ISSUER", Short: "Stop trusting an issuer; deletes its policies and the tokens they issued", Args: cobra.ExactArgs(1),
		Example: "tagflow issuer remove https://token.actions.githubusercontent.com",
		RunE: func(_ *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out struct{ RemoveTrustedIssuer bool }
			if err := c.query(`mutation($i: String!) { removeTrustedIssuer(issuer: $i) }`, map[string]any{"i": args[0]}, &out); err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"removed": out.RemoveTrustedIssuer})
			}
			if !out.RemoveTrustedIssuer {
				fmt.Printf("The org does not trust %s; nothing changed.\n", args[0])
				return nil
			}
			fmt.Printf("No longer trusting %s; its policies and their tokens are gone.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(add, list, remove)
	return cmd
}

// issuerFileEntry is one trusted issuer of serve's --trusted-issuers file: jwks inline (a
// JWKS object) or jwksFile (relative to the file's directory), not both.
type issuerFileEntry struct {
	Org      string    `yaml:"org"`
	Issuer   string    `yaml:"issuer"`
	Audience string    `yaml:"audience"`
	JWKSFile string    `yaml:"jwksFile"`
	JWKS     yaml.Node `yaml:"jwks"`
}

// readTrustedIssuers reads serve's --trusted-issuers file (YAML or JSON: a list of
// {org, issuer, audience, jwksFile | jwks}); an unknown key is an error naming it.
func readTrustedIssuers(path string) ([]access.IssuerConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErr("--trusted-issuers: %v", err)
	}
	var entries []issuerFileEntry
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&entries); err != nil {
		return nil, usageErr("--trusted-issuers %s: expected a list of {org, issuer, audience, jwksFile}: %v", path, err)
	}
	out := make([]access.IssuerConfig, 0, len(entries))
	for i, e := range entries {
		where := fmt.Sprintf("--trusted-issuers %s: entry %d", path, i+1)
		var keys []byte
		switch {
		case e.Org == "" || e.Issuer == "" || e.Audience == "":
			return nil, usageErr("%s needs org, issuer and audience", where)
		case e.JWKSFile != "" && !e.JWKS.IsZero():
			return nil, usageErr("%s has both jwksFile and jwks; give one", where)
		case e.JWKSFile != "":
			f := e.JWKSFile
			if !filepath.IsAbs(f) {
				f = filepath.Join(filepath.Dir(path), f)
			}
			if keys, err = os.ReadFile(f); err != nil {
				return nil, usageErr("%s: jwksFile: %v", where, err)
			}
		case !e.JWKS.IsZero():
			var v any
			if err := e.JWKS.Decode(&v); err != nil {
				return nil, usageErr("%s: jwks: %v", where, err)
			}
			if keys, err = json.Marshal(v); err != nil {
				return nil, usageErr("%s: jwks is not a JSON object: %v", where, err)
			}
		default:
			return nil, usageErr("%s needs jwksFile (or jwks inline)", where)
		}
		out = append(out, access.IssuerConfig{Org: e.Org, Issuer: e.Issuer, Audience: e.Audience, JWKS: keys})
	}
	return out, nil
}
