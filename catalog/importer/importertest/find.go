package importertest

import (
	"io"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
)

// Asset returns the dataset named path in doc, failing t if there is none.
func Asset(t testing.TB, doc *catalog.Document, path string) *catalog.DocAsset {
	t.Helper()
	for i := range doc.Assets {
		if doc.Assets[i].Name == path {
			return &doc.Assets[i]
		}
	}
	t.Fatalf("no dataset %s in the document", path)
	return nil
}

// Member returns a's field named name, failing t if there is none.
func Member(t testing.TB, a *catalog.DocAsset, name string) *catalog.DocMember {
	t.Helper()
	for i := range a.Members {
		if a.Members[i].Name == name {
			return &a.Members[i]
		}
	}
	t.Fatalf("%s has no field %s", a.Name, name)
	return nil
}

// HasNote says whether a note on path says part.
func HasNote(ns []importer.Note, path, part string) bool {
	for _, n := range ns {
		if n.Path == path && strings.Contains(n.Msg, part) {
			return true
		}
	}
	return false
}

// CountingReader counts the bytes read through it.
type CountingReader struct {
	R io.Reader
	N int64
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += int64(n)
	return n, err
}
