# Signpost: `make run` serves the demo catalogue; `make test` runs every check.
# The newest CPython from 3.11 up that this machine has (scripts/find_python.sh); set PYTHON
# to choose another. The virtual environment is made again when the version changes.
PYTHON ?= $(shell scripts/find_python.sh)
PYVERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: backup restore benchmark-backup proxy-deps benchmark-http messages benchmark-documents demo-documents search-quality benchmark benchmark-import run install install-test migrate serve test lint typecheck pytest assets browser-deps clean

$(VENV)/.python-$(PYVERSION):
	@if [ -z "$(PYVERSION)" ]; then scripts/find_python.sh >/dev/null; \
		echo "PYTHON=$(PYTHON) does not run." >&2; exit 1; fi
	@echo "Using $(PYTHON) (Python $(PYVERSION)) for $(VENV)."
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: pyproject.toml | $(VENV)/.python-$(PYVERSION)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/.python-$(PYVERSION)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo

# The database and the uploaded files in one file (docs/backup.md), by default a new one in
# var/backups/; `make restore FROM=…` puts one into an empty database (REPLACE=1: any database).
TO ?= var/backups/signpost-$(shell date -u +%Y%m%d-%H%M%S).tar
backup: install
	$(BIN)/python manage.py backup $(TO)

restore: install
	@[ -n "$(FROM)" ] || { echo "Name the backup to restore: make restore FROM=var/backups/….tar" >&2; exit 1; }
	$(BIN)/python manage.py restore $(if $(REPLACE),--replace) $(FROM)

# Backup and restore of the demo catalogue, 5 runs each (docs/backup.md): SQLite, then
# PostgreSQL when one answers.
benchmark-backup: install
	mkdir -p var
	export DATABASE_URL=sqlite:///$(CURDIR)/var/bench-backup.sqlite3 MEDIA_ROOT=$(CURDIR)/var/bench-backup-media; \
		$(BIN)/python manage.py migrate -v0 && $(BIN)/python manage.py load_demo && \
		$(BIN)/python manage.py read_documents && $(BIN)/python manage.py benchmark_backup
	@if TEST_DATABASE_URL=$(PG_SERVER)/postgres $(BIN)/python scripts/postgres_available.py signpost_bench_backup; then \
		export DATABASE_URL=$(PG_SERVER)/signpost_bench_backup MEDIA_ROOT=$(CURDIR)/var/bench-backup-pg-media; \
		$(BIN)/python manage.py migrate -v0 && $(BIN)/python manage.py load_demo && \
		$(BIN)/python manage.py read_documents && $(BIN)/python manage.py benchmark_backup; \
	else echo "PostgreSQL is not reachable: its backup benchmark was skipped."; fi

# The web server, with the background worker (scheduled link checks) beside it.
run: migrate
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py

# Rebuild the committed CSS and JS from the npm packages (needs Node.js; run time does not).
assets:
	cd frontend && npm ci --no-audit --no-fund && npm run build

# The interface's translations (docs/translations.md): bring every catalogue up to date with
# the marked strings, then compile what Django reads. Needs GNU gettext (msgfmt).
LOCALES = cy pl uk ru ro sq vi bg lt lv sk zh_Hans ar
messages: install
	DJANGO_SETTINGS_MODULE=signpost.settings.test $(BIN)/python manage.py makemessages $(addprefix -l ,$(LOCALES)) \
		--ignore='.venv*' --ignore='frontend/node_modules' \
		--ignore='tests/*' --ignore='var/*' --add-location=file
	DJANGO_SETTINGS_MODULE=signpost.settings.test $(BIN)/python manage.py compilemessages --ignore='.venv*'

# Reading uploaded files (per file and per page), then the index build and searches at
# 100,000 resources of which 10% carry a 20-page file (BENCH_ARGS are passed on).
benchmark-documents: install
	$(BIN)/python manage.py benchmark_documents
	$(MAKE) benchmark BENCH_ARGS="--text-share 0.1 --text-pages 20 $(BENCH_ARGS)"

# The demo catalogue's own files (data/demo.files), written again from the script.
demo-documents: install-test
	$(BIN)/python scripts/make_demo_documents.py --out data/demo.files

# Chromium for the browser tests, from Debian's packages, where it is missing and can be installed.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else echo "Chromium is not installed and cannot be installed here: browser tests will be skipped."; fi; }
	@[ -f frontend/node_modules/axe-core/axe.min.js ] || { \
		if command -v npm >/dev/null 2>&1; then cd frontend && npm ci --no-audit --no-fund --silent; \
		else echo "npm is missing, so axe-core is too: accessibility checks will be skipped."; fi; }

# nginx (the proxy test) and wrk (benchmark-http), from Debian's packages, where they are
# missing and can be installed.
proxy-deps:
	@sh scripts/proxy_deps.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

