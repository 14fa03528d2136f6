"""The comparison on its own: typed journal lines and invoices in, differences out."""

import datetime as dt
from decimal import Decimal

from exports.models import DifferenceKind
from exports.reconciliation.compare import (
    Amounts,
    Expected,
    InvoiceState,
    bookings_from_lines,
    reconcile,
)
from integrations.exact.entities import TransactionLine

D = Decimal
MARCH = (2026, 3)
APRIL = (2026, 4)


def lines(
    entry_id: str,
    reference: str,
    *,
    excl: str = "100.00",
    vat: str = "21.00",
    gl: str = "8000",
    period=MARCH,
    account: str = "900001",
    number: int = 1,
    vat_code: str = "1",
) -> list[TransactionLine]:
    """An entry's lines as Exact books them: debtor, revenue, VAT."""

    def line(line_number, gl_code, amount, vat_amount="0", base="0"):
        return TransactionLine(
            entry_id=entry_id,
            entry_number=number,
            invoice_number=number,
            your_ref=reference,
            journal="70",
            type=20,
            line_number=line_number,
            year=period[0],
            period=period[1],
            date=dt.date(period[0], period[1], 5),
            account_code=f"            {account}",
            gl_account_code=gl_code,
            amount=D(amount),
            vat_amount=D(vat_amount),
            vat_base=D(base),
            vat_code=vat_code,
        )

    total = D(excl) + D(vat)
    return [
        line(0, "1300", total),
        line(1, gl, -D(excl), -D(vat), -D(excl)),
        line(2, "1500", -D(vat), "0", -D(excl)),
    ]


def expected(reference: str, entry_id: str = "", state=InvoiceState.EXPORTED, **kw) -> Expected:
    excl, vat = D(kw.pop("excl", "100.00")), D(kw.pop("vat", "21.00"))
    return Expected(
        invoice_id=1,
        record_id=1,
        reference=reference,
        state=state,
        entry_id=entry_id,
        period=kw.pop("period", MARCH),
        date=dt.date(2026, 3, 5),
        account_code="900001",
        amounts=Amounts(excl, vat, excl + vat),
        gl_amounts=(("8000", excl),),
        vat_amounts=(("1", vat),),
    )


def outcome_of(invoices, entry_lines, known=None, elsewhere=(), prefix="26"):
    return reconcile(
        expected=invoices,
        known=known or {},
        bookings=bookings_from_lines(entry_lines, debtor_gl="1300"),
        elsewhere=bookings_from_lines(elsewhere, debtor_gl="1300"),
        prefix=prefix,
        periods=[MARCH],
    )


def test_lines_sum_to_an_entry_excl_vat_and_total_per_gl_account():
    (booking,) = bookings_from_lines(lines("e1", "2600001"), debtor_gl="1300")
    assert booking.amounts == Amounts(D("100.00"), D("21.00"), D("121.00"))
    assert booking.gl_amounts == (("8000", D("100.00")),)
    assert booking.account_code.strip() == "900001" and booking.period == MARCH


def test_an_invoice_booked_as_sent_agrees_and_its_month_is_green():
    outcome = outcome_of([expected("2600001", "e1")], lines("e1", "2600001"))
    assert outcome.findings == [] and outcome.agreed == 1
    assert outcome.months[MARCH].agrees


def test_a_missing_entry_and_an_unsent_invoice():
    outcome = outcome_of(
        [expected("2600001", "e1"), expected("2600002", state=InvoiceState.NOT_EXPORTED)], []
    )
    assert [f.kind for f in outcome.findings] == [
        DifferenceKind.MISSING,
        DifferenceKind.NOT_EXPORTED,
    ]
    month = outcome.months[MARCH]
    assert month.coachlink.total == D("242.00") and month.difference.total == D("-242.00")


