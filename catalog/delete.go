package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// maxNamed is how many paths a refusal names before it says how many more there are.
const maxNamed = 20

// RemovalChange returns the change that removes the datasets and featuresets at paths, with
// their members, from base (deleteAssets). A path listed twice is removed once. A member
// path ("Ds.col"), a malformed path or an empty list is an InvalidArgument error, and paths
// that do not exist are one NotFound error naming them all. Assets that remain but still
// read a removed one are problems, found by the checks a prune deploy runs; a change with
// problems must not be committed.
func RemovalChange(base *Snapshot, paths []string) (*Change, []Problem, error) {
	const op = "deleteAssets"
	if len(paths) == 0 {
		return nil, nil, &Error{Op: op, Kind: InvalidArgument, Msg: "no paths to delete: name at least one dataset or featureset"}
	}
	seen := make(map[string]bool, len(paths))
	var removes, missing []string
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		if err := ValidateRef(p); err != nil {
			return nil, nil, &Error{Op: op, Kind: InvalidArgument, Path: p, Msg: fmt.Sprintf("path %q: %v", clip(p), err)}
		}
		if _, member := SplitMember(p); member != "" {
			return nil, nil, &Error{Op: op, Kind: InvalidArgument, Path: p,
				Msg: fmt.Sprintf("%s is a member; delete removes datasets and featuresets; to drop a field or feature, deploy its dataset or featureset without it", p)}
		}
		if base.Get(p) == nil {
			missing = append(missing, p)
			continue
		}
		removes = append(removes, p)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, nil, &Error{Op: op, Kind: NotFound, Path: missing[0], Msg: notFoundMsg(missing)}
	}
	sort.Strings(removes)
	ch := &Change{Base: base, Removes: removes, Removed: removes}
	var ps problems
	checkDangling(ch, &Resolved{}, &ps, func(reader string) string {
		return "delete " + reader + " in the same call, or first deploy it without that read"
	})
	return ch, ps.list, nil
}

func notFoundMsg(missing []string) string {
	names := missing
	more := ""
	if len(names) > maxNamed {
		names, more = names[:maxNamed], fmt.Sprintf(" and %d more", len(missing)-maxNamed)
	}
	if len(missing) == 1 {
		return fmt.Sprintf("%s does not exist; nothing was deleted", missing[0])
	}
	return fmt.Sprintf("%d paths do not exist: %s%s; nothing was deleted", len(missing), strings.Join(names, ", "), more)
}
