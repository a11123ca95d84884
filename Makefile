# callboard — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PORT ?= 8080
LISTEN ?= 127.0.0.1:$(PORT)
GO ?= go
BIN := bin/callboard
GOFLAGS_BUILD := -trimpath -ldflags "-s -w"
export CGO_ENABLED := 0

.PHONY: run build ui server node_modules test test-deps check-standalone test-go test-ui test-e2e vet fuzz bench bench-go soak clean

## run: install npm packages, build UI and server, start the demo on http://$(LISTEN)
run: build
	./$(BIN) demo --listen $(LISTEN)

## build: the UI bundle, then the static Go binary that embeds it
build: ui server

server:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) ./cmd/callboard

node_modules: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

ui: node_modules
	npm run build

## test: every test — Go with -race, UI unit tests, browser end-to-end
test: test-deps check-standalone vet test-go fuzz test-ui test-e2e

# test-deps: install the system packages the tests need (chromium, CJK fonts,
# gcc for -race) when root with apt-get, or stop with the command to run.
test-deps:
	./scripts/ensure-test-deps.sh

# check-standalone: nothing in the repository refers to a file outside it (the
# rules are in standalone_test.go). go test ./... runs it too; here it fails
# fast, before the long runs.
check-standalone:
	$(GO) test -count=1 -run '^TestNothingRefersOutsideTheRepository$$' .

vet:
	$(GO) vet ./...

# -race needs cgo; the shipped binary stays static (CGO_ENABLED=0 above).
# -p 1: one package at a time, so a CPU-heavy package (argon2 sign-ins) does not
# skew another's same-run ratio measurements (the stalled-browser test).
test-go:
	CGO_ENABLED=1 $(GO) test -race -count=1 -p 1 ./...

## fuzz: each fuzz target (seeded from the real PBX traces) for a few seconds
FUZZTIME ?= 5s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzEventMapper$$' -fuzztime $(FUZZTIME) ./adapters/freeswitch
	$(GO) test -run '^$$' -fuzz '^FuzzTranscriptParsers$$' -fuzztime $(FUZZTIME) ./adapters/freeswitch
	$(GO) test -run '^$$' -fuzz '^FuzzEventMapper$$' -fuzztime $(FUZZTIME) ./adapters/asterisk

test-ui: node_modules
	npm run test:unit

test-e2e: build
	CALLBOARD_BIN=$(CURDIR)/$(BIN) npm run test:e2e

## bench: end-to-end benchmarks (not part of make test): prints one table, writes bench/results/latest.md
bench: ui
	./bench/run.sh

## bench-go: the Go micro-benchmarks of the hot paths alone
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

## soak: long load run against an in-process demo, not in CI (SOAK_DURATION=10m)
SOAK_DURATION ?= 10m
soak:
	$(GO) run ./soak -duration $(SOAK_DURATION) -interval 1m -clients 50 -scenarios 6 -speed 0.01

clean:
	rm -rf bin test-output
	find ui/dist -mindepth 1 ! -name .keep -delete
