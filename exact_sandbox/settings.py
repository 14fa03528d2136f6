"""Settings of the sandbox's own Django project; it never shares coachlink's database or apps."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent

# The sandbox only listens on loopback for demos and tests, so a fixed key protects nothing real.
SECRET_KEY = os.environ.get("SANDBOX_SECRET_KEY", "exact-sandbox-not-a-secret")
DEBUG = os.environ.get("SANDBOX_DEBUG", "").lower() in {"1", "true", "yes"}
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = ["exact_sandbox"]
# The person's forms (consent, payments, bookings) carry Django's CSRF token; the REST API,
# the token endpoint and the control endpoint are exempt (bearer token / control token).
MIDDLEWARE = [
    "exact_sandbox.middleware.SandboxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "exact_sandbox.urls"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]


def _database_path() -> str:
    url = os.environ.get("SANDBOX_DATABASE_URL", "")
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return str(REPO_DIR / "var" / "exact_sandbox.sqlite3")


DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _database_path(),
        "ATOMIC_REQUESTS": True,
        # WAL without a sync per commit: the sandbox's data is a demo's, speed matters more.
        "OPTIONS": {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
# Exact takes attachments up to 10 MB raw, which is about 13.4 MB as base64 in a JSON body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Exact stamps records in Dutch local time and sends them as /Date(ms)/ without a zone.
USE_TZ = False
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = False
LANGUAGE_CODE = "nl"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
