#!/usr/bin/env bash
# The README's test command (via `make test`): set up, build, typecheck, lint, then run every test suite
# (Node packages and services under c8 coverage, the Python trainer under pytest) and close on one
# summary line: "tests: N passed, N failed, N skipped", just below each failing test with its error.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
results=.test-results
rm -rf "$results" && mkdir -p "$results"

# gemma: the Gemma 3 270M GGUF, for its tests only (the trainer's and the embedded end-to-end one).
bash scripts/setup.sh all gemma || { echo "setup failed: see the messages above" >&2; exit 1; }

printf '\n==> build (dist/, and dist-test/ for the tests), typecheck, lint\n'
npx turbo run build build:test typecheck lint --output-logs=errors-only || exit 1
npm run -s breaking -w @isara/contracts || exit 1

status=0
py_pass=0 py_fail=0 py_skip=0
if [[ -x services/trainer/.venv/bin/python ]]; then
  printf '\n==> Python lint and tests (services/trainer)\n'
  services/trainer/.venv/bin/ruff check services/trainer || status=1
  services/trainer/.venv/bin/ruff format --check services/trainer || status=1
  services/trainer/.venv/bin/python -m pytest services/trainer/tests -q -rs --junitxml="$results/pytest.xml" || status=1
  read -r py_pass py_fail py_skip < <(python3 scripts/junit-counts.py "$results/pytest.xml")
fi

printf '\n==> Node tests (all workspaces, with coverage)\n'
# A test that hangs fails after 25 minutes, naming itself, instead of stalling the whole run (the
# longest, the distributed end-to-end suite, takes under 10 minutes on a loaded 2-core machine).
# Each workspace compiles its tests and test helpers (src/**/*.test.ts, testing/) into dist-test, apart
# from the dist/ it ships; tests/ is tests only and keeps dist/.
mapfile -t dirs < <(ls -d packages/*/dist-test services/*/dist-test tests/dist 2>/dev/null)
npx c8 --reporter=none --temp-directory="$results/c8" \
  node --test --test-concurrency=2 --test-timeout=1500000 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$results/node.tap" "${dirs[@]}" || status=1

printf '\n==> Coverage (packages/core must cover at least 90%% of its lines)\n'
npx c8 report --temp-directory="$results/c8" --reporter=text --exclude-after-remap \
  --include='packages/*/src/**' --include='services/*/src/**' --exclude='**/*.test.ts' --exclude='**/gen/**' || status=1
npx c8 check-coverage --temp-directory="$results/c8" --exclude-after-remap --lines 90 \
  --include='packages/core/src/**' --exclude='**/*.test.ts' || status=1

# Failures again, with their errors, where a log cut to its last lines still shows them.
[[ -f "$results/node.tap" ]] && python3 scripts/tap-failures.py "$results/node.tap"

node_pass=$(grep -m1 -E '^# pass ' "$results/node.tap" | awk '{print $3}')
node_fail=$(grep -m1 -E '^# fail ' "$results/node.tap" | awk '{print $3}')
node_skip=$(grep -m1 -E '^# skipped ' "$results/node.tap" | awk '{print $3}')
printf '\nnode: %s passed, %s failed, %s skipped; python: %s passed, %s failed, %s skipped\n' \
  "${node_pass:-0}" "${node_fail:-0}" "${node_skip:-0}" "$py_pass" "$py_fail" "$py_skip"
printf 'tests: %d passed, %d failed, %d skipped\n' \
  $((${node_pass:-0} + py_pass)) $((${node_fail:-0} + py_fail)) $((${node_skip:-0} + py_skip))
exit $status
