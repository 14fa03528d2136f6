import pytest
from django.urls import reverse

from billing.models import Invoice, Parameters
from testkit.factories import (
    CostCenterFactory,
    DebtorFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PersonFactory,
    final_invoice_create,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "company",
    "person",
    "debtor",
    "coursedefinition",
    "course",
    "request",
    "invoice",
    "vatrate",
    "glaccount",
    "costcenter",
    "parameters",
]


@pytest.fixture
def data():
    final_invoice_create()
    InvoiceLineFactory(invoice__debtor=DebtorFactory(company=None, person=PersonFactory()))
    CostCenterFactory()
    Parameters.load()


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_billing_changelist_and_change_page_loads(admin_client, data, model, language):
    headers = {"accept-language": language}
    changelist = admin_client.get(reverse(f"admin:billing_{model}_changelist"), headers=headers)
    obj = changelist.context["cl"].result_list[0]
    change = admin_client.get(
        reverse(f"admin:billing_{model}_change", args=[obj.pk]), headers=headers
    )

    assert changelist.status_code == 200
    assert change.status_code == 200


@pytest.mark.parametrize("model", [m for m in MODELS if m != "parameters"])
def test_every_billing_add_page_loads(admin_client, model):
    assert admin_client.get(reverse(f"admin:billing_{model}_add")).status_code == 200


def test_the_changelists_search(admin_client, data):
    for model, query in [("invoice", "00001"), ("debtor", "00001"), ("debtor", "de vries")]:
        url = reverse(f"admin:billing_{model}_changelist")
        assert admin_client.get(url, {"q": query}).status_code == 200


def test_the_debtor_changelist_shows_padded_numbers(admin_client, data):
    html = admin_client.get(reverse("admin:billing_debtor_changelist")).content.decode()

    assert "00001" in html
    assert "00002" in html


def test_a_final_invoice_is_read_only_with_a_pdf_download(admin_client):
    invoice = final_invoice_create()

    response = admin_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))

    html = response.content.decode()
    assert 'name="invoice_reference_number"' not in html
    assert 'name="lines-0-unit_price"' not in html
    assert 'name="_save"' not in html
    assert reverse("billing:invoice_pdf", args=[invoice.pk]) in html


def test_a_draft_invoice_is_editable(admin_client):
    invoice = InvoiceLineFactory().invoice

    html = admin_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).content
    assert b'name="lines-0-unit_price"' in html


def test_the_finalise_action_numbers_drafts_in_date_order(admin_client, admin_user):
    later = InvoiceLineFactory(invoice__date="2026-05-01").invoice
    earlier = InvoiceLineFactory(invoice__date="2026-04-01").invoice

    response = admin_client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "finalise", "_selected_action": [later.pk, earlier.pk]},
        follow=True,
    )

    earlier.refresh_from_db()
    later.refresh_from_db()
    assert (earlier.number, later.number) == (1, 2)
    assert earlier.finalised_by == admin_user
    assert "2 invoices finalised." in response.content.decode()


def test_the_finalise_action_reports_an_invoice_it_cannot_finalise(admin_client):
    empty = InvoiceFactory()

    response = admin_client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "finalise", "_selected_action": [empty.pk]},
        follow=True,
        headers={"accept-language": "nl"},
    )

    assert "is niet definitief gemaakt" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == Invoice.Status.DRAFT


def invoice_change_data(invoice: Invoice, **extra) -> dict:
    line = invoice.lines.get()
    return {
        "date": "2026-03-05",
        "debtor": invoice.debtor_id,
        "invoice_reference_number": "PO-1",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": line.pk,
        "lines-0-invoice": invoice.pk,
        "lines-0-description": line.description,
        "lines-0-quantity": "1",
        "lines-0-unit_price": "250.00",
        "lines-0-vat_rate": line.vat_rate_id,
        "lines-0-gl_account": line.gl_account_id,
        **extra,
    }


def test_save_and_finalise_saves_the_changes_then_numbers_the_invoice(admin_client):
    invoice = InvoiceLineFactory().invoice
    url = reverse("admin:billing_invoice_change", args=[invoice.pk])

    response = admin_client.post(url, invoice_change_data(invoice, _finalise="1"), follow=True)

    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == (Invoice.Status.FINAL, 1)
    assert invoice.invoice_reference_number == "PO-1"
    assert invoice.total_excl_vat == 250
    assert "Invoice 00001 is final." in response.content.decode()


def test_save_and_finalise_keeps_a_draft_it_cannot_finalise(admin_client):
    invoice = InvoiceLineFactory().invoice
    data = invoice_change_data(invoice, _finalise="1", **{"lines-0-DELETE": "on"})

    response = admin_client.post(
        reverse("admin:billing_invoice_change", args=[invoice.pk]),
        data,
        follow=True,
        headers={"accept-language": "nl"},
    )

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT
    assert "minstens één regel" in response.content.decode()
