package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCrashKeepsTheAuditRecordOfEveryAcknowledgedChange makes changes from several clients
// at once (users, deploys, branches), kills the server with SIGKILL among them, restarts
// it and finds a record for each change it acknowledged, and the change of each record.
func TestCrashKeepsTheAuditRecordOfEveryAcknowledgedChange(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	post := func(q string, vars map[string]any) bool {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := s.http.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		var r gqlResponse
		return err == nil && resp.StatusCode == http.StatusOK && json.Unmarshal(raw, &r) == nil && len(r.Errors) == 0
	}
	var mu sync.Mutex
	acked := map[string]bool{} // "action target"
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 600; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var ok bool
				var key string
				switch i % 3 {
				case 0:
					name := fmt.Sprintf("u%d-%d", w, i)
					ok, key = post(`mutation($n: String!) { createUser(name: $n) { ref } }`, map[string]any{"n": name}), "createUser user:"+name
				case 1:
					doc := fmt.Sprintf("datasets:\n  - name: w%d/d%d\n    fields: [{name: x, type: int}]\n", w, i)
					ok, key = post(`mutation($d: String!) { deploy(document: $d) { changed } }`, map[string]any{"d": doc}), fmt.Sprintf("deploy w%d/d%d", w, i)
				default:
					name := fmt.Sprintf("b%d-%d", w, i)
					ok, key = post(`mutation($n: String!) { createBranch(name: $n) { name } }`, map[string]any{"n": name}), "createBranch branch:"+name
				}
				if ok {
					mu.Lock()
					acked[key] = true
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	s.kill(t)
	close(stop)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d changes acknowledged before the kill", len(acked))
	}

	s = startServer(t, data)
	recorded := map[string]bool{}
	after := ""
	for {
		var out struct {
			AuditLog struct {
				Nodes []struct {
					Action, Target, Result, Principal string
					Details                           *string
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		vars := map[string]any{"first": 1000}
		if after != "" {
			vars["after"] = after
		}
		s.query(t, `query($first: Int, $after: String) { auditLog(first: $first, after: $after) {
			nodes { action target result principal details } pageInfo { hasNextPage endCursor } } }`, vars, &out)
		for _, e := range out.AuditLog.Nodes {
			switch e.Action {
			case "deploy":
				var d struct{ Added []string }
				if e.Details == nil || json.Unmarshal([]byte(*e.Details), &d) != nil || len(d.Added) != 1 || e.Target != "branch:main" {
					t.Errorf("deploy record %+v", e)
					continue
				}
				recorded["deploy "+d.Added[0]] = true
			default:
				recorded[e.Action+" "+e.Target] = true
			}
		}
		if !out.AuditLog.PageInfo.HasNextPage {
			break
		}
		after = *out.AuditLog.PageInfo.EndCursor
	}
	for k := range acked {
		if !recorded[k] {
			t.Errorf("acknowledged before the kill, but no audit record: %s", k)
		}
	}
	// And no record without its change.
	var now struct {
		Principals struct{ Nodes []struct{ Ref string } }
		Datasets   struct{ Nodes []struct{ Path string } }
		Branches   []struct{ Name string }
	}
	s.query(t, `{ principals(first: 1000) { nodes { ref } } datasets(first: 1000) { nodes { path } } branches { name } }`, nil, &now)
	exists := map[string]bool{}
	for _, p := range now.Principals.Nodes {
		exists["createUser "+p.Ref] = true
	}
	for _, d := range now.Datasets.Nodes {
		exists["deploy "+d.Path] = true
	}
	for _, b := range now.Branches {
		exists["createBranch branch:"+b.Name] = true
	}
	for k := range recorded {
		if strings.HasPrefix(k, "bootstrap") {
			continue
		}
		if !exists[k] {
			t.Errorf("an audit record without its change after the kill: %s", k)
		}
	}
	t.Logf("%d changes acknowledged before the kill, %d records after it", len(acked), len(recorded))

	// The CLI reads the same log: JSON and the table.
	r := mustRun(t, 0, s.env(), "", "audit", "--action", "createBranch", "--first", "2", "-o", "json")
	var page struct {
		Entries []struct {
			Action, Target, Result string
		}
		HasNextPage bool
		EndCursor   *string
	}
	if err := json.Unmarshal([]byte(r.stdout), &page); err != nil || len(page.Entries) != 2 || page.Entries[0].Action != "createBranch" ||
		!page.HasNextPage || page.EndCursor == nil {
		t.Fatalf("tagflow audit -o json: %v %s", err, r.stdout)
	}
	r2 := mustRun(t, 0, s.env(), "", "audit", "--action", "createBranch", "--first", "2", "--after", *page.EndCursor, "-o", "json")
	if strings.Contains(r2.stdout, page.Entries[0].Target+`"`) {
		t.Errorf("the next page repeats %s: %s", page.Entries[0].Target, r2.stdout)
	}
	r = mustRun(t, 0, s.env(), "", "audit", "--target", "user:admin")
	mustContain(t, "tagflow audit table", r.stdout, "AT", "PRINCIPAL", "ACTION", "bootstrap", "system", "user:admin", "ok")
	r = mustRun(t, exitUsage, s.env(), "", "audit", "--since", "yesterday")
	mustContain(t, "tagflow audit --since yesterday", r.stderr, "--since", "RFC 3339")
	r = mustRun(t, exitUsage, s.env(), "", "audit", "extra")
	_ = r
}
