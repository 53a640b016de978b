package graphql

import (
	"context"
	"strings"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

type searchArgs struct {
	Branch gql.NullString
	Text   *string
	Kind   *string
	Tags   *[]string
	Owner  *string
	First  gql.NullInt
	After  *string
}

// Search resolves Query.search: a scan of the branch (tags.View.Search), paged like
// datasets with the same opaque cursor.
func (r *Resolver) Search(ctx context.Context, args searchArgs) (*assetConnectionResolver, error) {
	branch := branchOr(args.Branch)
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	q, err := searchQuery(args)
	if err != nil {
		return nil, err
	}
	v, err := r.svc.View(c.Org, branch)
	if err != nil {
		return nil, toAPI(err)
	}
	// A search scans every node of the branch: that is its cost, whatever it finds.
	if err := charge(ctx, 1+v.Nodes()); err != nil {
		return nil, err
	}
	// Only the assets the caller may read are found (DESIGN §5).
	q.Readable = r.reader(c, v, branch)
	res, err := v.Search(ctx, q)
	if err != nil {
		return nil, stopErr(ctx, err)
	}
	out := &assetConnectionResolver{total: res.Total, hasNext: res.HasNext, nodes: make([]*assetResolver, len(res.Hits))}
	for i, h := range res.Hits {
		out.nodes[i] = readable(newAssetResolver(v, h.Asset, h.Member), q.Readable)
	}
	return out, nil
}

// searchQuery checks the arguments of search and turns them into a query.
func searchQuery(args searchArgs) (tags.SearchQuery, error) {
	q := tags.SearchQuery{First: 100}
	if args.First.Value != nil {
		q.First = int(*args.First.Value)
	}
	if q.First < 0 || q.First > MaxPage {
		return q, argError("first must be between 0 and %d, not %d", MaxPage, q.First)
	}
	if args.After != nil && *args.After != "" {
		after, err := decodeCursor(*args.After)
		if err != nil {
			return q, err
		}
		q.After = after
	}
	if args.Text != nil {
		q.Text = *args.Text
	}
	if args.Kind != nil {
		switch *args.Kind {
		case "DATASET":
			q.Kind = catalog.KindDataset
		case "FIELD":
			q.Kind = catalog.KindField
		case "FEATURESET":
			q.Kind = catalog.KindFeatureset
		case "FEATURE":
			q.Kind = catalog.KindFeature
		default: // the schema's enum lets nothing else through
			return q, argError("kind %q is not DATASET, FIELD, FEATURESET or FEATURE", *args.Kind)
		}
	}
	if args.Tags != nil {
		for _, t := range *args.Tags {
			if strings.HasPrefix(t, "~") {
				return q, argError("tags %q: search finds present tags; a cancellation (~t) is not a tag an asset has", t)
			}
			if err := catalog.ValidateTagName(t); err != nil {
				return q, argError("tags %q: %v", t, err)
			}
		}
		q.Tags = *args.Tags
	}
	if args.Owner != nil && *args.Owner != "" {
		if _, _, err := catalog.ParsePrincipalRef(*args.Owner); err != nil {
			return q, argError("owner: %v", err)
		}
		q.Owner = *args.Owner
	}
	return q, nil
}

type assetConnectionResolver struct {
	total   int
	nodes   []*assetResolver
	hasNext bool
}

func (c *assetConnectionResolver) TotalCount() int32       { return int32(c.total) }
func (c *assetConnectionResolver) Nodes() []*assetResolver { return c.nodes }
func (c *assetConnectionResolver) PageInfo() *pageInfoResolver {
	return newPageInfo(c.hasNext, len(c.nodes), func() string { return c.nodes[len(c.nodes)-1].Path() })
}
