#!/usr/bin/env bash
# Proof that the tests hold on a busy machine (`make soak`): clone this repository's current
# commit into a temporary folder and run CI's command there (.ci/run: `make test`, with
# PostgreSQL when it answers) three times in a row while two CPU-bound processes run beside
# it. The first run includes the whole set-up of a fresh clone; the next ones find it done.
# Prints each run's result and wall time; exits non-zero if any run failed. The logs are kept
# in test-results/soak/ of this checkout; the clone is removed.
#   SOAK_RUNS (3), SOAK_HOGS (2): how many runs, how many CPU-bound processes.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${SOAK_RUNS:-3}
HOGS=${SOAK_HOGS:-2}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/numatix-soak.XXXXXX")
LOGS="$ROOT/test-results/soak"
COMMIT=$(git -C "$ROOT" rev-parse HEAD)
mkdir -p "$LOGS"

hogs=()
cleanup() {
  [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

git clone --quiet --no-checkout "$ROOT" "$WORK/numatix" && git -C "$WORK/numatix" checkout --quiet --detach "$COMMIT" \
  || { echo "soak: cannot clone $ROOT at $COMMIT" >&2; exit 2; }
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]; then
  echo "soak: note: uncommitted changes in $ROOT are not part of the soak (it tests $COMMIT)"
fi

for _ in $(seq "$HOGS"); do
  ( while :; do :; done ) &   # one core, busy
  hogs+=($!)
done
echo "soak: $RUNS x .ci/run of $COMMIT in $WORK/numatix, beside $HOGS CPU-bound processes (pids ${hogs[*]})"

failed=0
for run in $(seq "$RUNS"); do
  log="$LOGS/run-$run.log"
  started=$(date +%s)
  (cd "$WORK/numatix" && ./.ci/run) > "$log" 2>&1
  status=$?
  took=$(( $(date +%s) - started ))
  result=$([ "$status" -eq 0 ] && echo green || echo FAILED)
  [ "$status" -eq 0 ] || failed=1
  summary=$(grep -E "^=+ .*(passed|failed).* =+$" "$log" | sed -E 's/=+ (.*) =+/\1/' | paste -sd ';' -)
  printf 'soak run %d: %s in %dm%02ds (%s) log: %s\n' "$run" "$result" $((took / 60)) $((took % 60)) "$summary" "$log"
done
exit "$failed"
