# Both `make demo` and `make test` bootstrap their own environment from uv.lock:
# a fresh machine needs only Python 3.11+ with pip.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
RUN := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test lint format bootstrap messages

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

bootstrap: $(VENV)/.synced

# The demo runs on embedded defaults: SQLite, the filesystem broker and the Exact Online
# sandbox on port 8001, with the sandbox's Netherlands client registration.
demo: export DEBUG := true
demo: export EXACT_BASE_URL_NL := http://127.0.0.1:8001/nl
demo: export EXACT_BASE_URL_BE := http://127.0.0.1:8001/be
demo: export EXACT_CLIENT_ID := coachlink-demo-nl
demo: export EXACT_CLIENT_SECRET := sandbox-secret-nl
demo: export EXACT_REDIRECT_URI := http://127.0.0.1:8000/integrations/exact/callback/
# Notification mails are printed by the worker instead of sent.
demo: export EMAIL_URL := consolemail://
demo: export SITE_URL := http://127.0.0.1:8000
demo: bootstrap
	$(RUN) manage.py migrate --no-input
	$(RUN) manage.py seed_demo
	$(RUN) manage.py demo_admin
	$(VENV)/bin/honcho --procfile Procfile.demo start

test: bootstrap
	$(RUN) -m pytest

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: bootstrap
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract and compile the Dutch translations (needs GNU gettext); the compiled .mo files are
# committed, so a fresh clone shows Dutch without gettext installed.
messages: bootstrap
	DEBUG=true $(RUN) manage.py makemessages --no-location --locale nl --ignore ".venv/*" --ignore ".tools/*" \
		--ignore "billing/*" --ignore "integrations/*" --ignore "exports/*" --ignore "notifications/*" --ignore "exact_sandbox/*" --ignore "tests/*" --ignore "bench/*"
	for app in billing integrations exports notifications; do \
		(cd $$app && DEBUG=true PYTHONPATH=.. DJANGO_SETTINGS_MODULE=coachlink.settings ../$(VENV)/bin/django-admin makemessages --no-location --locale nl); \
	done
	DEBUG=true $(RUN) manage.py compilemessages --locale nl --ignore ".venv/*" --ignore ".tools/*"
