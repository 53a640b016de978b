package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/badgerstore"
	"github.com/tagflow/tagflow/fixtures"
	"github.com/tagflow/tagflow/graphql"
	"github.com/tagflow/tagflow/tags"
	"github.com/tagflow/tagflow/web"
)

// serveConfig is everything serve is told by flags.
type serveConfig struct {
	data            string
	addr            string
	org             string
	demo            bool
	maxDeployBytes  int64
	maxGraphQLBytes int64
	maxLineageBytes int64
	lineageTimeout  time.Duration
	publicMetrics   bool
	logLevel        string
	logFormat       string
	gcInterval      time.Duration
	trustedIssuers  string // a file of OIDC issuers to trust (credentials.go)
	rateLimit       float64
	rateBurst       int
}

func newServe() *cobra.Command {
	cfg := &serveConfig{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the tagflow server (GraphQL, REST deploys, health and metrics)",
		Long: `Run the tagflow server on an embedded Badger store in --data.

The first start on an empty data directory creates the org (--org, default "default"), a
user admin holding the admin role, and writes the admin's token to DATA/admin.token (mode
0600). Later starts serve the orgs the store holds (orgs made with "tagflow org create"
too; an --org the store does not hold is an error) and never rewrite the token file; "tagflow admin reset-token" replaces a lost one.
--demo loads the fixture catalogs (Fennel, Acme, JHUAPL, Fennel roles) on the first start
only, and without --data runs on a new temporary directory that shutdown removes.`,
		Example: "tagflow serve --data /var/lib/tagflow\ntagflow serve --demo",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return serve(cmd.Context(), cfg) },
	}
	f := cmd.Flags()
	f.StringVar(&cfg.data, "data", envOr("TAGFLOW_DATA", ""), "data directory (env TAGFLOW_DATA); required unless --demo")
	f.StringVar(&cfg.addr, "addr", envOr("TAGFLOW_ADDR", "127.0.0.1:8080"), "listen address (env TAGFLOW_ADDR)")
	f.StringVar(&cfg.org, "org", "", `name of the org created on the first start (default "default"); later starts use the store's`)
	f.BoolVar(&cfg.demo, "demo", false, "load the fixture catalogs")
	f.Int64Var(&cfg.maxDeployBytes, "max-deploy-bytes", 256<<20, "largest body of POST /api/v1/deploy")
	f.Int64Var(&cfg.maxGraphQLBytes, "max-graphql-bytes", 32<<20, "largest body of POST /graphql")
	f.Int64Var(&cfg.maxLineageBytes, "max-lineage-bytes", 32<<20, "largest body of POST /api/v1/lineage (OpenLineage events)")
	f.DurationVar(&cfg.lineageTimeout, "lineage-timeout", time.Minute, "deadline of one POST /api/v1/lineage, waiting for its commit included")
	f.BoolVar(&cfg.publicMetrics, "public-metrics", false, "serve /metrics without a token")
	f.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&cfg.logFormat, "log-format", "auto", "log format: json, console, or auto (console on a terminal)")
	f.DurationVar(&cfg.gcInterval, "gc-interval", 10*time.Minute, "how often unreachable versions are collected")
	f.StringVar(&cfg.trustedIssuers, "trusted-issuers", "", "a YAML or JSON file of OIDC issuers to trust: [{org, issuer, audience, jwksFile}]")
	f.Float64Var(&cfg.rateLimit, "rate-limit", graphql.DefaultRateLimit, "requests a second one principal may make (0: no limit)")
	f.IntVar(&cfg.rateBurst, "rate-burst", graphql.DefaultRateBurst, "requests one principal may make at once above --rate-limit")
	return cmd
}

