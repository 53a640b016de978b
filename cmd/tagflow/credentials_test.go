package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// TestWorkloadCredentialCommands: an issuer from serve's --trusted-issuers file, a
// workload policy and a client secret made with the CLI; the tokens they give work for the
// CLI, and revoking the secret refuses its token on the next command.
func TestWorkloadCredentialCommands(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keys, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "ci-1", Use: "sig"}}})
	writeTestFile(t, filepath.Join(dir, "ci-jwks.json"), string(keys))
	issuers := filepath.Join(dir, "issuers.yaml")
	writeTestFile(t, issuers, "- org: acme\n  issuer: https://ci.example.test\n  audience: tagflow\n  jwksFile: ci-jwks.json\n")

	// A mistake in the file stops the start, naming it.
	bad := filepath.Join(dir, "bad.yaml")
	writeTestFile(t, bad, "- org: acme\n  issuer: https://ci.example.test\n  audience: tagflow\n  jwksFile: ci-jwks.json\n  jwks_url: https://x\n")
	r := mustRun(t, exitUsage, baseEnv(), "", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--trusted-issuers", bad)
	mustContain(t, "a bad issuers file", r.stderr, "jwks_url")

	s := startServer(t, t.TempDir(), "--org", "acme", "--trusted-issuers", issuers)
	env := s.env()
	r = mustRun(t, 0, env, "", "issuer", "list")
	mustMatchLines(t, "issuer list", r.stdout, `ISSUER\s+AUDIENCE\s+KEYS\s+FROM`, `https://ci.example.test\s+tagflow\s+ci-1\s+file`)
	r = mustRun(t, exitRefused, env, "", "issuer", "remove", "https://ci.example.test")
	mustContain(t, "removing a file issuer", r.stderr, "CONFLICT", "--trusted-issuers")

	mustRun(t, 0, env, "", "workload", "create", "ci")
	mustRun(t, 0, env, "", "grant", "workload:ci", "viewer", "*")
	r = mustRun(t, 0, env, "", "workload", "policy", "create", "ci", "--issuer", "https://ci.example.test", "--claim", "repository=acme/pipelines")
	policy := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(policy, "wp_") {
		t.Fatalf("policy create printed %q", r.stdout)
	}
	r = mustRun(t, 0, env, "", "workload", "policy", "list", "-o", "json")
	var pols []policyInfo
	if err := json.Unmarshal([]byte(r.stdout), &pols); err != nil || len(pols) != 1 || pols[0].ID != policy || pols[0].Claims[0] != "repository=acme/pipelines" {
		t.Fatalf("policy list -o json = %s (%v)", r.stdout, err)
	}
	r = mustRun(t, exitUsage, env, "", "workload", "policy", "create", "ci", "--issuer", "https://ci.example.test")
	mustContain(t, "a policy without claims", r.stderr, "--claim")

	r = mustRun(t, 0, env, "", "workload", "secret", "create", "ci", "--name", "deploys")
	idAndSecret := strings.Fields(r.stdout)
	if len(idAndSecret) != 2 || !strings.HasPrefix(idAndSecret[0], "tfc_") || !strings.HasPrefix(idAndSecret[1], "tfs_") {
		t.Fatalf("secret create printed %q", r.stdout)
	}
	mustContain(t, "secret create's stderr", r.stderr, "shown only this once", `("deploys") for workload:ci`)
	r = mustRun(t, 0, env, "", "workload", "secret", "list", "ci", "-o", "json")
	var secrets []clientSecretInfo
	if err := json.Unmarshal([]byte(r.stdout), &secrets); err != nil || len(secrets) != 1 || secrets[0].Name != "deploys" || strings.Contains(r.stdout, "tfs_") {
		t.Fatalf("secret list -o json = %s (%v)", r.stdout, err)
	}

	// The client credentials grant, as curl -u would send it.
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, s.url+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(idAndSecret[0], idAndSecret[1])
	bySecret := tokenFrom(t, req)
	// The token exchange with a JWT of the file's issuer.
	sg, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "ci-1"))
	subject, _ := jwt.Signed(sg).Claims(map[string]any{"iss": "https://ci.example.test", "aud": "tagflow",
		"repository": "acme/pipelines", "exp": time.Now().Add(5 * time.Minute).Unix()}).Serialize()
	form = url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {subject},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"}}
	req, _ = http.NewRequest(http.MethodPost, s.url+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	byOIDC := tokenFrom(t, req)

	for _, tok := range []string{bySecret, byOIDC} {
		r = mustRun(t, 0, []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + tok}, "", "principal", "list")
		mustContain(t, "principal list as the workload", r.stdout, "workload:ci")
	}
	r = mustRun(t, 0, env, "", "workload", "secret", "revoke", secrets[0].ID)
	mustContain(t, "secret revoke", r.stdout, "Revoked client secret "+secrets[0].ID)
	r = mustRun(t, exitRefused, []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + bySecret}, "", "principal", "list")
	mustContain(t, "the revoked secret's token", r.stderr, "UNAUTHENTICATED")
	r = mustRun(t, 0, env, "", "workload", "policy", "delete", policy, "-o", "json")
	mustContain(t, "policy delete -o json", r.stdout, `"deleted": "`+policy+`"`)
	r = mustRun(t, exitRefused, []string{"TAGFLOW_SERVER=" + s.url, "TAGFLOW_TOKEN=" + byOIDC}, "", "principal", "list")
	mustContain(t, "the deleted policy's token", r.stderr, "UNAUTHENTICATED")
	if code, _ := s.terminate(t); code != 0 {
		t.Fatalf("server exit %d", code)
	}
	mustNotContain(t, "server log", readFile(t, s.log), idAndSecret[1], bySecret, byOIDC, subject)
}

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func tokenFrom(t *testing.T, req *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(out.AccessToken, "tfp_") {
		t.Fatalf("/oauth/token: %d %s", resp.StatusCode, raw)
	}
	return out.AccessToken
}
