# Two commands on a fresh machine: `make run` (dashboard on demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/sosu.duckdb

.PHONY: run test check pytest demo bench clean

$(BIN)/sosu: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(DB): | $(BIN)/sosu
	$(BIN)/sosu demo data/demo
	$(BIN)/sosu load data/demo --db $(DB)

demo: $(BIN)/sosu
	$(BIN)/sosu demo data/demo
	$(BIN)/sosu load data/demo --db $(DB)

run: $(BIN)/sosu $(DB)
	SOSU_DB=$(DB) $(BIN)/streamlit run app.py

check: $(BIN)/sosu
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: $(BIN)/sosu
	$(BIN)/pytest

test: check pytest

bench: $(BIN)/sosu
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data/demo $(DB)
