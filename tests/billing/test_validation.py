"""Bad input gets a clear message on the field, in the user's language, and nothing is saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from billing.models import Debtor, Invoice, InvoiceLine, Parameters
from billing.services import invoice_finalise
from testkit.factories import (
    CompanyFactory,
    DebtorFactory,
    GLAccountFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PersonFactory,
    VatRateFactory,
    final_invoice_create,
)

pytestmark = pytest.mark.django_db

LANGUAGES = pytest.mark.parametrize(
    ("language", "gl_message", "vat_message"),
    [
        ("en", "Choose a GL account for this line.", "Choose a VAT rate for this line."),
        (
            "nl",
            "Kies een grootboekrekening voor deze regel.",
            "Kies een btw-tarief voor deze regel.",
        ),
    ],
)


def invoice_add_data(*, debtor: Debtor, line: dict) -> dict:
    return {
        "date": "2026-03-05",
        "debtor": debtor.pk,
        "invoice_reference_number": "REF-1",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **{f"lines-0-{name}": value for name, value in line.items()},
    }


@LANGUAGES
def test_the_admin_refuses_a_line_without_gl_account_or_vat_rate(
    admin_client, language, gl_message, vat_message
):
    data = invoice_add_data(
        debtor=DebtorFactory(),
        line={"description": "Cursusdag", "quantity": "1", "unit_price": "100.00"},
    )

    response = admin_client.post(
        reverse("admin:billing_invoice_add"), data, headers={"accept-language": language}
    )

    assert response.status_code == 200
    line_errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert line_errors["gl_account"] == [gl_message]
    assert line_errors["vat_rate"] == [vat_message]
    assert Invoice.objects.count() == 0
    assert InvoiceLine.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Line “Cursusdag” has no GL account.", "Line “Cursusdag” has no VAT rate."]),
        (
            "nl",
            [
                "Regel “Cursusdag” heeft geen grootboekrekening.",
                "Regel “Cursusdag” heeft geen btw-tarief.",
            ],
        ),
    ],
)
def test_finalising_refuses_a_line_without_gl_account_or_vat_rate(language, expected):
    invoice = InvoiceLineFactory(description="Cursusdag", gl_account=None, vat_rate=None).invoice

    with translation.override(language):
        with pytest.raises(ValidationError) as raised:
            invoice_finalise(invoice=invoice)
        assert raised.value.messages == expected
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == (Invoice.Status.DRAFT, None)
    assert Parameters.load().last_invoice_number == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "An invoice needs at least one line before it can be finalised."),
        (
            "nl",
            "Een factuur heeft minstens één regel nodig voordat hij definitief kan worden gemaakt.",
        ),
    ],
)
def test_finalising_refuses_an_invoice_without_lines(language, expected):
    invoice = InvoiceFactory()

    with translation.override(language):
        with pytest.raises(ValidationError) as raised:
            invoice_finalise(invoice=invoice)
        assert raised.value.messages == [expected]


FINAL_MESSAGES = pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This invoice is final and can no longer be changed."),
        ("nl", "Deze factuur is definitief en kan niet meer worden gewijzigd."),
    ],
)


@FINAL_MESSAGES
def test_a_final_invoice_cannot_be_saved_with_changes(language, expected):
    invoice = final_invoice_create(invoice_reference_number="ORIGINEEL")
    invoice.invoice_reference_number = "GEWIJZIGD"

    with translation.override(language):
        with pytest.raises(ValidationError) as by_clean:
            invoice.full_clean()
        with pytest.raises(ValidationError) as by_save:
            invoice.save()
        assert expected in by_clean.value.messages[0]
        assert expected in by_save.value.messages[0]

    assert Invoice.objects.get(pk=invoice.pk).invoice_reference_number == "ORIGINEEL"


@FINAL_MESSAGES
def test_the_lines_of_a_final_invoice_are_locked(language, expected):
    invoice = final_invoice_create(unit_price=Decimal("100.00"))
    line = invoice.lines.get()
    line.unit_price = Decimal("1.00")

    with translation.override(language):
        with pytest.raises(ValidationError) as by_save:
            line.save()
        with pytest.raises(ValidationError):
            InvoiceLineFactory(invoice=invoice)
        with pytest.raises(ValidationError):
            line.delete()
        assert expected in by_save.value.messages[0]

    assert list(invoice.lines.values_list("unit_price", flat=True)) == [Decimal("100.00")]


def test_a_final_invoice_cannot_be_deleted():
    invoice = final_invoice_create()

    with pytest.raises(ValidationError):
        invoice.delete()

    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_admin_refuses_to_change_a_final_invoice(admin_client):
    invoice = final_invoice_create(invoice_reference_number="ORIGINEEL")
    url = reverse("admin:billing_invoice_change", args=[invoice.pk])

    response = admin_client.post(url, {"invoice_reference_number": "GEWIJZIGD"})

    assert response.status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).invoice_reference_number == "ORIGINEEL"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "A start number must be a positive whole number, such as 1 or 10001."),
        ("nl", "Een startnummer moet een positief geheel getal zijn, zoals 1 of 10001."),
    ],
)
def test_the_admin_refuses_a_start_number_that_is_not_a_number(admin_client, language, expected):
    parameters = Parameters.load()
    url = reverse("admin:billing_parameters_change", args=[parameters.pk])

    response = admin_client.post(
        url,
        {"first_debtor_number": "1", "first_invoice_number": "abc", "company_name": "Nieuw"},
        headers={"accept-language": language},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["first_invoice_number"] == [expected]
    parameters.refresh_from_db()
    assert (parameters.first_invoice_number, parameters.company_name) == (1, "")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "A start number must be a positive whole number."),
        ("nl", "Een startnummer moet een positief geheel getal zijn."),
    ],
)
def test_the_admin_refuses_a_start_number_of_zero(admin_client, language, expected):
    parameters = Parameters.load()
    url = reverse("admin:billing_parameters_change", args=[parameters.pk])

    response = admin_client.post(
        url,
        {"first_debtor_number": "0", "first_invoice_number": "1"},
        headers={"accept-language": language},
    )

    assert response.context["adminform"].form.errors["first_debtor_number"] == [expected]
    assert Parameters.load().first_debtor_number == 1


DEBTOR_MESSAGES = pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Choose a company or a person for this debtor, not both and not neither."),
        (
            "nl",
            "Kies een bedrijf of een persoon voor deze debiteur: één van beide, "
            "niet allebei en niet geen van beide.",
        ),
    ],
)


@DEBTOR_MESSAGES
def test_the_admin_refuses_a_debtor_with_neither_company_nor_person(
    admin_client, language, expected
):
    response = admin_client.post(
        reverse("admin:billing_debtor_add"),
        {"address_line_1": "Markt 1", "city": "Breda", "country_code": "NL"},
        headers={"accept-language": language},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["company"] == [expected]
    assert errors["person"] == [expected]
    assert Debtor.objects.count() == 0
    assert Parameters.load().last_debtor_number == 0


@DEBTOR_MESSAGES
def test_a_debtor_with_both_company_and_person_is_refused(language, expected):
    debtor = Debtor(company=CompanyFactory(), person=PersonFactory(), country_code="NL")

    with translation.override(language):
        with pytest.raises(ValidationError) as raised:
            debtor.full_clean()
        assert raised.value.message_dict["company"] == [expected]


def test_the_database_refuses_a_debtor_without_company_or_person():
    with pytest.raises(IntegrityError), transaction.atomic():
        Debtor.objects.create(city="Breda")


def test_the_admin_saves_a_valid_invoice_with_its_line(admin_client):
    data = invoice_add_data(
        debtor=DebtorFactory(),
        line={
            "description": "Cursusdag",
            "quantity": "2",
            "unit_price": "100.00",
            "vat_rate": VatRateFactory().pk,
            "gl_account": GLAccountFactory().pk,
        },
    )

    response = admin_client.post(reverse("admin:billing_invoice_add"), data)

    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.total_excl_vat == Decimal("200.00")
    assert invoice.status == Invoice.Status.DRAFT
