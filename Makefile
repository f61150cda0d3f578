# Quick start:   make demo   (plan the seed example; no cloud account, no Pulumi CLI; the first
#                             run installs mxsplit and its dependencies from PyPI into .venv)
#                make test   (lint, types and the whole test suite, BIND9 included)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# Each slow step says what it does, how long it usually takes, and that it is still running.
STEP    = scripts/step
# pytest workers: one per core (each worker pays ~5 s of CPU to collect the suite, so more
# workers than cores costs more than it saves); one file per worker keeps each file's
# servers and timing bounds together. PYTEST_WORKERS=0 runs the files one by one.
PYTEST_WORKERS ?= auto
PYTEST_ARGS    ?= -n $(PYTEST_WORKERS) --dist loadfile
# setuptools prints a warning box on every editable install (it is informational); pip shows it.
PIP = env PYTHONWARNINGS=ignore::UserWarning:setuptools.command.editable_wheel $(BIN)/python -m pip
# pip byte-compiles everything it installs, one module at a time: for the provider SDKs (1.1 GB
# of generated code) that was most of a fresh install. So pip compiles nothing and compileall
# compiles on every core, leaving out the SDKs that load their submodules lazily (azure-native,
# aws, gcp: a program imports a few dozen of their ~11,600 modules, compiled on first use).
# pulumi_cloudflare imports all its 780 modules at once: compiled here, or (with
# PYTHONDONTWRITEBYTECODE set) every test process would compile it again. pyspf's invalid
# escape sequences warn at compile time: noise here.
COMPILE = env PYTHONWARNINGS=ignore::SyntaxWarning $(BIN)/python -m compileall -q -j 0 \
	-x '/pulumi_(azure_native|aws|gcp)/' $(VENV)/lib

.PHONY: demo test lint bench release-check clean

$(BIN)/python:
	@$(STEP) "creating $(VENV) with the latest pip (about 20 s)" sh -c \
		'$(PYTHON) -m venv $(VENV) && $(VENV)/bin/python -m pip install --quiet --upgrade pip'

# Reinstall only when what pip installs changes ([project] of pyproject.toml: dependencies,
# extras, version, scripts), not when lint or test settings do.
$(VENV)/.project: pyproject.toml | $(BIN)/python
	@$(BIN)/python scripts/project-stamp pyproject.toml $@

$(VENV)/.installed: $(VENV)/.project
	@$(STEP) "installing mxsplit into $(VENV) (first run: about 30 s, from PyPI)" \
		$(PIP) install --quiet --no-compile -e .
	@$(STEP) "byte-compiling the installed packages on every core (about 10 s)" $(COMPILE)
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.project
	@$(STEP) "installing mxsplit with every extra and the dev tools into $(VENV) (first run: about 30 s, 500 MB from PyPI)" \
		$(PIP) install --quiet --no-compile -e '.[dev]'
	@$(STEP) "byte-compiling the installed packages on every core (first run: about 20 s)" $(COMPILE)
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/mxsplit plan contoso.com --tenant contoso --provider azure --resource-group dns-rg

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check mxsplit_component tests rollout provider policy examples bench
	@$(STEP) "mypy --strict (first run: about 20 s; later runs reuse .mypy_cache: a second or two)" $(BIN)/mypy

test: $(VENV)/.installed-dev lint
	@$(STEP) "checking for BIND9 (named); installing Debian's bind9 when missing takes about a minute" \
		scripts/ensure-bind
	@$(STEP) "unpacking Debian's Postfix and Exim for the real-MTA tests when missing (about 10 s)" \
		scripts/ensure-mtas
	$(BIN)/python -m pytest $(PYTEST_ARGS)

release-check: $(VENV)/.installed-dev
	@$(STEP) "release check: build, install the wheel in a fresh venv, resolve the examples (about 2 min)" \
		env PYTHON=$(BIN)/python scripts/release-check

bench: $(VENV)/.installed-dev
	scripts/ensure-bind
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
