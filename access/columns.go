package access

import (
	"fmt"
	"strings"
)

// AccessResult is a dataset's answer to columnAccess (the contract's AccessResult).
type AccessResult string

// The answers: every column visible, some, none.
const (
	Allow   AccessResult = "ALLOW"
	Partial AccessResult = "PARTIAL"
	Deny    AccessResult = "DENY"
)

// Column is one column (field) of a dataset with its own present tags, sorted.
type Column struct {
	Name string
	Tags []string
}

// ColumnsRequest asks which columns of a dataset the subject may use in one mode.
type ColumnsRequest struct {
	Dataset string
	Branch  string
	Mode    Mode // READ_DATA usually
	Owner   string
	Columns []Column
	// DatasetTags are the dataset's own present tags: a dataset without columns is ALLOW
	// or DENY as the dataset itself is judged.
	DatasetTags []string
	// Explain builds each hidden column's reason (the Reason Explain gives for the
	// column's path); without it the reasons are empty.
	Explain bool
	// TagSource says where a present tag of a column's path ("dataset.column") comes from,
	// for reasons; asked only for the hidden columns' failing tags. One function for the
	// request, not one per column: a 200-column answer builds no closure per column.
	TagSource func(path, tag string) string
}

// HiddenColumn is a column the subject may not use, and why.
type HiddenColumn struct {
	Name   string
	Reason string
}

// ColumnAccess is the answer for a dataset: ALLOW (every column visible), PARTIAL (some
// visible, the others hidden) or DENY (every column hidden), each hidden column with its
// reason. Visible and Hidden keep the order of the request's columns.
type ColumnAccess struct {
	Result  AccessResult
	Visible []string
	Hidden  []HiddenColumn
}

// ColumnAccess judges each column on its own tags (DESIGN §5), as Check would judge the
// member path "dataset.column": what does not depend on the tags (ownership, scopes,
// modes, branches) is decided once for the dataset, then each column costs one evaluation
// of the remaining rules' tag expressions.
func (p *Policy) ColumnAccess(req *ColumnsRequest) ColumnAccess {
	m := req.Mode
	var out ColumnAccess
	if len(req.Columns) == 0 {
		d := p.Check(&Request{Mode: m, Path: req.Dataset, Branch: req.Branch, Tags: req.DatasetTags, Owner: req.Owner})
		out.Result = Deny
		if d.Allowed {
			out.Result = Allow
		}
		return out
	}
	owned := m.Valid() && m != Manage && req.Owner != "" && p.isRef(req.Owner)
	var rules []*Rule
	if !owned {
		rules = p.datasetRules(req.Dataset, req.Branch, m)
	}
	var judged []colJudge // the grants covering the dataset, when explaining
	if req.Explain && !owned && m.Valid() {
		for gi := range p.grants {
			st, why, rs := p.judgeFixed(&p.grants[gi], req.Dataset, req.Branch, m, false)
			if st != StageScope {
				judged = append(judged, colJudge{gi: gi, stage: st, why: why, rules: rs})
			}
		}
	}
	out.Visible = make([]string, 0, len(req.Columns))
	for i := range req.Columns {
		c := &req.Columns[i]
		ok := owned
		for _, r := range rules {
			if ok {
				break
			}
			ok = r.Tags.EvalSorted(c.Tags)
		}
		if ok {
			out.Visible = append(out.Visible, c.Name)
			continue
		}
		h := HiddenColumn{Name: c.Name}
		if req.Explain {
			h.Reason = p.columnReason(req, c, m, judged)
		}
		if out.Hidden == nil {
			out.Hidden = make([]HiddenColumn, 0, len(req.Columns)-i)
		}
		out.Hidden = append(out.Hidden, h)
	}
	switch {
	case len(out.Hidden) == 0:
		out.Result = Allow
	case len(out.Visible) == 0:
		out.Result = Deny
	default:
		out.Result = Partial
	}
	return out
}

// colJudge is a grant covering the dataset: the stage it fails at whatever the tags (role,
// mode, branch), or "" and its rules that hold the mode on the branch.
type colJudge struct {
	gi    int
	stage Stage
	why   string
	rules []*Rule
}

// columnReason is the reason Explain gives for the column's path: the judgments that do
// not depend on the tags are the dataset's, the tag denials are the column's own.
func (p *Policy) columnReason(req *ColumnsRequest, c *Column, m Mode, judged []colJudge) string {
	path := req.Dataset + "." + c.Name
	if !m.Valid() {
		return fmt.Sprintf("denied: %q is not a mode; the modes are %s", string(m), AllModes.String())
	}
	if len(judged) == 0 {
		return p.denyReason(path, m, req.Owner, nil, 0)
	}
	col := Request{Mode: m, Path: path, Branch: req.Branch, Tags: c.Tags, Owner: req.Owner}
	if req.TagSource != nil {
		col.TagSource = func(tag string) string { return req.TagSource(path, tag) }
	}
	// As denyReason writes it, in one buffer: at most three grants are named.
	var b strings.Builder
	b.Grow(192)
	b.WriteString("denied: ")
	n := min(len(judged), 3)
	for i, j := range judged[:n] {
		if i > 0 {
			b.WriteString("; ")
		}
		if j.stage == "" {
			p.writeTagDenial(&b, &p.grants[j.gi], j.rules[0], &col, m)
		} else {
			b.WriteString(j.why)
		}
	}
	if len(judged) > n {
		fmt.Fprintf(&b, "; and %d more grants", len(judged)-n)
	}
	if m == Manage && req.Owner != "" && p.isRef(req.Owner) {
		fmt.Fprintf(&b, "; %s owns %s, but owners hold the four modes, not MANAGE", req.Owner, ownedAsset(path))
	}
	return b.String()
}

// datasetRules is every rule, of a grant covering dataset, that holds m and matches branch:
// a column is visible when one of them holds on its tags.
func (p *Policy) datasetRules(dataset, branch string, m Mode) []*Rule {
	mi := m.index()
	if mi < 0 {
		return nil
	}
	ix := &p.modes[mi]
	var out []*Rule
	add := func(cs []cand) {
		for i := range cs {
			for _, r := range cs[i].rules {
				if r.MatchBranch(branch) {
					out = append(out, r)
				}
			}
		}
	}
	add(ix.org)
	if dataset != "" {
		asset := assetOf(dataset)
		add(ix.asset[asset])
		for j := 0; j < len(asset)-1; j++ {
			if asset[j] == '/' {
				add(ix.prefix[asset[:j+1]])
			}
		}
	}
	for i := range ix.slow {
		if ix.slow[i].scope.Covers(dataset, p.who) {
			add(ix.slow[i : i+1])
		}
	}
	return out
}
