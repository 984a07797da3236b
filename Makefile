# hr_clinic: `make run` (demo) and `make test` (the whole suite) are all a newcomer needs.
# Both create the virtualenv and install on first use; nothing else must be installed
# beforehand but Python 3.11+ and make (on Debian and Ubuntu also python3-venv, which
# `make` asks for when it is missing).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Lint and type-check never need a database: the mypy Django plugin imports settings,
# which would otherwise start the embedded PostgreSQL.
LINT_ENV := DEBUG=true DATABASE_URL=postgres://lint@localhost:1/lint FIELD_ENCRYPTION_KEY=lint-only-field-key-not-a-secret-0123456789

# The first Python 3.11+ on PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && { echo $$p; break; }; done)

.PHONY: run serve test lint typecheck security pytest install db-stop clean help bench vnu screenshots

help:
	@echo "make run      set up, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test     set up and run ruff, mypy, bandit and the whole pytest suite on PostgreSQL"
	@echo "make serve    production settings under gunicorn on http://$(HOST):$(PORT) (MFA on)"
	@echo "make bench    seed a separate hr_clinic_bench database at scale (once) and benchmark"
	@echo "              the main pages under gunicorn; results in bench-results/"
	@echo "make db-stop  stop the embedded PostgreSQL (.pgdata/)"
	@echo "make clean    stop it and remove .venv/ and the caches"
	@echo "Another port: make run PORT=8001"

install: $(STAMP)

# A .venv without a working pip (left by a first try that failed half-way, e.g. for
# want of python3-venv) is made again rather than failing with "No module named pip".
# Debian and Ubuntu ship venv's ensurepip separately: without it, say which package
# to install and stop before making a half-made .venv.
$(STAMP): pyproject.toml constraints.txt
	@if [ -z "$(PYTHON)" ]; then echo "hr_clinic needs Python 3.11 or newer on PATH." >&2; exit 1; fi
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
		if ! $(PYTHON) -c 'import venv, ensurepip' >/dev/null 2>&1; then \
			version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
			package=python3-venv; \
			[ "$$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$$version" ] \
				|| package=python$$version-venv; \
			echo "$(PYTHON) cannot make a virtualenv: its venv/ensurepip module is missing." >&2; \
			echo "On Debian or Ubuntu, install it with:" >&2; \
			echo "" >&2; \
			echo "    sudo apt-get install $$package" >&2; \
			echo "" >&2; \
			echo "then run make again." >&2; \
			exit 1; \
		fi; \
		if [ -e $(VENV) ]; then echo "$(VENV) has no working pip (an earlier try stopped half-way): making it again."; rm -rf $(VENV); fi; \
		echo "Setting up $(VENV) with $(PYTHON) …"; \
		$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	fi
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

# The demo turns the second factor off (allowed only with DEBUG on).
RUN_ENV := DEBUG=true MFA_REQUIRED=false

run: $(STAMP)
	@$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	@$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  hr_clinic demo (DEBUG on, fictional data only): http://$(HOST):$(PORT)/"
	@echo "  Demo logins, all with the password 'harm-reduction':"
	@echo "    admin (admin) · supervisor, supervisor2 (supervisors)"
	@echo "    clinician, clinician2, intern (needs co-signature), outsider (clinicians)"
	@echo "  MFA is off for this local demo (MFA_REQUIRED=false); in production every"
	@echo "  staff member sets up an authenticator app at their first sign-in."
	@echo "  Stop with Ctrl-C; 'make db-stop' stops the embedded database."
	@echo ""
	@$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# `make serve` and `make bench` run with DEBUG off, which needs a key to seal the
# authenticator secrets; on this machine only, a fixed one (not a secret), so that
# authenticators set up in an earlier run keep working.
LOCAL_FIELD_KEY := local-only-field-key-not-a-secret-0123456789

