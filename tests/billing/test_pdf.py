import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from billing.models import Parameters
from billing.services import invoice_finalise, invoice_pdf_render
from tests.billing.factories import (
    CostCenterFactory,
    DebtorFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PersonFactory,
    VatRateFactory,
    final_invoice_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def company():
    Parameters.objects.update_or_create(
        pk=1,
        defaults={
            "company_name": "Opleidingen Zuid BV",
            "company_address": "Kennedyplein 12\n5611 ZS  Eindhoven",
            "company_iban": "NL91 ABNA 0417 1643 00",
            "company_vat_number": "NL859012345B01",
        },
    )


def pdf_text(content: bytes) -> str:
    """The text of every page, with non-breaking spaces made plain for easy matching."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def render(invoice, language: str) -> bytes:
    with translation.override(language):
        return invoice_pdf_render(invoice=invoice)


def invoice_with_two_rates():
    debtor = DebtorFactory(
        company=None, person=PersonFactory(first_name="Sanne", last_name="Bakker")
    )
    invoice = InvoiceFactory(debtor=debtor, invoice_reference_number="PO-7781")
    InvoiceLineFactory(
        invoice=invoice, description="Scrum Master", quantity=2, unit_price=Decimal("995.00")
    )
    InvoiceLineFactory(
        invoice=invoice,
        description="Lesmateriaal (boek)",
        quantity=2,
        unit_price=Decimal("49.50"),
        vat_rate=VatRateFactory(exact_code="2", percentage=Decimal("9"), description="BTW laag 9%"),
        cost_center=CostCenterFactory(code="200"),
    )
    return invoice


def test_the_pdf_is_a_real_pdf_with_number_addressee_lines_and_totals():
    invoice = invoice_finalise(invoice=invoice_with_two_rates())

    content = render(invoice, "en")

    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Opleidingen Zuid BV" in text
    assert "Invoice 00001" in text
    assert "Sanne Bakker" in text
    assert "PO-7781" in text
    assert "Scrum Master" in text
    assert "€ 1,990.00" in text  # a line amount
    assert "€ 2,089.00" in text  # total excl. VAT
    assert "€ 417.90" in text  # VAT 21 %
    assert "€ 8.91" in text  # VAT 9 %
    assert "€ 2,515.81" in text  # total incl. VAT
    assert "BTW laag 9%" in text
    assert "NL91 ABNA 0417 1643 00" in text
    assert "DRAFT" not in text


def test_the_pdf_speaks_dutch_with_dutch_numbers():
    invoice = final_invoice_create(unit_price=Decimal("1000.00"))

    text = pdf_text(render(invoice, "nl"))

    assert "Factuur 00001" in text
    assert "Totaal incl. btw" in text
    assert "Btw per tarief" in text
    assert "€ 1.210,00" in text


def test_a_draft_is_marked_as_a_draft():
    invoice = invoice_with_two_rates()

    assert "CONCEPT" in pdf_text(render(invoice, "nl"))
    assert "DRAFT" in pdf_text(render(invoice, "en"))


def test_a_negative_invoice_is_a_credit_note():
    invoice = final_invoice_create(unit_price=Decimal("-250.00"))

    assert "Credit note 00001" in pdf_text(render(invoice, "en"))
    text = pdf_text(render(invoice, "nl"))
    assert "Creditfactuur 00001" in text
    assert "€ -302,50" in text


def test_many_lines_run_onto_a_second_page():
    invoice = InvoiceFactory()
    InvoiceLineFactory.create_batch(60, invoice=invoice)

    content = render(invoice, "en")

    assert len(PdfReader(io.BytesIO(content)).pages) >= 2
    assert "€ 7,260.00" in pdf_text(content)


def test_the_invoice_list_links_to_a_pdf_download(admin_client):
    invoice = final_invoice_create()

    response = admin_client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice-00001.pdf"'
    assert response.content.startswith(b"%PDF")


def test_a_missing_invoice_has_no_pdf(admin_client):
    assert admin_client.get(reverse("billing:invoice_pdf", args=[999])).status_code == 404
