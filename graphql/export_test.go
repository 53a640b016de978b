package graphql

import "time"

// Internals for the external tests of package graphql_test.
var (
	WithCaller = withCaller
	AddCode    = addCode
)

// CountExpensive is countExpensive, for its table test.
var CountExpensive = countExpensive

// SchemaText is the embedded schema, for the contract test.
var SchemaText = schemaText

// SetClock makes s read the time from now (the rate limits); call it before s serves.
func SetClock(s *Server, now func() time.Time) { s.now = now }
