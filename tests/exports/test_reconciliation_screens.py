"""The reconciliation page in English and Dutch: runs, differences, handled marks, re-export,
CSV and PDF, and the weekly run (its schedule: tests/integrations/test_schedules.py)."""

import datetime as dt

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import formats, timezone

from coachlink.celery import app as celery_app
from exports.models import (
    DifferenceKind,
    ExportRecord,
    ExportState,
    HandledDifference,
    ReconciliationRun,
    ReconciliationState,
    ReconciliationTrigger,
)
from exports.reconciliation.run import reconciliation_scheduled
from exports.tasks import (
    export_records_recover_task,
    reconciliation_task,
    reconciliation_weekly_task,
)
from integrations.exact import api, client
from integrations.models import Activation
from tests.exports.conftest import DAY, exported, sandbox_control
from tests.exports.test_reconciliation import line_calls

pytestmark = pytest.mark.django_db
PAGE = "/exports/reconciliation/"


@pytest.fixture
def link(prefixed_link):
    return prefixed_link


@pytest.fixture(autouse=True)
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def start(client: Client, language: str = "en", **data) -> ReconciliationRun:
    """Click Reconcile now: the run is queued, and the worker (eager here) carries it out."""
    with TestCase.captureOnCommitCallbacks(execute=True):
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


def test_re_exporting_a_difference_does_what_retry_does_and_says_so(
    sandbox, link, clerk, django_capture_on_commit_callbacks
):
    record = exported()
    sandbox_control(sandbox, f"entries/{record.entry_id}/delete")
    difference = start(clerk).differences.get()
    url = reverse("exports:reconciliation_reexport", args=[difference.pk])
    held_until = timezone.now() + dt.timedelta(minutes=5)
    ExportRecord.objects.filter(pk=record.pk).update(
        state=ExportState.SENDING, lease_until=held_until
    )
    with django_capture_on_commit_callbacks() as callbacks:
        answer = clerk.post(url, HTTP_ACCEPT_LANGUAGE="nl", follow=True)
    assert "Er is niets veranderd: een worker verstuurt deze factuur tot" in answer.content.decode()
    assert callbacks == []

    ExportRecord.objects.filter(pk=record.pk).update(state=ExportState.EXPORTED, lease_until=None)
    with django_capture_on_commit_callbacks() as callbacks:
        answer = clerk.post(url, follow=True)
    assert "so Exact is searched for it first: it is never booked twice." in (
        answer.content.decode()
    )
    assert len(callbacks) == 1
    record.refresh_from_db()
    assert record.state == ExportState.SENDING


