# Two commands on a fresh machine: `make run` (dashboard on demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/sosu.duckdb
# Python's bytecode caches, also where the environment turns them off: without them every
# pytest worker rewrites the asserts of every test module again (2 s of each `make check`
# worker's start) and every child process compiles the package again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test check sweeps lint browser slow demo bench screenshots clean lock

# The tested versions, with hashes (requirements.lock), then the project itself without
# resolving anything again.
$(BIN)/sosu: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

demo: $(BIN)/sosu
	$(BIN)/sosu demo data/demo
	$(BIN)/sosu load data/demo --db $(DB)

# Loads the demo when the database is missing or holds another version's demo data.
run: $(BIN)/sosu
	$(BIN)/sosu demo data/demo --db $(DB)
	$(BIN)/sosu serve --db $(DB)

# ruff, mypy, the import contracts (layers) and sqlfluff (DuckDB dialect, configured in
# pyproject.toml's [tool.sqlfluff], in one process).
lint: $(BIN)/sosu
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint src/sosu/sql

# Tests by level (tests/<level>/, also a marker): unit, sql and app in `make check`, one
# pytest worker per core (pytest-xdist: no test shares files or state with another);
# browser (headless Chromium) and slow (kill points, concurrency) in one process, as their
# servers and browsers want the cores to themselves: `make browser`, `make slow`, and
# `make test`, which runs every level (CI: .ci/run). `make check` runs the representative
# inputs of each sweep (tests/support.py: sweep), `make test` all of them.
FAST_TESTS := tests/unit tests/sql tests/app

# The lint runs beside the tests, its output shown when the tests are done: mypy is one
# process on one core (15 s from a cold cache), which the tests' workers share with it
# rather than wait for. Either failing fails the target.
check: $(BIN)/sosu
	@lint_log=$$(mktemp); \
	$(MAKE) --no-print-directory lint > $$lint_log 2>&1 & lint_pid=$$!; \
	$(BIN)/pytest -n auto --dist worksteal -m "not sweep" $(FAST_TESTS); tests=$$?; \
	wait $$lint_pid; linted=$$?; \
	echo "--- make lint:"; cat $$lint_log; rm -f $$lint_log; \
	if [ $$linted -ne 0 ]; then echo "make lint failed (its output is above)"; fi; \
	[ $$tests -eq 0 ] && [ $$linted -eq 0 ]

browser: $(BIN)/sosu
	$(BIN)/pytest tests/browser

slow: $(BIN)/sosu
	$(BIN)/pytest tests/slow

# The sweeps (a test's inputs beyond its representatives, marker `sweep`) that `make check`
# leaves out.
sweeps: $(BIN)/sosu
	$(BIN)/pytest -n auto --dist worksteal -m sweep $(FAST_TESTS)

test: check sweeps
	$(BIN)/pytest tests/browser tests/slow

bench: $(BIN)/sosu
	$(BIN)/python bench/run.py

# Every page on the demo data in headless Chromium, into docs/screenshots/ (for reviewers).
screenshots: $(BIN)/sosu
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) data/demo $(DB) $(basename $(DB))-historik $(basename $(DB))-udgivet

# After a change to pyproject.toml's dependencies: pin them again with hashes, keeping every
# pin that still fits (pip-tools; `pip install pip-tools` outside the project's venv).
# requirements-run.lock: the same versions without the test tools, for servers.
# (Not PIP_*: pip reads such variables from the environment as its own options.)
PIPTOOLS_COMPILE ?= pip-compile
LOCK_FLAGS := --quiet --generate-hashes --all-build-deps --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links
lock:
	CUSTOM_COMPILE_COMMAND="make lock" $(PIPTOOLS_COMPILE) $(LOCK_FLAGS) --extra dev \
		-o requirements.lock pyproject.toml
	cp requirements.lock requirements-run.lock
	CUSTOM_COMPILE_COMMAND="make lock" $(PIPTOOLS_COMPILE) $(LOCK_FLAGS) \
		-o requirements-run.lock pyproject.toml
