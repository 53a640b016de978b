package catalog

// PageIDs returns the ids of a snapshot's pages, so that the tests of package catalog_test
// can tell which pages branches share.
func PageIDs(s *Snapshot) []string {
	ids := make([]string, len(s.pages))
	for i, p := range s.pages {
		ids[i] = p.ID
	}
	return ids
}
