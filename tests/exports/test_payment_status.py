"""Payment registration over real HTTP: invoices exported to the sandbox, paid there, read back."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from exports.models import ExportRecord, PaymentState, PaymentSyncRun
from exports.payments import invoice_payment_status_fetch, payment_status_sync
from integrations.exact import ratelimit
from integrations.exact.locks import shared_lock, shared_state_write
from integrations.models import Activation
from tests.exports.conftest import division_state, exported

pytestmark = pytest.mark.django_db

# 289.26 plus 21 % VAT: a receivable of 350.00 in Exact.
PRICE_FOR_350 = Decimal("289.26")
RECEIVABLE_ENDPOINTS = (
    "bulk/Cashflow/Receivables",
    "read/financial/ReceivablesList",
    "cashflow/Receivables",
)


@pytest.fixture
def paying_link(exact_link):
    exact_link.payment_registration = True
    exact_link.save()
    return exact_link


def receivables_of(sandbox, record: ExportRecord) -> list[dict]:
    rows = division_state(sandbox)["receivables"]
    return [row for row in rows if row["TransactionEntryID"] == record.entry_id]


def pay(sandbox, receivable: dict, kind: str = "full", amount: str = "") -> None:
    """Register a payment the way a bookkeeper does: the sandbox's person UI form."""
    answer = sandbox.ui_post(
        f"/divisions/7095/receivables/{receivable['ID']}/pay/", {"kind": kind, "amount": amount}
    )
    assert answer.status_code == 302 and "error=" not in answer.headers["Location"]


def undo(sandbox, receivable: dict) -> None:
    answer = sandbox.ui_post(f"/divisions/7095/receivables/{receivable['ID']}/undo/", {})
    assert answer.status_code == 302


def split(sandbox, receivable: dict, amounts: list[str]) -> None:
    sandbox.control("POST", f"receivables/{receivable['ID']}/split", {"amounts": amounts})


def receivable_calls(sandbox) -> int:
    by_endpoint = sandbox.counters()["by_endpoint"]
    return sum(by_endpoint.get(endpoint, 0) for endpoint in RECEIVABLE_ENDPOINTS)


def payment_of(record: ExportRecord):
    return ExportRecord.objects.get(pk=record.pk).payment


def test_an_invoice_paid_in_full_is_paid_with_its_payment_date(paying_link, sandbox):
    record = exported(unit_price=PRICE_FOR_350)
    pay(sandbox, receivables_of(sandbox, record)[0])
    payment_status_sync(link=paying_link)
    payment = payment_of(record)
    assert payment.state == PaymentState.PAID
    assert (payment.amount, payment.open_amount) == (Decimal("350.00"), Decimal("0.00"))
    assert payment.paid_on is not None
    assert payment.description == "Paid"


def test_a_partly_paid_invoice_says_how_much_is_still_open_in_english_and_dutch(
    paying_link, sandbox
):
    record = exported(unit_price=PRICE_FOR_350)
    pay(sandbox, receivables_of(sandbox, record)[0], kind="partial", amount="230.00")
    payment_status_sync(link=paying_link)
    payment = payment_of(record)
    assert payment.state == PaymentState.PARTLY_PAID
    assert payment.open_amount == Decimal("120.00")
    assert payment.paid_on is not None
    assert payment.description == "Partly paid: €\xa0120.00 of €\xa0350.00 still open"
    with translation.override("nl"):
        assert payment.description == "Deels betaald: €\xa0120,00 van €\xa0350,00 staat nog open"


def test_a_difference_written_off_counts_as_paid(paying_link, sandbox):
    record = exported(unit_price=PRICE_FOR_350)
    pay(sandbox, receivables_of(sandbox, record)[0], kind="write_off", amount="345.00")
    payment_status_sync(link=paying_link)
    payment = payment_of(record)
    assert (payment.state, payment.open_amount) == (PaymentState.PAID, Decimal("0.00"))


