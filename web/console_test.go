package web_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// (a) Jane signs in; the header says who she is.
func TestBrowserSignIn(t *testing.T) {
	s := startDemo(t)
	b := newBrowser(t, s)
	b.signIn(t, "jane@acme")
	b.screenshot(t, "catalog")
}

// (b) GraphiQL at /graphiql runs a query with the console's session.
func TestBrowserGraphiQL(t *testing.T) {
	s := startDemo(t)
	b := newBrowser(t, s)

	// Signed out, it says so and links to the console's sign-in.
	b.run(t, "open /graphiql signed out", chromedp.Navigate(s.url+"/graphiql"))
	b.waitJS(t, "the signed-out page", `!!document.querySelector('a[href="/#/login"]')`)

	b.signInByAPI(t, "admin")
	b.run(t, "open /graphiql", chromedp.Navigate(s.url+"/graphiql"))
	b.waitJS(t, "GraphiQL's editor", `!!document.querySelector(".graphiql-query-editor .CodeMirror")?.CodeMirror`)
	b.run(t, "run a query",
		js(`document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.setValue("{ me { principal { ref } } }")`),
		chromedp.Click(css(`.graphiql-execute-button`)),
	)
	b.waitJS(t, "the answer user:admin", `(document.querySelector(".result-window")?.textContent ?? "").includes("user:admin")`)
	b.screenshot(t, "graphiql")
}

// (c) The scenario: Jane reads, the lineage shows PII cancelled at TxnByCity, her
// hidden columns are what columnAccess answers, and an admin's role and grant change them
// until revoked, which the audit log shows.
func TestBrowserScenario(t *testing.T) {
	s := startDemo(t)
	b := newBrowser(t, s)
	b.signIn(t, "jane@acme")

	b.open(t, "/asset/data/forecast")
	b.waitJS(t, "field rows of data/forecast", `document.querySelectorAll("tr[data-testid=field-row]").length > 0`)
	b.waitJS(t, "the field temp_max", `!!document.querySelector('tr[data-testid=field-row][data-field="temp_max"]')`)
	b.screenshot(t, "asset")

	b.open(t, "/lineage/UserFeatures.total_in_hometown?direction=UPSTREAM&tag=PII")
	b.waitJS(t, "the lineage graph", `!!document.querySelector("svg[data-testid=lineage-graph] g[data-testid=node]")`)
	b.waitJS(t, "TxnByCity cancels PII", `document.querySelector('g[data-testid=node][data-path="TxnByCity"]')?.dataset.state === "cancelled"`)
	var state string
	b.eval(t, "the state of total_in_hometown", `document.querySelector('g[data-testid=node][data-path="UserFeatures.total_in_hometown"]')?.dataset.state ?? ""`, &state)
	if state == "" || state == "present" {
		t.Fatalf("UserFeatures.total_in_hometown has PII state %q in the lineage view; want it drawn, not present", state)
	}
	b.screenshot(t, "lineage")

	const dataset = "User" // Fennel: the org reads its definitions, not its data
	before := b.hiddenColumns(t, dataset)
	want := columnAccessHidden(t, s, dataset)
	if strings.Join(before, ",") != strings.Join(want, ",") {
		t.Fatalf("Jane's hidden columns of %s: the console shows %v, columnAccess answers %v", dataset, before, want)
	}
	if len(before) == 0 {
		t.Fatalf("Jane sees every column of %s: the scenario needs some hidden", dataset)
	}
	b.screenshot(t, "columns")

	// The admin makes a role that reads data and grants it to Jane on the dataset.
	b.signIn(t, "admin")
	b.open(t, "/access/roles?new=1")
	b.run(t, "fill the role form",
		chromedp.WaitVisible(css(`input[name=role-name]`)),
		chromedp.SendKeys(css(`input[name=role-name]`), "e2e-reader"),
	)
	var rules int
	b.eval(t, "count rules", `document.querySelectorAll("[data-testid=rule]").length`, &rules)
	if rules == 0 {
		b.run(t, "add a rule", chromedp.Click(css(`button[data-testid=add-rule]`)))
	}
	b.run(t, "a READ_DATA rule on every branch",
		chromedp.WaitVisible(css(`[data-testid=rule] input[name=mode][value=READ_DATA]`)),
		js(`(() => { const c = document.querySelector("[data-testid=rule] input[name=mode][value=READ_DATA]"); if (!c.checked) c.click(); })()`),
		clear(`[data-testid=rule] input[name=branches]`),
		chromedp.SendKeys(css(`[data-testid=rule] input[name=branches]`), "*"),
		chromedp.Click(css(`button[data-testid=save-role]`)),
	)
	b.waitJS(t, "the role is saved", `!!document.querySelector('tr[data-testid=role-row][data-role="e2e-reader"]')`)
	b.screenshot(t, "roles")

	b.open(t, "/access/grants")
	b.run(t, "fill the grant form",
		chromedp.WaitVisible(css(`input[name=principal]`)),
		chromedp.SendKeys(css(`input[name=principal]`), "user:jane@acme"),
		chromedp.SendKeys(css(`input[name=scope]`), dataset),
	)
	b.setRole(t, "e2e-reader")
	b.run(t, "grant", chromedp.Click(css(`button[data-testid=grant]`)))
	grantRow := fmt.Sprintf(`tr[data-testid=grant-row][data-principal="user:jane@acme"][data-role="e2e-reader"][data-scope=%q]`, dataset)
	b.waitJS(t, "the grant row", fmt.Sprintf(`!!document.querySelector(%q)`, grantRow))
	b.screenshot(t, "grants")

	// Jane now sees what she did not.
	after := b.viewAs(t, dataset, "user:jane@acme", columnAccessHidden(t, s, dataset))
	if len(after) >= len(before) {
		t.Fatalf("after the grant Jane's hidden columns of %s are %v, before %v: want fewer", dataset, after, before)
	}
	if got := columnAccessHidden(t, s, dataset); strings.Join(got, ",") != strings.Join(after, ",") {
		t.Fatalf("after the grant the console shows %v hidden, columnAccess answers %v", after, got)
	}

	// Revoked, she is back where she was.
	b.open(t, "/access/grants")
	b.waitJS(t, "the grant row", fmt.Sprintf(`!!document.querySelector(%q)`, grantRow))
	b.run(t, "revoke", chromedp.Click(css(grantRow+` button[data-testid=revoke]`)))
	b.waitJS(t, "the grant row is gone", fmt.Sprintf(`!document.querySelector(%q)`, grantRow))
	if got := columnAccessHidden(t, s, dataset); strings.Join(got, ",") != strings.Join(before, ",") {
		t.Fatalf("after the revoke columnAccess answers %v hidden for Jane, want %v", got, before)
	}
	if got := b.viewAs(t, dataset, "user:jane@acme", before); strings.Join(got, ",") != strings.Join(before, ",") {
		t.Fatalf("after the revoke the console shows Jane's hidden columns %v, want %v", got, before)
	}

	b.open(t, "/access/audit")
	for _, action := range []string{"grant", "revoke"} {
		b.waitJS(t, "the audit log shows the "+action, fmt.Sprintf(`!!document.querySelector('tr[data-testid=audit-row][data-action=%q][data-target="user:jane@acme"]')`, action))
	}
	b.screenshot(t, "audit")
}

