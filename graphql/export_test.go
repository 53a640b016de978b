package graphql

// Internals for the external tests of package graphql_test.
var (
	WithCaller = withCaller
	AddCode    = addCode
)

// CountExpensive is countExpensive, for its table test.
var CountExpensive = countExpensive

// SchemaText is the embedded schema, for the contract test.
var SchemaText = schemaText
