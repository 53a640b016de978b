# tagflow: the two commands are `make demo` and `make test`.
GO        ?= go
BIN       := bin/tagflow
DEMO_DATA ?= data/demo
ADDR      ?= 127.0.0.1:8080

.PHONY: all build demo test vet fmt-check tidy-check unit fuzz bench clean

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

# Every test: formatting, tidy modules, vet, and the whole suite under the race detector
# (which needs a C compiler: cgo).
test: fmt-check tidy-check vet unit

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
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParseScope$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParseBranchGlob$$' -fuzztime $(FUZZTIME)
	$(GO) test ./access -run '^$$' -fuzz '^FuzzParseExpr$$' -fuzztime $(FUZZTIME)

# The benchmarks of the README's Performance section.
BENCHCOUNT ?= 6
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -timeout 60m ./catalog ./tags ./graphql | tee bench.txt
	@echo 'medians: go run golang.org/x/perf/cmd/benchstat@latest bench.txt'

clean:
	rm -rf bin data bench.txt
