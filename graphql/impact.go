package graphql

import (
	"encoding/base64"
	"strings"

	gql "github.com/graph-gophers/graphql-go"
)

// MaxImpactPage is the largest page of Query.impact: paths are small, so its pages may be
// larger than MaxPage.
const MaxImpactPage = 10_000

type impactArgs struct {
	Path   string
	Branch gql.NullString
	First  gql.NullInt
	After  *string
}

// impactPage reads impact's page arguments: first (default 1000) and the cursor.
func impactPage(args impactArgs) (first int, after string, err error) {
	first = 1000
	if args.First.Value != nil {
		first = int(*args.First.Value)
	}
	if first < 0 || first > MaxImpactPage {
		return 0, "", argError("first must be between 0 and %d, not %d", MaxImpactPage, first)
	}
	if args.After != nil && *args.After != "" {
		if after, err = decodeCursor(*args.After); err != nil {
			return 0, "", err
		}
	}
	return first, after, nil
}

// A cursor is the path of the last item of a page, opaque to clients (like datasets').
func encodeCursor(path string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("p:" + path))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "p:") {
		return "", argError("after %q is not a cursor from this API", c)
	}
	return string(b[2:]), nil
}

// pathConnectionResolver is a page of paths (PathConnection).
type pathConnectionResolver struct {
	total   int
	nodes   []string
	hasNext bool
}

func (c *pathConnectionResolver) TotalCount() int32 { return int32(c.total) }
func (c *pathConnectionResolver) Nodes() []string   { return c.nodes }
func (c *pathConnectionResolver) PageInfo() *pageInfoResolver {
	return newPageInfo(c.hasNext, len(c.nodes), func() string { return c.nodes[len(c.nodes)-1] })
}
