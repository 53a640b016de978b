package web

import (
	"embed"
	"io/fs"
)

// dist is the console as `make web` builds it (npm ci && npm run build in console/).
//
//go:embed all:dist
var dist embed.FS

// Assets is the built console: index.html, graphiql.html and the hashed files under
// assets/.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return sub
}
