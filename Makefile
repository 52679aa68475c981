# Stridewise: `make run` starts the whole stack, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test pytest bench lint typecheck clean install messages constraints examples browser-deps

install: $(STAMP)

# constraints.txt pins every package installed (`make constraints` writes it anew from the
# floors of pyproject.toml), so a fresh clone installs what was tested.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt -e '.[dev]'
	touch $(STAMP)

constraints:
	rm -rf .constraints-venv
	$(PYTHON) -m venv .constraints-venv
	.constraints-venv/bin/pip install --quiet --upgrade pip
	.constraints-venv/bin/pip install --quiet -e '.[dev]'
	{ echo "# Every package \`make install\` installs, at the version tested; \`make constraints\` writes it."; \
	  .constraints-venv/bin/pip freeze --all --exclude-editable | grep -v "^pip=="; } > constraints.txt
	rm -rf .constraints-venv

run: $(STAMP)
	$(BIN)/stridewise migrate
	$(BIN)/stridewise dev

# The tests run in four processes, whatever the cores: most of their time is spent waiting on
# the processes, queues and clocks they start, so two cores keep four busy (pytest 247-277 s
# with four on 2 cores, 329 s with two), and each process of pytest-xdist has its own
# redis-server and its own databases.
TEST_PROCESSES ?= 4
# mypy and ruff run beside pytest, as jobs of make's own: their few seconds of CPU fit in while
# the tests wait, and a failure of any of the three fails `make test`.
test: $(STAMP) browser-deps
	$(MAKE) --no-print-directory --jobs=3 typecheck lint pytest

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser-deps
	$(BIN)/pytest -q --numprocesses $(TEST_PROCESSES) --maxprocesses 4 --dist worksteal

# axe-core, which the browser tests inject into every page they check, from npm at the version
# tests/browser/package-lock.json pins. Without npm the browser tests skip (CI=true: fail).
AXE := tests/browser/node_modules/axe-core/axe.min.js
browser-deps: $(AXE)
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
	    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm is missing: the browser tests will skip (and fail under CI=true)"; fi

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check worker analysis tests bench

# Extract the messages of analysis/ and worker/ (Python, Jinja2 templates) into the template
# and merge it into each language's catalogue; then translate what is new or fuzzy.
LOCALE    := worker/locale
LANGUAGES := de es fr
messages: $(STAMP)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords N_ --keywords N_plural:1,2 \
	    --add-comments Translators: --add-location file --sort-by-file --width 100 \
	    --project Stridewise --version 0.1.0 \
	    --copyright-holder "Stridewise" --output-file $(LOCALE)/stridewise.pot .
	for lang in $(LANGUAGES); do \
	    if [ -f $(LOCALE)/$$lang/LC_MESSAGES/stridewise.po ]; then action=update; \
	    else action=init; fi; \
	    $(BIN)/pybabel $$action --input-file $(LOCALE)/stridewise.pot --output-dir $(LOCALE) \
	        --domain stridewise --locale $$lang --width 100 || exit 1; \
	done

# The front page's example block in each language: the README's run, judged by the analysis
# against its athlete's history (tests/worker/test_pages_i18n.py checks they are current).
EXAMPLE_HISTORY := tests/data/history/runpandas-athlete
EXAMPLE_RUN     := $(EXAMPLE_HISTORY)/e960762f-c841-4dc2-8498-e1dba8fc9a97.gpx.gz
examples: $(STAMP)
	for lang in en $(LANGUAGES); do \
	    $(BIN)/stridewise analyze --language $$lang --history $(EXAMPLE_HISTORY) $(EXAMPLE_RUN) \
	        2>/dev/null | sed -n '/^-- Stridewise --$$/,/^-- end of Stridewise --$$/p' \
	        > worker/web/examples/$$lang.txt || exit 1; \
	done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .hypothesis
