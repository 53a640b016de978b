package graphql

import (
	"sort"
	"strings"

	"github.com/tagflow/tagflow/catalog"
)

// assetResolver resolves all four asset types: a top-level asset a, or its member m.
type assetResolver struct {
	a *catalog.Asset
	m *catalog.Member // nil for the dataset or featureset itself
}

func newAssetResolver(a *catalog.Asset, m *catalog.Member) *assetResolver {
	return &assetResolver{a: a, m: m}
}

func (r *assetResolver) kind() catalog.AssetKind {
	if r.m != nil {
		return r.a.Kind.MemberKind()
	}
	return r.a.Kind
}

func (r *assetResolver) ToDataset() (*assetResolver, bool) { return r, r.kind() == catalog.KindDataset }
func (r *assetResolver) ToField() (*assetResolver, bool)   { return r, r.kind() == catalog.KindField }
func (r *assetResolver) ToFeatureset() (*assetResolver, bool) {
	return r, r.kind() == catalog.KindFeatureset
}
func (r *assetResolver) ToFeature() (*assetResolver, bool) { return r, r.kind() == catalog.KindFeature }

func (r *assetResolver) Path() string {
	if r.m != nil {
		return catalog.MemberPath(r.a.Path, r.m.Name)
	}
	return r.a.Path
}

func (r *assetResolver) Kind() string { return r.kind().String() }

func (r *assetResolver) declared() []string {
	if r.m != nil {
		return r.m.Tags
	}
	return r.a.Tags
}

// Tags are the present tags. Until propagation exists (the lineage issue) they are the
// asset's own declarations.
func (r *assetResolver) Tags() []string {
	out := []string{}
	for _, t := range r.declared() {
		if !strings.HasPrefix(t, "~") {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

func (r *assetResolver) Cancels() []string {
	out := []string{}
	for _, t := range r.declared() {
		if strings.HasPrefix(t, "~") {
			out = append(out, t[1:])
		}
	}
	sort.Strings(out)
	return out
}

func (r *assetResolver) Owner() *string {
	o := r.a.EffectiveOwner()
	if o == "" {
		return nil
	}
	return &o
}

func (r *assetResolver) Description() *string {
	d := r.a.Description
	if r.m != nil {
		d = r.m.Description
	}
	if d == "" {
		return nil
	}
	return &d
}

func (r *assetResolver) members() []*assetResolver {
	out := make([]*assetResolver, len(r.a.Members))
	for i := range r.a.Members {
		out[i] = &assetResolver{a: r.a, m: &r.a.Members[i]}
	}
	return out
}

func (r *assetResolver) Fields() []*assetResolver   { return r.members() }
func (r *assetResolver) Features() []*assetResolver { return r.members() }

func (r *assetResolver) Name() string {
	if r.m != nil {
		return r.m.Name
	}
	_, name := splitLast(r.a.Path)
	return name
}

func (r *assetResolver) Type() string {
	if r.m == nil {
		return ""
	}
	return r.m.Type
}

func (r *assetResolver) Key() bool { return r.m != nil && r.m.Key }

func (r *assetResolver) From() []string {
	if r.m == nil {
		return []string{}
	}
	out := append([]string{}, r.m.From...)
	sort.Strings(out)
	return out
}

func (r *assetResolver) Dataset() string    { return r.a.Path }
func (r *assetResolver) Featureset() string { return r.a.Path }

func (r *assetResolver) Pipeline() *pipelineResolver {
	if r.m != nil || r.a.Pipeline == nil {
		return nil
	}
	return &pipelineResolver{a: r.a}
}

type pipelineResolver struct{ a *catalog.Asset }

func (p *pipelineResolver) Inputs() []string { return p.a.Pipeline.Inputs }
func (p *pipelineResolver) Description() *string {
	if p.a.Pipeline.Description == "" {
		return nil
	}
	return &p.a.Pipeline.Description
}
func (p *pipelineResolver) Columns() *[]*columnResolver {
	if p.a.Pipeline.Columns == nil {
		return nil
	}
	out := []*columnResolver{}
	for _, m := range p.a.Members {
		if from, ok := p.a.Pipeline.Columns[m.Name]; ok {
			out = append(out, &columnResolver{field: m.Name, from: from})
		}
	}
	return &out
}

type columnResolver struct {
	field string
	from  []string
}

func (c *columnResolver) Field() string  { return c.field }
func (c *columnResolver) From() []string { return c.from }

func splitLast(p string) (string, string) {
	i := strings.LastIndexByte(p, '/')
	return p[:i+1], p[i+1:]
}
