package graphql

import (
	"context"
	_ "embed"

	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/rs/zerolog"
	"github.com/tagflow/tagflow/access"
	"github.com/tagflow/tagflow/tags"
)

//go:embed schema.graphql
var schemaText string

// Limits on a query. graphql-go has no cost analysis; depth, selections, length and page
// sizes (MaxPage) bound the work of one request.
const (
	MaxDepth       = 15
	MaxSelections  = 5000
	MaxQueryLength = 64 << 10
	MaxParallelism = 8
)

// NewSchema parses the embedded schema over the resolvers.
func NewSchema(svc *tags.Service, reg *access.Registry) (*gql.Schema, error) {
	return gql.ParseSchema(schemaText, &Resolver{svc: svc, reg: reg},
		gql.MaxDepth(MaxDepth),
		gql.MaxSelections(MaxSelections),
		gql.MaxQueryLength(MaxQueryLength),
		gql.MaxParallelism(MaxParallelism),
		gql.UseStringDescriptions(),
		// No resolver asks for its child selections (SelectedFieldNames): not capturing
		// them saves work on every field of every answer.
		gql.DisableFieldSelections(),
		gql.Tracer(tracer{}),
		gql.PanicHandler(panicked{}),
	)
}

// panicked turns a resolver's panic into INTERNAL without its text, which may name Go
// values; the log keeps it.
type panicked struct{}

func (panicked) MakePanicError(ctx context.Context, value any) *gqlerrors.QueryError {
	zerolog.Ctx(ctx).Error().Interface("panic", value).Msg("resolver panicked")
	return &gqlerrors.QueryError{Message: "internal error", Extensions: map[string]any{"code": "INTERNAL"}}
}
