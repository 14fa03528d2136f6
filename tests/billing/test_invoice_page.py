"""The invoice page: what an invoice holds, its state in Exact, and finalising it there."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Invoice
from exports.models import ExportRecord, ExportState
from integrations.models import Activation, ExportMoment
from testkit.factories import (
    CompanyFactory,
    DebtorFactory,
    ExactLinkFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    VatRateFactory,
    final_invoice_create,
)

pytestmark = pytest.mark.django_db


def user_with(*codenames: str, username: str = "fin") -> User:
    user = User.objects.create_user(username, password="secret-fin")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def client_for(*codenames: str) -> Client:
    client = Client()
    client.force_login(user_with(*codenames))
    return client


@pytest.fixture
def finance_client() -> Client:
    return client_for("view_invoice", "change_invoice", "view_exportrecord", "change_exportrecord")


def draft_with_two_rates() -> Invoice:
    invoice = InvoiceFactory(debtor=DebtorFactory(company=CompanyFactory(name="Bakkerij Één BV")))
    InvoiceLineFactory(invoice=invoice, description="Cursusdag", unit_price=Decimal("1000.00"))
    InvoiceLineFactory(
        invoice=invoice,
        description="Lesboek",
        quantity=Decimal("2"),
        unit_price=Decimal("45.50"),
        vat_rate=VatRateFactory(exact_code="2", percentage=Decimal("9.00"), description="Laag"),
    )
    return invoice


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_page_shows_debtor_lines_vat_per_rate_totals_and_the_pdf(finance_client):
    invoice = draft_with_two_rates()

    response = finance_client.get(reverse("billing:invoice_detail", args=[invoice.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Bakkerij Één BV" in html
    assert "Stationsstraat" in html
    assert "Cursusdag" in html and "Lesboek" in html
    assert "€\xa01,000.00" in html  # the first line
    assert "€\xa091.00" in html  # 2 times 45.50
    assert "€\xa0210.00" in html  # 21 % over 1,000.00
    assert "€\xa08.19" in html  # 9 % over 91.00
    assert "€\xa01,309.19" in html
    assert reverse("billing:invoice_pdf", args=[invoice.pk]) in html
    assert reverse("billing:invoice_finalise", args=[invoice.pk]) in html
    assert "once it is final" in html


def test_the_list_links_each_invoice_to_its_page(finance_client):
    invoice = final_invoice_create()
    html = finance_client.get(reverse("billing:invoice_list")).content.decode()
    assert reverse("billing:invoice_detail", args=[invoice.pk]) in html


def test_a_viewer_sees_the_page_without_a_finalise_button_and_cannot_finalise():
    invoice = draft_with_two_rates()
    viewer = client_for("view_invoice")
    finalise = reverse("billing:invoice_finalise", args=[invoice.pk])

    html = viewer.get(reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()

    assert finalise not in html
    assert viewer.get(finalise).status_code == 403
    assert viewer.post(finalise).status_code == 403
    invoice.refresh_from_db()
    assert not invoice.is_final


def test_asking_to_finalise_confirms_first_and_changes_nothing(finance_client):
    invoice = draft_with_two_rates()

    response = finance_client.get(reverse("billing:invoice_finalise", args=[invoice.pk]))

    html = response.content.decode()
    assert "next invoice number" in html
    assert "credit invoice" in html
    assert "€\xa01,309.19" in html
    invoice.refresh_from_db()
    assert not invoice.is_final and invoice.number is None


def test_finalising_numbers_the_invoice_through_the_billing_service(finance_client):
    final_invoice_create()  # takes number 1
    invoice = draft_with_two_rates()

    response = finance_client.post(reverse("billing:invoice_finalise", args=[invoice.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("billing:invoice_detail", args=[invoice.pk])
    invoice.refresh_from_db()
    assert invoice.is_final and invoice.number == 2
    assert invoice.finalised_by.username == "fin"
    assert messages_of(response) == ["Invoice 00002 is final and can no longer be changed."]
    # The exports heard of it as they do from the admin: a pending record.
    assert ExportRecord.objects.get(invoice=invoice).state == ExportState.PENDING


def test_finalising_needs_a_post_with_a_csrf_token():
    invoice = draft_with_two_rates()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with("view_invoice", "change_invoice"))
    url = reverse("billing:invoice_finalise", args=[invoice.pk])

    assert client.post(url).status_code == 403
    invoice.refresh_from_db()
    assert not invoice.is_final


def test_an_incomplete_invoice_is_refused_with_the_reason(finance_client):
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice, description="Zonder btw", vat_rate=None)
    url = reverse("billing:invoice_finalise", args=[invoice.pk])

    confirm = finance_client.get(url).content.decode()
    response = finance_client.post(url)

    assert "Line “Zonder btw” has no VAT rate." in confirm
    assert 'data-testid="confirm-finalise"' not in confirm
    assert messages_of(response) == [
        f"Draft invoice {invoice.pk} was not finalised: Line “Zonder btw” has no VAT rate."
    ]
    invoice.refresh_from_db()
    assert not invoice.is_final


def test_finalising_a_final_invoice_again_says_so_and_keeps_its_number(finance_client):
    invoice = final_invoice_create()

    response = finance_client.post(reverse("billing:invoice_finalise", args=[invoice.pk]))

    assert messages_of(response) == ["Invoice 00001 is already final."]
    invoice.refresh_from_db()
    assert invoice.number == 1


def test_the_confirm_step_says_what_finalising_sets_off_in_exact(finance_client):
    invoice = draft_with_two_rates()
    url = reverse("billing:invoice_finalise", args=[invoice.pk])

    assert "waits as pending" in finance_client.get(url).content.decode()
    link = ExactLinkFactory(enabled=True, export_moment=ExportMoment.REALTIME)
    assert "right after finalising" in finance_client.get(url).content.decode()
    link.export_moment = ExportMoment.NIGHTLY
    link.save()
    assert "next nightly bulk export" in finance_client.get(url).content.decode()


def record_in(state: str) -> ExportRecord:
    record = ExportRecord.objects.get(invoice=final_invoice_create())
    ExportRecord.objects.filter(pk=record.pk).update(
        state=state, error_message="Verplicht: Betalingsconditie", error_kind="payment_condition"
    )
    return record


def test_a_failed_export_shows_why_and_offers_a_retry_that_comes_back_here(finance_client):
    ExactLinkFactory(enabled=True)
    record = record_in(ExportState.FAILED)
    page = reverse("billing:invoice_detail", args=[record.invoice_id])

    html = finance_client.get(page).content.decode()
    response = finance_client.post(
        reverse("exports:record_requeue", args=[record.pk]), {"next": page}
    )

    assert "Verplicht: Betalingsconditie" in html
    assert "Set a default sales payment condition" in html
    assert "Retry the export" in html
    assert reverse("exports:record", args=[record.pk]) in html
    assert response["Location"] == page
    record.refresh_from_db()
    assert record.state == ExportState.PENDING


def test_the_retry_never_sends_the_user_to_another_site(finance_client):
    ExactLinkFactory(enabled=True)
    record = record_in(ExportState.FAILED)
    response = finance_client.post(
        reverse("exports:record_requeue", args=[record.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("exports:record", args=[record.pk])


@pytest.mark.parametrize(
    ("state", "moment", "button"),
    [
        (ExportState.EXPORTED, ExportMoment.REALTIME, "Export again"),
        (ExportState.EXCLUDED, ExportMoment.REALTIME, "Export after all"),
        (ExportState.PENDING, ExportMoment.NIGHTLY, "Export now"),
        (ExportState.PENDING, ExportMoment.REALTIME, None),
        (ExportState.SENDING, ExportMoment.REALTIME, None),
    ],
)
def test_the_export_button_shows_only_where_it_makes_sense(finance_client, state, moment, button):
    ExactLinkFactory(enabled=True, export_moment=moment)
    record = record_in(state)
    html = finance_client.get(reverse("billing:invoice_detail", args=[record.invoice_id]))
    buttons = html.content.decode().count('data-testid="export-button"')
    assert buttons == (1 if button else 0)
    if button:
        assert button in html.content.decode()


def test_no_export_button_without_the_permission_or_while_the_link_is_paused():
    link = ExactLinkFactory(enabled=True)
    record = record_in(ExportState.FAILED)
    page = reverse("billing:invoice_detail", args=[record.invoice_id])
    viewer = client_for("view_invoice", "view_exportrecord")
    assert 'data-testid="export-button"' not in viewer.get(page).content.decode()

    link.activation = Activation.PAUSED
    link.save()
    exporter = Client()
    exporter.force_login(
        user_with("view_invoice", "view_exportrecord", "change_exportrecord", username="exp")
    )
    html = exporter.get(page).content.decode()
    assert 'data-testid="export-button"' not in html
    assert "Verplicht: Betalingsconditie" in html


def test_the_page_and_its_confirm_step_speak_dutch(finance_client):
    invoice = draft_with_two_rates()
    finance_client.cookies["django_language"] = "nl"

    page = finance_client.get(reverse("billing:invoice_detail", args=[invoice.pk]))
    confirm = finance_client.get(reverse("billing:invoice_finalise", args=[invoice.pk]))

    html = page.content.decode()
    assert "Definitief maken…" in html
    assert "Bedrag excl. btw" in html
    assert "€\xa01.309,19" in html
    assert "Btw 9% over €\xa091,00" in html
    assert "volgende factuurnummer" in confirm.content.decode()


def test_the_page_costs_the_same_queries_for_two_lines_as_for_twenty(finance_client):
    ExactLinkFactory()

    def queries(lines: int) -> int:
        invoice = final_invoice_create(lines=lines)
        with CaptureQueriesContext(connection) as captured:
            finance_client.get(reverse("billing:invoice_detail", args=[invoice.pk]))
        return len(captured)

    assert queries(2) == queries(20)


def test_the_admin_leads_to_the_invoice_page(client, django_user_model):
    invoice = draft_with_two_rates()
    client.force_login(django_user_model.objects.create_superuser("admin", password="x"))
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).content.decode()
    view_on_site = re.search(r'href="([^"]+)" class="viewsitelink"', page)
    assert view_on_site, "the admin shows no View on site link"
    answer = client.get(view_on_site.group(1))
    assert answer["Location"].endswith(reverse("billing:invoice_detail", args=[invoice.pk]))
