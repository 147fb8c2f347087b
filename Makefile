# slab: the two commands from a fresh machine are `make demo` and `make test`.
GO      ?= go
BIN     := bin/slab
VERSION ?= 0.1.0-dev
LDFLAGS := -X main.version=$(VERSION)
# Test packages run one at a time: several start servers or mount file systems.
TESTFLAGS ?= -count=1 -p 1 -timeout 30m

.PHONY: all build demo test bench deps tofu vet clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/slab
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/terraform-provider-slab ./terraform-provider

# Plan and apply the quickstart on the embedded default (SQLite state in
# examples/quickstart/.slab, a file pool in examples/quickstart/pools).
demo: build
	./$(BIN) -chdir=examples/quickstart apply -auto-approve
	@echo
	@echo "== second run: nothing left to do =="
	./$(BIN) -chdir=examples/quickstart plan

# Everything the tests need that a fresh machine lacks (as root, via apt-get).
deps:
	@./.ci/deps

# The OpenTofu CLI the provider's acceptance tests drive: built once into
# the git-ignored .tools/bin (several minutes), reused afterwards.
tofu:
	@./.ci/tofu

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

test: deps tofu vet build
	TF_ACC_TERRAFORM_PATH=$(CURDIR)/.tools/bin/tofu $(GO) test $(TESTFLAGS) ./...

# Go benchmarks, then the scale harness (wall time of plan/apply/no-op plan
# and the apply's state writes, through the built binary, for 1,000 and
# 10,000 volumes): on the SQLite default, then on a throwaway PostgreSQL.
# BenchmarkBackup runs a fixed number of times: one full backup of its
# 4 GiB volume takes seconds, so the default one-second budget would time
# it once, and a single disk-bound run says little.
bench: build
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkBackup$$' -benchmem -count=1 ./...
	$(GO) test -run '^$$' -bench '^BenchmarkBackup$$' -benchtime 5x -benchmem -count=1 ./drivers/backup/
	$(GO) run ./cmd/slab-scale -slab ./$(BIN) -n 1000,10000
	$(GO) run ./cmd/slab-scale -slab ./$(BIN) -n 1000,10000 -postgres

clean:
	rm -rf bin examples/*/.slab examples/*/pools examples/terraform/slab/.slab examples/terraform/slab/pools
