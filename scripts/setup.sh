#!/usr/bin/env bash
# Installs what the project needs, idempotently: npm packages, the Python environments, the models, and
# for the tests and the distributed mode the Kafka jars and the Kubernetes tools. Downloads are cached
# outside the repo (npm's, pip's and Go's own caches, and $ISARA_CACHE), so a second run on the same
# machine is quick. Each command asks only for what it uses: `make demo` (the embedded run) takes
# `node trainer models`; `make test` and `make up` take `all`.
# Usage: scripts/setup.sh [node|python|trainer|models|gemma|kafka|kube|all]...
#   python = the dev environment (.venv: test references) and the trainer's; trainer = the trainer's alone.
#   gemma = the pretrained Gemma 3 270M GGUF (Gemma terms of use), which only its tests use; `make test`
#   asks for it, `all` (and so `make up`) and `make demo` do not.
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

setup_python_dev() {
  # rouge-score, sacrebleu and pytest: references for the metric cross-check tests, never used by a run.
  step "Python dev environment (.venv)"
  bash infra/python-dev-env.sh
}

setup_trainer() {
  step "Python trainer environment (services/trainer/.venv)"
  bash infra/trainer-env.sh
}

setup_models() {
  for script in infra/fetch-models.sh infra/fetch-embedder.sh; do
    if [[ -f $script ]]; then
      step "models: $script"
      bash "$script"
    fi
  done
}

setup_gemma() {
  # The second supported architecture, pretrained rather than instruction-tuned (the paper's setting):
  # the trainer's and the embedded mode's Gemma tests use it, and skip without it.
  step "Gemma 3 270M GGUF (infra/fetch-gemma3.sh; Gemma terms of use: https://ai.google.dev/gemma/terms)"
  bash infra/fetch-gemma3.sh >/dev/null
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
    python) setup_python_dev; setup_trainer ;;
    trainer) setup_trainer ;;
    models) setup_models ;;
    gemma) setup_gemma ;;
    kafka) setup_kafka ;;
    kube) setup_kube ;;
    all) setup_node; setup_python_dev; setup_trainer; setup_models; setup_kafka; setup_kube ;;
    *) echo "setup.sh: unknown target '$t' (use node, python, trainer, models, gemma, kafka, kube or all)" >&2; exit 2 ;;
  esac
done
