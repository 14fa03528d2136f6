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

demo: bootstrap
	DEBUG=true $(RUN) manage.py migrate --no-input
	DEBUG=true $(RUN) manage.py seed_demo
	DEBUG=true $(RUN) manage.py demo_admin
	DEBUG=true $(RUN) manage.py runserver 127.0.0.1:8000

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
	DEBUG=true $(RUN) manage.py makemessages --locale nl --ignore ".venv/*" --ignore ".tools/*" --ignore "exact_sandbox/*"
	DEBUG=true $(RUN) manage.py compilemessages --locale nl --ignore ".venv/*" --ignore ".tools/*"
