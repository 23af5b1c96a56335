#!/usr/bin/env bash
# Creates or updates the Python dev environment at <repo>/.venv from infra/requirements-dev.txt
# (pinned rouge-score and sacrebleu, the references for the ROUGE-L and BLEU cross-check tests, and pytest). Idempotent: when
# the venv already matches the requirements file it only checks the imports and exits. Downloads go
# through pip's normal cache, so a rebuild on the same machine needs no network.
# Usage: infra/python-dev-env.sh [--force]   (--force rebuilds the venv from scratch)
# Env: ISARA_PYTHON  interpreter to build the venv with (default: python3; needs 3.11 or newer).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
requirements="$root/infra/requirements-dev.txt"
base_python="${ISARA_PYTHON:-python3}"
probe='import rouge_score.rouge_scorer, sacrebleu, pytest'

say() { printf 'python-dev-env: %s\n' "$*"; }
fail() { printf 'python-dev-env: %s\n' "$*" >&2; exit 1; }

source "$root/infra/lib/venv.sh"
venv_handle_args "$@"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if venv_is_current; then
  say "up to date ($venv)"
  exit 0
fi

venv_create

say "installing infra/requirements-dev.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
venv_seal
say "ready: $("$venv/bin/python" -c 'import importlib.metadata as m; print("rouge-score", m.version("rouge-score"), "sacrebleu", m.version("sacrebleu"))')"