# Production settings (DEBUG off, MFA on, WhiteNoise serving collected static
# files with hashed names) under gunicorn, locally. Only what plain http on
# loopback needs is relaxed: no HTTPS redirect, no HSTS, cookies without the
# Secure flag. A random SECRET_KEY each start unless you export one.
serve: $(STAMP)
	@set -e; \
	export DEBUG=false ALLOWED_HOSTS=$(HOST),localhost SECURE_SSL_REDIRECT=false \
		SECURE_HSTS_SECONDS=0 SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false \
		SECRET_KEY="$${SECRET_KEY:-local-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}" \
		FIELD_ENCRYPTION_KEY="$${FIELD_ENCRYPTION_KEY:-$(LOCAL_FIELD_KEY)}"; \
	$(BIN)/python manage.py migrate --noinput -v0; \
	$(BIN)/python manage.py seed_demo; \
	$(BIN)/python manage.py collectstatic --noinput -v0; \
	echo ""; \
	echo "  hr_clinic with production settings: http://$(HOST):$(PORT)/ (Ctrl-C stops)"; \
	echo "  Demo logins as for make run; each sets up an authenticator app at first sign-in."; \
	echo ""; \
	BIND=$(HOST):$(PORT) $(BIN)/gunicorn hr_clinic.wsgi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(LINT_ENV) $(BIN)/mypy .

# Static security analysis: no medium or high finding may stand (a justified one
# carries a "# nosec BXXX" comment with its reason).
security: $(STAMP)
	$(BIN)/bandit -q -r . -x ./.venv,./tests,./static,./staticfiles,./.pgdata --severity-level medium

# The Nu HTML checker (npm `vnu-jar`, ~30 MB) for tests/test_html_valid.py: fetched
# once into the git-ignored .cache/, never committed. It needs Java to run.
VNU_JAR := .cache/node_modules/vnu-jar/build/dist/vnu.jar
vnu: $(VNU_JAR)

$(VNU_JAR):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-save --no-audit --no-fund --ignore-scripts --prefix .cache vnu-jar@26 >/dev/null; \
	else echo "npm not found: the HTML validity test will be skipped (CI fails it)."; fi

# The browser tests (tests/e2e/) drive Debian's Chromium (/usr/bin/chromium):
# never `playwright install`. Two workers: the suite takes about a minute.
pytest: $(STAMP) vnu
	$(BIN)/pytest -n 2

test: lint typecheck security pytest

# The benchmark (issue #11) runs against its own database, hr_clinic_bench on the
# embedded server, so the demo and test databases are never touched. Seeding it at
# full size takes a few minutes, once; later runs reuse it. Production settings,
# except plain http on loopback (no SSL redirect, HSTS or secure cookies), through
# bench.settings: only it installs the bench app (seed_scale, run_bench) and routes
# the baseline page.
BENCH_DB ?= hr_clinic_bench
BENCH_ARGS ?=
bench: $(STAMP)
	@set -e; \
	url=$$($(BIN)/python -c 'from pathlib import Path; from hr_clinic.embedded_db import database_url; \
		print(database_url(Path(".").resolve(), "$(BENCH_DB)"))'); \
	export DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL="$$url" DEBUG=false \
		SECRET_KEY="bench-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
		FIELD_ENCRYPTION_KEY="$${FIELD_ENCRYPTION_KEY:-$(LOCAL_FIELD_KEY)}" \
		ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 \
		SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false LOG_LEVEL=WARNING; \
	$(BIN)/python manage.py migrate --noinput -v0; \
	$(BIN)/python manage.py seed_scale --if-empty; \
	$(BIN)/python manage.py seed_scale --personas; \
	$(BIN)/python manage.py collectstatic --noinput -v0; \
	$(BIN)/python manage.py run_bench $(BENCH_ARGS)

# PNGs of the main pages from the demo data, for the README (docs/screenshots/).
screenshots: $(STAMP)
	@$(RUN_ENV) $(BIN)/python scripts/screenshots.py

# Without pgserver in .venv (never installed, or a half-made .venv) there is no
# embedded server of this checkout to stop: say so and succeed, so `make clean`
# always cleans.
db-stop:
	@if [ -x $(BIN)/python ] && $(BIN)/python -c 'import pgserver' >/dev/null 2>&1; then \
		$(BIN)/python -c 'from pathlib import Path; \
		from hr_clinic.embedded_db import stop; \
		print("Embedded PostgreSQL stopped." if stop(Path(".").resolve()) else "Embedded PostgreSQL was not running.")'; \
	else echo "pgserver is not installed in $(VENV): no embedded PostgreSQL to stop."; fi

clean:
	@$(MAKE) --no-print-directory db-stop || echo "Could not stop the embedded PostgreSQL; cleaning anyway."
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