func newLogger(cfg *serveConfig) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(cfg.logLevel)
	if err != nil || cfg.logLevel == "" {
		return zerolog.Logger{}, usageErr("--log-level %q: use debug, info, warn or error", cfg.logLevel)
	}
	var w = zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.TimeOnly}
	switch {
	case cfg.logFormat == "json", cfg.logFormat == "auto" && !isTerminal(os.Stderr):
		return zerolog.New(os.Stderr).Level(lvl).With().Timestamp().Logger(), nil
	case cfg.logFormat == "console", cfg.logFormat == "auto":
		return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
	}
	return zerolog.Logger{}, usageErr("--log-format %q: use json, console or auto", cfg.logFormat)
}

func serve(ctx context.Context, cfg *serveConfig) error {
	log, err := newLogger(cfg)
	if err != nil {
		return err
	}
	for _, l := range []struct {
		flag string
		v    int64
	}{{"--max-deploy-bytes", cfg.maxDeployBytes}, {"--max-graphql-bytes", cfg.maxGraphQLBytes}, {"--max-lineage-bytes", cfg.maxLineageBytes}} {
		if l.v <= 0 {
			return usageErr("%s %d: a limit must be a positive number of bytes", l.flag, l.v)
		}
	}
	if cfg.rateLimit < 0 || cfg.rateBurst < 1 && cfg.rateLimit > 0 {
		return usageErr("--rate-limit %g --rate-burst %d: give a limit of 0 (none) or more requests a second, and a burst of at least 1", cfg.rateLimit, cfg.rateBurst)
	}
	rateLimit := cfg.rateLimit
	if rateLimit == 0 {
		rateLimit = -1 // graphql.Config: negative is no limit
	}
	if cfg.gcInterval < 0 {
		return usageErr("--gc-interval %v: use a positive duration, or 0 to collect never", cfg.gcInterval)
	}
	var issuers []access.IssuerConfig // read before anything starts, so that a mistake stops the start at once
	if cfg.trustedIssuers != "" {
		if issuers, err = readTrustedIssuers(cfg.trustedIssuers); err != nil {
			return err
		}
	}
	if cfg.data == "" {
		if !cfg.demo {
			return usageErr("serve needs --data DIR (or --demo for a temporary demo catalog)")
		}
		if cfg.data, err = os.MkdirTemp("", "tagflow-demo-"); err != nil {
			return fmt.Errorf("make a demo data directory: %w", err)
		}
		// Registered before the store's Close, so it runs after it.
		tmp := cfg.data
		defer func() {
			if err := os.RemoveAll(tmp); err != nil {
				log.Error().Err(err).Str("data", tmp).Msg("removing the temporary demo data")
				return
			}
			log.Info().Str("data", tmp).Msg("removed the temporary demo data")
		}()
		log.Warn().Str("data", tmp).Msg("demo without --data: the data is temporary and is removed at shutdown")
	}
	if err := os.MkdirAll(cfg.data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	api := graphql.NewServer(graphql.Config{
		MaxDeployBytes: cfg.maxDeployBytes, MaxGraphQLBytes: cfg.maxGraphQLBytes,
		PublicMetrics: cfg.publicMetrics, Log: log, RateLimit: rateLimit, RateBurst: cfg.rateBurst,
		Console:     web.Assets(),
		OpenLineage: graphql.OpenLineageConfig{MaxBytes: cfg.maxLineageBytes, Timeout: cfg.lineageTimeout},
	})
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Minute, // a 256 MiB deploy over a slow link
		WriteTimeout:      15 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info().Str("addr", "http://"+ln.Addr().String()).Str("data", cfg.data).Msg("listening; loading the catalog")

	if err := checkUnlocked(filepath.Join(cfg.data, "badger"), "one data directory serves one server"); err != nil {
		_ = srv.Close()
		return err
	}
	store, err := badgerstore.Open(badgerstore.Options{Dir: filepath.Join(cfg.data, "badger"), Log: log})
	if err != nil {
		_ = srv.Close()
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			log.Error().Err(err).Msg("closing the store")
		}
	}()
	svc, reg, err := load(ctx, cfg, store, log)
	if err != nil {
		_ = srv.Close()
		return err
	}
	if cfg.trustedIssuers != "" {
		if err := reg.ConfigureIssuers(issuers); err != nil {
			_ = srv.Close()
			return fmt.Errorf("--trusted-issuers %s: %w", cfg.trustedIssuers, err)
		}
		log.Info().Int("issuers", len(issuers)).Str("file", cfg.trustedIssuers).Msg("trusting the OIDC issuers of the file")
	}
	if err := api.Attach(svc, reg); err != nil {
		_ = srv.Close()
		return err
	}
	log.Info().Msg("ready")
	if cfg.demo {
		printDemoPasswords(cfg.data, "http://"+ln.Addr().String())
	}
	// The collector uses the store, so it must end before the deferred store.Close on every
	// way out: stop ends ctx, and the collector returns after its current sweep.
	gcDone := make(chan struct{})
	go func() { defer close(gcDone); collectGarbage(ctx, svc.Repo(), cfg.gcInterval, log) }()
	defer func() { stop(); <-gcDone }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info().Msg("shutting down")
	shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn().Err(err).Msg("shutdown")
	}
	// After the last request: the tokens' last uses not yet written (at most a minute's).
	if err := reg.FlushLastUsed(shut); err != nil {
		log.Warn().Err(err).Msg("writing the last use of tokens")
	}
	return nil
}

