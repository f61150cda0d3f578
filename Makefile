# Quick start:   make demo   (plan the seed example; no cloud account, no Pulumi CLI)
#                make test   (lint, types and the whole test suite, BIND9 included)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test lint bench release-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/mxsplit plan contoso.com --tenant contoso --provider azure --resource-group dns-rg

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check mxsplit_component tests rollout provider policy examples bench
	$(BIN)/mypy

test: $(VENV)/.installed-dev lint
	scripts/ensure-bind
	scripts/ensure-mtas
	$(BIN)/python -m pytest

release-check: $(VENV)/.installed-dev
	PYTHON=$(BIN)/python scripts/release-check

bench: $(VENV)/.installed-dev
	scripts/ensure-bind
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
