"""Amounts, dates and date fields in the reader's language: d-m-Y in both, € 1.234,56 in Dutch."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from exports.forms import ExcludeExistingForm
from exports.models import PaymentState, PaymentStatus
from integrations.forms import FinancialForm, PaymentRegistrationForm
from integrations.models import ExactLink


def rendered(source: str, **context) -> str:
    return Template("{% load billing %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "amount", "date", "moment"),
    [
        ("en", "€\xa01,234.56", "08-11-2026", "08-11-2026 09:05"),
        ("nl", "€\xa01.234,56", "08-11-2026", "08-11-2026 09:05"),
    ],
)
def test_amounts_and_dates_follow_the_language_with_day_month_year_in_both(
    language, amount, date, moment
):
    with translation.override(language):
        assert rendered("{{ a|euro }}", a=Decimal("1234.56")) == amount
        assert rendered('{{ d|date:"SHORT_DATE_FORMAT" }}', d=dt.date(2026, 11, 8)) == date
        assert (
            rendered('{{ d|date:"SHORT_DATETIME_FORMAT" }}', d=dt.datetime(2026, 11, 8, 9, 5))
            == moment
        )


def test_a_partly_paid_invoice_says_its_amounts_in_euros_in_dutch():
    status = PaymentStatus(
        state=PaymentState.PARTLY_PAID, amount=Decimal("7907.96"), open_amount=Decimal("3953.98")
    )
    with translation.override("nl"):
        assert status.description == (
            "Deels betaald: €\xa03.953,98 van €\xa07.907,96 staat nog open"
        )
    assert status.description == "Partly paid: €\xa03,953.98 of €\xa07,907.96 still open"


@pytest.mark.parametrize("language", ["en", "nl"])
def test_date_fields_are_text_in_day_month_year_never_the_browsers_picker(language):
    with translation.override(language):
        form = PaymentRegistrationForm(
            instance=ExactLink(payment_from_date=dt.date(2026, 3, 1)), prefix="payment"
        )
        html = str(form["payment_from_date"])
        exclude = str(ExcludeExistingForm()["up_to"])
        time = str(FinancialForm(instance=ExactLink(nightly_time=dt.time(2, 30)))["nightly_time"])
    placeholder = {"en": "dd-mm-yyyy", "nl": "dd-mm-jjjj"}[language]
    assert 'type="text"' in html and 'value="01-03-2026"' in html
    assert f'placeholder="{placeholder}"' in html
    assert 'type="text"' in exclude and f'placeholder="{placeholder}"' in exclude
    assert 'type="text"' in time and 'value="02:30"' in time


@pytest.mark.parametrize("typed", ["31-12-2025", "31/12/2025", "2025-12-31", "31.12.2025"])
def test_a_date_is_accepted_the_ways_people_type_it(typed):
    for language in ("en", "nl"):
        with translation.override(language):
            form = ExcludeExistingForm({"up_to": typed})
            assert form.is_valid(), form.errors
            assert form.cleaned_data["up_to"] == dt.date(2025, 12, 31)


def test_an_american_date_is_refused_with_the_format_to_use():
    form = ExcludeExistingForm({"up_to": "12/31/2025"})
    assert not form.is_valid()
    assert form.errors["up_to"] == ["Enter the date as day-month-year, for example 31-12-2026."]
    with translation.override("nl"):
        form = ExcludeExistingForm({"up_to": "12/31/2025"})
        assert form.errors["up_to"] == [
            "Vul de datum in als dag-maand-jaar, bijvoorbeeld 31-12-2026."
        ]


@pytest.mark.django_db
def test_a_bad_date_on_the_export_log_changes_nothing_and_says_how_to_type_it(client):
    user = User.objects.create_user("clerk")
    user.user_permissions.set(Permission.objects.filter(codename__endswith="_exportrecord"))
    client.force_login(user)
    response = client.post(reverse("exports:exclude"), {"up_to": "12/31/2025"}, follow=True)
    assert "Enter the date as day-month-year" in response.content.decode()
