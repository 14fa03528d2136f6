"""The reconciliation page in English and Dutch: runs, differences, handled marks, re-export,
CSV and PDF, and the weekly run (its schedule: tests/integrations/test_schedules.py)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from coachlink.celery import app as celery_app
from exports.models import (
    DifferenceKind,
    ExportState,
    HandledDifference,
    ReconciliationRun,
    ReconciliationTrigger,
)
from exports.reconciliation.run import reconciliation_scheduled
from exports.tasks import reconciliation_weekly_task
from integrations.models import Activation
from tests.exports.conftest import exported, sandbox_control

pytestmark = pytest.mark.django_db
PAGE = "/exports/reconciliation/"


@pytest.fixture
def link(prefixed_link):
    return prefixed_link


def start(client: Client, language: str = "en", **data) -> ReconciliationRun:
    answer = client.post(
        reverse("exports:reconciliation_start"),
        {"year": "2026", "month": "3", **data},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert answer.status_code == 302, answer.content
    return ReconciliationRun.objects.first()


@pytest.mark.parametrize(
    ("language", "agrees", "difference", "deleted"),
    [
        ("en", "coachlink and Exact Online agree", "Exported, not in Exact", "deleted there"),
        (
            "nl",
            "coachlink en Exact Online komen overeen",
            "Geëxporteerd, niet in Exact",
            "verwijderd",
        ),
    ],
)
def test_the_page_shows_months_and_differences_in_the_users_language(
    sandbox, link, clerk, language, agrees, difference, deleted
):
    first, second = exported(), exported()
    run = start(clerk, language)
    page = clerk.get(PAGE, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert agrees in page and "table-success" in page
    sandbox_control(sandbox, f"entries/{second.entry_id}/delete")
    run = start(clerk, language)
    assert run.differences_count == 1
    page = clerk.get(f"{PAGE}?run={run.pk}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert difference in page and deleted in page and second.your_ref in page
    assert "table-danger" in page and first.your_ref not in page
    amount = "€\xa0121,00" if language == "nl" else "€\xa0121.00"
    assert amount in page


def test_a_handled_difference_stays_handled_until_it_changes(sandbox, link, clerk):
    record = exported()
    sandbox_control(sandbox, f"entries/{record.entry_id}/edit", {"amount": "90"})
    run = start(clerk)
    difference = run.differences.get()
    note = "Korting afgesproken met klant 🙂 مرحبا"
    answer = clerk.post(
        reverse("exports:reconciliation_handled", args=[difference.pk]), {"note": note}
    )
    assert answer.status_code == 302
    again = start(clerk)
    page = clerk.get(f"{PAGE}?run={again.pk}").content.decode()
    assert note in page and again.differences.get().fingerprint == difference.fingerprint
    sandbox_control(sandbox, f"entries/{record.entry_id}/edit", {"amount": "80"})
    changed = start(clerk)
    assert changed.differences.get().fingerprint != difference.fingerprint
    page = clerk.get(f"{PAGE}?run={changed.pk}").content.decode()
    assert note not in page and HandledDifference.objects.count() == 1


def test_a_handled_mark_needs_a_note_and_changes_nothing_without_one(link, clerk, sandbox):
    record = exported()
    sandbox_control(sandbox, f"entries/{record.entry_id}/delete")
    difference = start(clerk).differences.get()
    answer = clerk.post(
        reverse("exports:reconciliation_handled", args=[difference.pk]),
        {"note": ""},
        HTTP_ACCEPT_LANGUAGE="nl",
        follow=True,
    )
    assert "Schrijf op hoe het verschil is afgehandeld." in answer.content.decode()
    assert not HandledDifference.objects.exists()


def test_a_missing_invoice_is_exported_again_from_the_page(
    sandbox, link, clerk, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    record = exported()
    sandbox_control(sandbox, f"entries/{record.entry_id}/delete")
    difference = start(clerk).differences.get()
    assert difference.kind == DifferenceKind.MISSING
    with django_capture_on_commit_callbacks(execute=True):
        answer = clerk.post(reverse("exports:reconciliation_reexport", args=[difference.pk]))
    assert answer.status_code == 302
    record.refresh_from_db()
    assert record.state == ExportState.EXPORTED
    assert start(clerk).differences_count == 0


def test_a_bad_period_is_refused_with_a_message_and_no_run(link, clerk):
    answer = clerk.post(
        reverse("exports:reconciliation_start"),
        {"year": "twenty", "month": "3"},
        HTTP_ACCEPT_LANGUAGE="nl",
        follow=True,
    )
    assert "Vul een jaar in van 2000 tot en met 2100." in answer.content.decode()
    assert not ReconciliationRun.objects.exists()


def test_a_paused_link_is_not_read(link, clerk):
    link.activation = Activation.PAUSED
    link.save()
    answer = clerk.post(
        reverse("exports:reconciliation_start"), {"year": "2026", "month": ""}, follow=True
    )
    assert "enable and authenticate the link first" in answer.content.decode()
    assert not ReconciliationRun.objects.exists()


def test_csv_and_pdf_of_a_run(sandbox, link, clerk):
    record = exported()
    sandbox_control(sandbox, f"entries/{record.entry_id}/edit", {"gl_code": "8010"})
    run = start(clerk, "nl", month="")
    answer = clerk.get(
        reverse("exports:reconciliation_csv", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="nl"
    )
    text = answer.content.decode()
    header, row = text.splitlines()[:2]
    assert header.startswith("Soort;Referentie;Factuur;Periode")
    assert "Gewijzigd in Exact" in row and record.your_ref in row and "121,00" in row
    assert "grootboekrekeningen: 8000: €\xa0100,00 → 8010: €\xa0100,00" in row
    answer = clerk.get(reverse("exports:reconciliation_pdf", args=[run.pk]))
    assert answer["Content-Type"] == "application/pdf" and answer.content.startswith(b"%PDF")
    assert b"reconciliation-2026.pdf" in answer["Content-Disposition"].encode()


def test_the_weekly_run_reconciles_the_year_and_in_january_the_last_one(sandbox, link, monkeypatch):
    link.reconciliation_weekly = True
    link.save()
    exported()
    reconciliation_weekly_task()
    run = ReconciliationRun.objects.get()
    assert (run.year, run.month, run.trigger) == (
        dt.date.today().year,
        None,
        ReconciliationTrigger.SCHEDULED,
    )
    monkeypatch.setattr(
        "exports.reconciliation.run.timezone.localdate", lambda: dt.date(2027, 1, 4)
    )
    last_year, this_year = reconciliation_scheduled(link=link)
    assert (last_year.year, this_year.year) == (2026, 2027)
    assert last_year.months.get(month=3).agrees and last_year.agreed == 1
