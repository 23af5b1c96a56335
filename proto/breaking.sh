#!/usr/bin/env bash
# Checks proto/ for wire- or source-breaking changes (buf's FILE rules) against a committed baseline.
#
#   bash proto/breaking.sh [REF]      REF: a git revision to compare against (default HEAD, the last
#                                     commit; in CI pass the target branch, e.g. origin/main)
#
# Exits 0 with a line starting "breaking: skipped" when there is nothing to compare against (not a git
# checkout, REF unknown, e.g. a shallow clone without it, or REF has no proto/buf.yaml yet); exits
# non-zero (buf's 100) when buf finds a breaking change, listing each one with file and line.
set -euo pipefail
cd "$(dirname "$0")/.."
ref="${1:-HEAD}"

skip() {
  echo "breaking: skipped: $1" >&2
  exit 0
}

git rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout, so there is no committed baseline"
commit=$(git rev-parse --verify --quiet "$ref^{commit}") ||
  skip "git revision '$ref' does not exist here (a shallow clone? fetch it, e.g. git fetch --depth=1 origin main)"
git cat-file -e "$commit:proto/buf.yaml" 2>/dev/null ||
  skip "'$ref' ($commit) has no proto/buf.yaml yet: the contracts are new, nothing to break"

buf=node_modules/.bin/buf
[[ -x "$buf" ]] || { echo "breaking: $buf is missing; run npm ci first" >&2; exit 1; }
echo "breaking: proto/ against $ref ($commit)" >&2
"$buf" breaking proto --against ".git#ref=$commit,subdir=proto"
echo "breaking: no breaking changes" >&2
