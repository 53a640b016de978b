// Package importertest holds what the importers' tests share: finding the real samples
// beside the repository, golden files refreshed with -update, and the check that an
// imported document deploys (parses, resolves and plans on an empty branch with no
// problem). Only tests import it.
package importertest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// SamplesDir is <repo root>/../shared/samples/lineage, where every session and CI keep
// the real files (shared/ beside the clone). Without it the test is skipped, except
// under CI=true, where it fails: CI must never pass by testing nothing.
func SamplesDir(t testing.TB) string {
	t.Helper()
	root, err := repoRoot()
	if err == nil {
		dir := filepath.Join(root, "..", "shared", "samples", "lineage")
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
		err = fmt.Errorf("%s is missing", dir)
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("the lineage samples are needed under CI: %v", err)
	}
	t.Skipf("no lineage samples: %v", err)
	return ""
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("no go.mod above the test's directory")
		}
		dir = up
	}
}

// Golden compares got with testdata/name; with -update it writes got there instead.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the import gives now (go test -update rewrites it; review the diff):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, a, b)
		}
	}
	return "(same lines, different bytes)"
}

// GoldenText is the golden form of a result: the notes as YAML comments, then the
// document as YAML (so the file itself is a deployable document).
func GoldenText(t testing.TB, res *importer.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "# note: %s\n", strings.ReplaceAll(n.String(), "\n", " "))
	}
	y, err := importer.YAML(res.Document)
	if err != nil {
		t.Fatal(err)
	}
	b.Write(y)
	return b.Bytes()
}

// Deployable fails t unless both written forms of doc parse back to doc and the document
// resolves and plans on an empty branch without a problem: what a deploy checks in
// catalog (cycles are checked above it, by lineage).
func Deployable(t testing.TB, doc *catalog.Document) {
	t.Helper()
	if err := CheckDeployable(doc); err != nil {
		t.Fatal(err)
	}
}

// CheckDeployable is Deployable as an error, for fuzz targets.
func CheckDeployable(doc *catalog.Document) error {
	y, err := importer.YAML(doc)
	if err != nil {
		return fmt.Errorf("writing YAML: %v", err)
	}
	j, err := importer.JSON(doc)
	if err != nil {
		return fmt.Errorf("writing JSON: %v", err)
	}
	for _, form := range []struct {
		name string
		data []byte
	}{{"YAML", y}, {"JSON", j}} {
		parsed, ps := catalog.ParseDocument(form.data)
		if len(ps) > 0 {
			return fmt.Errorf("the %s form does not parse: %v\n%s", form.name, ps, clipText(form.data))
		}
		if got, want := normal(parsed), normal(doc); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("the %s form parses to another document:\n got  %+v\n want %+v", form.name, got, want)
		}
		res, ps := catalog.Resolve(parsed)
		if len(ps) > 0 {
			return fmt.Errorf("the %s form does not resolve: %v", form.name, ps)
		}
		if _, ps := catalog.Plan(catalog.EmptySnapshot, res, catalog.PlanOptions{Deployer: "user:importer"}); len(ps) > 0 {
			return fmt.Errorf("the %s form does not plan on an empty branch: %v", form.name, ps)
		}
	}
	return nil
}

// normal is doc without lines, with column lineage sorted by field and empty lists nil,
// so that a built document and its parsed form compare equal.
func normal(doc *catalog.Document) catalog.Document {
	out := catalog.Document{Namespace: doc.Namespace}
	for _, a := range doc.Assets {
		na := catalog.DocAsset{Kind: a.Kind, Name: a.Name, Description: a.Description, Tags: nilIfEmpty(a.Tags)}
		for _, m := range a.Members {
			na.Members = append(na.Members, catalog.DocMember{Name: m.Name, Type: m.Type, Key: m.Key, Description: m.Description, Tags: nilIfEmpty(m.Tags)})
		}
		if p := a.Pipeline; p != nil {
			np := &catalog.DocPipeline{Description: p.Description, Inputs: p.Inputs, HasColumns: p.HasColumns}
			for _, c := range p.Columns {
				np.Columns = append(np.Columns, catalog.DocColumn{Field: c.Field, From: c.From})
			}
			sort.Slice(np.Columns, func(i, j int) bool { return np.Columns[i].Field < np.Columns[j].Field })
			na.Pipeline = np
		}
		out.Assets = append(out.Assets, na)
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func clipText(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

// ReadSample reads the sample at rel, a path under SamplesDir.
func ReadSample(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(SamplesDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// MarquezEvents is Marquez's food-delivery template (a JSON array of 26 events) with its
// time placeholders filled as Marquez's docker/seed.sh does: {{RUN_START_TIME}} is now and
// {{RUN_END_TIME_AFTER_N_MINUTES}} now plus N minutes, as %Y-%m-%dT%H:%M:%S.000Z. A
// document made of them does not depend on the times themselves, only on their order.
func MarquezEvents(t testing.TB) []byte {
	t.Helper()
	s := string(ReadSample(t, "marquez/docker/metadata.template.json"))
	const layout = "2006-01-02T15:04:05.000Z"
	now := time.Now().UTC().Truncate(time.Second)
	s = strings.ReplaceAll(s, "{{RUN_START_TIME}}", now.Format(layout))
	for n := 5; n <= 10; n++ {
		s = strings.ReplaceAll(s, fmt.Sprintf("{{RUN_END_TIME_AFTER_%d_MINUTES}}", n), now.Add(time.Duration(n)*time.Minute).Format(layout))
	}
	if strings.Contains(s, "{{") {
		t.Fatal("the Marquez template has a placeholder seed.sh does not fill")
	}
	return []byte(s)
}
