package graphql

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// GraphiQL for people is the console's page /graphiql (console.go), bundled from npm into
// the built console: it loads nothing from elsewhere and its queries carry the session of
// the console. GET /graphql, where GraphiQL used to be, sends a browser there; a query in
// a GET is refused, since queries are sent with POST /graphql.
func (s *Server) graphiql(c *gin.Context) {
	if c.Query("query") != "" {
		gqlFail(c, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "send queries with POST /graphql")
		return
	}
	frameless(c)
	c.Header("Cache-Control", "no-cache")
	c.Redirect(http.StatusFound, "/graphiql")
}

// frameless sets the headers of every console and GraphiQL response: no framing, no
// sniffing, and no referrer to other sites.
func frameless(c *gin.Context) {
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "no-referrer")
}

func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
