package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// presets are the queries of issue 8's targets.
var presets = map[string]string{
	"asset":        `query($p: String!) { asset(path: $p) { path kind tags owner ... on Dataset { fields { name type key tags } } } }`,
	"columnAccess": `query($d: String!) { columnAccess(dataset: $d) { result visible hidden { name reason } } }`,
	"check":        `query($m: Mode!, $p: String!) { check(mode: $m, path: $p) { allowed reason } }`,
}

// config is one load run.
type config struct {
	server      string // base URL; /graphql is appended
	token       string
	query       string
	vars        map[string]any
	concurrency int
	requests    int           // 0: no bound by count
	duration    time.Duration // 0: no bound by time
}

// result is what a run measured. Latencies are in microseconds in the JSON form.
type result struct {
	Preset      string  `json:"preset,omitempty"`
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"firstError,omitempty"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"requestsPerSecond"`
	P50us       float64 `json:"p50_us"`
	P90us       float64 `json:"p90_us"`
	P99us       float64 `json:"p99_us"`
	MaxUs       float64 `json:"max_us"`
}

// checkLoopback refuses any server whose host is not a loopback address or localhost.
func checkLoopback(server string) error {
	u, err := url.Parse(server)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("--server %q: use a URL like http://127.0.0.1:8080", server)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--server %q: %s is not a loopback address (127.0.0.0/8, ::1, localhost); load on other hosts is not allowed", server, host)
}

// run sends the query until the first bound is reached.
func run(ctx context.Context, cfg config) (result, error) {
	if err := checkLoopback(cfg.server); err != nil {
		return result{}, err
	}
	if cfg.concurrency < 1 {
		return result{}, fmt.Errorf("--concurrency %d: use 1 or more", cfg.concurrency)
	}
	if cfg.requests <= 0 && cfg.duration <= 0 {
		return result{}, errors.New("give --requests or --duration (or both: the run stops at the first)")
	}
	body, err := json.Marshal(map[string]any{"query": cfg.query, "variables": cfg.vars})
	if err != nil {
		return result{}, err
	}
	endpoint := strings.TrimRight(cfg.server, "/") + "/graphql"
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: cfg.concurrency, MaxConnsPerHost: cfg.concurrency, DisableCompression: true,
	}}
	defer client.CloseIdleConnections()
	// One request first, alone: a wrong token or query fails the run instead of counting.
	if err := send(ctx, client, endpoint, cfg.token, body); err != nil {
		return result{}, fmt.Errorf("the first request: %w", err)
	}
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}
	var (
		issued   atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < cfg.concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 1024)
			var myErrs int
			var myFirst string
			for ctx.Err() == nil {
				if cfg.requests > 0 && issued.Add(1) > int64(cfg.requests) {
					break
				}
				t0 := time.Now()
				err := send(ctx, client, endpoint, cfg.token, body)
				if err != nil && ctx.Err() != nil {
					break // cut off by the time bound: not an answer
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					myErrs++
					if myFirst == "" {
						myFirst = err.Error()
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += myErrs
			if firstErr == "" {
				firstErr = myFirst
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	res := result{Concurrency: cfg.concurrency, Requests: len(lat), Errors: errs, FirstError: firstErr, Seconds: elapsed.Seconds()}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		pct := func(p float64) float64 {
			i := int(p*float64(len(lat))+0.5) - 1
			i = max(0, min(i, len(lat)-1))
			return float64(lat[i].Nanoseconds()) / 1e3
		}
		res.PerSecond = float64(len(lat)) / elapsed.Seconds()
		res.P50us, res.P90us, res.P99us = pct(0.50), pct(0.90), pct(0.99)
		res.MaxUs = float64(lat[len(lat)-1].Nanoseconds()) / 1e3
	}
	return res, nil
}

// send posts one request and reads the whole answer: an error for a status other than
// 200 or an answer with GraphQL errors.
func send(ctx context.Context, client *http.Client, endpoint, token string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, truncate(raw))
	}
	if bytes.Contains(raw, []byte(`"errors":`)) {
		return fmt.Errorf("answer with errors: %s", truncate(raw))
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func (r result) text() string {
	ms := func(us float64) string { return fmt.Sprintf("%.2f ms", us/1e3) }
	s := fmt.Sprintf("requests %d  errors %d  in %.2f s  (%d in flight)\n%.0f req/s  p50 %s  p90 %s  p99 %s  max %s\n",
		r.Requests, r.Errors, r.Seconds, r.Concurrency, r.PerSecond, ms(r.P50us), ms(r.P90us), ms(r.P99us), ms(r.MaxUs))
	if r.FirstError != "" {
		s += "first error: " + r.FirstError + "\n"
	}
	return s
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "setup" {
		return setupMain(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("tagflow-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the server's base URL (loopback only)")
	token := fs.String("token", os.Getenv("TAGFLOW_TOKEN"), "bearer token (default $TAGFLOW_TOKEN)")
	preset := fs.String("preset", "", "asset, columnAccess or check")
	query := fs.String("query", "", "a GraphQL query instead of a preset")
	vars := fs.String("vars", "{}", "the query's variables, a JSON object")
	conc := fs.Int("concurrency", 16, "requests in flight")
	requests := fs.Int("requests", 0, "stop after this many answers (0: no bound)")
	duration := fs.Duration("duration", 0, "stop after this long (0: no bound)")
	output := fs.String("o", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	fail := func(format string, a ...any) int { fmt.Fprintf(stderr, "tagflow-load: "+format+"\n", a...); return 1 }
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	q := *query
	switch {
	case q != "" && *preset != "":
		return fail("give --query or --preset, not both")
	case q == "":
		var ok bool
		if q, ok = presets[*preset]; !ok {
			return fail("--preset %q: use asset, columnAccess or check (or --query)", *preset)
		}
	}
	if *output != "text" && *output != "json" {
		return fail("-o %q: use text or json", *output)
	}
	cfg := config{server: *server, token: *token, query: q, concurrency: *conc, requests: *requests, duration: *duration}
	if err := json.Unmarshal([]byte(*vars), &cfg.vars); err != nil {
		return fail("--vars: not a JSON object: %v", err)
	}
	if err := checkLoopback(cfg.server); err != nil {
		return fail("%v", err)
	}
	res, err := run(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "tagflow-load: %v\n", err)
		if strings.HasPrefix(err.Error(), "the first request") {
			return 2
		}
		return 1
	}
	res.Preset = *preset
	if *output == "json" {
		b, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprint(stdout, res.text())
	}
	return 0
}
