package graphql

import (
	"sort"
	"strings"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/tags"
)

// assetResolver resolves all four asset types: a top-level asset a, or its member m, as
// they are in one version of a branch (v).
type assetResolver struct {
	v *tags.View
	a *catalog.Asset
	m *catalog.Member // nil for the dataset or featureset itself
	// report is what the write that answered this asset changed: set on setTags' answer.
	report *tags.WriteReport
	// redacted: listed to a caller who may not read it (redactedAsset): no tags.
	redacted bool
	// canRead says whether the caller may read a member's definitions (nil: every one);
	// a member it may not read is answered by name and kind only (a field is judged on
	// its own tags, DESIGN §5).
	canRead func(path string) bool
}

func newAssetResolver(v *tags.View, a *catalog.Asset, m *catalog.Member) *assetResolver {
	return &assetResolver{v: v, a: a, m: m}
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

// WriteReport is null except on the asset a write (setTags) answers with.
func (r *assetResolver) WriteReport() *writeReportResolver {
	if r.report == nil {
		return nil
	}
	return &writeReportResolver{r.report}
}

func (r *assetResolver) Kind() string { return r.kind().String() }

// Tags are the tags whose state is present (DESIGN §4).
func (r *assetResolver) Tags() []string {
	if r.redacted {
		return []string{}
	}
	tags, _ := r.v.Tags(r.Path())
	return tags
}

// Cancels are the tags the asset itself cancels: its declared ~t, from definitions or
// stewards.
func (r *assetResolver) Cancels() []string {
	if r.redacted {
		return []string{}
	}
	cancels, _ := r.v.Cancels(r.Path())
	return cancels
}

func (r *assetResolver) DeclaredTags() []string {
	if r.m != nil {
		return nonNil(r.m.Tags)
	}
	return nonNil(r.a.Tags)
}

func (r *assetResolver) StewardTags() []string {
	if r.m != nil {
		return nonNil(r.m.Steward)
	}
	return nonNil(r.a.Steward)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
		m := &r.a.Members[i]
		if r.canRead != nil && !r.canRead(catalog.MemberPath(r.a.Path, m.Name)) {
			out[i] = &assetResolver{v: r.v, a: r.a, m: &catalog.Member{Name: m.Name}, redacted: true}
			continue
		}
		out[i] = &assetResolver{v: r.v, a: r.a, m: m}
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
