package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
)

func newAdmin(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Offline administration of a data directory (the server stopped)"}
	var data, org string
	reset := &cobra.Command{
		Use:   "reset-token",
		Short: "Write a new admin token to DATA/admin.token and revoke the old ones",
		Long: `Replace a lost admin token, offline: with the server stopped, write a new token of the
org's user admin to DATA/admin.token (mode 0600) and revoke every other token of user admin
(the lost one may have leaked). The token is written to the file only, never printed.`,
		Example: "tagflow admin reset-token --data data/demo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if data == "" {
				return usageErr("admin reset-token needs --data DIR, the server's data directory")
			}
			path, org, revoked, err := resetToken(cmd.Context(), data, org)
			if err != nil {
				return err
			}
			if g.output == "json" {
				return printJSON(map[string]any{"org": org, "tokenFile": path, "revoked": revoked})
			}
			fmt.Printf("Wrote a new admin token of org %s to %s (mode 0600); revoked %d old admin token(s).\n", org, path, revoked)
			return nil
		},
	}
	reset.Flags().StringVar(&data, "data", envOr("TAGFLOW_DATA", ""), "the server's data directory (env TAGFLOW_DATA)")
	reset.Flags().StringVar(&org, "org", "", "the org, if the store holds more than one")
	cmd.AddCommand(reset)
	return cmd
}

// resetToken replaces the admin token of the store in data and returns the token file,
// the org and how many tokens were revoked.
func resetToken(ctx context.Context, data, org string) (string, string, int, error) {
	dir := filepath.Join(data, "badger")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", "", 0, usageErr("%s holds no tagflow store (no %s); the first start of the server creates it", data, dir)
	}
	if err := checkUnlocked(dir, "stop the server first: reset-token works offline"); err != nil {
		return "", "", 0, err
	}
	store, err := badgerstore.Open(badgerstore.Options{Dir: dir, GCInterval: -1, Log: zerolog.Nop()})
	if err != nil {
		return "", "", 0, err
	}
	defer store.Close()
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		return "", "", 0, err
	}
	if len(repo.Orgs()) == 0 {
		return "", "", 0, usageErr("the store in %s holds no org yet; the first start of the server creates it", data)
	}
	org, err = storeOrg(repo.Orgs(), org, data)
	if err != nil {
		return "", "", 0, err
	}
	reg, err := access.OpenRegistry(ctx, store)
	if err != nil {
		return "", "", 0, err
	}
	path := filepath.Join(data, "admin.token")
	_, n, err := reg.ResetAdminToken(ctx, org, func(secret string) error { return writeSecret(path, secret+"\n") })
	if err != nil {
		return "", "", 0, err
	}
	return path, org, n, nil
}

// checkUnlocked fails, with hint, if a process holds the store's directory lock: Badger
// takes an exclusive flock on the directory while it is open, so a server runs on it.
// Badger's own error says so only in prose, hence the check before opening. A directory
// that does not exist yet is not locked.
func checkUnlocked(dir, hint string) error {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return usageErr("the store in %s is in use: a tagflow server runs on it; %s", filepath.Dir(dir), hint)
	}
	if err != nil {
		return fmt.Errorf("lock %s: %w", dir, err)
	}
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
