package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// cliConfig is what the CLI remembers between runs: the server, the token `tagflow login`
// stored and the org `tagflow org use` chose. It lives in the user's config directory
// (os.UserConfigDir()/tagflow/config.json, or the file TAGFLOW_CONFIG names), mode 0600,
// since it holds a token. Flags and environment variables win over it.
type cliConfig struct {
	Server string `json:"server,omitempty"`
	Token  string `json:"token,omitempty"`
	Org    string `json:"org,omitempty"`
}

// configPath is where the CLI's config file is.
func configPath() (string, error) {
	if p := os.Getenv("TAGFLOW_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", usageErr("no config directory (set TAGFLOW_CONFIG to a file path): %v", err)
	}
	return filepath.Join(dir, "tagflow", "config.json"), nil
}

// loadConfig reads the config file; a missing file is an empty config, a file that is not
// a config is an error naming it.
func loadConfig() (cliConfig, error) {
	var c cliConfig
	p, err := configPath()
	if err != nil {
		return c, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, usageErr("read %s: %v", p, err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, usageErr("%s is not a tagflow config file: %v", p, err)
	}
	return c, nil
}

// saveConfig writes the config file whole, mode 0600, through a temporary file so that a
// crash never leaves half of it.
func saveConfig(c cliConfig) error {
	p, err := configPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".config-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", p, err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return os.Rename(tmp.Name(), p)
}
