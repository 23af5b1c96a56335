#!/usr/bin/env bash
# Installs everything the project needs, idempotently: npm packages, the Python environments, the models.
# Downloads are cached outside the repo (npm's and pip's own caches, and $ISARA_CACHE for models), so a
# second run on the same machine is quick. Usage: scripts/setup.sh [node|python|models|kafka|kube|all]...
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

step() { printf '\n==> %s\n' "$*"; }

setup_node() {
  # npm ci wipes node_modules, so run it only when the lock file changed since the last install.
  local stamp=node_modules/.isara-lock.sha256 want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    step "npm packages: up to date"
  else
    step "npm packages: npm ci"
    npm ci --no-fund --no-audit --loglevel=error
    echo "$want" >"$stamp"
  fi
}

setup_python() {
  step "Python dev environment (.venv)"
  bash infra/python-dev-env.sh
  if [[ -f infra/trainer-env.sh ]]; then
    step "Python trainer environment (services/trainer/.venv)"
    bash infra/trainer-env.sh
  fi
}

setup_models() {
  for script in infra/fetch-models.sh infra/fetch-embedder.sh; do
    if [[ -f $script ]]; then
      step "models: $script"
      bash "$script"
    fi
  done
}

setup_kafka() {
  # Apache Kafka jars from Maven Central, for the distributed mode's tests and local stack.
  step "Kafka broker jars (infra/kafka/fetch.sh)"
  bash infra/kafka/fetch.sh >/dev/null
}

setup_kube() {
  # helm and kube-score (chart tests, the trainer releases), then a real kube-apiserver and etcd (the
  # Kubernetes tests), all built from the Go module proxy once per machine.
  step "chart tools (infra/kube/helm-tools.sh)"
  bash infra/kube/helm-tools.sh >/dev/null
  step "kube-apiserver and etcd (infra/kube/fetch.sh)"
  bash infra/kube/fetch.sh >/dev/null
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(all)
for t in "${targets[@]}"; do
  case $t in
    node) setup_node ;;
    python) setup_python ;;
    models) setup_models ;;
    kafka) setup_kafka ;;
    kube) setup_kube ;;
    all) setup_node; setup_python; setup_models; setup_kafka; setup_kube ;;
    *) echo "setup.sh: unknown target '$t' (use node, python, models, kafka, kube or all)" >&2; exit 2 ;;
  esac
done
