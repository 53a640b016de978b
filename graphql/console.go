package graphql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// The web console (package web builds it; cmd hands it over as Config.Console): GET /
// serves its page, GET /graphiql the bundled GraphiQL, GET /assets/FILE their scripts and
// styles. The pages hold no data and load nothing from elsewhere: every answer they show
// comes from POST /graphql with the session cookie (and the CSRF header), like any client.

// consoleCSP: scripts, styles, fonts and requests only from this server, no framing.
const consoleCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// consoleFile is one file of the console, as served: gzipped once, at its first request
// (not at start: the whole console takes about 0.1 s to compress), when that makes it
// smaller.
type consoleFile struct {
	contentType string
	body        []byte
	etag        string
	gzipOnce    sync.Once
	gz          []byte // nil when gzip does not make it smaller
}

// gzipped answers the file gzipped, or nil when that is not smaller.
func (f *consoleFile) gzipped() []byte {
	f.gzipOnce.Do(func() {
		if len(f.body) <= 1024 {
			return
		}
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = w.Write(f.body)
		_ = w.Close()
		if buf.Len() < len(f.body) {
			f.gz = buf.Bytes()
		}
	})
	return f.gz
}

// loadConsole reads every file of the built console.
func loadConsole(fsys fs.FS) (map[string]*consoleFile, error) {
	out := map[string]*consoleFile{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".html":
			ct = "text/html; charset=utf-8"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		f := &consoleFile{contentType: ct, body: b}
		sum := sha256.Sum256(b)
		f.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
		out[p] = f
		return nil
	})
	return out, err
}

// serveConsoleFile answers one file of the console, or 404 when there is none.
func (s *Server) serveConsoleFile(c *gin.Context, name string) {
	f := s.console[name]
	if f == nil {
		abort(c, http.StatusNotFound, "NOT_FOUND", "no such file: "+c.Request.URL.Path)
		return
	}
	frameless(c)
	c.Header("Content-Security-Policy", consoleCSP)
	c.Header("ETag", f.etag)
	if strings.HasPrefix(name, "assets/") {
		c.Header("Cache-Control", "public, max-age=31536000, immutable") // hashed names
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	if c.GetHeader("If-None-Match") == f.etag {
		c.Status(http.StatusNotModified)
		return
	}
	body := f.body
	if gz := f.gzipped(); gz != nil {
		c.Header("Vary", "Accept-Encoding")
		if acceptsGzip(c.GetHeader("Accept-Encoding")) {
			c.Header("Content-Encoding", "gzip")
			body = gz
		}
	}
	c.Data(http.StatusOK, f.contentType, body)
}
