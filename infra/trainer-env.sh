#!/usr/bin/env bash
# Creates or updates the Python environment of the LoRA trainer at services/trainer/.venv (ignored by
# git) from services/trainer/requirements.txt + requirements-test.txt, and installs the trainer
# package itself in editable mode, so `services/trainer/.venv/bin/python -m isara_trainer` runs the
# working tree. Every version is pinned and installed with --no-deps (the files are the whole
# closure), then `pip check` proves nothing is missing. Idempotent: when the venv already matches the
# requirement files it only checks the imports and exits. Downloads go through pip's normal cache,
# outside the repo.
# Size: about 5.6 GB, because PyPI's Linux torch wheel pulls the CUDA runtime (see docs/trainer.md).
# Usage: infra/trainer-env.sh [--force]   (--force rebuilds the venv from scratch)
# Env: ISARA_PYTHON  interpreter to build the venv with (default: python3; needs 3.11 or newer).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
service="$root/services/trainer"
venv="$service/.venv"
requirements=("$service/requirements.txt" "$service/requirements-test.txt")
base_python="${ISARA_PYTHON:-python3}"
probe='import torch, transformers, peft, gguf, safetensors, pytest, isara_trainer'

say() { printf 'trainer-env: %s\n' "$*" >&2; }
fail() { printf 'trainer-env: %s\n' "$*" >&2; exit 1; }

source "$root/infra/lib/venv.sh"
venv_handle_args "$@"

# The stamp covers the pins and the package metadata (an edit to pyproject.toml re-installs it).
want="$(cat "${requirements[@]}" "$service/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if venv_is_current; then
  say "up to date ($venv)"
  exit 0
fi

venv_create

pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input)
say "installing the pinned packages (torch + its CUDA runtime: several GB, a few minutes)"
args=()
for file in "${requirements[@]}"; do args+=(-r "$file"); done
"${pip[@]}" install --quiet --no-deps "${args[@]}" ||
  fail "pip could not install the pinned packages; check the network or the PyPI mirror (PIP_INDEX_URL), then rerun"
"${pip[@]}" check >&2 || fail "the pinned set is incomplete or inconsistent (pip check above); fix requirements.txt"
# Editable install of the trainer itself; setuptools comes from requirements.txt, so no download.
"${pip[@]}" install --quiet --no-deps --no-build-isolation -e "$service" ||
  fail "could not install the isara_trainer package from $service"
venv_seal
say "ready: $("$venv/bin/python" -c 'import torch, transformers, peft; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__)')"
say "size: $(du -sh "$venv" | cut -f1)"
