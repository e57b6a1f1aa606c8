# Two commands for the person who deploys Kenesh: `make run` and `make test`.
# Each creates the virtual environment on first use, installs, compiles the translations, then runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Installs are reproducible: exact versions with their hashes, resolved from pyproject.toml by `make lock`.
# requirements-dev.lock: everything, with the dev tools (what `make` installs);
# requirements.lock: what the bot runs on, with every optional extra but dev (what the Dockerfile installs).
DEV_LOCK := requirements-dev.lock
LOCK := requirements.lock
UV_VERSION := 0.13.8

.PHONY: run test test-fast test-browser test-pg test-dates lint translations extract clean lock

$(STAMP): pyproject.toml $(DEV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
		echo "$(DEV_LOCK) does not match pyproject.toml: run 'make lock'"; exit 1; }
	touch $(STAMP)

# After changing the dependencies in pyproject.toml: resolve both lock files again (one command), commit them.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" --quiet -o $(DEV_LOCK)
	$(BIN)/uv pip compile pyproject.toml $$($(BIN)/python -c "import tomllib; \
		extras = tomllib.load(open('pyproject.toml', 'rb'))['project'].get('optional-dependencies', {}); \
		print(' '.join(f'--extra {name}' for name in extras if name != 'dev'))") \
		--universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet \
		-c $(DEV_LOCK) -o $(LOCK)

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales -D messages

run: translations
	$(BIN)/python -m bot

# The gates `make test` runs first: the linter, the formatter's check, the layers (handlers -> bot -> db),
# and the type checker on bot/, handlers/ and db/ (mypy; its settings in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: translations lint
	$(BIN)/python -m pytest -m "not browser"

# While working: the unit and flow tests, without the end-to-end runs of the real process (about half the time).
test-fast: translations
	$(BIN)/python -m pytest -m "not e2e and not browser"

# The Mini App in a real browser: Debian's Chromium (apt-get install -y chromium) driven by Playwright; never
# `playwright install`. A missing browser fails here instead of skipping.
test-browser: translations
	KENESH_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -m browser tests/browser

# The flow tests again with the machine's clock moved (libfaketime) to 29 February 2028: more than a year from
# now, inside a leap-year February. Nothing the bot schedules may depend on the day the suite runs.
FAR_DATES ?= 2028-02-29T09:00:00
test-dates: translations
	@for when in $(FAR_DATES); do echo "flow tests at $$when (UTC)"; \
		$(BIN)/python scripts/at_date.py "$$(echo $$when | tr T ' ')" -m pytest tests/flows -p no:cacheprovider \
		|| exit 1; done

# The flow tests again on PostgreSQL and Redis (each test makes its own database and key prefix), and the
# two-instance end-to-end test. The servers must be running; .ci/run starts them when they are not.
TEST_PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
test-pg: translations
	KENESH_TEST_DATABASE_URL=$(TEST_PG_URL) KENESH_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest tests/flows tests/unit/test_migrations.py tests/unit/test_fsm_storage.py tests/e2e/test_instances.py

# For developers adding texts: refresh the template and both catalogs, then translate the new entries.
# Run with no new text, it changes nothing: the template's creation date is kept unless a text changed.
extract: $(STAMP)
	$(BIN)/pybabel extract -k "_:1,1t" -k "_:1,2" -k "__:1,1t" -k "__:1,2" --no-location --sort-output \
		--project=Kenesh --copyright-holder=Kenesh -o locales/messages.pot.new bot handlers
	@if [ -f locales/messages.pot ] && [ "$$(grep -v '^"POT-Creation-Date' locales/messages.pot)" = \
		"$$(grep -v '^"POT-Creation-Date' locales/messages.pot.new)" ]; then rm locales/messages.pot.new; \
		else mv locales/messages.pot.new locales/messages.pot; fi
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --ignore-obsolete --no-fuzzy-matching \
		--ignore-pot-creation-date --width=100

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