// load opens the catalog and the registry and, on the first start only, creates the org,
// loads the demo fixtures and bootstraps the admin (DESIGN §6). A later start uses the org
// the store holds: it never bootstraps again, never reloads the fixtures, and never
// rewrites the token file.
func load(ctx context.Context, cfg *serveConfig, store catalog.Store, log zerolog.Logger) (*tags.Service, *access.Registry, error) {
	repo, err := catalog.Open(ctx, store)
	if err != nil {
		return nil, nil, err
	}
	reg, err := access.OpenRegistry(ctx, store)
	if err != nil {
		return nil, nil, err
	}
	org, err := storeOrg(repo.Orgs(), cfg.org, cfg.data)
	if len(repo.Orgs()) > 1 && (err == nil || cfg.org == "") {
		// Orgs made with createOrg: only an admin makes one, so the first start finished
		// long ago; every org is served, and --org (if given) must name one of them.
		svc, err := tags.Open(ctx, repo, log)
		return svc, reg, err
	}
	if err != nil {
		return nil, nil, err
	}
	if !repo.HasOrg(org) {
		if err := repo.CreateOrg(ctx, org); err != nil {
			return nil, nil, err
		}
	}
	svc, err := tags.Open(ctx, repo, log)
	if err != nil {
		return nil, nil, err
	}
	// The admin is the last thing the first start writes: an org without one is a first
	// start that did not finish, and is finished now (the fixtures again change nothing
	// that anyone could have changed: without an admin nobody could write).
	if _, ok := reg.Principal(org, "user:admin"); ok {
		if cfg.demo {
			log.Info().Str("org", org).Msg("demo: not the first start, so the fixtures are not loaded again; serving what the store holds")
		}
		return svc, reg, nil
	}
	if cfg.demo {
		for _, d := range fixtures.Documents() {
			res, err := svc.Deploy(ctx, tags.DeployRequest{Org: org, Branch: catalog.MainBranch, Document: d.Data, Deployer: "user:admin",
				Record: access.AuditPlan(ctx, access.AuditEntry{Org: org, Action: "deploy"})})
			if err != nil {
				return nil, nil, fmt.Errorf("demo fixture %s: %w", d.Name, err)
			}
			log.Info().Str("fixture", d.Name).Int("added", len(res.Added)).Bool("changed", res.Changed).Msg("demo fixture loaded")
		}
	}
	path := filepath.Join(cfg.data, "admin.token")
	if _, err := reg.Bootstrap(ctx, org, func(secret string) error { return writeSecret(path, secret+"\n") }); err != nil {
		return nil, nil, err
	}
	log.Warn().Str("org", org).Str("token_file", path).Msg("created the org's admin; its token is in the file (shown once: keep it safe)")
	if cfg.demo {
		// After the admin: the fixtures' grants to org:ORG need the org principal, which the
		// bootstrap creates. Applying them again changes nothing.
		for _, d := range fixtures.Access() {
			if err := access.ApplyFixture(ctx, reg, org, d.Data); err != nil {
				return nil, nil, fmt.Errorf("demo access fixture %s: %w", d.Name, err)
			}
			log.Info().Str("fixture", "access/"+d.Name).Msg("demo access fixture loaded")
		}
		if err := setDemoPasswords(ctx, reg, org, cfg.data); err != nil {
			return nil, nil, err
		}
	}
	return svc, reg, nil
}

