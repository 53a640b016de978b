package catalog

import "time"

// AssetKind says what an asset is.
type AssetKind int

// The four kinds of asset. Datasets and featuresets are top-level; fields and features are
// their members.
const (
	KindDataset AssetKind = iota + 1
	KindField
	KindFeatureset
	KindFeature
)

func (k AssetKind) String() string {
	switch k {
	case KindDataset:
		return "DATASET"
	case KindField:
		return "FIELD"
	case KindFeatureset:
		return "FEATURESET"
	case KindFeature:
		return "FEATURE"
	}
	return "UNKNOWN"
}

// MemberKind is the kind of a member of a top-level asset of kind k.
func (k AssetKind) MemberKind() AssetKind {
	if k == KindFeatureset {
		return KindFeature
	}
	return KindField
}

// Asset is a top-level asset: a dataset or a featureset, with its members (fields or
// features) in declaration order. Asset values held by a Snapshot are immutable: copy
// before changing.
type Asset struct {
	Kind        AssetKind `json:"k"`
	Path        string    `json:"p"`
	Description string    `json:"d,omitempty"`
	Owner       string    `json:"o,omitempty"`  // declared owner, a principal reference
	CreatedBy   string    `json:"cb,omitempty"` // the principal that first deployed it
	Tags        []string  `json:"t,omitempty"`  // definition tag declarations: "t" or "~t", sorted
	Steward     []string  `json:"st,omitempty"` // steward tag declarations (setTags), sorted; kept across deploys
	Members     []Member  `json:"m,omitempty"`
	Pipeline    *Pipeline `json:"pl,omitempty"` // datasets only
}

// Member is a field of a dataset or a feature of a featureset.
type Member struct {
	Name        string   `json:"n"`
	Type        string   `json:"y"` // canonical type, see NormalizeType
	Key         bool     `json:"key,omitempty"`
	Description string   `json:"d,omitempty"`
	Tags        []string `json:"t,omitempty"`
	Steward     []string `json:"st,omitempty"` // steward tag declarations, kept across deploys
	From        []string `json:"f,omitempty"`  // features only: absolute paths of fields, features or datasets
}

// Pipeline says what a dataset is computed from.
type Pipeline struct {
	Inputs []string `json:"i"` // absolute dataset paths, in declaration order
	// Columns maps an output field to the input fields ("Ds.col", absolute) it is computed
	// from. Nil means no column lineage was declared (the fail-closed rule of DESIGN §3); an
	// empty map is column lineage that maps nothing, so it is stored (omitzero, not omitempty).
	Columns map[string][]string `json:"c,omitzero"`
	// Description of the pipeline (its code, its job), free text.
	Description string `json:"d,omitempty"`
}

// EffectiveOwner is the declared owner, else the principal that first deployed the asset.
func (a *Asset) EffectiveOwner() string {
	if a.Owner != "" {
		return a.Owner
	}
	return a.CreatedBy
}

// Member returns the member named n, or nil.
func (a *Asset) Member(n string) *Member {
	for i := range a.Members {
		if a.Members[i].Name == n {
			return &a.Members[i]
		}
	}
	return nil
}

// MemberPath is the path of member m of asset a: "Ds.col".
func MemberPath(asset, member string) string { return asset + "." + member }

// Branch is a named, isolated line of definitions in an org.
type Branch struct {
	Org     string `json:"org"`
	Name    string `json:"name"`
	From    string `json:"from,omitempty"` // the branch it was created from
	Root    string `json:"root"`           // id of the snapshot root blob; "" is the empty catalog
	Version int64  `json:"version"`        // the number of commits made to it
	// Applied identifies the document whose deploy made the head (see CommitInfo.Applied);
	// deploying it again changes nothing.
	Applied   string    `json:"applied,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// MainBranch is the branch every org starts with.
const MainBranch = "main"
