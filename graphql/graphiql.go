package graphql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// GraphiQL for people, at GET /graphql. The page is a static shell that holds no data;
// every query it sends goes to POST /graphql with the token the user enters in its headers
// editor, like any other client. Its scripts and styles (GraphiQL 3.7.1, React 18.3.1; see
// graphiql/NOTICE) are served from the binary at /graphql/assets/: the page loads nothing
// from elsewhere, so no CDN sees the page that holds a token, and its Content-Security-
// Policy allows scripts from this server only and no framing. The console will bundle its
// own copy.

//go:embed graphiql
var graphiqlFiles embed.FS

// graphiqlCSP: scripts only from the server, and no inline script; GraphiQL adds <style>
// elements and its CSS holds data: fonts and images.
const graphiqlCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// graphiqlAsset is one file of graphiql/, as served.
type graphiqlAsset struct {
	contentType string
	body        []byte // gzipped when gzipped is set
	gzipped     bool
	etag        string
}

// graphiqlAssets are loaded once, at the first request for one.
var graphiqlAssets = sync.OnceValue(loadGraphiqlAssets)

func loadGraphiqlAssets() map[string]*graphiqlAsset {
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	out := map[string]*graphiqlAsset{}
	entries, _ := graphiqlFiles.ReadDir("graphiql")
	for _, e := range entries {
		name := e.Name()
		b, err := graphiqlFiles.ReadFile("graphiql/" + name)
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		a := &graphiqlAsset{body: b}
		if base, ok := strings.CutSuffix(name, ".gz"); ok {
			name, a.gzipped = base, true
		}
		if a.contentType = types[path.Ext(name)]; a.contentType == "" {
			continue // NOTICE
		}
		sum := sha256.Sum256(b)
		a.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
		out[name] = a
	}
	return out
}

// frameless sets the headers of every GraphiQL response: no framing, no sniffing, and no
// referrer to other sites.
func frameless(c *gin.Context) {
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "no-referrer")
}

func (s *Server) graphiql(c *gin.Context) {
	if c.Query("query") != "" {
		gqlFail(c, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "send queries with POST /graphql")
		return
	}
	frameless(c)
	c.Header("Content-Security-Policy", graphiqlCSP)
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(graphiqlPage))
}

// graphiqlAsset serves GET /graphql/assets/:file, gzipped to a client that accepts it.
func (s *Server) graphiqlAsset(c *gin.Context) {
	a := graphiqlAssets()[c.Param("file")]
	if a == nil {
		abort(c, http.StatusNotFound, "NOT_FOUND", "no such file: "+c.Request.URL.Path)
		return
	}
	frameless(c)
	c.Header("ETag", a.etag)
	c.Header("Cache-Control", "public, max-age=86400")
	if c.GetHeader("If-None-Match") == a.etag {
		c.Status(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gzipped {
		c.Header("Vary", "Accept-Encoding")
		if acceptsGzip(c.GetHeader("Accept-Encoding")) {
			c.Header("Content-Encoding", "gzip")
		} else if body = gunzip(body); body == nil {
			abort(c, http.StatusInternalServerError, "INTERNAL", "internal error")
			return
		}
	}
	c.Data(http.StatusOK, a.contentType, body)
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

func gunzip(b []byte) []byte {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil
	}
	return out
}

const graphiqlPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tagflow GraphiQL</title>
<link rel="stylesheet" href="/graphql/assets/graphiql.min.css">
<style>body{margin:0;height:100vh}#graphiql{height:100vh}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL… Put your token in the Headers tab as {"Authorization": "Bearer tfp_…"}.</div>
<script src="/graphql/assets/react.production.min.js"></script>
<script src="/graphql/assets/react-dom.production.min.js"></script>
<script src="/graphql/assets/graphiql.min.js"></script>
<script src="/graphql/assets/graphiql.js"></script>
</body>
</html>`
