package graphql

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	gql "github.com/graph-gophers/graphql-go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/tags"
)

// Config configures the HTTP API.
type Config struct {
	// MaxDeployBytes limits the body of POST /api/v1/deploy; default 256 MiB.
	MaxDeployBytes int64
	// MaxGraphQLBytes limits the body of POST /graphql; default 32 MiB.
	MaxGraphQLBytes int64
	// QueryTimeout bounds one GraphQL request; default 60 s. Deploys get DeployTimeout.
	QueryTimeout  time.Duration
	DeployTimeout time.Duration
	// MaxRequestCost is the work one GraphQL request may do: nodes walked and items
	// answered, over all its fields and aliases; default DefaultMaxRequestCost.
	MaxRequestCost int64
	// PublicMetrics serves /metrics without a token (for a scraper on a private network).
	PublicMetrics bool
	Log           zerolog.Logger
	// RateLimit is the requests a second one principal may make (a token bucket of
	// RateBurst); 0 means DefaultRateLimit (and DefaultRateBurst), negative no limit.
	RateLimit float64
	RateBurst int
	// OpenLineage configures POST /api/v1/lineage (openlineage.go).
	OpenLineage OpenLineageConfig
	// Console is the built web console (web.Assets); nil serves none.
	Console fs.FS
}

func (c *Config) defaults() {
	if c.MaxDeployBytes <= 0 {
		c.MaxDeployBytes = 256 << 20
	}
	if c.MaxGraphQLBytes <= 0 {
		c.MaxGraphQLBytes = 32 << 20
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = 60 * time.Second
	}
	if c.MaxRequestCost <= 0 {
		c.MaxRequestCost = DefaultMaxRequestCost
	}
	if c.DeployTimeout <= 0 {
		c.DeployTimeout = 10 * time.Minute
	}
	if c.RateLimit == 0 {
		c.RateLimit, c.RateBurst = DefaultRateLimit, max(c.RateBurst, DefaultRateBurst)
	}
	if c.RateBurst <= 0 {
		c.RateBurst = max(1, int(c.RateLimit))
	}
}

// Server is tagflow's HTTP API. It answers health checks at once and everything else once
// Attach has given it a loaded catalog.
type Server struct {
	cfg     Config
	engine  *gin.Engine
	metrics *metrics
	state   atomic.Pointer[backend]

	now                    func() time.Time
	loginUsers, loginAddrs *failureLimiter // ratelimit.go
	requests               *requestLimiter
	console                map[string]*consoleFile // console.go
}

type backend struct {
	svc    *tags.Service
	reg    *access.Registry
	schema *gql.Schema
}

// NewServer builds the HTTP API.
func NewServer(cfg Config) *Server {
	cfg.defaults()
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, engine: gin.New(), metrics: newMetrics(), now: time.Now,
		loginUsers: newFailureLimiter(loginFreeFailures), loginAddrs: newFailureLimiter(loginFreeAddressFailures),
		requests: newRequestLimiter(cfg.RateLimit, cfg.RateBurst)}
	e := s.engine
	e.HandleMethodNotAllowed = true
	e.Use(s.requestContext, gin.CustomRecoveryWithWriter(nil, s.recovered))
	e.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.readyz)
	if cfg.PublicMetrics {
		e.GET("/metrics", s.serveMetrics)
	} else {
		e.GET("/metrics", s.authenticate, s.serveMetrics)
	}
	e.GET("/graphql", s.graphiql) // graphiql.go: a browser goes to /graphiql
	e.POST("/graphql", s.limitBody(cfg.MaxGraphQLBytes), s.authenticate, s.graphql)
	e.POST("/api/v1/deploy", s.limitBody(cfg.MaxDeployBytes), s.authenticate, s.restDeploy)
	e.POST("/api/v1/lineage", s.lineageHandlers(cfg.OpenLineage)...)
	e.POST("/oauth/token", s.oauthToken)                       // unauthenticated: it is the authentication (oauth.go)
	e.POST("/auth/login", s.limitBody(maxLoginBytes), s.login) // auth.go
	e.POST("/auth/logout", s.logout)
	if cfg.Console != nil {
		files, err := loadConsole(cfg.Console)
		if err != nil {
			panic(fmt.Sprintf("load the console: %v", err)) // an embedded file system: a broken build
		}
		s.console = files
		page := func(name string) gin.HandlerFunc { return func(c *gin.Context) { s.serveConsoleFile(c, name) } }
		asset := func(c *gin.Context) { s.serveConsoleFile(c, "assets"+c.Param("file")) }
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			e.Handle(m, "/", page("index.html"))
			e.Handle(m, "/graphiql", page("graphiql.html"))
			e.Handle(m, "/assets/*file", asset)
		}
	}
	e.NoRoute(func(c *gin.Context) {
		abort(c, http.StatusNotFound, "NOT_FOUND", "no such endpoint: "+c.Request.Method+" "+c.Request.URL.Path)
	})
	e.NoMethod(func(c *gin.Context) {
		abort(c, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "method "+c.Request.Method+" is not allowed on "+c.Request.URL.Path)
	})
	return s
}

