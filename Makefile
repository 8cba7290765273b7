# Two commands on a fresh machine: `make run` (dashboard on demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/sosu.duckdb

.PHONY: run test check lint browser slow demo bench clean

$(BIN)/sosu: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/sosu
	$(BIN)/sosu demo data/demo
	$(BIN)/sosu load data/demo --db $(DB)

# Loads the demo when the database is missing or holds another version's demo data.
run: $(BIN)/sosu
	$(BIN)/sosu demo data/demo --db $(DB)
	SOSU_DB=$(DB) $(BIN)/streamlit run src/sosu/app/main.py

# SQLFLUFF: sqlfluff (DuckDB dialect) runs once the SQL branch adds its configuration
# (.sqlfluff or [tool.sqlfluff] in pyproject.toml); until then the line does nothing.
lint: $(BIN)/sosu
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	@if [ -f .sqlfluff ] || grep -q '^\[tool\.sqlfluff' pyproject.toml; then \
		echo "$(BIN)/sqlfluff lint src/sosu/sql"; $(BIN)/sqlfluff lint src/sosu/sql; fi

# Tests by level (tests/<level>/, also a marker): unit, sql and app in `make check`, one
# pytest worker per core (pytest-xdist: no test shares files or state with another);
# browser (headless Chromium) and slow (kill points, concurrency) in one process, as their
# servers and browsers want the cores to themselves: `make browser`, `make slow`, and
# `make test`, which runs every level (CI: .ci/run).
FAST_TESTS := tests/unit tests/sql tests/app

check: lint
	$(BIN)/pytest -n auto --dist worksteal $(FAST_TESTS)

browser: $(BIN)/sosu
	$(BIN)/pytest tests/browser

slow: $(BIN)/sosu
	$(BIN)/pytest tests/slow

test: check
	$(BIN)/pytest tests/browser tests/slow

bench: $(BIN)/sosu
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data/demo $(DB)
