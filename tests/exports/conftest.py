"""The exports tests: a clerk, exported invoices, reading and changing the sandbox's books, and a
Celery queue of a test's own for the tests with real workers."""

import os
import time
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client

from coachlink.celery import app as celery_app
from exports.models import ExportRecord
from exports.run import invoice_export
from integrations.exact import ratelimit
from integrations.exact.locks import shared_lock, shared_state_write
from integrations.exact.oauth import base_url
from testkit.factories import final_invoice_create


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


# The length of the sandbox's day in the budget tests, in seconds.
DAY = 600


@pytest.fixture
def small_day(exact_link, sandbox, settings, monkeypatch):
    """A day of 40 calls (20 of them kept for realtime) on a clock coachlink shares with the
    sandbox, so its reset is passed by moving the clock, not by waiting."""
    key = f"rate-{base_url(exact_link.site)}-{exact_link.division}"

    def forget():
        with shared_lock(key):
            shared_state_write(key, {})

    forget()
    settings.EXACT_REALTIME_RESERVE = 0.5
    sandbox.set_limits(daily=40, minutely=1000, day_seconds=DAY)
    offset = {"seconds": 0.0}

    def advance(seconds):
        offset["seconds"] = sandbox.advance_clock(seconds)["offset_seconds"]

    monkeypatch.setattr(ratelimit, "clock", lambda: time.time() + offset["seconds"])
    # Start at the beginning of a sandbox day, so the whole test fits in it.
    advance(DAY - (time.time() + sandbox.advance_clock(0)["offset_seconds"]) % DAY + 0.5)
    yield advance
    forget()


def services_required() -> None:
    """Skip without Redis and PostgreSQL locally; under CI they must be there."""
    missing = []
    if not settings.REDIS_URL:
        missing.append("REDIS_URL")
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL=postgres://...")
    if missing:
        message = "needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def queue(monkeypatch):
    """A queue of this test's own, so workers of other test runs on the same Redis stay out."""
    services_required()
    name = f"exports-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", name)
    return name
