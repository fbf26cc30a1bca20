#!/usr/bin/env bash
# `make test`: every check and test, the way CI runs it. Extra arguments go to both pytest runs.
# All at once, since most of a browser test's time is waiting (for a page, a socket, a fill),
# not computing, and the two cores are better kept busy with the other suites meanwhile:
# - the static checks (`make lint`: ruff and mypy over numatix/), in the background;
# - the production build the browser tests serve, into the tests' own folder (.web-tests/,
#   never the .web that `make run` serves; skipped when current), in the background;
# - the unit and integration tests in parallel (pytest-xdist, NUMATIX_TEST_WORKERS, 4; each
#   test has its own ports, database schema, Redis prefix and folders; --dist worksteal: each
#   worker starts on a run of whole modules, so a module's shared server starts once, and a
#   worker that runs dry takes tests another has not begun instead of idling while that one
#   works through a queue of long ones), in the background,
#   their output in test-results/unit-integration.log, printed when they end;
# - the browser tests in a pytest process of their own (Playwright's sync API runs an event
#   loop that would clash with the asyncio tests), on NUMATIX_BROWSER_WORKERS (2) xdist
#   workers, each with its own app server, simulator and Chromium; their first server waits
#   for the build (it is locked), so they collect and start their browsers meanwhile.
# Everything always runs; the exit status is non-zero if anything failed. Logs of the
# background steps: test-results/{lint,build,unit-integration}.log.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
WORKERS=${NUMATIX_TEST_WORKERS:-4}
BROWSER_WORKERS=${NUMATIX_BROWSER_WORKERS:-2}
mkdir -p test-results
started=$(date +%s)
took() { local seconds=$(( $(date +%s) - started )); printf '%dm%02ds' $((seconds / 60)) $((seconds % 60)); }

# The browser tests are the longest: the rest yields the CPU to them and their build (nice).
(nice -n 10 .venv/bin/ruff check numatix && nice -n 10 .venv/bin/mypy) > test-results/lint.log 2>&1 &
lint=$!
$PYTHON -c "from tests.support.app_server import shared_build; shared_build()" > test-results/build.log 2>&1 &
build=$!
nice -n 10 $PYTHON -m pytest tests --ignore=tests/e2e -n "$WORKERS" --dist worksteal "$@" > test-results/unit-integration.log 2>&1 &
fast=$!
echo "make test: static checks, the browser tests' build and the unit and integration tests run in the"
echo "background (test-results/lint.log, build.log, unit-integration.log); the browser tests here."

$PYTHON -m pytest tests/e2e -n "$BROWSER_WORKERS" --dist worksteal "$@"
browser=$?
echo "make test: browser tests done after $(took)"

if ! wait "$build"; then
  echo "The production build for the browser tests failed (test-results/build.log):" >&2
  tail -40 test-results/build.log >&2
fi

wait "$fast"
fast_status=$?
echo "=== unit and integration tests (test-results/unit-integration.log) ==="
cat test-results/unit-integration.log
echo "make test: unit and integration tests done after $(took)"

wait "$lint"
lint_status=$?
if [ "$lint_status" -ne 0 ]; then
  echo "Static checks (make lint) found problems:" >&2
  cat test-results/lint.log >&2
fi

if [ "$fast_status" -ne 0 ] || [ "$browser" -ne 0 ] || [ "$lint_status" -ne 0 ]; then
  echo "make test: FAILED after $(took) (lint exit $lint_status, unit/integration exit $fast_status," \
       "browser exit $browser)" >&2
  exit 1
fi
echo "make test: all green (lint, unit/integration, browser) in $(took)"
