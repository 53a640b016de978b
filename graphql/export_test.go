package graphql

// Internals for the external tests of package graphql_test.
var (
	WithCaller = withCaller
	AddCode    = addCode
)
