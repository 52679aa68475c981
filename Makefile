# Stridewise: `make run` starts the whole stack, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint typecheck clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/stridewise migrate
	$(BIN)/stridewise dev

test: $(STAMP)
	$(BIN)/mypy
	$(BIN)/ruff check worker analysis tests bench
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check worker analysis tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .hypothesis