// Attach gives the server its loaded catalog and registry; from then on it is ready.
func (s *Server) Attach(svc *tags.Service, reg *access.Registry) error {
	schema, err := NewSchema(svc, reg)
	if err != nil {
		return err
	}
	s.state.Store(&backend{svc: svc, reg: reg, schema: schema})
	return nil
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Registry is the Prometheus registry of the server's metrics.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

func (s *Server) readyz(c *gin.Context) {
	if s.state.Load() == nil {
		c.Set(ctxExpected, true)
		c.String(http.StatusServiceUnavailable, "loading\n")
		return
	}
	c.String(http.StatusOK, "ready\n")
}

func (s *Server) serveMetrics(c *gin.Context) {
	promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}

const ctxLogger = "tagflow.log"

// ctxExpected marks an answer of status 5xx that is part of normal operation (503 while
// the catalog loads): it is logged at info, not as an error.
const ctxExpected = "tagflow.expected"

// requestContext gives each request an id, a logger and a log line when it ends. It logs
// no header and no body: they may hold tokens and documents.
func (s *Server) requestContext(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-Id")
	if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Header("X-Request-Id", id)
	log := s.cfg.Log.With().Str("request_id", id).Logger()
	c.Request = c.Request.WithContext(access.WithRequestID(log.WithContext(c.Request.Context()), id))
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.observe(route, c.Request.Method, status, time.Since(start))
	ev := log.Info()
	if status >= 500 && !c.GetBool(ctxExpected) {
		ev = log.Error()
	}
	if v, ok := c.Get(ctxLogger); ok {
		if who, ok := v.(string); ok {
			ev = ev.Str("principal", who)
		}
	}
	ev.Str("method", c.Request.Method).Str("path", c.Request.URL.Path).Int("status", status).
		Int64("bytes_in", c.Request.ContentLength).Int("bytes_out", c.Writer.Size()).
		Dur("duration", time.Since(start)).Msg("request")
}

func (s *Server) recovered(c *gin.Context, err any) {
	zerolog.Ctx(c.Request.Context()).Error().Interface("panic", err).Msg("handler panicked")
	abort(c, http.StatusInternalServerError, "INTERNAL", "internal error")
}

// limitBody refuses a body over max with 413 before reading it when its length is
// declared, and stops reading at max when it is not.
func (s *Server) limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max {
			s.refuse(c, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE",
				"the request body is larger than the limit of "+humanBytes(max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// authenticate requires a valid bearer token or session, applies the request rate limit, and puts the caller in the context.
func (s *Server) authenticate(c *gin.Context) {
	b := s.state.Load()
	if b == nil {
		c.Set(ctxExpected, true)
		abort(c, http.StatusServiceUnavailable, "UNAVAILABLE", "the server is still loading the catalog")
		return
	}
	signed := s.signIn(c, b) // a bearer token or the session cookie, in its home org (auth.go)
	if signed == nil {
		return
	}
	caller, ok := s.actingCaller(c, b, signed) // the home org, or X-Tagflow-Org's (orgs.go)
	if !ok {
		return
	}
	if wait, ok := s.requests.allow(caller.Org+"\x00"+caller.Principal.Ref(), s.now()); !ok {
		s.refuseRateLimited(c, wait, fmt.Sprintf("%s made more than %g requests a second (burst %d)", caller.Principal.Ref(), s.cfg.RateLimit, s.cfg.RateBurst))
		return
	}
	c.Set(ctxLogger, caller.Principal.Ref())
	ctx := withCaller(access.WithActor(c.Request.Context(), caller.Principal.Ref()), caller)
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// refuse answers in the shape of the endpoint: GraphQL errors on /graphql, REST elsewhere.
func (s *Server) refuse(c *gin.Context, status int, code, msg string) {
	if c.FullPath() == "/graphql" {
		gqlFail(c, status, code, msg)
		return
	}
	abort(c, status, code, msg)
}

// abort answers with the REST error shape {"code", "message", "errors"}.
func abort(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"code": code, "message": msg, "errors": []problemJSON{}, "problemCount": 0})
}

func abortErr(c *gin.Context, err error) {
	ae := toAPI(err)
	problems := problemList(ae.problems)
	c.AbortWithStatusJSON(statusOf(ae.kind), gin.H{"code": ae.code, "message": ae.msg, "errors": problems, "problemCount": ae.count})
}

func withTimeout(c *gin.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request.Context(), d)
}
