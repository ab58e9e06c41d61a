# Two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

$(BIN)/portalwatch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

.PHONY: install demo test lint bench docs
install: $(BIN)/portalwatch

demo: $(BIN)/portalwatch
	$(BIN)/portalwatch demo

test: $(BIN)/portalwatch
	$(BIN)/ruff check crawler monitor simulator tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n 4 -q

lint: $(BIN)/portalwatch
	$(BIN)/ruff check crawler monitor simulator tests benchmarks

bench: $(BIN)/portalwatch
	$(BIN)/python -m benchmarks

docs: $(BIN)/portalwatch
	$(BIN)/python -m monitor.reference
