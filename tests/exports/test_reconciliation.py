"""Reconciliation over real HTTP: invoices exported to the sandbox, changed there, found again."""

import math
from decimal import Decimal

import pytest

from exports.models import DifferenceKind, ReconciliationRun
from exports.reconciliation.run import reconciliation_run
from testkit.factories import final_invoice_create
from tests.exports.conftest import exported, sandbox_control

pytestmark = pytest.mark.django_db
LINE_ENDPOINTS = ("bulk/Financial/TransactionLines",)


@pytest.fixture
def link(prefixed_link):
    return prefixed_link


def kinds(run: ReconciliationRun) -> list[tuple[str, str]]:
    return sorted((d.kind, d.reference) for d in run.differences.all())


def line_calls(sandbox) -> int:
    by_endpoint = sandbox.counters()["by_endpoint"]
    return sum(by_endpoint.get(endpoint, 0) for endpoint in LINE_ENDPOINTS)


def test_invoices_booked_as_exported_agree_month_by_month(sandbox, link):
    records = [exported(lines=2) for _ in range(3)]
    sandbox.reset_counters()
    run = reconciliation_run(link=link, year=2026, month=3)
    assert run.succeeded and run.differences_count == 0
    assert (run.invoices, run.agreed, run.entries_read, run.lines_read) == (3, 3, 3, 12)
    month = run.months.get()
    assert month.agrees and month.coachlink_total == month.exact_total
    assert month.exact_total == sum(r.invoice.total_incl_vat for r in records)
    assert line_calls(sandbox) == 1 <= math.ceil(run.lines_read / 1000) + 3


def test_each_kind_of_difference_is_found(sandbox, link):
    deleted, reversed_, edited, twice, moved, ok = (exported() for _ in range(6))
    never_sent = final_invoice_create()
    sandbox_control(sandbox, f"entries/{deleted.entry_id}/delete")
    sandbox_control(sandbox, f"entries/{reversed_.entry_id}/reverse")
    sandbox_control(sandbox, f"entries/{edited.entry_id}/edit", {"amount": "90", "gl_code": "8010"})
    sandbox_control(sandbox, f"entries/{twice.entry_id}/duplicate")
    sandbox_control(sandbox, f"entries/{moved.entry_id}/edit", {"period": 4})
    sandbox_control(
        sandbox,
        "divisions/7095/entries/book",
        {
            "customer_code": "900001",
            "invoice_number": "2699999",
            "date": "2026-03-20",
            "gl_code": "8000",
            "amount": "10",
        },
    )
    sandbox.reset_counters()
    run = reconciliation_run(link=link, year=2026, month=3)
    assert kinds(run) == sorted(
        [
            (DifferenceKind.MISSING, deleted.your_ref),
            (DifferenceKind.REVERSED, reversed_.your_ref),
            (DifferenceKind.CHANGED, edited.your_ref),
            (DifferenceKind.DUPLICATE, twice.your_ref),
            (DifferenceKind.CHANGED, moved.your_ref),
            (DifferenceKind.UNKNOWN, "2699999"),
            (DifferenceKind.NOT_EXPORTED, f"26{never_sent.number:05d}"),
        ]
    )
    assert run.agreed == 1 and ok.your_ref not in {d.reference for d in run.differences.all()}
    changed = run.differences.get(reference=edited.your_ref)
    assert {m["field"] for m in changed.mismatches} == {"excl", "vat", "total", "gl_account"}
    moved_difference = run.differences.get(reference=moved.your_ref)
    assert [m["field"] for m in moved_difference.mismatches] == ["period", "date"]
    assert line_calls(sandbox) <= math.ceil(run.lines_read / 1000) + 3


def test_a_cent_of_vat_rounding_is_no_difference_and_its_month_agrees(sandbox, link):
    # coachlink books the invoice's VAT per rate (0.21 of 1.00) with its lines; an entry whose
    # VAT Exact rounded per line (0.105 → 0.11, twice) carries a cent more: one booked before
    # coachlink sent each line's VAT, or a line a bookkeeper saved again in Exact.
    record = exported(lines=2, unit_price=Decimal("0.50"))
    assert record.invoice.total_vat == Decimal("0.21")
    assert reconciliation_run(link=link, year=2026, month=3).months.get().vat_rounding == 0
    sandbox_control(sandbox, f"entries/{record.entry_id}/edit", {"amount": "0.50"})
    run = reconciliation_run(link=link, year=2026, month=3)
    assert run.differences_count == 0 and run.agreed == 1
    month = run.months.get()
    assert month.difference_vat == Decimal("0.01") == month.vat_rounding
    assert month.agrees
    sandbox_control(sandbox, f"entries/{record.entry_id}/edit", {"amount": "0.52"})
    changed = reconciliation_run(link=link, year=2026, month=3)
    assert kinds(changed) == [(DifferenceKind.CHANGED, record.your_ref)]
    assert not changed.months.get().agrees


def test_a_reversal_in_a_later_period_is_found_by_that_periods_run(sandbox, link):
    record = exported()
    reversal = sandbox_control(sandbox, f"entries/{record.entry_id}/reverse")
    sandbox_control(sandbox, f"entries/{reversal['entry']['EntryID']}/edit", {"period": 4})
    assert reconciliation_run(link=link, year=2026, month=3).differences_count == 0
    april = reconciliation_run(link=link, year=2026, month=4)
    assert kinds(april) == [(DifferenceKind.REVERSED, record.your_ref)]
    year = reconciliation_run(link=link, year=2026)
    assert kinds(year) == [(DifferenceKind.REVERSED, record.your_ref)]