def test_an_edited_amount_customer_and_gl_account_are_named():
    entry = lines("e1", "2600001", excl="90.00", vat="18.90", gl="8010", account="900002")
    (finding,) = outcome_of([expected("2600001", "e1")], entry).findings
    assert finding.kind == DifferenceKind.CHANGED
    assert [m.field for m in finding.mismatches] == [
        "excl",
        "vat",
        "total",
        "customer",
        "gl_account",
    ]


def test_booked_twice_and_reversed():
    twice = lines("e1", "2600001") + lines("e2", "2600001", number=2)
    reversal = lines("e4", "2600003", excl="-100.00", vat="-21.00", number=4)
    outcome = outcome_of(
        [expected("2600001", "e1"), expected("2600003", "e3")],
        twice + lines("e3", "2600003", number=3) + reversal,
    )
    assert [(f.kind, len(f.bookings)) for f in outcome.findings] == [
        (DifferenceKind.DUPLICATE, 2),
        (DifferenceKind.REVERSED, 2),
    ]
    # One invoice once too often, one not at all: the month's totals cannot show it.
    assert outcome.months[MARCH].exact.total == D("242.00") == outcome.months[MARCH].coachlink.total


def test_unknown_entries_count_only_with_coachlinks_prefix():
    outcome = outcome_of([], lines("e1", "2699999") + lines("e2", "1234567"))
    assert [(f.kind, f.reference) for f in outcome.findings] == [
        (DifferenceKind.UNKNOWN, "2699999")
    ]
    assert outcome.months[MARCH].exact.total == D("121.00")


def test_an_entry_moved_to_another_period_is_found_by_its_entry_id():
    moved = lines("e1", "2600001", period=(2026, 4))
    (finding,) = outcome_of([expected("2600001", "e1")], [], elsewhere=moved).findings
    assert finding.kind == DifferenceKind.CHANGED
    period = finding.mismatches[0]
    assert (period.field, period.coachlink, period.exact) == ("period", "2026/03", "2026/04")


def test_an_entry_of_an_excluded_invoice_is_neither_unknown_nor_counted():
    known = {"2600007": expected("2600007", state=InvoiceState.EXCLUDED)}
    outcome = outcome_of([], lines("e1", "2600007"), known=known)
    assert outcome.findings == [] and outcome.months[MARCH].exact.total == 0


def test_a_fingerprint_holds_while_the_difference_is_the_same():
    def finding(excl):
        entry = lines("e1", "2600001", excl=excl)
        return outcome_of([expected("2600001", "e1")], entry).findings[0]

    assert finding("90.00").fingerprint == finding("90.00").fingerprint
    assert finding("90.00").fingerprint != finding("80.00").fingerprint


def test_a_cent_of_vat_rounding_agrees_two_cents_or_another_vat_code_do_not():
    rounded = outcome_of([expected("2600001", "e1")], lines("e1", "2600001", vat="21.01"))
    assert rounded.findings == [] and rounded.agreed == 1
    assert rounded.months[MARCH].vat_rounding == D("0.01") and rounded.months[MARCH].agrees
    two_cents = outcome_of([expected("2600001", "e1")], lines("e1", "2600001", vat="21.02"))
    (finding,) = two_cents.findings
    assert [m.field for m in finding.mismatches] == ["vat", "total"]
    assert not two_cents.months[MARCH].agrees
    other_code = lines("e1", "2600001", vat_code="5")
    (finding,) = outcome_of([expected("2600001", "e1")], other_code).findings
    assert [m.field for m in finding.mismatches] == ["vat_code"]
    assert (finding.mismatches[0].coachlink, finding.mismatches[0].exact) == ("1", "5")


def test_a_reversal_in_a_later_period_is_reversed_not_changed():
    known = {"2600001": expected("2600001", "e1")}
    reversal = lines("e2", "2600001", excl="-100.00", vat="-21.00", period=APRIL, number=2)
    (finding,) = outcome_of([], reversal, known=known).findings
    assert (finding.kind, finding.reference, len(finding.bookings)) == (
        DifferenceKind.REVERSED,
        "2600001",
        1,
    )
