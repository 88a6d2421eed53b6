# standwith: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := run
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Load the generated local secrets (if any) into every command's environment.
WITH_SECRETS := set -a; [ -f var/secrets.env ] && . var/secrets.env; set +a;

.PHONY: run test lint typecheck pytest fuzz bench lock clean chromium messages fonts

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The locked dependencies, then the project itself (editable, no resolver run).
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@ $(VENV)/.installed

# Secrets for this machine, made once and kept: the master key must outlive
# restarts, or the signatures encrypted under it could not be read.
var/secrets.env: | $(VENV)/.installed
	mkdir -p var
	umask 077 && $(BIN)/standwith genkeys > $@.tmp && mv $@.tmp $@

# Translations are compiled from the committed .po files on every machine.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	cd standwith && DEBUG=1 ../$(BIN)/standwith compilemessages -v 0

run: $(VENV)/.installed var/secrets.env messages fonts
	$(WITH_SECRETS) $(BIN)/standwith migrate --noinput -v 0
	$(WITH_SECRETS) $(BIN)/standwith demo
	$(WITH_SECRETS) PORT=$(PORT) exec $(BIN)/standwith serve

# Debian's Chromium drives the browser tests; Playwright never downloads one.
# Chinese, Japanese and Korean signers' names in the PDFs (standwith/reports/pdf.py): a TrueType font ReportLab embeds.
fonts:
	@[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei >/dev/null; }

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	DEBUG=1 $(BIN)/mypy

pytest: $(VENV)/.installed-dev chromium messages fonts
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# The API's long robustness run: schemathesis on every operation of the published schemas, and hypothesis on what
# they take, with many more examples than `make test` tries (FUZZ_EXAMPLES of each).
FUZZ_EXAMPLES ?= 500
fuzz: $(VENV)/.installed-dev messages
	STANDWITH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest \
		standwith/api/tests/test_fuzz_schema.py standwith/api/tests/test_input_schemas.py $(PYTEST_ARGS)

# The load generator comes from Debian; PostgreSQL and Redis are the machine's.
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench $(BENCH_ARGS)

# Re-resolve the pins after changing dependencies in pyproject.toml.
lock: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml -o requirements.lock --custom-compile-command "make lock"
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --extra dev pyproject.toml -o requirements-dev.lock --custom-compile-command "make lock"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
