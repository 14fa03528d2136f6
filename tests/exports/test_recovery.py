"""Nothing waits for a person: the recovery task resumes what a dead worker left behind, a
redelivered task does not just skip, and Retry says what it did."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coachlink.celery import app as celery_app
from exports import lookups, records
from exports.models import ExportRecord, ExportState
from exports.records import export_record_ensure
from exports.run import exports_recover, invoice_export
from exports.tasks import export_records_recover_task, invoice_export_task
from integrations.models import ExportMoment
from testkit.factories import final_invoice_create
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(lookups, "READ_PAUSE_SECONDS", 0)


def posts(sandbox) -> int:
    return sum(
        count
        for key, count in sandbox.counters()["by_method_endpoint"].items()
        if key.startswith("POST salesentry")
    )


def died_after_the_post(sandbox, link, *, lease_left: float) -> ExportRecord:
    """A worker claimed the invoice, posted it (Exact booked it) and was killed before it
    could write the outcome: the record is SENDING with ``lease_left`` seconds of lease."""
    invoice = final_invoice_create()
    record = export_record_ensure(invoice=invoice)
    ExportRecord.objects.filter(pk=record.pk).update(state=ExportState.PENDING)
    invoice_export(invoice=invoice)
    record.refresh_from_db()
    assert record.state == ExportState.EXPORTED
    # Rewind the record to the moment of the kill: Exact holds the entry, coachlink does not know.
    ExportRecord.objects.filter(pk=record.pk).update(
        state=ExportState.SENDING,
        entry_id="",
        entry_number=None,
        exported_at=None,
        lease_until=timezone.now() + dt.timedelta(seconds=lease_left),
    )
    sandbox.reset_counters()
    return ExportRecord.objects.get(pk=record.pk)


@pytest.mark.parametrize("moment", [ExportMoment.REALTIME, ExportMoment.NIGHTLY])
def test_recovery_settles_a_record_whose_lease_ran_out_by_your_ref(exact_link, sandbox, moment):
    exact_link.export_moment = moment
    exact_link.save()
    record = died_after_the_post(sandbox, exact_link, lease_left=-1)

    assert exports_recover(link=exact_link) == 1

    record.refresh_from_db()
    assert record.state == ExportState.EXPORTED and record.entry_id
    assert posts(sandbox) == 0
    assert len(division_state(sandbox)["sales_entries"]) == 1


def test_recovery_leaves_a_record_a_live_worker_holds(exact_link, sandbox):
    record = died_after_the_post(sandbox, exact_link, lease_left=60)
    assert exports_recover(link=exact_link) == 0
    assert ExportRecord.objects.get(pk=record.pk).state == ExportState.SENDING
    assert sandbox.counters()["total"] == 0


def test_recovery_sends_a_realtime_invoice_whose_queued_export_was_lost(exact_link, sandbox):
    record = export_record_ensure(invoice=final_invoice_create())
    idle = timezone.now() - dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS + 1)
    ExportRecord.objects.filter(pk=record.pk).update(updated_at=idle)

    export_records_recover_task()

    assert ExportRecord.objects.get(pk=record.pk).state == ExportState.EXPORTED


def test_recovery_leaves_nightly_pending_invoices_for_the_night(exact_link, sandbox):
    exact_link.export_moment = ExportMoment.NIGHTLY
    exact_link.save()
    record = export_record_ensure(invoice=final_invoice_create())
    idle = timezone.now() - dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS + 1)
    ExportRecord.objects.filter(pk=record.pk).update(updated_at=idle)

    assert exports_recover(link=exact_link) == 0
    assert ExportRecord.objects.get(pk=record.pk).state == ExportState.PENDING


def test_recovery_does_nothing_while_the_link_is_paused(exact_link, sandbox):
    died_after_the_post(sandbox, exact_link, lease_left=-1)
    exact_link.activation = "paused"
    exact_link.save()
    assert exports_recover(link=exact_link) == 0
    assert sandbox.counters()["total"] == 0


def test_a_redelivered_task_comes_back_when_the_lease_runs_out(exact_link, sandbox, monkeypatch):
    record = died_after_the_post(sandbox, exact_link, lease_left=30)
    queued = []
    monkeypatch.setattr(
        invoice_export_task, "apply_async", lambda args, eta: queued.append((args, eta))
    )

    invoice_export_task.run(record.invoice_id)

    assert queued == [((record.invoice_id,), record.lease_until + dt.timedelta(seconds=1))]
    assert sandbox.counters()["total"] == 0


def test_a_worker_whose_lease_was_taken_over_posts_nothing(exact_link, sandbox):
    invoice = final_invoice_create()
    record = export_record_ensure(invoice=invoice)
    assert records.record_claim(record=record, batch=None)
    # Its lease ran out and another worker claimed the record meanwhile.
    ExportRecord.objects.filter(pk=record.pk).update(
        lease_until=timezone.now() + dt.timedelta(seconds=60)
    )
    with pytest.raises(records.LeaseLost):
        records.record_lease_renew(record=record)


def test_retry_on_a_record_a_worker_holds_says_until_when(clerk, exact_link, sandbox):
    record = died_after_the_post(sandbox, exact_link, lease_left=120)
    answer = clerk.post(reverse("exports:record_requeue", args=[record.pk]), follow=True)
    until = timezone.localtime(record.lease_until).strftime("%H:%M:%S")
    assert f"a worker is sending this invoice until {until}" in answer.content.decode()
    assert ExportRecord.objects.get(pk=record.pk).lease_until == record.lease_until


def test_retry_on_a_record_that_may_have_reached_exact_says_it_is_looked_up_first(
    clerk, exact_link, sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    record = died_after_the_post(sandbox, exact_link, lease_left=-1)
    with django_capture_on_commit_callbacks(execute=True):
        answer = clerk.post(reverse("exports:record_requeue", args=[record.pk]), follow=True)
    assert "Exact is searched for it first" in answer.content.decode()
    assert ExportRecord.objects.get(pk=record.pk).state == ExportState.EXPORTED
    assert posts(sandbox) == 0


def test_retry_while_the_link_is_paused_says_the_invoice_waits(clerk, exact_link, sandbox):
    record = export_record_ensure(invoice=final_invoice_create())
    ExportRecord.objects.filter(pk=record.pk).update(state=ExportState.FAILED)
    exact_link.activation = "paused"
    exact_link.save()
    answer = clerk.post(reverse("exports:record_requeue", args=[record.pk]), follow=True)
    assert "waits as pending: the link is not enabled" in answer.content.decode()
