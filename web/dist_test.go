package web_test

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/web"
)

// firstPageBudget is issue 10's limit on the JavaScript of the first page, gzipped.
const firstPageBudget = 300 * 1024

var scriptRefs = regexp.MustCompile(`<(?:script|link)\b[^>]*?\s(?:src|href)="([^"]*)"[^>]*>`)

// The JavaScript index.html loads (its scripts and modulepreloads), gzipped, is within the
// budget; the figure is printed.
func TestFirstPageJavaScriptBudget(t *testing.T) {
	dist := web.Assets()
	page, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	total, plain := 0, 0
	for _, m := range scriptRefs.FindAllSubmatch(page, -1) {
		ref := string(m[1])
		if !strings.HasSuffix(ref, ".js") {
			continue
		}
		b, err := fs.ReadFile(dist, strings.TrimPrefix(ref, "/"))
		if err != nil {
			t.Fatalf("index.html loads %s: %v", ref, err)
		}
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = w.Write(b)
		_ = w.Close()
		t.Logf("%s: %d bytes, %d gzipped", ref, len(b), buf.Len())
		total += buf.Len()
		plain += len(b)
	}
	if total == 0 {
		t.Fatal("index.html loads no JavaScript")
	}
	t.Logf("first page JavaScript: %.1f KB gzipped (%.1f KB plain), budget %d KB", float64(total)/1024, float64(plain)/1024, firstPageBudget/1024)
	if total > firstPageBudget {
		t.Errorf("the first page loads %.1f KB of JavaScript gzipped, more than %d KB", float64(total)/1024, firstPageBudget/1024)
	}
}

// No page of the build loads a script or a stylesheet from another host.
func TestDistLoadsNothingFromElsewhere(t *testing.T) {
	dist := web.Assets()
	pages := 0
	err := fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		pages++
		b, err := fs.ReadFile(dist, p)
		if err != nil {
			return err
		}
		for _, m := range scriptRefs.FindAllSubmatch(b, -1) {
			ref := string(m[1])
			if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "//") {
				t.Errorf("%s loads %s from another host", p, ref)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 2 {
		t.Errorf("web/dist has %d pages, want index.html and graphiql.html", pages)
	}
}
