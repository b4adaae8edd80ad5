# harness: `make full-runs` and `make test` are all a fresh clone needs; both install and build first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Settings (also from .env, see .env.example): which experiment, which provider, how many runs at once;
# the HARNESS_* variables of .env reach the harness commands.
-include .env
export ANTHROPIC_API_KEY ANTHROPIC_BASE_URL HARNESS_SIM_URL HARNESS_SYNC
EXP ?= exp-001-role-vs-goal
JOBS ?= 4
# A .env line `EXP=x   # comment` leaves the spaces before the comment in the value.
override EXP := $(strip $(EXP))
override JOBS := $(strip $(JOBS))
override PROVIDER := $(strip $(PROVIDER))
# PROVIDER unset: the provider the experiment's experiment.yaml names (sim for the example).
CONFIGURED_PROVIDER := $(shell awk '/^provider:/ { p = 1 } p && NR > 1 && /^[^ \#]/ && !/^provider:/ { exit } p { line = $$0; gsub(/[{},"\047]/, " ", line); n = split(line, w, " "); for (i = 1; i < n; i++) if (w[i] == "name:") { print w[i + 1]; exit } }' experiments/$(EXP)/experiment.yaml 2>/dev/null)
RUN_PROVIDER := $(or $(PROVIDER),$(CONFIGURED_PROVIDER))
# Each provider gets its own run set, so simulated and real runs never mix.
RUNS_DIR ?= $(if $(filter sim,$(RUN_PROVIDER)),runs,runs/$(RUN_PROVIDER))
PILOT_DIR ?= runs/pilot/$(RUN_PROVIDER)
HARNESS := node dist/bin/harness.cjs
comma := ,

SOURCES := $(shell find harness \( -name '*.ts' -o -name '*.cts' \) -not -name '*.test.ts') $(wildcard harness/build/*.mjs) $(wildcard schemas/*.json) tsconfig.json tsconfig.build.json package.json

.PHONY: help install build test check lint types sandbox experiment full-runs pilot bench clean

help:
	@echo "make full-runs   install, build and run the example experiment end to end (EXP=$(EXP) PROVIDER=$(RUN_PROVIDER) JOBS=$(JOBS))"
	@echo "make pilot       one pair per task into a separate pilot set ($(PILOT_DIR))"
	@echo "make test        install, build and run every test"
	@echo "make check       types, lint, schema drift, tests"
	@echo "make types       regenerate the TypeScript types from schemas/"
	@echo "make bench       benchmarks (see bench/README.md)"

install: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: dist/.built
dist/.built: node_modules/.installed $(SOURCES)
	npx tsc -p tsconfig.build.json
	node harness/build/gen-validators.mjs
	node harness/build/bundle.mjs
	@chmod +x dist/bin/harness.cjs
	@touch $@

# bubblewrap sandboxes every program a run starts; install it where we can (root with apt).
sandbox:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing bubblewrap (the sandbox for commands)"; \
	  (apt-get install -y -qq bubblewrap >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null)); \
	else \
	  echo "bubblewrap (bwrap) is missing: install it with 'sudo apt-get install bubblewrap' (or your system's package)."; \
	  echo "Without it, runs that start programs are refused unless you pass --sandbox none."; \
	fi

# The tests are type-checked too (the build leaves them out and vitest does not check types).
test: build sandbox
	npx tsc --noEmit -p tsconfig.json
	npx vitest run

types: node_modules/.installed
	node harness/build/gen-types.mjs

lint: node_modules/.installed
	npx eslint harness bench

check: build sandbox
	node harness/build/gen-types.mjs --check
	npx tsc --noEmit -p tsconfig.json
	npx eslint harness bench
	npx vitest run

# The experiment must exist and its provider be known before anything is frozen or run.
experiment:
	@test -f experiments/$(EXP)/experiment.yaml || { echo "make: experiments/$(EXP)/experiment.yaml does not exist: EXP names a folder of experiments/ ($$(ls experiments | paste -sd ' ' -))" >&2; exit 2; }
	@test -n "$(RUN_PROVIDER)" || { echo "make: cannot tell the provider from experiments/$(EXP)/experiment.yaml: set PROVIDER=sim, anthropic or command" >&2; exit 2; }

full-runs: build sandbox experiment
	@echo "== full-runs: experiment $(EXP) on provider $(RUN_PROVIDER)$(if $(PROVIDER),,$(comma) as its experiment.yaml names)$(if $(filter sim,$(RUN_PROVIDER)), (the offline simulator; PROVIDER=anthropic for Claude),)$(comma) into $(RUNS_DIR)/$(EXP)"
	$(HARNESS) freeze $(EXP)$(if $(PROVIDER), --provider $(PROVIDER)) --runs-dir $(RUNS_DIR)
	$(HARNESS) run $(EXP) -j $(JOBS) --runs-dir $(RUNS_DIR)
	$(HARNESS) verify-pairing --experiment $(EXP) --all --runs-dir $(RUNS_DIR)
	$(HARNESS) verify $(EXP) --runs-dir $(RUNS_DIR)
	$(HARNESS) analyze $(EXP) --runs-dir $(RUNS_DIR)
	$(HARNESS) audit $(EXP) --runs-dir $(RUNS_DIR)
	@echo "== done: report in $(RUNS_DIR)/$(EXP)/analysis/report.html, audit in $(RUNS_DIR)/$(EXP)/audit/audit.md"

pilot: build sandbox experiment
	@echo "== pilot: one pair per task of $(EXP) on $(RUN_PROVIDER) into $(PILOT_DIR) (never counted by the confirmatory set)"
	$(HARNESS) freeze $(EXP) --pilot$(if $(PROVIDER), --provider $(PROVIDER)) --runs-dir $(PILOT_DIR)
	$(HARNESS) run $(EXP) -j $(JOBS) --runs-dir $(PILOT_DIR)
	$(HARNESS) verify-pairing --experiment $(EXP) --all --runs-dir $(PILOT_DIR)
	$(HARNESS) verify $(EXP) --runs-dir $(PILOT_DIR)

# Benchmarks (minutes; numbers depend on the machine's load): see bench/README.md.
bench: build
	node bench/startup.mjs
	node bench/registry-append.mjs
	node bench/latency.mjs
	node bench/full-runs.mjs --jobs 16

clean:
	rm -rf dist
