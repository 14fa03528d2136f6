"""Fixtures for the whole suite: the language, and coachlink pointed at the sandbox."""

import os

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from exports.lookups import lookups_forget
from integrations.exact.locks import shared_lock, shared_state_write
from integrations.models import ExactLink
from notifications.models import NoticeKind
from notifications.services import notice_queued_mark
from testkit.factories import ExactLinkFactory

TOKEN_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def no_notice_queued():
    """A notice a test queued and did not run (notifications.receivers) queues none later."""
    cache.delete_many([notice_queued_mark(kind=kind) for kind in NoticeKind])


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


@pytest.fixture
def exact_settings(settings, sandbox):
    """coachlink pointed at the sandbox with the sandbox's Netherlands app, as the demo runs it.

    The budgets are large (tests count calls; the limiter's own tests set theirs), and what our
    limiter remembers of the reset sandbox's budgets is cleared.
    """
    settings.EXACT_BASE_URL_NL = sandbox.nl
    settings.EXACT_BASE_URL_BE = sandbox.be
    settings.EXACT_CLIENT_ID = "coachlink-demo-nl"
    settings.EXACT_CLIENT_SECRET = "sandbox-secret-nl"
    settings.EXACT_REDIRECT_URI = "http://127.0.0.1:9/integrations/exact/callback/"
    settings.EXACT_DEADLINE = 5.0
    settings.EXACT_TOKEN_KEYS = [TOKEN_KEY]
    sandbox.set_limits(minutely=100000, daily=100000)
    for base, division in [(sandbox.nl, 7095), (sandbox.nl, 7096), (sandbox.be, 8101)]:
        with shared_lock(f"rate-{base}-{division}"):
            shared_state_write(f"rate-{base}-{division}", {})
    return settings


def link_tokens_give(link: ExactLink, sandbox) -> ExactLink:
    """A fresh token pair from the sandbox's consent for division 7095, stored on ``link``."""
    tokens = sandbox.tokens("nl", divisions=[7095])
    link.tokens_set(
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_in=int(tokens["expires_in"]),
    )
    link.save()
    return link


@pytest.fixture
def authenticated_link(db, sandbox, exact_settings):
    """A saved link to division 7095 holding a fresh token pair, not enabled."""
    return link_tokens_give(ExactLinkFactory(), sandbox)


@pytest.fixture
def exact_link(db, sandbox, exact_settings):
    """An enabled, authenticated link to division 7095 on a freshly seeded sandbox."""
    link = link_tokens_give(ExactLinkFactory(enabled=True), sandbox)
    # The sandbox was reseeded: what an earlier test's exports remembered of it is gone.
    lookups_forget(link=link)
    sandbox.reset_counters()
    return link