// hiddenColumns opens the columns tab of dataset and answers the hidden columns, sorted.
func (b *browser) hiddenColumns(t *testing.T, dataset string) []string {
	t.Helper()
	b.open(t, "/asset/"+dataset+"?tab=columns")
	b.waitJS(t, "the column lists of "+dataset, `document.querySelectorAll("[data-testid=visible-column],[data-testid=hidden-column]").length > 0`)
	return b.readHidden(t)
}

func (b *browser) readHidden(t *testing.T) []string {
	t.Helper()
	var names []string
	b.eval(t, "read the hidden columns", `[...document.querySelectorAll("[data-testid=hidden-column]")].map(e => e.dataset.column)`, &names)
	sort.Strings(names)
	return names
}

// viewAs shows, as an admin, the hidden columns of dataset for principal, waiting until
// the console shows the columns want names (what columnAccess answers) or its deadline.
func (b *browser) viewAs(t *testing.T, dataset, principal string, want []string) []string {
	t.Helper()
	b.open(t, "/asset/"+dataset+"?tab=columns")
	b.run(t, "view as "+principal,
		chromedp.WaitVisible(css(`input[name=as]`)),
		clear(`input[name=as]`),
		chromedp.SendKeys(css(`input[name=as]`), principal),
		chromedp.Click(css(`button[data-testid=view-as]`)),
	)
	wantJS, _ := json.Marshal(strings.Join(want, ","))
	b.waitJS(t, fmt.Sprintf("the console shows %s hidden to %s, as columnAccess answers", want, principal), fmt.Sprintf(`location.hash.includes("as=") && !document.querySelector(".state.loading") &&
		[...document.querySelectorAll("[data-testid=hidden-column]")].map(e => e.dataset.column).sort().join(",") === %s`, wantJS))
	return b.readHidden(t)
}

// setRole chooses the role of the grant form, a select or an input.
func (b *browser) setRole(t *testing.T, role string) {
	t.Helper()
	var tag string
	b.eval(t, "the role field", `document.querySelector("[name=role]")?.tagName ?? ""`, &tag)
	switch tag {
	case "SELECT":
		b.waitJS(t, "the role "+role+" in the list", fmt.Sprintf(`[...document.querySelector("select[name=role]").options].some(o => o.value === %q)`, role))
		b.run(t, "choose the role", chromedp.SetValue(css(`select[name=role]`), role))
		b.eval(t, "tell React", fmt.Sprintf(`(() => { const s = document.querySelector("select[name=role]"); Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set.call(s, %q); s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, role), nil)
	case "INPUT":
		b.run(t, "type the role", chromedp.SendKeys(css(`input[name=role]`), role))
	default:
		t.Fatal("the grant form has no [name=role]")
	}
}

// columnAccessHidden asks GraphQL which columns of dataset Jane may not read.
func columnAccessHidden(t *testing.T, s *demoServer, dataset string) []string {
	t.Helper()
	data := s.gql(t, `query($d: String!) { columnAccess(dataset: $d, as: "user:jane@acme") { hidden { name } } }`, map[string]any{"d": dataset})
	raw, _ := json.Marshal(data["columnAccess"])
	var ca struct{ Hidden []struct{ Name string } }
	_ = json.Unmarshal(raw, &ca)
	var names []string
	for _, h := range ca.Hidden {
		names = append(names, h.Name)
	}
	sort.Strings(names)
	return names
}