# The suite on SQLite (with the browser tests and the replica test, which starts its own
# PostgreSQL servers), then again on PostgreSQL when one answers.
pytest: install-test browser-deps proxy-deps
	mkdir -p var
	DJANGO_SETTINGS_MODULE=signpost.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest --ds=signpost.settings.test $(PYTEST_ARGS)
	@if $(BIN)/python scripts/postgres_available.py; then \
		echo "PostgreSQL is reachable: running the suite on it too."; \
		DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/signpost} $(BIN)/pytest --ds=signpost.settings.test $(PYTEST_ARGS) -m "not browser and not postgres"; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then echo "PostgreSQL is required but not reachable." >&2; exit 1; \
	else echo "PostgreSQL is not reachable: the PostgreSQL run was skipped."; fi

test: lint typecheck pytest

clean:
	rm -rf .venv .venv-* var .pytest_cache .mypy_cache .ruff_cache

# Search latency at scale (docs/performance.md): SQLite, then PostgreSQL when one answers.
BENCH_ARGS ?= --resources 100000
PG_SERVER ?= postgres://postgres@127.0.0.1:5432
benchmark: install
	mkdir -p var
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(BIN)/python manage.py migrate -v0
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 $(BIN)/python manage.py benchmark_search $(BENCH_ARGS)
	@if TEST_DATABASE_URL=$(PG_SERVER)/postgres $(BIN)/python scripts/postgres_available.py signpost_bench; then \
		DATABASE_URL=$(PG_SERVER)/signpost_bench $(BIN)/python manage.py migrate -v0 && \
		DATABASE_URL=$(PG_SERVER)/signpost_bench $(BIN)/python manage.py benchmark_search $(BENCH_ARGS); \
	else echo "PostgreSQL is not reachable: its benchmark was skipped."; fi

# HTTP in one run (docs/deploy.md, "Figures"): wrk against nginx serving saved pages, the app
# through the shipped proxy cache and the app directly; then a bounded load test. The demo
# catalogue in a fresh database of its own; HTTP_BENCH_ARGS are passed on.
HTTP_BENCH_ENV = DATABASE_URL=sqlite:///$(CURDIR)/var/bench-http.sqlite3 STATIC_ROOT=$(CURDIR)/var/bench-http-static
benchmark-http: install proxy-deps
	mkdir -p var
	rm -f var/bench-http.sqlite3 var/bench-http.sqlite3-wal var/bench-http.sqlite3-shm
	$(HTTP_BENCH_ENV) $(BIN)/python manage.py migrate -v0
	$(HTTP_BENCH_ENV) $(BIN)/python manage.py load_demo
	$(HTTP_BENCH_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(HTTP_BENCH_ENV) $(BIN)/python manage.py benchmark_http $(HTTP_BENCH_ARGS)

# Import speed at scale (docs/performance.md): SQLite, then PostgreSQL when one answers.
IMPORT_ARGS ?= --resources 100000 --runs 3
benchmark-import: install
	mkdir -p var
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench-import.sqlite3 $(BIN)/python manage.py migrate -v0
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench-import.sqlite3 $(BIN)/python manage.py benchmark_import $(IMPORT_ARGS)
	@if TEST_DATABASE_URL=$(PG_SERVER)/postgres $(BIN)/python scripts/postgres_available.py signpost_bench_import; then \
		DATABASE_URL=$(PG_SERVER)/signpost_bench_import $(BIN)/python manage.py migrate -v0 && \
		DATABASE_URL=$(PG_SERVER)/signpost_bench_import $(BIN)/python manage.py benchmark_import $(IMPORT_ARGS); \
	else echo "PostgreSQL is not reachable: its import benchmark was skipped."; fi

# Ranking quality on the hand-judged queries (docs/search-quality.md): nDCG@10 and recall@10,
# lexical and hybrid, on SQLite, then on PostgreSQL when one answers; the demo catalogue.
search-quality: install
	mkdir -p var
	rm -f var/quality.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/var/quality.sqlite3 $(BIN)/python manage.py migrate -v0
	DATABASE_URL=sqlite:///$(CURDIR)/var/quality.sqlite3 $(BIN)/python manage.py load_demo
	DATABASE_URL=sqlite:///$(CURDIR)/var/quality.sqlite3 $(BIN)/python manage.py read_documents
	DATABASE_URL=sqlite:///$(CURDIR)/var/quality.sqlite3 $(BIN)/python manage.py search_quality
	@if TEST_DATABASE_URL=$(PG_SERVER)/postgres $(BIN)/python scripts/postgres_available.py signpost_quality; then \
		DATABASE_URL=$(PG_SERVER)/signpost_quality $(BIN)/python manage.py migrate -v0 && \
		DATABASE_URL=$(PG_SERVER)/signpost_quality $(BIN)/python manage.py load_demo && \
		DATABASE_URL=$(PG_SERVER)/signpost_quality $(BIN)/python manage.py read_documents && \
		DATABASE_URL=$(PG_SERVER)/signpost_quality $(BIN)/python manage.py search_quality; \
	else echo "PostgreSQL is not reachable: its quality run was skipped."; fi
