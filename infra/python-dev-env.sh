#!/usr/bin/env bash
# Creates or updates the Python dev environment at <repo>/.venv from infra/requirements-dev.txt
# (pinned rouge-score, the reference for the ROUGE-L cross-check test, and pytest). Idempotent: when
# the venv already matches the requirements file it only checks the imports and exits. Downloads go
# through pip's normal cache, so a rebuild on the same machine needs no network.
# Usage: infra/python-dev-env.sh [--force]   (--force rebuilds the venv from scratch)
# Env: ISARA_PYTHON  interpreter to build the venv with (default: python3; needs 3.11 or newer).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
requirements="$root/infra/requirements-dev.txt"
stamp="$venv/.requirements.sha256"
base_python="${ISARA_PYTHON:-python3}"
probe='import rouge_score.rouge_scorer, pytest'

say() { printf 'python-dev-env: %s\n' "$*"; }
fail() { printf 'python-dev-env: %s\n' "$*" >&2; exit 1; }

if [[ ${1:-} == --force ]]; then
  say "removing $venv (--force)"
  rm -rf "$venv"
elif [[ $# -gt 0 ]]; then
  fail "unknown argument '$1' (use --force or nothing)"
fi

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]] && "$venv/bin/python" -c "$probe" 2>/dev/null; then
  say "up to date ($venv)"
  exit 0
fi

command -v "$base_python" >/dev/null || fail "no '$base_python' on PATH; install Python 3.11+ or set ISARA_PYTHON"
"$base_python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
  fail "$("$base_python" --version 2>&1) is too old; the pinned packages need Python 3.11+ (set ISARA_PYTHON)"

# A venv whose interpreter no longer runs (Python upgraded or moved) is rebuilt, not patched.
if [[ -e $venv ]] && ! "$venv/bin/python" -c 'pass' 2>/dev/null; then
  say "existing $venv is broken; rebuilding it"
  rm -rf "$venv"
fi
if [[ ! -x $venv/bin/python ]]; then
  say "creating $venv with $("$base_python" --version 2>&1)"
  "$base_python" -m venv "$venv"
fi

say "installing infra/requirements-dev.txt"
rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
"$venv/bin/python" -c "$probe" || fail "packages installed but '$probe' fails; rerun with --force"
echo "$want" >"$stamp"
say "ready: $("$venv/bin/python" -c 'import rouge_score, importlib.metadata as m; print("rouge-score", m.version("rouge-score"))')"
