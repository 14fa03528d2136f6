"""Settings, read from the environment (and an optional ``.env`` file) with django-environ.

Every variable is listed in ``.env.example`` and in the README's configuration table.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A server must say which mode it runs in: the check coachlink.E001 refuses to start without it.
DEBUG_EXPLICIT = "DEBUG" in os.environ

# A development key is only acceptable while DEBUG is on: a server with DEBUG off refuses to
# start without a real one, so no production install can run on a key that is public.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "coachlink-development-only-not-secret"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "coachlink.apps.CoachlinkConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    "billing",
    "integrations",
    "exports",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "coachlink.sessions.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the outcome of every login: the site's and the admin's.
    "axes.middleware.AxesMiddleware",
    "coachlink.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "coachlink.urls"
WSGI_APPLICATION = "coachlink.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

(BASE_DIR / "var").mkdir(exist_ok=True)

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'coachlink.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web share one SQLite file in the demo: wait for a lock instead of
    # failing with "database is locked", and take the write lock at the start of a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "coachlink",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords in a row for one
# username from one address, that pair is refused for LOGIN_LOCKOUT_MINUTES (each further try
# starts the wait again). A right password resets the count. Unlock by hand: README, "Login".
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "coachlink.lockout.login_locked_out"

LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
# The language of a visitor whose browser asks for neither, and of the notification mails.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured("LANGUAGE_CODE must be en or nl.")
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["coachlink.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Signed out after SESSION_IDLE_MINUTES without a request (coachlink.sessions renews the session
# while it is used).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=60) * 60

# HTTPS. coachlink runs behind a TLS-terminating proxy, which tells it that a request came over
# HTTPS in a header; SECURE_PROXY_SSL_HEADER names that header and value ("X-Forwarded-Proto:
# https"), and the proxy must set it on every request, overwriting what a client sent.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
_proxy_ssl_header = env.str(
    "SECURE_PROXY_SSL_HEADER", default="" if DEBUG else "X-Forwarded-Proto: https"
)
if _proxy_ssl_header:
    _header, _, _value = _proxy_ssl_header.partition(":")
    if not _value.strip():
        raise ImproperlyConfigured('SECURE_PROXY_SSL_HEADER looks like "X-Forwarded-Proto: https".')
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _header.strip().upper().replace("-", "_"),
        _value.strip(),
    )
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content Security Policy (django-csp): scripts, styles, fonts and images from this site only,
# no inline script. Style attributes stay allowed (bar widths are computed per row); they run
# no code. Forms may also go to Exact's sites: Authenticate redirects there
# (coachlink.middleware adds them from the settings).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport, a real broker
# that needs no server, shared by the web process, the worker and beat through a folder.
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost/"
if not REDIS_URL:
    _broker_dir = BASE_DIR / "var" / "broker"
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# Exact Online. The client id, secret and redirect URI come from here, never from a form.
EXACT_CLIENT_ID = env.str("EXACT_CLIENT_ID", default="")
EXACT_CLIENT_SECRET = env.str("EXACT_CLIENT_SECRET", default="")
EXACT_REDIRECT_URI = env.str(
    "EXACT_REDIRECT_URI", default="http://127.0.0.1:8000/integrations/exact/callback/"
)
# One base URL per Exact site; point them at the sandbox to try coachlink without Exact.
EXACT_BASE_URL_NL = env.str("EXACT_BASE_URL_NL", default="https://start.exactonline.nl")
EXACT_BASE_URL_BE = env.str("EXACT_BASE_URL_BE", default="https://start.exactonline.be")
# One deadline for each call to Exact: connecting, sending and reading the whole answer.
EXACT_DEADLINE = env.float("EXACT_DEADLINE", default=30.0)
# The largest answer from Exact coachlink reads, in bytes (a page of 1,000 rows is far below).
EXACT_MAX_BODY = env.int("EXACT_MAX_BODY", default=16 * 1024 * 1024)
# Share of each division's daily calls that bulk and nightly exports leave for realtime exports,
# payment syncs, previews and Test connection.
EXACT_REALTIME_RESERVE = env.float("EXACT_REALTIME_RESERVE", default=0.2)
# Fernet keys for the tokens at rest, newest first; add a key in front to rotate.
EXACT_TOKEN_KEYS = env.list("EXACT_TOKEN_KEYS", default=[])

# How long a worker's claim on an invoice lasts from its last step towards Exact. A claim that
# ran out is taken over by the recovery task, which looks the entry up by YourRef first; so it
# must outlast one call to Exact with a rate-limit wait before it.
EXPORT_LEASE_SECONDS = env.float("EXPORT_LEASE_SECONDS", default=180.0)
if EXPORT_LEASE_SECONDS <= EXACT_DEADLINE:
    raise ImproperlyConfigured("EXPORT_LEASE_SECONDS must be longer than EXACT_DEADLINE.")
# How often the recovery task resumes exports a worker left behind and those that waited for
# the next day's budget (Celery beat, always on).
EXPORT_RECOVERY_SECONDS = env.float("EXPORT_RECOVERY_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "exports: recovery": {
        "task": "exports.tasks.export_records_recover_task",
        "schedule": EXPORT_RECOVERY_SECONDS,
        # A run no worker started in time makes way for the next one.
        "options": {"expires": EXPORT_RECOVERY_SECONDS * 0.9},
    },
}

# Notification mails (coachlink.notifications): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@mail.example.nl:587. Unset, mails are written to the log (the console
# backend): right for the demo; a server warns (coachlink.W001) instead of refusing to start,
# since everything but the mails works without it.
EMAIL_URL_SET = "EMAIL_URL" in os.environ
globals().update(
    {
        name: value
        for name, value in env.email_url("EMAIL_URL", default="consolemail://").items()
        if value not in (None, "")
    }
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="coachlink <coachlink@localhost>")
# Where users open coachlink, for the links in the mails (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
# Days before Exact's refresh token would expire unused that the daily check warns.
EXACT_REFRESH_WARNING_DAYS = env.int("EXACT_REFRESH_WARNING_DAYS", default=5)
if not 1 <= EXACT_REFRESH_WARNING_DAYS <= 29:
    raise ImproperlyConfigured("EXACT_REFRESH_WARNING_DAYS must be a number of days from 1 to 29.")
CELERY_BEAT_SCHEDULE["notifications: refresh token expiry"] = {
    "task": "notifications.tasks.refresh_token_expiry_check_task",
    # Every morning before the working day; a run no worker started that day is dropped.
    "schedule": crontab(hour=7, minute=30),
    "options": {"expires": 12 * 3600},
}
CELERY_BEAT_SCHEDULE["notifications: lost notices"] = {
    "task": "notifications.tasks.notices_lost_resend_task",
    "schedule": 300.0,
    "options": {"expires": 270},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every line passes the filter that blanks the OAuth callback's code and state.
    "filters": {"secret_query": {"()": "coachlink.logs.SecretQueryFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["secret_query"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The PDF's font subsetting reports every glyph at INFO, and a missing glyph names the
        # text it belongs to (a debtor's name): neither belongs in the log.
        "fontTools": {"level": "WARNING"},
        "fpdf": {"level": "ERROR"},
        # The request lines of runserver and of gunicorn's access log, through the same filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
