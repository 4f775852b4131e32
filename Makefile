# auditor: `make demo` and `make test` each set up .venv on first use, from the lock.
# Needs nothing but Python >= 3.11 (and PyPI for the first install).
#
# The whole dependency set is pinned, with hashes for every platform, in uv.lock; uv itself
# is bootstrapped into .tools/ from the hash-pinned requirements/uv.txt. `make lock`
# refreshes both (and requirements/auditor.txt, the runtime set for pip users).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
STAMP  := $(VENV)/.installed

# uv: use this machine's Python (never download one) and install into .venv.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test test-fast lint unit unit-fast typecheck bench lock clean

$(UV): requirements/uv.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "auditor needs Python >= 3.11, found " + sys.version.split()[0])'
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/uv.txt
	@touch $(UV)

# --locked: refuse to run when uv.lock no longer matches pyproject.toml (run `make lock`).
$(STAMP): $(UV) uv.lock pyproject.toml setup.py
	$(UV) sync --locked --extra dev --python $(PYTHON)
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/auditor demo

lint: $(STAMP)
	$(BIN)/ruff check auditor tests benchmarks tools setup.py
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest

# The tests not marked slow (end to end: the demo, pipelines, packaging, organization scans...).
unit-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

# CI runs `make test` (everything); `make test-fast` is the quick loop while editing.
test: lint unit

test-fast: lint unit-fast

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lock: $(UV)
	$(UV) lock --upgrade
	$(UV) export --frozen --no-dev --no-emit-project --format requirements-txt --no-header -o requirements/auditor.txt
	$(UV) pip compile requirements/uv.in --upgrade --generate-hashes --universal --no-header -o requirements/uv.txt

clean:
	rm -rf $(VENV) $(TOOLS) reports/out reports/demo reports/aws-scan reports/data-scan reports/pipeline-* lake .pytest_cache .mypy_cache .ruff_cache
