from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from exports.models import ExportRecord, ExportState, PaymentState, PaymentStatus
from exports.records import export_record_ensure
from testkit.factories import (
    CompanyFactory,
    DebtorFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PersonFactory,
    final_invoice_create,
)

pytestmark = pytest.mark.django_db

URL = reverse("billing:invoice_list")
# The total of a list longer than a page: PostgreSQL's estimate and, where it expects a short
# list, a count up to a bound; SQLite only the count.
TOTAL_QUERIES = 2 if connection.vendor == "postgresql" else 1


@pytest.fixture
def user_client(client, django_user_model):
    user = django_user_model.objects.create_user("fin", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(user)
    return client


def test_the_list_shows_number_debtor_totals_status_and_pdf_link(user_client):
    debtor = DebtorFactory(company=CompanyFactory(name="Bakkerij Van Dam BV"))
    invoice = final_invoice_create(debtor=debtor, unit_price=Decimal("1000.00"))

    response = user_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "00001" in html
    assert "Bakkerij Van Dam BV" in html
    assert "€\xa01,000.00" in html
    assert "€\xa01,210.00" in html
    assert "Final" in html
    assert reverse("billing:invoice_pdf", args=[invoice.pk]) in html


def test_the_list_speaks_dutch_to_a_dutch_browser(user_client):
    final_invoice_create(unit_price=Decimal("1000.00"))
    InvoiceLineFactory()

    response = user_client.get(URL, headers={"accept-language": "nl"})

    html = response.content.decode()
    assert "Facturen" in html
    assert "Totaal incl. btw" in html
    assert "Definitief" in html
    assert "Concept" in html
    assert "€\xa01.210,00" in html


def test_the_list_follows_the_language_cookie(user_client):
    final_invoice_create()
    user_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"

    html = user_client.get(URL).content.decode()

    assert "Factuurnummer of naam debiteur" in html


def test_a_credit_invoice_is_shown_negative(user_client):
    final_invoice_create(unit_price=Decimal("-250.00"))

    html = user_client.get(URL).content.decode()

    assert "€\xa0-302.50" in html
    assert "Credit" in html


def test_the_list_filters_by_status(user_client):
    final_invoice_create(invoice_reference_number="X")
    draft = InvoiceLineFactory(invoice__debtor__company__name="Conceptklant BV").invoice

    page = user_client.get(URL, {"status": "draft"}).context["page"]

    assert list(page) == [draft]


@pytest.mark.parametrize("query", ["00002", "2", "zorggroep"])
def test_the_list_searches_by_number_or_debtor_name(user_client, query):
    # A name without digits: the factory's numbered names ("Bedrijf 12 BV") would match "2".
    final_invoice_create(debtor=DebtorFactory(company__name="Andere Klant BV"))
    wanted = final_invoice_create(debtor=DebtorFactory(company__name="Zorggroep Brabant-Zuid"))

    page = user_client.get(URL, {"q": query}).context["page"]

    assert list(page) == [wanted]


def test_a_name_is_found_by_any_part_on_postgresql_and_by_its_start_on_sqlite(user_client):
    wanted = final_invoice_create(debtor=DebtorFactory(company__name="Zorggroep Brabant-Zuid"))
    person = final_invoice_create(
        debtor=DebtorFactory(
            company=None, person=PersonFactory(first_name="Fatma", last_name="Çelik")
        )
    )

    def found(query: str) -> list:
        return list(user_client.get(URL, {"q": query}).context["page"])

    assert found("ZORGGROEP") == [wanted]
    assert found("Çel") == [person]
    # The whole name as it is printed, first and last name together.
    assert found("fatma Çelik") == [person]
    if connection.vendor == "postgresql":
        assert found("brabant") == [wanted]
        assert found("elik") == [person]
    else:
        assert found("brabant") == []


@pytest.mark.parametrize("listed", [500, 1], ids=["debtors listed", "broad search"])
def test_a_search_finds_every_invoice_of_every_matching_debtor_page_by_page(
    user_client, monkeypatch, listed
):
    # A search matching more debtors than are listed checks each invoice's own debtor instead:
    # it finds the same invoices, companies and persons alike.
    monkeypatch.setattr("billing.selectors.DEBTORS_LISTED", listed)
    debtors = [
        DebtorFactory(company__name="Zorggroep Noord"),
        DebtorFactory(company__name="Zorggroep Zuid"),
        DebtorFactory(company=None, person=PersonFactory(first_name="Anna", last_name="Zorg")),
    ]
    wanted = {final_invoice_create(debtor=debtor) for debtor in debtors for _ in range(18)}
    final_invoice_create(debtor=DebtorFactory(company__name="Andere Klant BV"))

    first = user_client.get(URL, {"q": "zorg"}).context["page"]
    second = user_client.get(URL + first.next_url).context["page"]

    assert (len(first), len(second)) == (50, 4)
    assert set(first) | set(second) == wanted
    assert str(first.total) == "54"


def test_the_list_shows_fifty_invoices_a_page(user_client):
    InvoiceFactory.create_batch(55)

    first = user_client.get(URL).context["page"]
    second = user_client.get(URL + first.next_url).context["page"]

    assert len(first) == 50
    assert len(second) == 5
    assert not set(first) & set(second)


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "final"}, {"page": "last"}],
    ids=["first page", "filtered", "last page"],
)
def test_the_list_costs_the_same_queries_for_any_number_of_invoices(
    user_client, django_assert_num_queries, params
):
    for _ in range(55):
        final_invoice_create()

    # session, user, the user's and its groups' permissions; the page's invoices with their
    # debtors and export records, their lines, the lines' VAT rates; the total
    with django_assert_num_queries(7 + TOTAL_QUERIES):
        response = user_client.get(URL, params)

    assert len(response.context["page"]) == 50