def test_a_reconciliation_reads_in_the_bulk_share_and_waits_for_the_reset_on_its_own(
    sandbox, link, clerk, small_day
):
    exported()
    assert start(clerk).succeeded
    # A day of 40 calls, 20 kept for realtime: use the rest as realtime work would.
    assert client.budget_today(link=link).daily_left > 20
    while client.budget_today(link=link).daily_left > 20:
        api.journals(link, codes=[link.journal])
    sandbox.reset_counters()
    run = start(clerk, "nl")
    assert run.state == ReconciliationState.WAITING
    assert sandbox.counters()["total"] == 0
    budget = client.budget_today(link=link)
    assert budget.daily_left == 20
    page = clerk.get(f"{PAGE}?run={run.pk}", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    reset = formats.time_format(timezone.localtime(budget.daily_resets_at), "H:i")
    assert "Wachten op het budget van morgen:" in page
    assert "· gestart " in page and "aangesloten " not in page
    assert "voor bulkwerk is op; de rest blijft voor directe exports." in page
    assert f"De aansluiting gaat vanzelf verder na {reset}, als het dagbudget" in page
    # Clicking again finds the waiting run instead of starting a second one.
    assert start(clerk) == run and ReconciliationRun.objects.count() == 2

    # The recovery leaves it while the budget is spent, and carries it out after the reset.
    assert export_records_recover_task.apply().successful()
    run.refresh_from_db()
    assert run.state == ReconciliationState.WAITING and sandbox.counters()["total"] == 0
    small_day(DAY)
    assert export_records_recover_task.apply().successful()
    run.refresh_from_db()
    assert run.succeeded and run.error_text == "" and run.budget_resets_at is None
    assert sandbox.counters()["total"] > 0
    page = clerk.get(f"{PAGE}?run={run.pk}").content.decode()
    assert "coachlink and Exact Online agree" in page


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


@pytest.mark.parametrize(
    ("language", "queued", "waiting", "refreshes"),
    [
        ("en", "is queued", "Queued: the reconciliation starts", "refreshes by itself"),
        ("nl", "staat in de wachtrij", "In de wachtrij: de aansluiting begint", "ververst vanzelf"),
    ],
)
def test_reconcile_now_queues_a_run_the_page_follows_until_done(
    sandbox, link, clerk, language, queued, waiting, refreshes
):
    exported()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        answer = clerk.post(
            reverse("exports:reconciliation_start"),
            {"year": "2026", "month": "3"},
            HTTP_ACCEPT_LANGUAGE=language,
            follow=True,
        )
    page = answer.content.decode()
    run = ReconciliationRun.objects.get()
    assert run.state == ReconciliationState.QUEUED and len(callbacks) == 1
    assert queued in page and waiting in page and refreshes in page
    assert '<meta http-equiv="refresh"' in page and "<script>" not in page
    assert "reconciliation_csv" not in page

    callbacks[0]()
    run.refresh_from_db()
    assert run.state == ReconciliationState.DONE and run.agreed == 1
    page = clerk.get(f"{PAGE}?run={run.pk}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'http-equiv="refresh"' not in page and "table-success" in page


@pytest.mark.parametrize(("language", "already"), [("en", "already under way"), ("nl", "loopt al")])
def test_a_second_click_while_a_run_is_under_way_starts_no_other(link, clerk, language, already):
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        for _ in range(2):
            answer = clerk.post(
                reverse("exports:reconciliation_start"),
                {"year": "2026", "month": "3"},
                HTTP_ACCEPT_LANGUAGE=language,
                follow=True,
            )
    assert already in answer.content.decode()
    assert ReconciliationRun.objects.count() == 1 and len(callbacks) == 1
    ReconciliationRun.objects.update(state=ReconciliationState.RUNNING)
    start(clerk, language, month="")
    assert ReconciliationRun.objects.count() == 2, "another period is not held up"


def test_a_run_is_carried_out_once_however_often_its_task_is_delivered(sandbox, link, clerk):
    exported()
    run = start(clerk)
    assert run.state == ReconciliationState.DONE
    calls = line_calls(sandbox)
    assert calls == 1
    reconciliation_task(run.pk)
    run.refresh_from_db()
    assert run.state == ReconciliationState.DONE and run.months.count() == 1
    assert line_calls(sandbox) == calls


@pytest.mark.parametrize(
    ("language", "failed"),
    [("en", "Exact Online could not be read"), ("nl", "Exact Online kon niet worden gelezen")],
)
def test_an_exact_error_ends_the_run_as_failed_with_its_message(
    sandbox, link, clerk, language, failed
):
    exported()
    sandbox.set_faults(error_rate=1.0, error_statuses=[400])
    run = start(clerk, language)
    assert run.state == ReconciliationState.FAILED and run.error_message
    assert not run.months.exists() and not run.differences.exists()
    answer = clerk.get(f"{PAGE}?run={run.pk}", HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert failed in page and 'http-equiv="refresh"' not in page


def test_a_link_paused_after_queueing_fails_the_run_in_the_readers_language(link, clerk):
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        start_answer = clerk.post(
            reverse("exports:reconciliation_start"), {"year": "2026", "month": "3"}
        )
    assert start_answer.status_code == 302
    link.activation = Activation.PAUSED
    link.save()
    callbacks[0]()
    run = ReconciliationRun.objects.get()
    assert run.state == ReconciliationState.FAILED
    page = clerk.get(PAGE, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "de koppeling met Exact Online is niet ingeschakeld en geautoriseerd." in page
