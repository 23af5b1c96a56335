#!/usr/bin/env bash
# The README's main job (via `make demo`): set up, build, then run ISARA embedded on the example domain.
# It installs and builds only what the embedded run uses: the npm packages, the trainer's Python
# environment and the two models, then the `isara` CLI and the packages it depends on. The test
# references, the Kafka jars and the Kubernetes tools are left to `make test` and `make up`.
# The run lives in runs/misconceptions-demo; running the command again resumes an interrupted run, or
# shows the finished one (delete that folder to start over). Extra arguments go to `isara run`.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/setup.sh node trainer models
printf '\n==> build (the isara CLI and its dependencies)\n'
npx turbo run build --filter=@isara/cli... --output-logs=errors-only
printf '\n==> isara run examples/domains/misconceptions (one round: write prompts, answer, filter, LoRA, evaluate)\n'
exec node packages/cli/dist/main.js run examples/domains/misconceptions --run-dir runs/misconceptions-demo "$@"