def test_the_receivable_rows_of_one_invoice_are_added_up(paying_link, sandbox):
    record = exported(unit_price=PRICE_FOR_350)
    split(sandbox, receivables_of(sandbox, record)[0], ["200.00", "150.00"])
    first, second = sorted(receivables_of(sandbox, record), key=lambda row: row["AmountDC"])
    pay(sandbox, second)
    payment_status_sync(link=paying_link)
    payment = payment_of(record)
    assert (payment.state, payment.amount) == (PaymentState.PARTLY_PAID, Decimal("350.00"))
    assert payment.open_amount == Decimal("150.00")
    pay(sandbox, first, kind="partial", amount="100.00")
    payment_status_sync(link=paying_link)
    assert payment_of(record).open_amount == Decimal("50.00")
    pay(sandbox, first)
    payment_status_sync(link=paying_link)
    assert payment_of(record).state == PaymentState.PAID


def test_a_later_sync_that_reads_one_changed_term_still_adds_up_all_terms(paying_link, sandbox):
    record = exported(unit_price=PRICE_FOR_350)
    split(sandbox, receivables_of(sandbox, record)[0], ["200.00", "150.00"])
    payment_status_sync(link=paying_link)
    sandbox.advance_clock(1800)
    PaymentSyncRun.objects.update(started_at=timezone.now() + dt.timedelta(minutes=15))
    term = min(receivables_of(sandbox, record), key=lambda row: row["AmountDC"])
    pay(sandbox, term)
    run = payment_status_sync(link=paying_link)
    payment = payment_of(record)
    assert run.read == 1
    assert (payment.state, payment.amount) == (PaymentState.PARTLY_PAID, Decimal("350.00"))
    assert payment.open_amount == Decimal("200.00")


def test_an_invoice_whose_match_is_undone_in_exact_is_unpaid_again(paying_link, sandbox):
    record = exported(unit_price=PRICE_FOR_350)
    other = exported()
    receivable = receivables_of(sandbox, record)[0]
    pay(sandbox, receivable)
    payment_status_sync(link=paying_link)
    assert payment_of(record).is_paid
    undo(sandbox, receivable)
    payment_status_sync(link=paying_link)
    payment = payment_of(record)
    assert (payment.state, payment.paid_on) == (PaymentState.OPEN, None)
    assert payment.open_amount == Decimal("350.00")
    assert payment_of(other).state == PaymentState.OPEN


def test_a_credit_note_is_paid_once_it_is_settled(paying_link, sandbox):
    paying_link.negative_as_credit_note = True
    paying_link.save()
    record = exported(unit_price=-PRICE_FOR_350)
    receivable = receivables_of(sandbox, record)[0]
    assert receivable["AmountDC"] == -350.0
    pay(sandbox, receivable, kind="partial", amount="-50.00")
    payment_status_sync(link=paying_link)
    payment = payment_of(record)
    assert (payment.state, payment.open_amount) == (PaymentState.PARTLY_PAID, Decimal("-300.00"))
    pay(sandbox, receivable)
    payment_status_sync(link=paying_link)
    assert payment_of(record).state == PaymentState.PAID


def test_a_record_without_its_entry_id_is_matched_by_your_ref_without_the_prefix(
    paying_link, sandbox
):
    paying_link.invoice_number_prefix = "26"
    paying_link.save()
    record = exported()
    pay(sandbox, receivables_of(sandbox, record)[0])
    ExportRecord.objects.filter(pk=record.pk).update(entry_id="", your_ref="")
    payment_status_sync(link=paying_link)
    assert payment_of(record).is_paid


@pytest.mark.parametrize("activation", [Activation.PAUSED, Activation.OFF])
def test_a_link_that_is_not_enabled_reads_nothing(paying_link, sandbox, activation):
    record = exported()
    pay(sandbox, receivables_of(sandbox, record)[0])
    paying_link.activation = activation
    paying_link.save()
    sandbox.reset_counters()
    assert payment_status_sync(link=paying_link) is None
    assert invoice_payment_status_fetch(record=record) is None
    assert sandbox.counters()["total"] == 0
    assert not hasattr(ExportRecord.objects.get(pk=record.pk), "payment")


def test_payment_registration_off_reads_nothing(exact_link, sandbox):
    exported()
    sandbox.reset_counters()
    assert payment_status_sync(link=exact_link) is None
    assert sandbox.counters()["total"] == 0


