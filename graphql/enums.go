package graphql

import "fmt"

// graphql-go fills an enum argument that has a default only into a plain string or a type
// that says it implements the enum; these let an explicit null mean the default too.

type nullGranularity struct{ Value *string }

func (nullGranularity) ImplementsGraphQLType(name string) bool { return name == "Granularity" }
func (n *nullGranularity) UnmarshalGraphQL(input any) error    { return unmarshalEnum(&n.Value, input) }
func (nullGranularity) Nullable()                              {}

type nullNegation struct{ Value *string }

func (nullNegation) ImplementsGraphQLType(name string) bool { return name == "Negation" }
func (n *nullNegation) UnmarshalGraphQL(input any) error    { return unmarshalEnum(&n.Value, input) }
func (nullNegation) Nullable()                              {}

func unmarshalEnum(dst **string, input any) error {
	switch v := input.(type) {
	case nil:
		*dst = nil
	case string:
		*dst = &v
	default:
		return fmt.Errorf("wrong type for an enum: %T", input)
	}
	return nil
}
