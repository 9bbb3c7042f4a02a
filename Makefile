# onewindow — the two commands: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
SIZE ?= small
# Browser tests write their screenshots here during `make test`; docs/screenshots/ is refreshed on purpose
# with scripts/screenshots.py.
export ONEWINDOW_SCREENSHOT_DIR ?= $(CURDIR)/var/screenshots
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-sqlite test-postgres lint bench install clean fault

$(STAMP): pyproject.toml constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/onewindow demo --host $(HOST) --port $(PORT)

# ruff; the apps' layers (import-linter, contracts in pyproject.toml); the types (mypy with
# django-stubs). Both keep their caches under var/cache, so a second run checks only what changed.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports --cache-dir var/cache/import-linter
	$(BIN)/mypy

test: $(STAMP) lint test-sqlite test-postgres fault

test-sqlite: $(STAMP)
	@echo "== tests on SQLite =="
	ONEWINDOW_DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -n 2 --dist loadfile -m "not fault"

test-postgres: $(STAMP)
	@echo "== tests on PostgreSQL ($(PG_URL)) =="
	@ONEWINDOW_TEST_PG_URL=$(PG_URL) $(BIN)/python scripts/pg_gate.py && \
	  ONEWINDOW_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 --dist loadfile -m "not fault" || \
	  { rc=$$?; [ $$rc -eq 75 ] && exit 0 || exit $$rc; }

# The fault suite (tests/reliability, marker `fault`): SIGKILLs app servers and restarts the SHARED
# PostgreSQL server, so it runs alone, after the PostgreSQL half, never in parallel with other tests.
fault: $(STAMP)
	@echo "== fault suite on PostgreSQL ($(PG_URL)) =="
	@ONEWINDOW_TEST_PG_URL=$(PG_URL) $(BIN)/python scripts/pg_gate.py && \
	  ONEWINDOW_DATABASE_URL=$(PG_URL) ONEWINDOW_TEST_DB_NAME=test_fault \
	  $(BIN)/pytest tests/reliability -m fault -p no:xdist -rs || \
	  { rc=$$?; [ $$rc -eq 75 ] && exit 0 || exit $$rc; }

# What the benchmarks need beyond the project: the pinned Python packages of bench/constraints.txt
# (profiler, the SpiffWorkflow baseline) and, from Debian's packages, the wrk load generator.
bench: $(STAMP)
	$(BIN)/python -m pip install -q -r bench/constraints.txt -c constraints.txt
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || echo "wrk is missing: apt-get install wrk"
	$(BIN)/python -m bench.run --size $(SIZE)

clean:
	rm -rf $(VENV) var
