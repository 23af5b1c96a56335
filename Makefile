# The two commands of the quick start. Each one installs what it needs first (idempotent, cached).
SHELL := /bin/bash
export TURBO_TELEMETRY_DISABLED := 1

.PHONY: demo test setup build lint up down crd

## demo: set up and run the main job (an ISARA run on the example domain)
demo:
	@bash scripts/demo.sh

## test: set up and run every test (build, typecheck, lint, unit, integration, Python)
test:
	@bash scripts/test.sh

## up: the distributed mode on this machine: Kafka, Qdrant (QDRANT_BIN, default ../shared/bin/qdrant; else LanceDB) and every service as processes (see README)
up:
	@bash scripts/setup.sh all && npx turbo run build --output-logs=errors-only && node packages/stack/dist/main.js up

## down: stop what `make up` started (run data stays in runs/stack)
down:
	@node packages/stack/dist/main.js down

setup:
	@bash scripts/setup.sh

build: 
	@bash scripts/setup.sh node && npx turbo run build

lint:
	@bash scripts/setup.sh node && npx turbo run lint typecheck

## crd: rewrite charts/isara/crds/alignmentruns.yaml from its template and core's settings schemas (after changing a limit in core)
crd:
	@bash scripts/setup.sh node && npx turbo run build --filter=@isara/controller... --output-logs=errors-only && node services/controller/dist/kube/write-crd.js
