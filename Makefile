# tagflow: the two commands are `make demo` and `make test`.
GO        ?= go
BIN       := bin/tagflow
DEMO_DATA ?= data/demo
ADDR      ?= 127.0.0.1:8080

.PHONY: all build demo test vet fmt-check tidy-check unit fuzz bench clean web web-check web-test

all: build

build:
	$(GO) build -o $(BIN) ./cmd/tagflow

# Build everything and serve the demo catalog on $(ADDR): the fixtures are loaded on the
# first start on $(DEMO_DATA) only; later starts keep what was changed.
# The admin token is written to $(DEMO_DATA)/admin.token.
demo: build
	@mkdir -p $(DEMO_DATA)
	@echo "tagflow demo on http://$(ADDR)  (token: $(DEMO_DATA)/admin.token)"
	$(BIN) serve --demo --data $(DEMO_DATA) --addr $(ADDR)

# Every test: formatting, tidy modules, vet, the committed console equal to a fresh build,
# its vitest tests, and the whole Go suite under the race detector (which needs a C
# compiler: cgo), browser tests included (they need Chromium: Debian's chromium).
test: fmt-check tidy-check vet web-check web-test unit

# The web console (Node 20 and npm, only to rebuild it): web/console builds into web/dist,
# which is committed and embedded, so Go alone builds and serves it.
WEB := web/console
web:
	cd $(WEB) && npm ci && npm run build

# A fresh `npm ci && npm run build` into a temp dir must equal the committed web/dist byte
# for byte (the build is deterministic); prints the first page's JavaScript, gzipped.
web-check:
	@set -e; out=$$(mktemp -d); trap 'rm -rf $$out' EXIT; \
	cd $(WEB) && npm ci --no-audit --no-fund >/dev/null && npx tsc --noEmit && npx vite build --logLevel warn --outDir $$out --emptyOutDir >/dev/null; \
	cd $(CURDIR); \
	if ! diff -r $$out web/dist >/dev/null; then \
		diff -rq $$out web/dist | sed "s|$$out|fresh build|" | head -n 20; \
		echo "web/dist differs from a fresh build: run make web and commit"; exit 1; fi; \
	if [ -n "$$(git status --porcelain --untracked-files=all -- web/dist 2>/dev/null)" ]; then \
		git status --short --untracked-files=all -- web/dist | head -n 20; \
		echo "web/dist differs from what is committed: run make web and commit"; exit 1; fi
	@$(GO) test -count=1 -run '^TestFirstPageJavaScriptBudget$$' -v ./web | grep 'first page JavaScript' || true

web-test:
	cd $(WEB) && npx vitest run

# The console's benchmarks (the lineage layout of 500 nodes).
web-bench:
	cd $(WEB) && npx vitest bench --run

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# go.mod and go.sum as `go mod tidy` would write them (direct dependencies not marked
# indirect, no stale sums).
tidy-check:
	@if ! $(GO) mod tidy -diff; then echo "go.mod or go.sum is not tidy: run 'go mod tidy' and commit the result"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -timeout 15m ./...

# Short fuzzing runs of every parser (go test -fuzz takes one target at a time).
FUZZTIME ?= 20s
fuzz:
	$(GO) test ./catalog -run '^$$' -fuzz '^FuzzParseDocument$$' -fuzztime $(FUZZTIME)
	$(GO) test ./catalog -run '^$$' -fuzz '^FuzzValidatePath$$' -fuzztime $(FUZZTIME)
	$(GO) test ./catalog -run '^$$' -fuzz '^FuzzNormalizeType$$' -fuzztime $(FUZZTIME)
	$(GO) test ./catalog -run '^$$' -fuzz '^FuzzParseTagDecl$$' -fuzztime $(FUZZTIME)
	$(GO) test ./graphql -run '^$$' -fuzz '^FuzzQuery$$' -fuzztime $(FUZZTIME)
	$(GO) test ./graphql -run '^$$' -fuzz '^FuzzCountExpensive$$' -fuzztime $(FUZZTIME)
	$(GO) test ./graphql -run '^$$' -fuzz '^FuzzOrgHeader$$' -fuzztime $(FUZZTIME)
	$(GO) test ./graphql -run '^$$' -fuzz '^FuzzSplitEvents$$' -fuzztime $(FUZZTIME)
	$(GO) test ./graphql -run '^$$' -fuzz '^FuzzCheckEvents$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParseScope$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParseBranchGlob$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParseExpr$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzAuditQuery$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParseJWKS$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParseClaimConditions$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzVerifyJWT$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParsePHC$$' -fuzztime $(FUZZTIME)
	$(GO) test ./catalog/importer/openlineage -run '^$$' -fuzz '^FuzzTranslate$$' -fuzztime $(FUZZTIME)
	$(GO) test ./catalog/importer/dbt -run '^$$' -fuzz '^FuzzTranslate$$' -fuzztime $(FUZZTIME)

# The benchmarks of the README's Performance section.
BENCHCOUNT ?= 6
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -timeout 60m ./catalog ./tags ./graphql | tee bench.txt
	@echo 'medians: go run golang.org/x/perf/cmd/benchstat@latest bench.txt'

clean:
	rm -rf bin data bench.txt web/console/screenshots

# Issue 8's access targets over HTTP: builds tagflow and tagflow-load, serves a fresh
# catalog on 127.0.0.1 (a temp dir; tagflow-load setup makes a 200-column dataset, jane@acme
# in 3 teams with 20 grants and custom roles with tag rules), loads it with asset (admin, a
# 10-field dataset) and columnAccess (jane, data/wide), 16 in flight, each bounded by
# LOAD_REQUESTS and LOAD_DURATION, then prints the server's peak RSS and stops it.
LOAD_REQUESTS ?= 50000
LOAD_DURATION ?= 10s
LOAD_ADDR     ?= 127.0.0.1:18480
.PHONY: load
load: build
	$(GO) build -o bin/tagflow-load ./cmd/tagflow-load
	@set -e; dir=$$(mktemp -d); \
	bin/tagflow serve --data $$dir --addr $(LOAD_ADDR) --log-level warn >$$dir/server.log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$dir' EXIT; \
	for i in $$(seq 100); do curl -sf http://$(LOAD_ADDR)/readyz >/dev/null 2>&1 && break; sleep 0.2; done; \
	jane=$$(bin/tagflow-load setup --server http://$(LOAD_ADDR) --token $$(cat $$dir/admin.token)); \
	echo "== asset (admin, data/small3 with 10 fields)"; \
	bin/tagflow-load --server http://$(LOAD_ADDR) --token $$(cat $$dir/admin.token) --preset asset \
		--vars '{"p":"data/small3"}' --requests $(LOAD_REQUESTS) --duration $(LOAD_DURATION); \
	echo "== columnAccess (jane@acme: 20 grants through 3 teams, data/wide with 200 columns)"; \
	bin/tagflow-load --server http://$(LOAD_ADDR) --token $$jane --preset columnAccess \
		--vars '{"d":"data/wide"}' --requests $(LOAD_REQUESTS) --duration $(LOAD_DURATION); \
	echo "== server (pid $$pid)"; grep -E 'VmHWM|VmRSS' /proc/$$pid/status
