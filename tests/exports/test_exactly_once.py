"""Exactly once: failures, lost answers and repeated runs never book an invoice twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exports import lookups
from exports.models import ExportRecord, ExportState
from exports.records import export_record_ensure, export_record_requeue
from exports.run import ExportsInterrupted, invoice_export, invoices_export_bulk
from integrations.exact import api
from integrations.exact.entities import NewSalesEntry, SalesEntryLine
from testkit.factories import DebtorFactory, final_invoice_create
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db


def booked_refs(sandbox) -> list[str]:
    return sorted(entry["YourRef"] for entry in division_state(sandbox)["sales_entries"])


def export_until_settled(link, *, runs: int = 40) -> int:
    """Run the bulk export the way Celery's retries would, until nothing is left to do."""
    for attempt in range(runs):
        try:
            invoices_export_bulk(link=link)
        except ExportsInterrupted:
            continue
        if not ExportRecord.objects.exclude(state=ExportState.EXPORTED).exists():
            return attempt + 1
    raise AssertionError("the export did not settle")


def test_it_settles_an_unknown_outcome_by_your_ref_without_posting_again(exact_link, sandbox):
    invoice = final_invoice_create()
    reference = f"{invoice.number:05d}"
    customer = api.accounts_by_codes(exact_link, codes=["900001"])["900001"]
    gl = api.gl_accounts(exact_link, codes=["8000"])["8000"]
    # The POST of an earlier attempt arrived, but its answer never came back.
    booked = api.sales_entry_create(
        exact_link,
        entry=NewSalesEntry(
            journal="70",
            customer_id=customer.id,
            credit_note=False,
            entry_date=invoice.date,
            your_ref=reference,
            invoice_number=invoice.number,
            description=reference,
            lines=(
                SalesEntryLine(
                    gl_account_id=gl.id,
                    amount=Decimal(100),
                    vat_code="1",
                    description="",
                    quantity=Decimal(1),
                ),
            ),
        ),
    )
    record = export_record_ensure(invoice=invoice)
    ExportRecord.objects.filter(pk=record.pk).update(
        state=ExportState.SENDING,
        your_ref=reference,
        sent_at=timezone.now(),
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    sandbox.reset_counters()

    record = invoice_export(invoice=invoice)

    assert record.state == ExportState.EXPORTED
    assert record.entry_id == booked.entry_id
    assert booked_refs(sandbox) == [reference]
    assert sandbox.counters()["by_method_endpoint"].get("POST salesentry/SalesEntries", 0) == 0


def test_it_leaves_a_record_another_worker_is_sending_alone(exact_link, sandbox):
    invoice = final_invoice_create()
    record = export_record_ensure(invoice=invoice)
    ExportRecord.objects.filter(pk=record.pk).update(
        state=ExportState.SENDING, lease_until=timezone.now() + dt.timedelta(minutes=2)
    )
    assert invoice_export(invoice=invoice).state == ExportState.SENDING
    assert booked_refs(sandbox) == []


@pytest.mark.parametrize(
    ("drop_mode", "hold_seconds", "invoice_count"), [("reset", 0.05, 24), ("timeout", 0.6, 10)]
)
def test_every_invoice_is_booked_exactly_once_through_5xx_latency_and_lost_answers(
    exact_link, sandbox, settings, monkeypatch, drop_mode, hold_seconds, invoice_count
):
    monkeypatch.setattr(lookups, "READ_PAUSE_SECONDS", 0)
    # A held answer outlasts the time-out: the connector never learns what became of its POST.
    settings.EXACT_DEADLINE = 0.4
    invoices = [final_invoice_create() for _ in range(invoice_count)]
    sandbox.set_faults(
        error_rate=0.25,
        error_statuses=[500, 502, 503],
        latency_ms=10,
        drop_after_commit_rate=0.3,
        drop_mode=drop_mode,
        drop_hold_seconds=hold_seconds,
        seed=7,
    )
    runs = export_until_settled(exact_link)
    sandbox.set_faults(error_rate=0, drop_after_commit_rate=0, latency_ms=0)

    assert runs > 1, "the faults should have interrupted at least one run"
    assert booked_refs(sandbox) == sorted(f"{i.number:05d}" for i in invoices)
    injected = sandbox.counters()
    assert injected["total"] > len(invoices)


def test_a_200_invoice_batch_with_known_debtors_costs_at_most_1_02_calls_per_invoice(
    exact_link, sandbox
):
    exact_link.debtor_number_option_1 = "DebtorNumberExternal"
    exact_link.save()
    # The sandbox's seeded customers 900001-900050 stand for debtors Exact already knows.
    debtors = [DebtorFactory(debtor_number_external=str(900001 + n)) for n in range(50)]
    invoices = [final_invoice_create(debtor=debtors[n % 50]) for n in range(200)]
    sandbox.reset_counters()

    batch = invoices_export_bulk(link=exact_link)

    assert batch.exported == 200
    calls = sandbox.counters()["total"]
    assert calls * 100 <= 102 * len(invoices), calls
    assert len(booked_refs(sandbox)) == 200


def test_database_queries_per_invoice_do_not_grow_with_the_batch(exact_link, sandbox):
    def queries_for(count: int) -> int:
        for _ in range(count):
            final_invoice_create()
        with CaptureQueriesContext(connection) as captured:
            invoices_export_bulk(link=exact_link)
        return len(captured)

    small, large = queries_for(5), queries_for(25)
    per_invoice = (large - small) / 20
    assert per_invoice <= 16, (small, large)


def test_a_retry_never_takes_a_record_from_the_worker_sending_it(db):
    record = export_record_ensure(invoice=final_invoice_create())
    lease = timezone.now() + dt.timedelta(minutes=2)
    ExportRecord.objects.filter(pk=record.pk).update(state=ExportState.SENDING, lease_until=lease)
    record.refresh_from_db()
    record = export_record_requeue(record=record)
    assert (record.state, record.lease_until) == (ExportState.SENDING, lease)


def test_a_broken_token_chain_stops_the_run_and_keeps_invoices_pending(exact_link, sandbox):
    invoices = [final_invoice_create() for _ in range(2)]
    exact_link.token_chain_broken = True
    exact_link.save()
    batch = invoices_export_bulk(link=exact_link)
    assert "Authenticate" in batch.error_message
    assert set(ExportRecord.objects.values_list("state", flat=True)) == {ExportState.PENDING}
    assert booked_refs(sandbox) == []
    assert len(invoices) == batch.total


def test_a_draft_invoice_is_never_exported(db):
    from testkit.factories import InvoiceFactory

    with pytest.raises(ValueError):
        invoice_export(invoice=InvoiceFactory())
    assert not ExportRecord.objects.exists()
