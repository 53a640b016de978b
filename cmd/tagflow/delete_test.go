package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDeleteCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)

	r := mustRun(t, 0, s.env(), "", "delete", "UserFeatures", "--dry-run")
	mustEqual(t, "delete --dry-run", r.stdout, "Plan for main: 1 removed.\n  - UserFeatures\n")
	mustRun(t, 0, s.env(), "", "get", "UserFeatures")

	r = mustRun(t, 2, s.env(), "", "delete", "User")
	mustContain(t, "delete of a read dataset, stderr", r.stderr, "nothing was deleted (INVALID_DEFINITION, 2 problems)",
		"User: User is removed, but TxnByCity still reads it (pipeline input)",
		"User.city: User.city is removed, but UserFeatures still reads it (from of feature city)")
	r = mustRun(t, 2, s.env(), "", "delete", "User", "--dry-run")
	mustContain(t, "a dry run of a refused delete", r.stdout, "The deletion has 2 problems; nothing would be deleted:\n  User: User is removed, but TxnByCity still reads it")

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"Nope", "User"}, 2, "Nope does not exist; nothing was deleted (NOT_FOUND)"},
		{[]string{"User.city"}, 2, "to drop a field or feature, deploy its dataset or featureset without it (INVALID_ARGUMENT)"},
		{[]string{"User", "--branch", "nope"}, 2, "NOT_FOUND"},
		{nil, 1, "delete needs the paths"},
	} {
		r := mustRun(t, tc.code, s.env(), "", append([]string{"delete"}, tc.args...)...)
		mustContain(t, "stderr", r.stderr, tc.want)
	}

	r = mustRun(t, 0, s.env(), "", "delete", "UserFeatures", "TxnByCity", "UserFeatures")
	mustEqual(t, "delete", r.stdout, "Deleted from main: 2 removed (version 2).\n  - TxnByCity\n  - UserFeatures\n")
	mustRun(t, 2, s.env(), "", "get", "UserFeatures")

	r = mustRun(t, 0, s.env(), "", "delete", "User", "Transaction", "-o", "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("delete -o json printed what is not JSON: %v\n%s", err, r.stdout)
	}
	want := map[string]any{"changed": true, "added": []any{}, "changedAssets": []any{}, "removed": []any{"Transaction", "User"},
		"tagChanges": []any{}, "tagChangeCount": float64(0), "errors": []any{}, "version": float64(3)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("delete -o json = %s", r.stdout)
	}
	if b := s.branches(t)["main"]; b.AssetCount != 0 || b.Version != 3 {
		t.Errorf("main after the deletions: %+v", b)
	}
}
