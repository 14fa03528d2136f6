"""Settings for the test suite: the real settings, with a key that only tests use."""

import os

os.environ.setdefault("SECRET_KEY", "coachlink-tests-only-not-secret")
# A fixed Fernet key, so worker processes spawned by a test decrypt what the test stored.
os.environ.setdefault("EXACT_TOKEN_KEYS", "Y29hY2hsaW5rLXRlc3RzLW9ubHktbm90LXNlY3JldCE=")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
