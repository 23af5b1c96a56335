#!/usr/bin/env bash
# Builds the real kube-apiserver and etcd (versions pinned in versions.env and tools/go.mod) from the Go
# module proxy into a folder outside the repo, for the Kubernetes tests:
#   ${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}/kube/<kube version>-<etcd version>/bin
# and prints that folder on stdout (messages go to stderr), so `bin=$(bash infra/kube/fetch.sh)`.
#
# Why build: neither binary is on a package registry these machines reach, and Debian's etcd (3.4) is
# older than Kubernetes 1.32 supports. k8s.io/kubernetes replaces its staging modules with local paths,
# which a dependent module ignores, so tools/go.mod requires each of them at the matching tag; go.sum
# pins every byte. The build takes minutes on 2 cores (Go's build and module caches make a rebuild
# quick) and runs once per machine: the folder is stamped with a hash of the recipe.
#
# Idempotent and atomic: exits at once when the folder is up to date; builds into a temporary folder
# and renames it into place; concurrent runs take a lock.
#
# Usage: infra/kube/fetch.sh [--check|--force]
#   --check  build nothing; exit 0 and print the folder when it is up to date, else exit 1 saying why
#   --force  rebuild even when up to date
# Env:   ISARA_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/isara)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
say() { printf 'fetch-kube: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

cache="${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}/kube"
dest="$cache/$KUBE_VERSION-$ETCD_VERSION/bin"
stamp=".isara-recipe"
recipe() { cat "$here/versions.env" "$here/tools/go.mod" "$here/tools/go.sum" | sha256sum | cut -d' ' -f1; }
installed() { [[ -f $dest/$stamp && $(cat "$dest/$stamp") == "$(recipe)" && -x $dest/kube-apiserver && -x $dest/etcd ]]; }

mode="${1:-}"
case "$mode" in
  --check | --force | "") ;;
  *) fail "unknown argument '$mode' (use --check, --force or nothing)" ;;
esac

if [[ $mode == --check ]]; then
  if installed; then
    echo "$dest"
    exit 0
  fi
  fail "kube-apiserver $KUBE_VERSION and etcd $ETCD_VERSION are not built in $dest; run infra/kube/fetch.sh (a few minutes, once)"
fi
if [[ $mode != --force ]] && installed; then
  say "up to date ($dest)"
  echo "$dest"
  exit 0
fi

command -v go >/dev/null || fail "no 'go' on PATH; install Go 1.23+ (https://go.dev/dl/)"
mkdir -p "$cache"
exec 9>"$cache/.build.lock"
flock 9
if [[ $mode != --force ]] && installed; then
  say "up to date ($dest, built by a concurrent run)"
  echo "$dest"
  exit 0
fi

work="$(mktemp -d "$cache/.bin.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
say "building kube-apiserver $KUBE_VERSION and etcd $ETCD_VERSION from the Go module proxy (minutes on 2 cores)"
start=$SECONDS
(
  cd "$here/tools"
  # -mod=readonly: go.mod and go.sum are the pin; a build that would change them fails instead.
  # The version a release build stamps in, so the server reports v1.32.x (kubectl and clients compare it).
  minor="${KUBE_VERSION#v1.}"
  minor="${minor%%.*}"
  version_flags="-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1"
  version_flags+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  go build -mod=readonly -trimpath -ldflags="-s -w $version_flags" -o "$work/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  go build -mod=readonly -trimpath -ldflags="-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3
) >&2 || fail "the Go build failed (see above); it needs the Go module proxy once"
"$work/bin/kube-apiserver" --version >&2 || fail "the built kube-apiserver does not run"
"$work/bin/etcd" --version >&2 || fail "the built etcd does not run"
say "built in $((SECONDS - start)) s"

recipe >"$work/bin/$stamp"
mkdir -p "$(dirname "$dest")"
# Swap into place: a rename within one file system, so readers see the old folder or the new one.
if [[ -e $dest ]]; then mv "$dest" "$work/previous"; fi
mv "$work/bin" "$dest"
echo "$dest"
