package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestOrgCommands: org create, list (marking the active org), use (checked with orgs, saved
// in the config file, 0600), add-member and remove-member; --org over TAGFLOW_ORG over the
// config file; and a restart of a store with several orgs serves them all.
func TestOrgCommands(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data, "--org", "acme")
	cfgPath := filepath.Join(t.TempDir(), "config.json")
	env := append(s.env(), "TAGFLOW_CONFIG="+cfgPath)

	mustEqual(t, "org list", mustRun(t, 0, env, "", "org", "list").stdout, "* acme\n")
	mustEqual(t, "org create", mustRun(t, 0, env, "", "org", "create", "research").stdout,
		"Created org research; you are its admin (tagflow org use research to act in it).\n")
	r := mustRun(t, 2, env, "", "org", "create", "research")
	mustContain(t, "org create of a taken name", r.stderr, "CONFLICT")
	mustEqual(t, "org list", mustRun(t, 0, env, "", "org", "list").stdout, "* acme\n  research\n")

	r = mustRun(t, 1, env, "", "org", "use", "nowhere")
	mustContain(t, "org use of an org not mine", r.stderr, `you do not belong to an org "nowhere"`)
	if _, err := os.Stat(cfgPath); err == nil {
		t.Fatal("a refused org use wrote the config file")
	}
	mustEqual(t, "org use", mustRun(t, 0, env, "", "org", "use", "research").stdout, "Now acting in org research.\n")
	st, err := os.Stat(cfgPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v", st, err)
	}
	var cfg cliConfig
	if err := json.Unmarshal([]byte(readFile(t, cfgPath)), &cfg); err != nil || cfg.Org != "research" {
		t.Fatalf("config file holds %+v (%v)", cfg, err)
	}
	r = mustRun(t, 0, env, "", "org", "list", "-o", "json")
	var list struct {
		Orgs   []string `json:"orgs"`
		Active string   `json:"active"`
		Home   string   `json:"home"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || !reflect.DeepEqual(list.Orgs, []string{"acme", "research"}) || list.Active != "research" || list.Home != "acme" {
		t.Fatalf("org list -o json = %s (%v)", r.stdout, err)
	}

	// Commands now act in research; --org and TAGFLOW_ORG win over the config file.
	mustRun(t, 0, env, "", "user", "create", "rita")
	hasRita := func(env []string, args ...string) bool {
		out := mustRun(t, 0, env, "", append([]string{"principal", "list"}, args...)...).stdout
		return strings.Contains(out, "user:rita")
	}
	if !hasRita(env) || hasRita(env, "--org", "acme") || hasRita(append(env, "TAGFLOW_ORG=acme")) || !hasRita(append(env, "TAGFLOW_ORG=acme"), "--org", "research") {
		t.Error("the active org is not --org, else TAGFLOW_ORG, else the config file's")
	}
	r = mustRun(t, 2, env, "", "principal", "list", "--org", "nowhere")
	mustContain(t, "acting in an org not mine", r.stderr, `not a member of org "nowhere"`, "FORBIDDEN")
	r = mustRun(t, 1, env, "", "principal", "list", "--org", "a b")
	mustContain(t, "a bad --org", r.stderr, `org "a b"`)

	// Members: jane of acme joins research, and leaves it.
	mustRun(t, 0, env, "", "user", "create", "jane", "--org", "acme")
	r = mustRun(t, 0, env, "", "org", "add-member", "research", "user:jane", "--org", "acme", "-o", "json")
	var added map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &added); err != nil || added["member"] != true || added["org"] != "research" {
		t.Fatalf("org add-member -o json = %s (%v)", r.stdout, err)
	}
	if out := mustRun(t, 0, env, "", "principal", "list").stdout; !strings.Contains(out, "user:jane") {
		t.Errorf("jane is not listed in research: %s", out)
	}
	r = mustRun(t, 2, env, "", "org", "remove-member", "research", "user:rita")
	mustContain(t, "removing research's own user", r.stderr, "INVALID_ARGUMENT")
	mustEqual(t, "org remove-member", mustRun(t, 0, env, "", "org", "remove-member", "research", "user:jane").stdout,
		"Removed user:jane from org research.\n")

	// A store with two orgs restarts (no --org needed), and --org still names one of them.
	s.stop()
	s = startServer(t, data)
	env = append(s.env(), "TAGFLOW_CONFIG="+cfgPath)
	mustEqual(t, "org list after a restart", mustRun(t, 0, env, "", "org", "list").stdout, "  acme\n* research\n")
	if !hasRita(env) || hasRita(env, "--org", "acme") {
		t.Error("after a restart research's users are not research's alone")
	}
	// The REST deploy acts in the active org too: the asset is research's, not acme's.
	mustRun(t, 0, env, "datasets:\n  - name: r/one\n    fields: [{name: id, type: int, key: true}]\n", "deploy", "-f", "-")
	mustRun(t, 0, env, "", "get", "r/one")
	r = mustRun(t, 2, env, "", "get", "r/one", "--org", "acme")
	mustContain(t, "research's asset from acme", r.stderr, "NOT_FOUND")
	s.stop()
	startServer(t, data, "--org", "research").stop()
}

// TestServeKeepsItsOrgFlag: serve's own --org is not the global one (cobra takes the
// command's flag over the inherited one of the same name).
func TestServeKeepsItsOrgFlag(t *testing.T) {
	root, g := newRoot()
	serve, _, err := root.Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.ParseFlags([]string{"--org", "first"}); err != nil {
		t.Fatal(err)
	}
	f := serve.Flags().Lookup("org")
	if f == nil || f.Value.String() != "first" || !strings.Contains(f.Usage, "first start") || g.org != "" {
		t.Fatalf("serve --org: %+v, global org %q", f, g.org)
	}
	user, _, _ := root.Find([]string{"principal", "list"})
	if err := user.ParseFlags([]string{"--org", "beta"}); err != nil || g.org != "beta" {
		t.Fatalf("principal list --org: %v, global org %q", err, g.org)
	}
}
