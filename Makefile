# Numatix: `make run` serves the app at http://localhost:3000, `make test` runs every test.
# Everything is installed into the project folder: .venv (Python) and .tools (bun from npm).
# Each set-up step leaves a stamp named after the checksum of what it installed from, so it
# runs once per change of its inputs (not per clone, checkout or touch) and is skipped after.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUN := .tools/node_modules/.bin/bun
PORT ?= 3000
WORKERS ?= 1
export REFLEX_TELEMETRY_ENABLED := false
export NEXT_TELEMETRY_DISABLED := 1

checksum = $(shell cat $(1) | sha256sum | cut -c1-16)
REQUIREMENTS_STAMP := $(VENV)/.requirements-$(call checksum,requirements.txt)
TEST_REQUIREMENTS_STAMP := $(VENV)/.test-requirements-$(call checksum,requirements.txt requirements-test.txt)
PATCH_STAMP := $(VENV)/.reflex-patched-$(call checksum,requirements.txt scripts/patch_reflex.py)
BUN_STAMP := .tools/.installed-$(call checksum,.tools/package.json .tools/package-lock.json)

.PHONY: run dev test test-fast test-thorough test-browser lint bench migrate setup test-setup chromium soak clean

setup: $(REQUIREMENTS_STAMP) $(PATCH_STAMP) $(BUN_STAMP)

$(REQUIREMENTS_STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt
	@touch $@

# Reflex's browser client: 1 s doubling back-off, and pages talk to the port they came from.
$(PATCH_STAMP): $(REQUIREMENTS_STAMP)
	$(BIN)/python scripts/patch_reflex.py
	@touch $@

$(TEST_REQUIREMENTS_STAMP): $(REQUIREMENTS_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-test.txt
	@touch $@

# Reflex cannot download bun here; the npm registry ships it as a package. (`npm ls` first:
# an installed tree that already matches is kept, never wiped and fetched again.)
$(BUN_STAMP):
	cd .tools && (npm ls --all >/dev/null 2>&1 || npm ci --no-audit --no-fund --loglevel=error)
	@touch $@

migrate: setup
	$(BIN)/python -m numatix.store.migrations

# WORKERS>1 needs NUMATIX_REDIS_URL (one paper engine and one market feed per cluster; README
# "Several workers"): refused otherwise. The build is skipped when the sources did not change;
# Reflex's production server (Granian) then forks that many workers. `exec`: SIGTERM to make's
# process group reaches the server directly, which stops within 10 s.
run: migrate
	@$(BIN)/python -m numatix.services.cluster $(WORKERS)
	$(BIN)/python scripts/production.py build
	GRANIAN_WORKERS=$(WORKERS) exec $(BIN)/python scripts/production.py serve --port $(PORT)

dev: migrate
	NUMATIX_ALLOWED_ORIGINS=$${NUMATIX_ALLOWED_ORIGINS:-http://localhost:$(PORT)} \
		$(BIN)/reflex run --env dev --frontend-port $(PORT)

chromium:
	@bash scripts/ensure-chromium.sh

test-setup: setup $(TEST_REQUIREMENTS_STAMP) chromium
	@bash scripts/ensure-nginx.sh

# All at once: the static checks (as `make lint`; numatix/ stays at zero findings), the
# production build for the browser tests, the unit and integration tests (4 xdist workers) and
# the browser tests (2 xdist workers, a server and a Chromium each; their own pytest process:
# Playwright's sync API keeps an event loop running that would clash with the asyncio tests).
# scripts/run-tests.sh says more.
test: test-setup
	@bash scripts/run-tests.sh

test-fast: test-setup
	$(BIN)/python -m pytest tests --ignore=tests/e2e -n $${NUMATIX_TEST_WORKERS:-4} --dist worksteal

# Nightly: everything `make test` runs, with many more examples in the costliest property tests
# (tests/support/hypothesis_profiles.py).
test-thorough: test-setup
	NUMATIX_HYPOTHESIS_PROFILE=thorough bash scripts/run-tests.sh

test-browser: test-setup
	$(BIN)/python -m pytest tests/e2e -n $${NUMATIX_BROWSER_WORKERS:-2} --dist worksteal

# Static checks of the application code: style and mistakes (ruff), types (mypy); both configured in
# pyproject.toml. make test (and so CI) runs them too: numatix/ stays at zero findings.
lint: $(TEST_REQUIREMENTS_STAMP)
	$(BIN)/ruff check numatix
	$(BIN)/mypy

# `make test` three times in a row from a fresh clone, beside two CPU-bound processes.
soak:
	@bash scripts/soak-tests.sh

bench: test-setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf .web .web-tests .states assets/external test-results
