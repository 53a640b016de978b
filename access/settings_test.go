package access_test

import (
	"context"
	"testing"

	"github.com/tagflow/tagflow/access"
)

// An org's settings default to listing names, are kept per org, and survive a restart.
func TestSettingsPersist(t *testing.T) {
	dir := t.TempDir()
	reg, closeReg := openRegistry(t, dir)
	if got := reg.Settings("acme"); got != access.DefaultOrgSettings || !got.ListNames {
		t.Fatalf("default settings = %+v", got)
	}
	if err := reg.SetSettings(context.Background(), "acme", access.OrgSettings{ListNames: false}); err != nil {
		t.Fatal(err)
	}
	if reg.Settings("acme").ListNames || !reg.Settings("other").ListNames {
		t.Fatalf("settings: acme %+v, other %+v", reg.Settings("acme"), reg.Settings("other"))
	}
	closeReg()
	reg, closeReg = openRegistry(t, dir)
	defer closeReg()
	if reg.Settings("acme").ListNames || !reg.Settings("other").ListNames {
		t.Fatalf("after a restart: acme %+v, other %+v", reg.Settings("acme"), reg.Settings("other"))
	}
}
