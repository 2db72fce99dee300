# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
UV := UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv
NPM_STAMP := node_modules/.installed
# The demo: the site on 127.0.0.1, the H5P player on its own origin, localhost (another
# host name of the same server, sharing no cookie with the site: README, "H5P").
RUN_ENV := DJANGO_DEBUG=1 SITE_URL=http://127.0.0.1:8000 COURSES_H5P_PLAYER_ORIGIN=http://localhost:8000

.PHONY: help setup run run-cluster test test-fast test-e2e lint format migrate demo messages bench clean lock relock bootstrap-requirements check-lock wheel

help:
	@echo "make run    set up, migrate, seed demo data and serve on http://127.0.0.1:8000"
	@echo "make run-cluster  nginx, two app servers, Celery worker and beat, PostgreSQL, Redis, S3 on :8080"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff, mypy and import-linter"
	@echo "make lock   upgrade the locked dependencies (uv.lock) within pyproject.toml's ranges"

# Installs come from uv.lock only (exact versions and hashes), never from the ranges in
# pyproject.toml: pip installs uv itself from the hash-pinned requirements/bootstrap.txt,
# then `uv sync --locked` installs every extra, and stops if the lock is out of date.
$(PY_STAMP): pyproject.toml uv.lock requirements/bootstrap.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/bootstrap.txt
	$(UV) sync --locked --all-extras --quiet
	@touch $@

# Refresh the lock deliberately: newest versions the ranges in pyproject.toml allow.
# Review the diff (uv.lock), run `make test`, commit both files.
lock: $(PY_STAMP)
	$(UV) lock --upgrade
	$(MAKE) --no-print-directory bootstrap-requirements

# After editing dependencies in pyproject.toml: lock the change, upgrading nothing else.
relock: $(PY_STAMP)
	$(UV) lock
	$(MAKE) --no-print-directory bootstrap-requirements

bootstrap-requirements:
	$(UV) export --frozen --only-group bootstrap --no-emit-project --no-header --quiet -o requirements/bootstrap.txt

# CI: the lock matches pyproject.toml, and the bootstrap pin matches the lock.
check-lock: $(PY_STAMP)
	$(UV) lock --locked
	$(UV) export --frozen --only-group bootstrap --no-emit-project --no-header --quiet | diff -u requirements/bootstrap.txt -

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

setup: $(PY_STAMP) $(NPM_STAMP)

migrate: setup
	@mkdir -p var
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

run: demo
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# nginx on :8080 in front of two gunicorn app servers, a Celery worker and beat, on the
# machine's PostgreSQL and Redis, with files in a local S3 server (benchmarks/cluster.py).
run-cluster: setup
	$(PY) benchmarks/cluster.py --port 8080

# In parallel, one worker per core (pytest-xdist; a file's tests stay on one worker, which
# has its own test database). TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= auto
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

test-fast: setup
	$(PY) -m pytest -m "not e2e and not slow"

test-e2e: setup
	$(PY) -m pytest tests/e2e

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate translation catalogues (needs GNU gettext); the compiled .mo files are committed.
# Each app's strings go to its own locale/ folder, the site's to locale/.
messages: setup
	$(PY) manage.py makemessages -l nb -l nn -l en --no-obsolete $(I18N_IGNORE) --ignore='tests/*' --ignore='benchmarks/*'
	$(PY) manage.py compilemessages $(I18N_IGNORE)

I18N_IGNORE := --ignore='.venv/*' --ignore='node_modules/*'

# The apps as a wheel for other Django projects (README, "Installing the apps into another
# Django project"), in dist/. The build copies the H5P player from node_modules into it, so
# npm's packages come first; setuptools is the exact version pyproject.toml's build-system
# names. setuptools' build/ folder goes first (files of an older build would go into the
# wheel) and after. tests/test_wheel_host.py installs such a wheel into a Wagtail site.
wheel: setup
	rm -rf build
	$(UV) build --wheel --out-dir dist
	rm -rf build

bench: setup
	$(PY) benchmarks/dashboard.py
	$(PY) benchmarks/cohort_grid.py

clean:
	rm -rf $(VENV) node_modules var staticfiles .pytest_cache .mypy_cache .ruff_cache
