# The README's commands. `make demo` runs the product; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False
export TOWNPERF_HOME ?= $(CURDIR)/data

.PHONY: install browser demo test lint format clean serve

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

browser:
	bash scripts/install-browser.sh

demo: install
	$(BIN)/townperf demo

serve: install
	$(BIN)/townperf serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros --dialect duckdb --templater jinja --processes 2

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install browser lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) data tests/artifacts/*.png dbt_project/target dbt_project/logs
