package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// explain names every declaring asset whose tag stops on its way, where and why.
func TestExplainStoppedCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	mustRun(t, 0, s.env(), `datasets:
  - {name: A, fields: [{name: x, type: int, tags: [PII]}]}
  - {name: B, fields: [{name: x, type: int, tags: ["~PII"]}], pipeline: {inputs: [A], columns: {x: [A.x]}}}
  - {name: C, fields: [{name: y, type: int}], pipeline: {inputs: [B]}}
`, "deploy", "-f", "-")
	r := mustRun(t, 0, s.env(), "", "explain", "C.y", "PII")
	mustEqual(t, "explain C.y PII", r.stdout, "C.y does not have PII.\n"+
		"  would arrive from A.x, stopped at B.x (a cancellation does not travel fail-closed edges): A.x -> B.x -> C -> C.y\n")
	mustRun(t, 0, s.env(), "", "tags", "define", "PII", "--negation", "NODE")
	r = mustRun(t, 0, s.env(), "", "explain", "TxnByCity.total", "PII")
	mustEqual(t, "explain TxnByCity.total PII", r.stdout, "TxnByCity.total does not have PII.\n"+
		"  would arrive from User, stopped at TxnByCity by its ~PII (NODE): User -> TxnByCity -> TxnByCity.total\n")
	mustRun(t, 0, s.env(), "", "tags", "define", "stripe", "--no-propagate")
	r = mustRun(t, 0, s.env(), "", "explain", "UserFeatures.total_in_hometown", "stripe")
	mustEqual(t, "explain total_in_hometown stripe", r.stdout, "UserFeatures.total_in_hometown does not have stripe.\n"+
		"  would arrive from Transaction, stopped at Transaction (stripe does not propagate): Transaction -> TxnByCity -> TxnByCity.total -> UserFeatures.total_in_hometown\n")
	r = mustRun(t, 0, s.env(), "", "explain", "TxnByCity.total", "PII", "-o", "json")
	var e explanation
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || len(e.Stopped) != 1 || e.Stopped[0].At != "TxnByCity" || e.Stopped[0].Reason != "NODE_NEGATION" {
		t.Fatalf("explain -o json (%v): %s", err, r.stdout)
	}
}

// Tag names that differ only by case: defineTag refuses them, deploys and tags set warn
// on stderr and go through.
func TestCaseSlipsCommand(t *testing.T) {
	s := startServer(t, t.TempDir())
	mustRun(t, 0, s.env(), "", "deploy", "-f", fennel)
	r := mustRun(t, 2, s.env(), "", "tags", "define", "pii")
	mustContain(t, "tags define pii", r.stderr, "INVALID_ARGUMENT", "did you mean PII?")

	r = mustRun(t, 0, s.env(), "datasets:\n  - {name: Orders, fields: [{name: email, type: str, tags: [pii]}]}\n", "deploy", "-f", "-")
	mustEqual(t, "deploy stderr", r.stderr, "warning: tag \"pii\" (on Orders.email) differs only by case from the tag \"PII\": did you mean PII?\n")
	mustContain(t, "deploy stdout", r.stdout, "Deployed to main: 1 added", "  Orders.email: +pii\n")
	r = mustRun(t, 0, s.env(), "datasets:\n  - {name: Orders2, fields: [{name: email, type: str, tags: [Stripe]}]}\n", "deploy", "-f", "-", "-o", "json")
	mustContain(t, "deploy -o json stderr", r.stderr, "warning: tag \"Stripe\" (on Orders2.email)")
	mustContain(t, "deploy -o json stdout", r.stdout, `"warnings": [`, `"tagChangeCount": 1`)

	r = mustRun(t, 0, s.env(), "", "tags", "set", "User.city", "Gdpr", "gdpr")
	mustContain(t, "tags set stderr", r.stderr, "warning: tag \"Gdpr\" (on User.city) differs only by case from the tag \"gdpr\": did you mean gdpr?\n")
	mustContain(t, "tags set stdout", r.stdout, "Set the steward tags of User.city on main: Gdpr, gdpr.\n", "Tag changes (7 assets):\n")

	r = mustRun(t, 0, s.env(), "", "tags", "list")
	mustMatchLines(t, "tags list", r.stdout, `Gdpr\s+no\s+1\s+0\s+7\s+yes\s+DOWNSTREAM\s+-`, `pii\s+no\s+1\s+0\s+1\s+yes\s+DOWNSTREAM\s+-`)
}

// Over the server's bound, deploy says how many tag changes there were in all.
func TestDeployTagChangeCount(t *testing.T) {
	s := startServer(t, t.TempDir())
	var doc strings.Builder
	doc.WriteString("datasets:\n  - name: Src\n    tags: [PII]\n    fields:\n")
	for i := 0; i < 10_200; i++ {
		fmt.Fprintf(&doc, "      - {name: f%05d, type: int}\n", i)
	}
	r := mustRun(t, 0, s.env(), doc.String(), "deploy", "-f", "-")
	mustContain(t, "deploy output", r.stdout, "Tag changes (10201 assets):\n", "  Src.f00048: +PII\n", "  ... and 10151 more (-o json lists the first 10000)\n")
	mustNotContain(t, "deploy output", r.stdout, "Src.f00049")
}
