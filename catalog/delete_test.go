package catalog

import (
	"strings"
	"testing"
)

func TestRemovalChange(t *testing.T) {
	base := mustDeploy(t, EmptySnapshot, readTestdata(t, "fennel.yaml"), PlanOptions{Deployer: "user:admin"})
	cases := []struct {
		name     string
		paths    []string
		kind     Kind // 0: no error
		msg      string
		removed  string
		problems []wantProblem
	}{
		{name: "a leaf", paths: []string{"UserFeatures"}, removed: "UserFeatures"},
		{name: "duplicates", paths: []string{"UserFeatures", "UserFeatures"}, removed: "UserFeatures"},
		{name: "readers with what they read", paths: []string{"User", "UserFeatures", "TxnByCity"}, removed: "TxnByCity,User,UserFeatures"},
		{name: "a read dataset", paths: []string{"User"}, removed: "User", problems: []wantProblem{
			{asset: "User", msg: "User is removed, but TxnByCity still reads it (pipeline input); delete TxnByCity in the same call, or first deploy it without that read"},
			{asset: "User.city", msg: "User.city is removed, but UserFeatures still reads it (from of feature city)"},
		}},
		{name: "one reader left", paths: []string{"User", "TxnByCity"}, removed: "TxnByCity,User", problems: []wantProblem{
			{asset: "User.city", msg: "but UserFeatures still reads it"},
			{asset: "TxnByCity.total", msg: "but UserFeatures still reads it"},
		}},
		{name: "missing", paths: []string{"Nope", "User", "Also"}, kind: NotFound, msg: "2 paths do not exist: Also, Nope"},
		{name: "one missing", paths: []string{"Nope"}, kind: NotFound, msg: "Nope does not exist"},
		{name: "a member", paths: []string{"User.city"}, kind: InvalidArgument, msg: "User.city is a member"},
		{name: "a bad path", paths: []string{"/User"}, kind: InvalidArgument, msg: `path "/User"`},
		{name: "nothing", paths: nil, kind: InvalidArgument, msg: "at least one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, ps, err := RemovalChange(base, c.paths)
			if c.kind != 0 {
				if KindOf(err) != c.kind || !strings.Contains(err.Error(), c.msg) {
					t.Fatalf("err = %v (%v), want %v with %q", err, KindOf(err), c.kind, c.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(ch.Removes, ","); got != c.removed || strings.Join(ch.Removed, ",") != c.removed || len(ch.Upserts) != 0 {
				t.Fatalf("removes %q, removed %q, upserts %d; want %q", got, ch.Removed, len(ch.Upserts), c.removed)
			}
			checkProblems(t, ps, c.problems)
		})
	}
}
