# Two entry points on a fresh clone: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
RUN_DEST ?= build/payments

.PHONY: run test lint typecheck docs pytest backstage bench clean install crd-bundle

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# Checkouts from before the rename installed the distribution as `scaffolder`: drop it.
	$(BIN)/python -m pip uninstall --quiet --yes scaffolder 2>/dev/null || true
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## run: generate the `service` golden path with defaults into build/payments
run: $(STAMP)
	rm -rf $(RUN_DEST)
	$(BIN)/scaffolder new service $(RUN_DEST) --defaults --data name=payments --data tier=standard

## test: lint, type-check, build the docs and run the whole test suite (Python and Backstage)
test: lint typecheck docs pytest backstage

BACKSTAGE_STAMP := backstage/node_modules/.installed-$(shell sha1sum backstage/package-lock.json | cut -c1-12)

$(BACKSTAGE_STAMP): backstage/package-lock.json
	cd backstage && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## backstage: type-check and test the Backstage module against the real CLI, then pack it and
# run a task with the tarball installed in a fresh backend (scripts/package-e2e.mjs)
backstage: $(STAMP) $(BACKSTAGE_STAMP)
	cd backstage && npx tsc --noEmit
	cd backstage && PATH="$(abspath $(BIN)):$$PATH" npm test
	cd backstage && PATH="$(abspath $(BIN)):$$PATH" npm run --silent test:package

lint: $(STAMP)
	$(BIN)/ruff check scaffolder tests bench scripts
	$(BIN)/ruff format --check scaffolder tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir build/site

pytest: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/pytest -n auto -q

## bench: the benchmark scripts; their figures go in bench/RESULTS.md
bench: $(STAMP)
	cd bench && PATH="$(abspath $(BIN)):$$PATH" ../$(BIN)/python bench_cli.py
	cd bench && PATH="$(abspath $(BIN)):$$PATH" ../$(BIN)/python bench_wizard.py
	cd bench && PATH="$(abspath $(BIN)):$$PATH" ../$(BIN)/python bench_audit.py
	cd bench && PATH="$(abspath $(BIN)):$$PATH" ../$(BIN)/python bench_upgrade.py

## crd-bundle: rebuild scaffolder/_crds (the CRD schemas golden paths pin) from upstream CRD
## folders, first wins: make crd-bundle CRD_SOURCES="../shared/crds /more/crds"
CRD_SOURCES ?= ../shared/crds
crd-bundle: $(STAMP)
	$(BIN)/python scripts/build_crd_bundle.py $(CRD_SOURCES)

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
