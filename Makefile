# Numatix: `make run` serves the app at http://localhost:3000, `make test` runs every test.
# Everything is installed into the project folder: .venv (Python) and .tools (bun from npm).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUN := .tools/node_modules/.bin/bun
PORT ?= 3000
WORKERS ?= 1
export REFLEX_TELEMETRY_ENABLED := false
export NEXT_TELEMETRY_DISABLED := 1

.PHONY: run dev test bench migrate setup test-setup chromium clean

setup: $(VENV)/.requirements $(VENV)/.reflex-patched $(BUN)

$(VENV)/.requirements: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

# Reflex's client retries every 0.2-2 s; the product wants 1 s doubling to 30 s.
$(VENV)/.reflex-patched: $(VENV)/.requirements scripts/patch_reflex_backoff.py
	$(BIN)/python scripts/patch_reflex_backoff.py
	@touch $@

$(VENV)/.test-requirements: requirements-test.txt $(VENV)/.requirements
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	@touch $@

# Reflex cannot download bun here; the npm registry ships it as a package.
$(BUN): .tools/package.json .tools/package-lock.json
	cd .tools && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

migrate: setup
	$(BIN)/python -m numatix.store.migrations

# WORKERS>1 needs NUMATIX_REDIS_URL (one paper engine and one market feed per cluster; README
# "Several workers"): refused otherwise. Reflex's production server (granian) forks that many workers.
run: migrate
	@$(BIN)/python -m numatix.services.cluster $(WORKERS)
	GRANIAN_WORKERS=$(WORKERS) $(BIN)/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

dev: migrate
	$(BIN)/reflex run --env dev --frontend-port $(PORT)

chromium:
	@bash scripts/ensure-chromium.sh

test-setup: setup $(VENV)/.test-requirements chromium
	@bash scripts/ensure-nginx.sh

# Browser tests run in their own pytest process: Playwright's sync API keeps an event
# loop running that would clash with the asyncio tests.
test: test-setup
	$(BIN)/python -m pytest tests --ignore=tests/e2e
	$(BIN)/python -m pytest tests/e2e

bench: test-setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf .web .states assets/external
