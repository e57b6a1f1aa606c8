# Two commands for the person who deploys Kenesh: `make run` and `make test`.
# Each creates the virtual environment on first use, installs, compiles the translations, then runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-pg lint translations extract clean

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

# The flow tests again on PostgreSQL and Redis (each test makes its own database and key prefix), and the
# two-instance end-to-end test. The servers must be running; .ci/run starts them when they are not.
TEST_PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
test-pg: translations
	KENESH_TEST_DATABASE_URL=$(TEST_PG_URL) KENESH_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest tests/flows tests/unit/test_migrations.py tests/unit/test_fsm_storage.py tests/e2e/test_instances.py

# For developers adding texts: refresh the template and both catalogs, then translate the new entries.
extract: $(STAMP)
	$(BIN)/pybabel extract -k "_:1,1t" -k "_:1,2" -k __ --no-location --sort-output \
		--project=Kenesh --copyright-holder=Kenesh -o locales/messages.pot bot handlers
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --ignore-obsolete --no-fuzzy-matching --width=100

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