def test_invoices_before_the_from_date_are_checked_only_once_it_moves_back(paying_link, sandbox):
    old = exported(date=dt.date(2026, 2, 1))
    new = exported(date=dt.date(2026, 4, 1))
    paying_link.payment_from_date = dt.date(2026, 3, 1)
    paying_link.save()
    payment_status_sync(link=paying_link)
    assert not hasattr(ExportRecord.objects.get(pk=old.pk), "payment")
    assert payment_of(new).state == PaymentState.OPEN

    # The from-date moved back: the older invoice is read although nothing changed in Exact.
    paying_link.payment_from_date = dt.date(2026, 1, 1)
    paying_link.save()
    PaymentSyncRun.objects.update(started_at=timezone.now() + dt.timedelta(minutes=15))
    assert payment_status_sync(link=paying_link).read == 2
    assert payment_of(old).state == PaymentState.OPEN


def test_a_sync_costs_at_most_a_call_per_thousand_open_invoices_plus_two(paying_link, sandbox):
    records = [exported() for _ in range(6)]
    pay(sandbox, receivables_of(sandbox, records[0])[0])
    pay(sandbox, receivables_of(sandbox, records[1])[0], kind="partial", amount="21.00")
    sandbox.reset_counters()
    payment_status_sync(link=paying_link)
    assert sandbox.counters()["total"] <= math.ceil(len(records) / 1000) + 2
    states = [payment_of(record).state for record in records]
    assert states == [PaymentState.PAID, PaymentState.PARTLY_PAID] + [PaymentState.OPEN] * 4


def test_the_next_sync_reads_only_the_receivables_that_changed(paying_link, sandbox):
    records = [exported() for _ in range(3)]
    assert payment_status_sync(link=paying_link).read == 3
    # Half an hour later in Exact, and the last run counted as started after the exports.
    sandbox.advance_clock(1800)
    PaymentSyncRun.objects.update(started_at=timezone.now() + dt.timedelta(minutes=15))
    pay(sandbox, receivables_of(sandbox, records[2])[0])
    run = payment_status_sync(link=paying_link)
    assert (run.read, run.changed) == (1, 1)
    assert payment_of(records[2]).is_paid


@pytest.fixture
def forgotten_budgets(sandbox):
    """The limiter's remembered budgets cleared before and after: they outlive the test."""

    def forget():
        key = f"rate-{sandbox.nl}-7095"
        with shared_lock(key):
            shared_state_write(key, {})

    forget()
    yield forget
    forget()


def test_a_sync_that_meets_the_rate_limit_waits_and_finishes(
    paying_link, sandbox, monkeypatch, forgotten_budgets
):
    records = [exported() for _ in range(2)]
    pay(sandbox, receivables_of(sandbox, records[0])[0], kind="partial", amount="21.00")
    pay(sandbox, receivables_of(sandbox, records[1])[0])
    waits = []

    def wait_on_the_sandbox_clock(seconds):
        waits.append(seconds)
        sandbox.advance_clock(seconds)

    monkeypatch.setattr(ratelimit, "sleep", wait_on_the_sandbox_clock)
    # A new minute with a budget of one call: the sync needs two.
    sandbox.advance_clock(60)
    forgotten_budgets()
    sandbox.set_limits(minutely=1)
    sandbox.reset_counters()
    run = payment_status_sync(link=paying_link)
    assert run.finished_at is not None and waits
    assert [payment_of(record).state for record in records] == [
        PaymentState.PARTLY_PAID,
        PaymentState.PAID,
    ]
    assert "429" not in sandbox.counters()["by_status"]


def test_fetching_one_invoice_by_hand_filters_on_its_entry_id(exact_link, sandbox):
    record = exported(unit_price=PRICE_FOR_350)
    pay(sandbox, receivables_of(sandbox, record)[0], kind="partial", amount="230.00")
    sandbox.reset_counters()
    payment = invoice_payment_status_fetch(record=record)
    assert (payment.state, payment.open_amount) == (PaymentState.PARTLY_PAID, Decimal("120.00"))
    assert receivable_calls(sandbox) == 2
    assert sandbox.counters()["by_endpoint"]["cashflow/Receivables"] == 1
