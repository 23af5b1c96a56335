#!/usr/bin/env bash
# The README's main job (via `make demo`): set up, build, then run ISARA embedded on the example domain.
# The run lives in runs/misconceptions-demo; running the command again resumes an interrupted run, or
# shows the finished one (delete that folder to start over). Extra arguments go to `isara run`.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/setup.sh all
printf '\n==> build\n'
npx turbo run build --output-logs=errors-only
printf '\n==> isara run examples/domains/misconceptions (one round: write prompts, answer, filter, LoRA, evaluate)\n'
exec node packages/cli/dist/main.js run examples/domains/misconceptions --run-dir runs/misconceptions-demo "$@"
