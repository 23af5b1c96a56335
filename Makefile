# The two commands of the quick start. Each one installs what it needs first (idempotent, cached).
SHELL := /bin/bash
export TURBO_TELEMETRY_DISABLED := 1

.PHONY: demo test setup build lint

## demo: set up and run the main job (an ISARA run on the example domain)
demo:
	@bash scripts/demo.sh

## test: set up and run every test (build, typecheck, lint, unit, integration, Python)
test:
	@bash scripts/test.sh

setup:
	@bash scripts/setup.sh

build: 
	@bash scripts/setup.sh node && npx turbo run build

lint:
	@bash scripts/setup.sh node && npx turbo run lint typecheck