def test_a_search_costs_one_query_more(user_client, django_assert_num_queries):
    for _ in range(55):
        final_invoice_create(debtor=DebtorFactory(company__name="Zorggroep Noord"))

    # as above, and the matching debtors looked up first
    with django_assert_num_queries(8 + TOTAL_QUERIES):
        response = user_client.get(URL, {"q": "zorggroep"})

    assert len(response.context["page"]) == 50


def test_a_list_on_one_page_is_counted_on_the_page(user_client, django_assert_num_queries):
    for _ in range(3):
        final_invoice_create()

    # as a full page, without the count
    with django_assert_num_queries(7):
        response = user_client.get(URL)

    assert str(response.context["page"].total) == "3"


def exported_and_partly_paid_create() -> ExportRecord:
    record = export_record_ensure(invoice=final_invoice_create())
    ExportRecord.objects.filter(pk=record.pk).update(state=ExportState.EXPORTED)
    PaymentStatus.objects.create(
        record=record,
        state=PaymentState.PARTLY_PAID,
        amount=Decimal("350.00"),
        open_amount=Decimal("120.00"),
    )
    return record


@pytest.mark.parametrize(
    ("language", "exported", "pending", "title", "partly_paid"),
    [
        (
            "en",
            "Exported",
            "Pending",
            "Partly paid: €\xa0120.00 of €\xa0350.00 still open",
            "Partly paid",
        ),
        (
            "nl",
            "Geëxporteerd",
            "Wachtend",
            "Deels betaald: €\xa0120,00 van €\xa0350,00 staat nog open",
            "Deels betaald",
        ),
    ],
)
def test_a_row_shows_its_export_and_payment_as_badges(
    user_client, language, exported, pending, title, partly_paid
):
    record = exported_and_partly_paid_create()
    waiting = export_record_ensure(invoice=final_invoice_create())
    unrecorded = final_invoice_create()
    ExportRecord.objects.filter(invoice=unrecorded).delete()
    InvoiceFactory()

    html = user_client.get(URL, headers={"accept-language": language}).content.decode()

    def badge(url: str, color: str, label: str) -> str:
        link = f'<a class="text-decoration-none" href="{url}">'
        return f'{link}<span class="badge {color}">{label}</span></a>'

    assert badge(reverse("exports:record", args=[record.pk]), "text-bg-success", exported) in html
    assert badge(reverse("exports:record", args=[waiting.pk]), "text-bg-warning", pending) in html
    assert f'<span class="badge text-bg-warning" title="{title}">{partly_paid}</span>' in html
    assert html.count(" title=") == 1
    # a final invoice without an export record offers its preview; the draft nothing
    assert html.count("/preview/") == 1
    assert 'href="' + reverse("exports:preview", args=[unrecorded.pk]) + '"' in html


@pytest.mark.parametrize("rows", [2, 50])
def test_rows_with_exports_and_payments_cost_no_query_a_row(
    user_client, django_assert_num_queries, rows
):
    for _ in range(rows):
        exported_and_partly_paid_create()

    # as a list on one page: the records and payments come with the invoices
    with django_assert_num_queries(7):
        response = user_client.get(URL)

    assert len(response.context["page"]) == rows
    assert response.content.decode().count("Partly paid: ") == rows


def test_a_name_in_any_script_is_found_whole_and_by_its_last_name(user_client):
    wanted = final_invoice_create(
        debtor=DebtorFactory(
            company=None, person=PersonFactory(first_name="Łukasz", last_name="Dvořák 😀")
        )
    )
    final_invoice_create(debtor=DebtorFactory(company__name="Andere Klant BV"))

    for query in ("Łukasz Dvořák 😀", "Dvořák", "Łukasz"):
        page = user_client.get(URL, {"q": query}).context["page"]
        assert list(page) == [wanted], query
    assert "Łukasz Dvořák 😀" in user_client.get(URL, {"q": "Dvořák"}).content.decode()
