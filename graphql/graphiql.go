package graphql

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// graphiql serves GraphiQL for people at GET /graphql. The page is a static shell that
// holds no data; every query it sends goes to POST /graphql with the token the user enters
// in its headers editor, like any other client. Its scripts come from the unpkg CDN; the
// console will bundle its own copy.
func (s *Server) graphiql(c *gin.Context) {
	if c.Query("query") != "" {
		gqlFail(c, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "send queries with POST /graphql")
		return
	}
	c.Header("Content-Security-Policy", "default-src 'self' https://unpkg.com; style-src 'self' 'unsafe-inline' https://unpkg.com; script-src 'self' 'unsafe-inline' https://unpkg.com")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(graphiqlPage))
}

const graphiqlPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tagflow GraphiQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3.7.1/graphiql.min.css">
<style>body{margin:0;height:100vh}#graphiql{height:100vh}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL… Put your token in the Headers tab as {"Authorization": "Bearer tf_…"}.</div>
<script src="https://unpkg.com/react@18.3.1/umd/react.production.min.js" crossorigin></script>
<script src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js" crossorigin></script>
<script src="https://unpkg.com/graphiql@3.7.1/graphiql.min.js" crossorigin></script>
<script>
const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultHeaders: '{"Authorization": "Bearer "}', shouldPersistHeaders: false }));
</script>
</body>
</html>`
