package web_test

// The browser test harness: a real `tagflow serve --demo` on 127.0.0.1 and a headless
// Chromium (Debian's chromium, or $CHROME) driven by chromedp. Without Chromium the tests
// skip, except under CI=true where they fail. Screenshots go to $TAGFLOW_SCREENSHOTS or
// web/console/screenshots (not committed).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// tagflowBinary builds ./cmd/tagflow once per test run (it embeds web/dist as it is).
func tagflowBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "tagflow-e2e-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "tagflow")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/tagflow")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/tagflow: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// demoServer is a running `tagflow serve --demo` on a fresh data directory.
type demoServer struct {
	url, host  string
	passwords  map[string]string // user name → password
	adminToken string
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startDemo starts the demo server and waits until it is ready.
func startDemo(t *testing.T) *demoServer {
	t.Helper()
	bin := tagflowBinary(t)
	data := t.TempDir()
	host := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	logFile, err := os.Create(filepath.Join(data, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--demo", "--data", data, "--addr", host, "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("server log:\n%.4000s", b)
		}
	})
	s := &demoServer{url: "http://" + host, host: host, passwords: map[string]string{}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("tagflow serve --demo on %s is not ready after 30 s", host)
		}
		time.Sleep(100 * time.Millisecond)
	}
	f, err := os.Open(filepath.Join(data, "demo-passwords.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if fields := strings.Fields(line); len(fields) == 2 {
			s.passwords[fields[0]] = fields[1]
		}
	}
	if len(s.passwords) == 0 {
		t.Fatal("demo-passwords.txt names no user")
	}
	tok, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	s.adminToken = strings.TrimSpace(string(tok))
	return s
}

// chromePath is $CHROME or chromium on the PATH; "" when there is none.
func chromePath() string {
	if p := os.Getenv("CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is a headless Chromium with one tab, for one test.
type browser struct {
	ctx    context.Context
	server *demoServer
	mu     sync.Mutex
	bad    []string // requests to other hosts, and CSP violations
}

// newBrowser starts Chromium against the server; it fails the test at the end when the page
// sent a request anywhere but the server or broke its Content-Security-Policy.
func newBrowser(t *testing.T, s *demoServer) *browser {
	t.Helper()
	exe := chromePath()
	if exe == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium: install Debian's chromium (apt-get install chromium) or set CHROME; browser tests must run under CI=true")
		}
		t.Skip("no Chromium on this machine (apt-get install chromium, or set CHROME): skipping the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	b := &browser{ctx: ctx, server: s}
	listenErr := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			u, err := url.Parse(ev.Request.URL)
			if err == nil && (u.Scheme == "data" || u.Scheme == "blob" || (u.Scheme == "http" && u.Host == s.host)) {
				return
			}
			b.mu.Lock()
			b.bad = append(b.bad, "a request to another host: "+ev.Request.URL)
			b.mu.Unlock()
		case *log.EventEntryAdded:
			if strings.Contains(ev.Entry.Text, "Content Security Policy") {
				b.mu.Lock()
				b.bad = append(b.bad, "CSP: "+ev.Entry.Text)
				b.mu.Unlock()
			}
		}
	})
	err := listenErr
	if err == nil {
		_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, log.Enable, cdp.Empty{})
	}
	if err != nil {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	t.Cleanup(func() {
		b.mu.Lock()
		for _, m := range b.bad {
			t.Error(m)
		}
		b.mu.Unlock()
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return b
}

// run runs chromedp actions, failing the test with what was being done.
func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		_, file, line, _ := runtime.Caller(1)
		b.screenshot(t, "failed-"+strings.NewReplacer(" ", "-", "/", "-").Replace(what))
		t.Fatalf("%s:%d: %s: %v", filepath.Base(file), line, what, err)
	}
}

// open goes to a console route (the part after #) and waits for the page to load.
func (b *browser) open(t *testing.T, route string) {
	t.Helper()
	b.run(t, "open "+route, chromedp.Navigate(b.server.url+"/#"+route))
}

// signIn signs in as user with the demo password (signing out whoever was signed in) and
// waits for the header's who-am-I.
func (b *browser) signIn(t *testing.T, user string) {
	t.Helper()
	pw, ok := b.server.passwords[user]
	if !ok {
		t.Fatalf("no demo password for %s", user)
	}
	b.run(t, "sign in as "+user,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}),
		chromedp.Navigate(b.server.url+"/"),
		js(`localStorage.clear()`),
		chromedp.Navigate(b.server.url+"/#/login"),
		chromedp.WaitVisible(css(`input[name=user]`)),
		clear(`input[name=user]`),
		chromedp.SendKeys(css(`input[name=user]`), user),
		chromedp.SendKeys(css(`input[name=password]`), pw),
		chromedp.Click(css(`button[type=submit]`)),
	)
	want := "user:" + user
	b.waitJS(t, "who-am-I shows "+want, fmt.Sprintf(`(document.querySelector("[data-testid=whoami]")?.textContent ?? "").trim() === %q`, want))
}

// signInByAPI signs in as user with POST /auth/login from the page, as the console's
// sign-in does, without its form: for pages that are not the console (GraphiQL).
func (b *browser) signInByAPI(t *testing.T, user string) {
	t.Helper()
	pw, ok := b.server.passwords[user]
	if !ok {
		t.Fatalf("no demo password for %s", user)
	}
	body, _ := json.Marshal(map[string]string{"user": user, "password": pw})
	b.run(t, "sign in as "+user+" by POST /auth/login",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}),
		chromedp.Navigate(b.server.url+"/graphiql"),
		js(fmt.Sprintf(`fetch("/auth/login", {method: "POST", headers: {"Content-Type": "application/json"}, body: %q})`, body)),
	)
	b.waitJS(t, "the session cookie", `document.cookie.includes("tagflow_csrf=")`)
}

// waitJS polls a JavaScript condition until it is true (10 s at most).
func (b *browser) waitJS(t *testing.T, what, cond string) {
	t.Helper()
	b.run(t, what, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[any](cond, chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
		return chromedp.Void{}, err
	})
}

// js runs a JavaScript expression, ignoring its value.
func js(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](expr)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// clear empties an input the way a user would (select all, delete), so React sees it.
func clear(sel string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return; `+
		`const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set; `+
		`set.call(e, ""); e.dispatchEvent(new Event("input", {bubbles: true})); })()`, sel))
}

// css is a CSS selector (a plain string would be a DOM search for text too).
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// eval answers a JavaScript expression's value (JSON-decoded into out).
func (b *browser) eval(t *testing.T, what, expr string, out any) {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[json.RawMessage]("JSON.stringify("+expr+")"))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var str string
	if err := json.Unmarshal(v, &str); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(str), out); err != nil {
			t.Fatalf("%s: %s: %v", what, str, err)
		}
	}
}

// screenshot saves a PNG of the viewport in $TAGFLOW_SCREENSHOTS or web/console/screenshots.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("TAGFLOW_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("console", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot %s", p)
}

// gqlAs answers a GraphQL query over HTTP with a bearer token (the admin's), as a map.
func (s *demoServer) gql(t *testing.T, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans struct {
		Data   map[string]any
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatalf("POST /graphql %s: %v", query, err)
	}
	if len(ans.Errors) > 0 {
		t.Fatalf("POST /graphql %s: %s", query, ans.Errors[0].Message)
	}
	return ans.Data
}
