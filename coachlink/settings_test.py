"""Settings for the test suite: the real settings, with a key that only tests use."""

import os

# The suite runs as production does (DEBUG off, every check on), over plain http.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault(
    "SECRET_KEY", "coachlink-tests-only-not-secret-4f9d2a7c81e6b3f05a9c2d7e1b4f8a6c"
)
# A fixed Fernet key, so worker processes spawned by a test decrypt what the test stored.
os.environ.setdefault("EXACT_TOKEN_KEYS", "Y29hY2hsaW5rLXRlc3RzLW9ubHktbm90LXNlY3JldCE=")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
