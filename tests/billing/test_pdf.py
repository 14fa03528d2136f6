import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from fpdf.errors import FPDFException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from billing.models import Invoice, InvoiceLine, Parameters
from billing.pdf import InvoiceDocument, InvoicePdfError
from billing.services import invoice_finalise, invoice_pdf_render
from testkit.factories import (
    CompanyFactory,
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


def pdf_fonts(content: bytes) -> set[str]:
    """The base names of the fonts embedded in the PDF."""
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_everyday_names_outside_latin_1_are_printed_as_typed():
    debtor = DebtorFactory(
        company=None,
        person=PersonFactory(first_name="Łukasz", last_name="Dvořák"),
        address_line_1="Şahin Plaza, Üsküdar",
        city="Győr",
    )
    invoice = InvoiceFactory(debtor=debtor)
    InvoiceLineFactory(invoice=invoice, description="Cursus Ærø — Økonomi für Anfänger")
    invoice = invoice_finalise(invoice=invoice)

    content = render(invoice, "nl")

    text = pdf_text(content)
    assert "Łukasz Dvořák" in text
    assert "Şahin Plaza, Üsküdar" in text
    assert "Győr" in text
    assert "Cursus Ærø — Økonomi für Anfänger" in text
    # DejaVu Sans has all of it: no fallback font is loaded for ordinary European names.
    assert pdf_fonts(content) == {"DejaVuSansBook", "DejaVuSansBold"}


def test_emoji_cjk_and_right_to_left_text_borrow_the_fallback_fonts():
    debtor = DebtorFactory(company=CompanyFactory(name="مدرسة النور 🎓"), city="東京")
    invoice = InvoiceFactory(debtor=debtor)
    InvoiceLineFactory(invoice=invoice, description="שיעור 한국어 教材 👩‍🏫")

    content = render(invoice, "en")

    assert pdf_fonts(content) >= {"DejaVuSansBook", "Symbola", "DroidSansFallback"}
    text = pdf_text(content)
    assert "東京" in text
    assert "教材" in text


def test_text_no_font_has_and_control_characters_still_give_a_pdf():
    debtor = DebtorFactory(
        company=CompanyFactory(name="A\x07B\u2028C\U0010fffd\ue000\u0378 e\u0301")
    )
    invoice = InvoiceFactory(debtor=debtor)
    InvoiceLineFactory(invoice=invoice, description="tab\there\nnew line\r\u202eevil")

    text = pdf_text(render(invoice, "en"))

    assert "tab here new line" in text


def test_a_pdf_that_cannot_be_made_raises_one_error_type(monkeypatch):
    invoice = final_invoice_create()

    def broken(self):
        raise FPDFException("not enough horizontal space")

    monkeypatch.setattr(InvoiceDocument, "render", broken)

    with pytest.raises(InvoicePdfError, match="could not be made: not enough horizontal space"):
        render(invoice, "en")


def test_the_download_shows_why_a_pdf_could_not_be_made(admin_client, monkeypatch):
    invoice = final_invoice_create()

    def broken(self):
        raise FPDFException("not enough horizontal space")

    monkeypatch.setattr(InvoiceDocument, "render", broken)

    response = admin_client.get(
        reverse("billing:invoice_pdf", args=[invoice.pk]), HTTP_ACCEPT_LANGUAGE="nl"
    )

    assert response.status_code == 422
    assert "De pdf kon niet worden gemaakt" in response.content.decode()
    assert "not enough horizontal space" in response.content.decode()


# Text people type: anything a database stores (PostgreSQL refuses NUL), with extra weight on
# right-to-left scripts, emoji sequences, combining marks and bidirectional controls.
SPECIAL = (
    "اللغة العربية عربي ١٢٣ פרטי עברית "
    "😀👩‍👩‍👧‍👦🏳️‍🌈🇳🇱👍🏽 "
    "a\u0300\u0301\u0302\u0327\u0338 \u0e01\u0e34\u0e4d "
    "\u200d\u200c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069 "
    "中文日本語한국어ｶﾀｶﾅ ŁłŞşČčŐőĳ€ "
)
people_text = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60),
    st.text(st.sampled_from(SPECIAL), max_size=60),
)


@pytest.fixture
def invoice_to_fill():
    invoice = InvoiceFactory(debtor=DebtorFactory(company=CompanyFactory()))
    InvoiceLineFactory(invoice=invoice)
    InvoiceLineFactory(invoice=invoice)
    return invoice_finalise(invoice=invoice)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=people_text.filter(lambda text: text.strip()),
    address=st.lists(people_text, min_size=5, max_size=5),
    descriptions=st.lists(people_text.filter(lambda text: text.strip()), min_size=2, max_size=2),
    reference=people_text,
)
def test_any_text_people_type_renders_a_pdf(
    invoice_to_fill, name, address, descriptions, reference
):
    invoice = invoice_to_fill
    company = invoice.debtor.company
    company.name = name[:200]
    company.save()
    debtor = invoice.debtor
    debtor.address_line_1, debtor.address_line_2, debtor.address_line_3 = address[:3]
    debtor.postcode, debtor.city = address[3][:20], address[4][:100]
    debtor.save()
    # The invoice is final, as it is when it goes to Exact; its lines are changed underneath.
    for line, description in zip(invoice.lines.all(), descriptions, strict=True):
        InvoiceLine.objects.filter(pk=line.pk).update(description=description[:200])
    Invoice.objects.filter(pk=invoice.pk).update(invoice_reference_number=reference[:60])

    content = render(invoice, "nl")

    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    text = pdf_text(content)
    assert "Factuur 00001" in text
    assert "€ 242,00" in text
