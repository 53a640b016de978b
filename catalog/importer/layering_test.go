package importer_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The importers sit inside catalog: of tagflow they may import catalog and themselves only
// (DESIGN §1), so that the HTTP endpoint and the CLI above can use them without a cycle.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".", "./openlineage", "./dbt").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/tagflow/tagflow/") {
			continue
		}
		if p != "github.com/tagflow/tagflow/catalog" && !strings.HasPrefix(p, "github.com/tagflow/tagflow/catalog/importer") {
			t.Errorf("an importer depends on %s", p)
		}
		if p == "github.com/tagflow/tagflow/catalog/importer/importertest" {
			t.Errorf("importertest is for tests only, but the importers import it")
		}
	}
}
