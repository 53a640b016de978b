package catalog

import (
	"fmt"
	"slices"
)

// StewardChange returns the change that sets the steward tag declarations of the asset or
// member at path to decls ("t" or "~t"): the full list, replacing the previous one.
func StewardChange(base *Snapshot, path string, decls []string) (*Change, error) {
	const op = "setTags"
	if err := ValidateRef(path); err != nil {
		return nil, &Error{Op: op, Kind: InvalidArgument, Path: path, Msg: fmt.Sprintf("path %q: %v", path, err)}
	}
	a, m, ok := base.Lookup(path)
	if !ok {
		return nil, &Error{Op: op, Kind: NotFound, Path: path, Msg: fmt.Sprintf("%s does not exist", path)}
	}
	var ps problems
	tags := checkTags(decls, path, 0, &ps)
	if len(ps.list) > 0 {
		return nil, &Error{Op: op, Kind: InvalidArgument, Path: path, Msg: ps.list[0].Msg}
	}
	cp := *a
	if m == nil {
		cp.Steward = tags
	} else {
		cp.Members = append([]Member(nil), a.Members...)
		for i := range cp.Members {
			if cp.Members[i].Name == m.Name {
				cp.Members[i].Steward = tags
			}
		}
	}
	ch := &Change{Base: base}
	if slices.Equal(a.Steward, cp.Steward) && (m == nil || slices.Equal(m.Steward, tags)) {
		return ch, nil
	}
	ch.Upserts = []*Asset{&cp}
	ch.Changed = []string{a.Path}
	return ch, nil
}
