from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import money
from testkit.factories import InvoiceFactory, InvoiceLineFactory, VatRateFactory

pytestmark = pytest.mark.django_db


def low_rate():
    return VatRateFactory(exact_code="2", percentage=Decimal("9.00"), description="BTW laag 9%")


def zero_rate():
    return VatRateFactory(exact_code="0", percentage=Decimal("0.00"), description="BTW 0%")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.025", "0.03"),
        ("0.015", "0.02"),
        ("0.0249", "0.02"),
        ("-0.025", "-0.03"),
        ("2.675", "2.68"),
    ],
)
def test_money_rounds_half_cents_up_away_from_zero(value, expected):
    assert money(Decimal(value)) == Decimal(expected)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4))
def test_money_treats_credits_and_debits_alike(value):
    assert money(-value) == -money(value)
    assert abs(money(value) - value) <= Decimal("0.005")


def test_a_line_amount_is_quantity_times_unit_price_rounded_half_up():
    line = InvoiceLineFactory(quantity=Decimal("0.50"), unit_price=Decimal("0.05"))

    assert line.amount == Decimal("0.03")


def test_a_negative_line_rounds_symmetrically():
    line = InvoiceLineFactory(quantity=Decimal("0.50"), unit_price=Decimal("-0.05"))

    assert line.amount == Decimal("-0.03")


def test_totals_add_vat_per_rate_over_the_line_amounts():
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice, quantity=2, unit_price=Decimal("495.00"))
    InvoiceLineFactory(
        invoice=invoice, quantity=2, unit_price=Decimal("49.50"), vat_rate=low_rate()
    )
    InvoiceLineFactory(
        invoice=invoice, quantity=2, unit_price=Decimal("187.00"), vat_rate=zero_rate()
    )

    assert invoice.total_excl_vat == Decimal("1463.00")
    assert [(a.vat_rate.exact_code, a.base, a.vat) for a in invoice.vat_amounts] == [
        ("1", Decimal("990.00"), Decimal("207.90")),
        ("2", Decimal("99.00"), Decimal("8.91")),
        ("0", Decimal("374.00"), Decimal("0.00")),
    ]
    assert invoice.total_vat == Decimal("216.81")
    assert invoice.total_incl_vat == Decimal("1679.81")


def test_vat_is_rounded_once_per_rate_not_once_per_line():
    invoice = InvoiceFactory()
    rate = low_rate()
    # Per line 0.045 would round to 0.05 three times (0.15); per rate 0.135 rounds to 0.14.
    InvoiceLineFactory.create_batch(3, invoice=invoice, unit_price=Decimal("0.50"), vat_rate=rate)

    assert invoice.total_vat == Decimal("0.14")
    assert invoice.total_incl_vat == Decimal("1.64")


def test_a_credit_invoice_has_negative_totals():
    invoice = InvoiceFactory()
    InvoiceLineFactory(
        invoice=invoice, quantity=3, unit_price=Decimal("-0.50"), vat_rate=low_rate()
    )
    InvoiceLineFactory(invoice=invoice, quantity=1, unit_price=Decimal("-100.00"))

    assert invoice.total_excl_vat == Decimal("-101.50")
    assert invoice.total_vat == Decimal("-21.14")
    assert invoice.total_incl_vat == Decimal("-122.64")
    assert invoice.is_credit


def test_an_invoice_without_lines_totals_zero():
    invoice = InvoiceFactory()

    assert (invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat) == (0, 0, 0)
    assert invoice.vat_amounts == []
    assert not invoice.is_credit


def test_order_dates_come_from_the_course():
    invoice = InvoiceFactory()

    assert invoice.order_start_date == invoice.course.start_date
    assert invoice.order_end_date == invoice.course.end_date
    assert InvoiceFactory(course=None).order_start_date is None


@given(
    lines=st.lists(
        st.tuples(
            st.decimals(min_value=-5000, max_value=5000, places=2, allow_nan=False),
            st.sampled_from([Decimal("21.00"), Decimal("9.00"), Decimal("0.00")]),
        ),
        min_size=1,
        max_size=8,
    )
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_line_vats_add_up_per_rate_to_the_invoices_vat(lines):
    rates = {
        percentage: VatRateFactory(exact_code=str(index), percentage=percentage)
        for index, percentage in enumerate([Decimal("21.00"), Decimal("9.00"), Decimal("0.00")])
    }
    invoice = InvoiceFactory()
    for amount, percentage in lines:
        InvoiceLineFactory(
            invoice=invoice, quantity=1, unit_price=amount, vat_rate=rates[percentage]
        )
    shares = invoice.line_vats
    by_rate: dict = {}
    for line in invoice.lines.all():
        by_rate[line.vat_rate_id] = by_rate.get(line.vat_rate_id, Decimal("0.00")) + shares[line.pk]
        # Each line's share stays within a few cents of its own VAT.
        assert abs(shares[line.pk] - line.amount * line.vat_rate.percentage / 100) < Decimal("0.10")
    assert by_rate == {amount.vat_rate.pk: amount.vat for amount in invoice.vat_amounts}
    assert sum(shares.values()) == invoice.total_vat
