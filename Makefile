# Two commands for the person who deploys Kenesh: `make run` and `make test`.
# Each creates the virtual environment on first use, installs, compiles the translations, then runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint translations extract clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales -D messages

run: translations
	$(BIN)/python -m bot

test: translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# For developers adding texts: refresh the template and both catalogs, then translate the new entries.
extract: $(STAMP)
	$(BIN)/pybabel extract -k "_:1,1t" -k "_:1,2" -k __ --no-location --sort-output \
		--project=Kenesh --copyright-holder=Kenesh -o locales/messages.pot bot handlers
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --ignore-obsolete --no-fuzzy-matching --width=100

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
