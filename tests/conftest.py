"""Fixtures for the whole suite."""

import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in English: a request in Dutch leaves Dutch active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def require_postgresql() -> None:
    """Skip on SQLite locally, but fail under CI, where PostgreSQL must be there."""
    if connection.vendor == "postgresql":
        return
    message = "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
