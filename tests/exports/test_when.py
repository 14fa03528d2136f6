"""When invoices go: realtime after commit, on the nightly schedule, only while enabled."""

import datetime as dt

import pytest

from coachlink.celery import app as celery_app
from exports.models import BatchKind, ExportBatch, ExportRecord, ExportState
from exports.queue import exports_start_bulk
from exports.records import invoices_exclude_existing
from exports.run import invoices_export_bulk
from exports.tasks import invoices_export_nightly_task
from integrations.services import link_enable, link_pause
from testkit.factories import LinkManagerFactory, final_invoice_create
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def booked_refs(sandbox) -> list[str]:
    return sorted(entry["YourRef"] for entry in division_state(sandbox)["sales_entries"])


def test_finalising_exports_the_invoice_after_the_commit_when_realtime(
    exact_link, sandbox, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invoice = final_invoice_create()
    assert booked_refs(sandbox) == [], "nothing may leave before the commit"
    assert ExportRecord.objects.get(invoice=invoice).state == ExportState.PENDING
    for callback in callbacks:
        callback()
    assert ExportRecord.objects.get(invoice=invoice).state == ExportState.EXPORTED
    assert booked_refs(sandbox) == [f"{invoice.number:05d}"]


def test_finalising_queues_nothing_when_the_export_is_nightly(
    exact_link, sandbox, django_capture_on_commit_callbacks
):
    exact_link.export_moment = "nightly"
    exact_link.nightly_time = dt.time(2, 30)
    exact_link.nightly_repetition = "daily"
    exact_link.save()
    with django_capture_on_commit_callbacks() as callbacks:
        invoice = final_invoice_create()
    assert callbacks == []
    assert ExportRecord.objects.get(invoice=invoice).state == ExportState.PENDING


def test_the_nightly_run_exports_the_backlog(exact_link, sandbox):
    invoices = [final_invoice_create() for _ in range(3)]
    invoices_export_nightly_task()
    assert booked_refs(sandbox) == sorted(f"{i.number:05d}" for i in invoices)
    batch = ExportBatch.objects.get()
    assert (batch.kind, batch.total, batch.exported) == (BatchKind.NIGHTLY, 3, 3)


def test_a_paused_link_keeps_invoices_pending_and_enabling_sends_nothing_by_itself(
    exact_link, sandbox, eager, django_capture_on_commit_callbacks
):
    manager = LinkManagerFactory()
    link_pause(link=exact_link, user=manager)
    with django_capture_on_commit_callbacks(execute=True):
        invoices = [final_invoice_create() for _ in range(2)]
    assert invoices_export_bulk(link=exact_link) is None
    assert exports_start_bulk() is None
    assert booked_refs(sandbox) == []
    assert set(ExportRecord.objects.values_list("state", flat=True)) == {ExportState.PENDING}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        link_enable(link=exact_link, user=manager)
    assert callbacks == []
    assert booked_refs(sandbox) == []

    with django_capture_on_commit_callbacks(execute=True):
        batch = exports_start_bulk(user=manager)
    assert booked_refs(sandbox) == sorted(f"{i.number:05d}" for i in invoices)
    batch.refresh_from_db()
    assert (batch.kind, batch.total, batch.exported, batch.started_by) == (
        BatchKind.MANUAL,
        2,
        2,
        manager,
    )


def test_invoices_up_to_the_cut_off_are_excluded_and_never_sent(exact_link, sandbox):
    old = final_invoice_create(date=dt.date(2025, 12, 31))
    new = final_invoice_create(date=dt.date(2026, 1, 1))
    assert invoices_exclude_existing(up_to=dt.date(2025, 12, 31)) == 1
    invoices_export_bulk(link=exact_link)
    assert ExportRecord.objects.get(invoice=old).state == ExportState.EXCLUDED
    assert booked_refs(sandbox) == [f"{new.number:05d}"]


def test_a_passing_failure_makes_the_task_retry_until_the_invoice_is_booked_once(
    exact_link, sandbox, monkeypatch
):
    from exports import lookups
    from exports.tasks import invoice_export_task

    monkeypatch.setattr(lookups, "READ_PAUSE_SECONDS", 0)
    invoice = final_invoice_create()
    # Half the writes are committed and their answers lost; Celery's autoretry runs the task
    # again (at once, since it runs eagerly here) until the export is settled.
    sandbox.set_faults(drop_after_commit_rate=0.5, drop_mode="reset", drop_hold_seconds=0, seed=3)
    result = invoice_export_task.apply(args=[invoice.pk])
    sandbox.set_faults(drop_after_commit_rate=0)

    assert result.successful(), result.traceback
    record = ExportRecord.objects.get(invoice=invoice)
    assert record.state == ExportState.EXPORTED
    assert record.attempts >= 1
    assert booked_refs(sandbox) == [f"{invoice.number:05d}"]
    assert sum(sandbox.counters()["dropped"].values()) >= 1
