# Two commands on a fresh machine: `make run` (dashboard on demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/sosu.duckdb

.PHONY: run test check pytest demo bench screenshots clean

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

check: $(BIN)/sosu
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/sqlfluff lint src/sosu/sql

pytest: $(BIN)/sosu
	$(BIN)/pytest

test: check pytest

bench: $(BIN)/sosu
	$(BIN)/python bench/run.py

# Every page on the demo data in headless Chromium, into docs/screenshots/ (for reviewers).
screenshots: $(BIN)/sosu
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) data/demo $(DB)