// demoPasswordsFile holds the passwords the demo gave its users on its first start, so
// every later demo start can print them again. A real deployment has no such file and no
// default password: users get theirs from an admin (setPassword, tagflow user passwd).
const demoPasswordsFile = "demo-passwords.txt"

// setDemoPasswords gives every user of org a random password and writes them to the data
// directory's demo-passwords.txt (readable by its owner only), for the console's sign-in.
func setDemoPasswords(ctx context.Context, reg *access.Registry, org, data string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# tagflow demo: the users of org %s and their passwords (demo only)\n", org)
	for _, p := range reg.Principals(org, "user") {
		pw := rand.Text()[:16]
		if _, err := reg.SetPassword(ctx, org, p.Ref(), pw, ""); err != nil {
			return fmt.Errorf("demo password of %s: %w", p.Ref(), err)
		}
		fmt.Fprintf(&b, "%-20s %s\n", p.Name, pw)
	}
	return writeSecret(filepath.Join(data, demoPasswordsFile), b.String())
}

// printDemoPasswords prints the demo users' passwords, if this data directory has them, to
// standard error (not the log: log pipelines keep what they get).
func printDemoPasswords(data, addr string) {
	b, err := os.ReadFile(filepath.Join(data, demoPasswordsFile))
	if err != nil {
		return
	}
	fmt.Fprintf(os.Stderr, "\n  Sign in to the console at %s as one of these users:\n\n", addr)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if !strings.HasPrefix(line, "#") {
			fmt.Fprintf(os.Stderr, "    %s\n", line)
		}
	}
	fmt.Fprintln(os.Stderr)
}

// storeOrg decides the org a start serves: the one the store holds, or on an empty store
// the one asked for (default "default"). Asking for another than the store holds is an
// error, never a second org.
func storeOrg(orgs []string, asked, data string) (string, error) {
	switch {
	case len(orgs) == 0 && asked == "":
		return "default", nil
	case len(orgs) == 0:
		return asked, nil
	case asked == "" && len(orgs) == 1:
		return orgs[0], nil
	case asked == "":
		return "", usageErr("the store in %s holds the orgs %s; choose one with --org", data, strings.Join(orgs, ", "))
	case slices.Contains(orgs, asked):
		return asked, nil
	}
	held := fmt.Sprintf("org %q", orgs[0])
	if len(orgs) > 1 {
		held = "orgs " + strings.Join(orgs, ", ")
	}
	return "", usageErr("the store in %s holds %s, not %q: --org names the org on the first start only; leave it out or pass --org %s",
		data, held, asked, orgs[0])
}

// writeSecret writes a secret file readable by its owner only, durably: a temporary file
// synced and renamed into place.
func writeSecret(path, s string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.WriteString(s)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The rename is durable once the directory is synced.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("write %s: sync its directory: %w", path, err)
		}
	}
	return nil
}

func collectGarbage(ctx context.Context, repo *catalog.Repo, every time.Duration, log zerolog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := repo.CollectGarbage(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error().Err(err).Msg("collecting unreachable versions")
		case n > 0:
			log.Info().Int("blobs", n).Msg("collected unreachable versions")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
