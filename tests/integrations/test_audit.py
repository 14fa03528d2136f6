"""The audit log says what a save changed, old → new, in the reader's language."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from integrations.models import AUDIT_MASK, AuditEntry, audit_value
from testkit.factories import ExactLinkFactory
from tests.integrations.panel_data import valid_panels

pytestmark = pytest.mark.django_db

URL = reverse("integrations:exact_configure")


def was(value: str) -> str:
    """An old value as the audit log shows it, in grey before the arrow."""
    return f'<span class="text-body-secondary">{value}</span>'


def test_a_save_lists_each_changed_field_with_its_old_and_new_value(manager_client):
    ExactLinkFactory(journal="70", export_moment="realtime")
    data = valid_panels(
        **{
            "financial-journal": "71",
            "financial-export_moment": "nightly",
            "financial-nightly_time": "02:30",
            "financial-nightly_repetition": "daily",
            "payment-payment_from_date": "01-03-2026",
        }
    )

    assert manager_client.post(URL, data).status_code == 302

    entry = AuditEntry.objects.get()
    assert {change["field"]: (change["old"], change["new"]) for change in entry.changes} == {
        "journal": ("70", "71"),
        "export_moment": ("realtime", "nightly"),
        "nightly_time": (None, "02:30"),
        "nightly_repetition": (None, "daily"),
        "payment_from_date": (None, "2026-03-01"),
    }
    page = manager_client.get(URL).content.decode()
    assert f"Sales journal: {was('70')} → 71" in page
    assert f"Export moment: {was('Realtime')} → Nightly bulk" in page
    assert f"From invoice date: {was('(empty)')} → 01-03-2026" in page


def test_the_changes_read_in_dutch_for_a_dutch_reader(manager_client):
    ExactLinkFactory(send_pdf=False)
    manager_client.post(URL, valid_panels(**{"financial-send_pdf": "on"}))

    page = manager_client.get(URL, HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert f"Factuur als pdf versturen: {was('nee')} → ja" in page


def test_saving_without_changes_lists_none(manager_client):
    ExactLinkFactory()
    manager_client.post(URL, valid_panels())
    manager_client.post(URL, valid_panels())
    latest = AuditEntry.objects.first()
    assert AuditEntry.objects.count() == 2
    assert latest.changes == []


def test_a_secret_is_logged_as_changed_but_never_with_its_value():
    assert audit_value("client_secret", "s3cr3t-value") == AUDIT_MASK
    assert audit_value("refresh_token", "abc") == AUDIT_MASK
    assert audit_value("journal", "70") == "70"
    assert audit_value("nightly_time", dt.time(2, 30)) == "02:30"
    entry = AuditEntry(changes=[{"field": "client_secret", "old": AUDIT_MASK, "new": AUDIT_MASK}])
    with translation.override("nl"):
        assert [(c.label, c.old, c.new) for c in entry.change_lines] == [
            ("client_secret", AUDIT_MASK, AUDIT_MASK)
        ]


def test_a_refused_save_says_nothing_was_saved_once(manager_client):
    ExactLinkFactory()
    response = manager_client.post(URL, valid_panels(**{"general-division": "abc"}))
    assert response.content.decode().count("Nothing was saved") == 1
    follow = manager_client.get(URL).content.decode()
    assert "Nothing was saved" not in follow
