"""Exact's daily budget: bulk exports stop at the realtime reserve and wait, visibly, for the
reset; the recovery resumes them; no Celery retry is spent on the wait. Counted, never timed."""

import pytest

from exports.models import BUDGET_WAITING, ExportRecord, ExportState
from exports.run import invoice_export, invoices_export_bulk
from exports.tasks import export_records_recover_task, invoices_export_bulk_task
from integrations.exact import client
from testkit.factories import DebtorFactory, final_invoice_create
from tests.exports.conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice_make(db):
    """Invoices of one debtor: the budget goes to the entries, not to creating accounts."""
    debtor = DebtorFactory()
    return lambda: final_invoice_create(debtor=debtor)


def test_bulk_waits_at_the_reserve_while_a_realtime_invoice_still_goes(
    exact_link, sandbox, small_day, invoice_make
):
    for _ in range(30):
        invoice_make()
    sandbox.reset_counters()
    batch = invoices_export_bulk(link=exact_link)

    budget = client.budget_today(link=exact_link)
    assert budget.daily_left == 20 and budget.bulk_waiting
    waiting = ExportRecord.objects.filter(error_kind=BUDGET_WAITING)
    exported = ExportRecord.objects.filter(state=ExportState.EXPORTED).count()
    assert exported > 0 and waiting.count() == 30 - exported
    assert "resets at" in batch.error_message and batch.failed == 0
    record = waiting.first()
    assert record.state_label == "Waiting for budget" and record.badge_state == "waiting"
    assert "Waiting for tomorrow's budget (resets at " in record.error_message

    late = invoice_export(invoice=invoice_make())
    assert late.state == ExportState.EXPORTED
    assert client.budget_today(link=exact_link).daily_left < 20
    assert "429" not in sandbox.counters()["by_status"]


def test_a_spent_budget_spends_no_celery_retry(exact_link, sandbox, small_day, invoice_make):
    for _ in range(30):
        invoice_make()
    outcome = invoices_export_bulk_task.apply()
    assert outcome.successful() and outcome.result is None
    assert ExportRecord.objects.filter(error_kind=BUDGET_WAITING).exists()
    # Nothing was sent in the second run: the limiter knew the bulk share was spent.
    sandbox.reset_counters()
    assert invoices_export_bulk_task.apply().successful()
    assert sandbox.counters()["total"] == 0


def test_waiting_invoices_are_resumed_after_the_reset_and_not_before(
    exact_link, sandbox, small_day, invoice_make
):
    for _ in range(30):
        invoice_make()
    invoices_export_bulk(link=exact_link)
    waiting = ExportRecord.objects.filter(error_kind=BUDGET_WAITING, state=ExportState.PENDING)
    before = waiting.count()
    assert before > 0
    sandbox.reset_counters()
    assert export_records_recover_task.apply().successful()
    assert sandbox.counters()["total"] == 0 and waiting.count() == before

    days = 1
    while waiting.exists():
        small_day(DAY)
        days += 1
        exported = ExportRecord.objects.filter(state=ExportState.EXPORTED).count()
        assert export_records_recover_task.apply().successful()
        assert ExportRecord.objects.filter(state=ExportState.EXPORTED).count() > exported
        assert days < 6
    assert ExportRecord.objects.filter(state=ExportState.EXPORTED).count() == 30
    assert not ExportRecord.objects.filter(error_kind=BUDGET_WAITING).exists()
    assert "429" not in sandbox.counters()["by_status"]
    assert len(division_entries(sandbox)) == 30


def division_entries(sandbox):
    return sandbox.state()["divisions"]["7095"]["sales_entries"]


def test_the_recovery_runs_on_celery_beat():
    from coachlink.celery import app

    entry = app.conf.beat_schedule["exports: recovery"]
    assert entry["task"] == export_records_recover_task.name
    assert entry["task"] in app.tasks
