import os

import pytest
from django.db import connection


@pytest.fixture
def require_postgresql() -> None:
    """Skip on SQLite locally, but fail under CI, where PostgreSQL must be there."""
    if connection.vendor == "postgresql":
        return
    message = "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
