# Two commands matter (see README.md):
#   make demo   installs everything and starts the app on the embedded default (SQLite, Celery eager, demo data)
#   make test   runs the whole test suite against PostgreSQL and Redis on 127.0.0.1
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ADDR   ?= 127.0.0.1:8000
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

# Embedded default: no PostgreSQL, no Redis, tasks run in-process.
DEMO_ENV := DEBUG=true CELERY_TASK_ALWAYS_EAGER=true DATABASE_URL=sqlite:///var/demo.sqlite3 REDIS_URL=

# Test suite: the real services on loopback (override TEST_DATABASE_URL / TEST_REDIS_URL if needed).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/flux_reservations
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/15
TEST_ENV := DEBUG=false SECRET_KEY=tests-only-not-secret SECURE_SSL_REDIRECT=false SECURE_COOKIES=false STATIC_MANIFEST=false \
	BEHIND_TLS_PROXY=false CELERY_TASK_ALWAYS_EAGER=false \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)

.PHONY: install demo test fmt lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@
	@echo "Dépendances installées dans $(VENV)."

install: $(STAMP)

demo: install
	@mkdir -p var
	@$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	@$(DEMO_ENV) $(BIN)/python manage.py geo_load --if-empty
	@$(DEMO_ENV) $(BIN)/python manage.py pki_init -v 0
	@$(DEMO_ENV) $(BIN)/python manage.py demo_seed
	@echo "Application disponible sur http://$(ADDR)/  (Ctrl+C pour arrêter)"
	@$(DEMO_ENV) $(BIN)/python manage.py runserver $(ADDR)

fmt: install
	@$(BIN)/ruff check --fix --quiet . || true
	@$(BIN)/ruff format --quiet .

lint: install
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

test: install
	@$(TEST_ENV) $(BIN)/python -m tests.preflight
	@$(BIN)/ruff check .
	@$(TEST_ENV) $(BIN)/python manage.py check
	@$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	@$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	@$(TEST_ENV) $(BIN)/python -m tests.preflight
	@$(TEST_ENV) $(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf var/demo.sqlite3 .pytest_cache test-artifacts
