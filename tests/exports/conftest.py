"""An enabled Exact link on the sandbox's division 7095, authenticated as the demo user."""

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission, User
from django.test import Client

from exports.models import ExportRecord
from exports.services import invoice_export, lookups_forget
from tests.billing.factories import final_invoice_create
from tests.exports.factories import ExactLinkFactory

TOKEN_KEY = Fernet.generate_key().decode()


@pytest.fixture
def exact_settings(settings, sandbox):
    settings.EXACT_BASE_URL_NL = sandbox.nl
    settings.EXACT_BASE_URL_BE = sandbox.be
    settings.EXACT_CLIENT_ID = "coachlink-demo-nl"
    settings.EXACT_CLIENT_SECRET = "sandbox-secret-nl"
    settings.EXACT_DEADLINE = 5.0
    settings.EXACT_TOKEN_KEYS = [TOKEN_KEY]
    # Large budgets: these tests count calls, they do not test the rate limiter.
    sandbox.set_limits(minutely=100000, daily=100000)
    return settings


@pytest.fixture
def exact_link(exact_settings, sandbox, db):
    link = ExactLinkFactory()
    tokens = sandbox.tokens("nl", divisions=[7095])
    link.tokens_set(
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_in=int(tokens["expires_in"]),
    )
    link.save()
    # The sandbox was reseeded: what an earlier test's exports remembered of it is gone.
    lookups_forget(link=link)
    sandbox.reset_counters()
    return link


def division_state(sandbox, division: str = "7095") -> dict:
    return sandbox.state()["divisions"][division]


@pytest.fixture
def clerk(db):
    """A user who may see and change exports, logged in."""
    user = User.objects.create_user("clerk", password="secret-clerk")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_exportrecord", "change_exportrecord"])
    )
    client = Client()
    client.force_login(user)
    return client


def exported(**invoice_fields) -> ExportRecord:
    """A final invoice exported to the sandbox for real."""
    record = invoice_export(invoice=final_invoice_create(**invoice_fields))
    assert record.entry_id, record.error_message
    return record


@pytest.fixture
def prefixed_link(exact_link):
    """The link with invoice number prefix 26: references 2600001, 2600002, ..."""
    exact_link.invoice_number_prefix = "26"
    exact_link.save()
    return exact_link


def sandbox_control(sandbox, path: str, payload: dict | None = None) -> dict:
    """POST to the sandbox's control endpoint, as a bookkeeper's change in Exact."""
    return sandbox.control("POST", path, payload or {})
