"""Settings for the test suite: the real settings, with a key that only tests use."""

import os

os.environ.setdefault("SECRET_KEY", "coachlink-tests-only-not-secret")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
