#!/usr/bin/env bash
# Installs the chart tools at pinned versions, built from the Go module proxy with `go install`, into one
# folder outside the repo:
#   ${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}/kube-tools/bin
# and prints that folder on stdout (messages go to stderr), so `bin=$(bash infra/kube/helm-tools.sh)`.
#
#   helm        helm.sh/helm/v3/cmd/helm                 lints and renders charts/isara and charts/isara-trainer
#   kube-score  github.com/zegl/kube-score/cmd/kube-score  checks the rendered manifests (security context,
#               probes, resources, network policies, disruption budgets)
#
# Why build: neither tool is on a package registry these machines reach, and the Go module proxy serves
# both. Why kube-score and not kube-linter: the proxy refuses every version of kube-linter's module
# (golang.stackrox.io/kube-linter), so it cannot be installed here; kube-score covers the same ground.
# The version stamps mirror the tools' own release builds: helm's version and the Kubernetes version it
# renders for (.Capabilities.KubeVersion: that of its client-go, 1.31 for helm 3.16), kube-score's version.
#
# Idempotent: exits at once when `helm version --short` and `kube-score version` report the pinned
# versions. The first build takes a few minutes on 2 cores; Go's build and module caches make a rebuild
# quick. Concurrent runs take a lock.
#
# Usage: infra/kube/helm-tools.sh [--check|--force]
#   --check  build nothing; exit 0 and print the folder when both tools are there, else exit 1 saying why
#   --force  rebuild even when up to date
# Env:   ISARA_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/isara)
set -euo pipefail

HELM_VERSION=v3.16.4
# Kubernetes minor version of helm's client-go (k8s.io/client-go v0.31.x for helm 3.16).
HELM_KUBE_MINOR=31
KUBE_SCORE_VERSION=v1.20.0

say() { printf 'helm-tools: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

cache="${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}/kube-tools"
bin="$cache/bin"

helm_ok() { [[ -x $bin/helm && $("$bin/helm" version --short 2>/dev/null) == "$HELM_VERSION"* ]]; }
score_ok() { [[ -x $bin/kube-score && $("$bin/kube-score" version 2>/dev/null) == "kube-score version: ${KUBE_SCORE_VERSION#v},"* ]]; }

mode="${1:-}"
case "$mode" in
  --check | --force | "") ;;
  *) fail "unknown argument '$mode' (use --check, --force or nothing)" ;;
esac

if [[ $mode == --check ]]; then
  if helm_ok && score_ok; then
    echo "$bin"
    exit 0
  fi
  fail "helm $HELM_VERSION and kube-score $KUBE_SCORE_VERSION are not both in $bin; run infra/kube/helm-tools.sh (needs Go, a few minutes once)"
fi
if [[ $mode != --force ]] && helm_ok && score_ok; then
  say "up to date ($bin)"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || fail "no 'go' on PATH; install Go 1.22+ (https://go.dev/dl/) to build helm and kube-score"
mkdir -p "$bin"
exec 9>"$cache/.build.lock"
flock 9
if [[ $mode != --force ]] && helm_ok && score_ok; then
  say "up to date ($bin, built by a concurrent run)"
  echo "$bin"
  exit 0
fi

export GOBIN="$bin"
if [[ $mode == --force ]] || ! helm_ok; then
  say "building helm $HELM_VERSION from the Go module proxy (minutes on 2 cores, once)"
  kube_major=1
  go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$kube_major \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_KUBE_MINOR \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$kube_major \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_KUBE_MINOR" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2 ||
    fail "go install of helm $HELM_VERSION failed (see above); it needs the Go module proxy once"
  helm_ok || fail "the built helm does not report $HELM_VERSION: $("$bin/helm" version --short 2>&1 || true)"
fi
if [[ $mode == --force ]] || ! score_ok; then
  say "building kube-score $KUBE_SCORE_VERSION from the Go module proxy"
  go install -trimpath -ldflags "-s -w -X main.version=${KUBE_SCORE_VERSION#v}" \
    "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION" >&2 ||
    fail "go install of kube-score $KUBE_SCORE_VERSION failed (see above); it needs the Go module proxy once"
  score_ok || fail "the built kube-score does not report $KUBE_SCORE_VERSION: $("$bin/kube-score" version 2>&1 || true)"
fi
say "installed helm $HELM_VERSION and kube-score $KUBE_SCORE_VERSION in $bin"
echo "$bin"
