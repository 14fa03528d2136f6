"""A refusal coachlink found is stored by a worker in one language and read in the reader's:
the record page, the invoice page and the export log say it in Dutch to a Dutch user and in
English to an English one. Exact's own words stay as Exact said them."""

import datetime as dt
import html

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from fpdf.errors import FPDFException

from billing.pdf import InvoiceDocument
from billing.services import invoice_finalise
from exports.models import BUDGET_WAITING, ExportRecord, ExportState
from exports.run import invoice_export, invoices_export_bulk
from integrations.exact.locks import shared_lock, shared_state_write
from integrations.exact.oauth import base_url
from integrations.models import BookingDateSource, DebtorNumberSource, ProjectCodeSource
from testkit.factories import (
    DebtorFactory,
    GLAccountFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    final_invoice_create,
)

pytestmark = pytest.mark.django_db

NOT_SENT = {"en": "Not sent:", "nl": "Niet verstuurd:"}
ANSWERED = {"en": "Exact Online answered:", "nl": "Exact Online antwoordde:"}


@pytest.fixture
def reader(clerk):
    """The clerk, who may also open the invoice page."""
    User.objects.get(username="clerk").user_permissions.add(
        Permission.objects.get(codename="view_invoice")
    )
    return clerk


def _pages(client, record: ExportRecord, language: str) -> dict[str, str]:
    def get(url: str) -> str:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return html.unescape(response.content.decode())

    return {
        "record": get(reverse("exports:record", args=[record.pk])),
        "invoice": get(reverse("billing:invoice_detail", args=[record.invoice_id])),
        "log": get(reverse("exports:log")),
    }


def _debtor_number_missing(link, monkeypatch):
    link.debtor_number_option_1 = DebtorNumberSource.DEBTOR_NUMBER_EXTERNAL
    link.save()
    return final_invoice_create(debtor=DebtorFactory(debtor_number_external=""))


def _booking_date_missing(link, monkeypatch):
    link.booking_date_option_1 = BookingDateSource.ORDER_START_DATE
    link.booking_date_option_2 = ""
    link.save()
    return final_invoice_create(course=None)


def _project_code_missing(link, monkeypatch):
    link.project_code_source = ProjectCodeSource.REQUEST_NUMBER
    link.save()
    return final_invoice_create(request=None)


def _gl_account_unknown(link, monkeypatch):
    invoice = InvoiceFactory()
    InvoiceLineFactory(invoice=invoice, gl_account=GLAccountFactory(code="8999"))
    return invoice_finalise(invoice=invoice)


def _pdf_broken(link, monkeypatch):
    def broken(self):
        raise FPDFException("not enough horizontal space to render a single character")

    monkeypatch.setattr(InvoiceDocument, "render", broken)
    link.send_pdf = True
    link.save()
    return final_invoice_create()


# The invoice's refusal, its English as the worker stored it, and its Dutch.
REFUSALS = {
    "debtor number": (
        _debtor_number_missing,
        "No debtor number option gives a relation number for debtor Bedrijf",
        "Geen van de debiteurnummeropties levert een relatienummer op voor debiteur Bedrijf",
    ),
    "booking date": (
        _booking_date_missing,
        "has no date for the booking-date options.",
        "heeft geen datum voor de boekdatumopties.",
    ),
    "project code": (
        _project_code_missing,
        "has no Request number for its project code.",
        "heeft geen Aanvraagnummer voor de projectcode.",
    ),
    "GL account": (
        _gl_account_unknown,
        "GL account 8999 does not exist in Exact Online or is blocked.",
        "Grootboekrekening 8999 bestaat niet in Exact Online of is geblokkeerd.",
    ),
    "invoice PDF": (
        _pdf_broken,
        "could not be made: not enough horizontal space",
        "kon niet worden gemaakt: not enough horizontal space",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refusal_stored_in_english_reads_in_the_readers_language(
    reader, exact_link, sandbox, monkeypatch, case
):
    setup, english, dutch = REFUSALS[case]
    invoice = setup(exact_link, monkeypatch)
    with translation.override("en"):
        record = invoice_export(invoice=invoice)
    assert (record.state, record.refused_by) == (ExportState.FAILED, "coachlink")
    assert english in record.error_message  # for search, logs and the admin

    for name, page in _pages(reader, record, "nl").items():
        assert dutch in page, name
        assert english not in page, name
        assert NOT_SENT["nl"] in page, name
    for name, page in _pages(reader, record, "en").items():
        assert english in page and dutch not in page, name
        assert NOT_SENT["en"] in page, name


def test_a_wait_for_the_days_budget_says_its_reset_time_in_the_readers_language(
    reader, exact_link, sandbox
):
    # The division's calls for today are spent until a known moment, as Exact reported.
    resets_at = timezone.now().replace(microsecond=0) + dt.timedelta(hours=3)
    key = f"rate-{base_url(exact_link.site)}-{exact_link.division}"
    with shared_lock(key):
        shared_state_write(
            key,
            {
                "daily_remaining": 0,
                "daily_limit": 5000,
                "daily_reset": int(resets_at.timestamp() * 1000),
            },
        )
    invoice = final_invoice_create()
    with translation.override("en"):
        batch = invoices_export_bulk(link=exact_link)
    record = ExportRecord.objects.get(invoice=invoice)
    assert record.error_kind == BUDGET_WAITING and record.state == ExportState.PENDING
    at = timezone.localtime(resets_at).strftime("%H:%M")
    english = f"The share of today's Exact Online calls for bulk exports is used up; the rest is kept for realtime exports. Waiting for tomorrow's budget (resets at {at})."  # noqa: E501
    dutch = f"Het deel van de Exact Online-calls van vandaag voor bulkexports is op; de rest blijft voor directe exports. Wacht op het budget van morgen (opnieuw beschikbaar om {at})."  # noqa: E501
    assert record.error_message == english and batch.error_message == english

    dutch_pages = _pages(reader, record, "nl")
    for name, page in dutch_pages.items():
        assert dutch in page and english not in page, name
    # The log says it twice: on the invoice's row and on the bulk export's.
    assert dutch_pages["log"].count(dutch) >= 2
    for name, page in _pages(reader, record, "en").items():
        assert english in page and dutch not in page, name


def test_an_exact_refusal_keeps_exacts_words_in_every_language(reader, exact_link, sandbox):
    # Exact has no financial year for a booking date long ago.
    with translation.override("en"):
        record = invoice_export(invoice=final_invoice_create(date=dt.date(2001, 3, 5)))
    assert (record.state, record.refused_by) == (ExportState.FAILED, "exact")
    assert record.error_said is None
    for language in ("en", "nl"):
        for name, page in _pages(reader, record, language).items():
            assert record.error_message in page, (language, name)
            assert ANSWERED[language] in page and NOT_SENT[language] not in page, name


def _stored(**fields) -> ExportRecord:
    """The export record of a new final invoice, as it was stored."""
    record = ExportRecord.objects.get(invoice=final_invoice_create())
    ExportRecord.objects.filter(pk=record.pk).update(**fields)
    record.refresh_from_db()
    return record


def test_rows_stored_before_messages_kept_their_id_show_their_text(reader, exact_link, sandbox):
    refused = _stored(
        state=ExportState.FAILED,
        error_message="Journal 70 is closed for this period.",
        error_kind="journal",
    )
    waiting = _stored(
        state=ExportState.SENDING,
        error_message="Exact Online could not be reached.",
        error_kind="transient",
    )
    dutch = _pages(reader, refused, "nl")
    assert "Journal 70 is closed for this period." in dutch["record"]
    assert "Journal 70 is closed for this period." in dutch["log"]
    assert NOT_SENT["nl"] in dutch["record"]
    # A text that is one of coachlink's messages without values is still said in Dutch.
    assert "Exact Online is niet bereikbaar." in _pages(reader, waiting, "nl")["record"]


def _log_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("exports:log"), HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 200
    return len(queries)


def _refusals_add(count: int) -> None:
    """Failed records half refused by coachlink, half by Exact, as the log lists them."""
    for number in range(count):
        by_exact = number % 2
        _stored(
            state=ExportState.FAILED,
            error_message="Ongeldig: Klant (Type)" if by_exact else "GL account 8999 …",
            error_said=None
            if by_exact
            else {
                "id": "GL account %(code)s does not exist in Exact Online or is blocked.",
                "params": {"code": "8999"},
            },
            response={"status": 400, "messages": ["Ongeldig: Klant (Type)"]} if by_exact else None,
        )


def test_the_log_says_who_refused_each_row_in_the_same_queries_for_more_rows(reader, db):
    _refusals_add(2)
    few = _log_queries(reader)
    _refusals_add(10)
    assert _log_queries(reader) == few
    page = html.unescape(
        reader.get(reverse("exports:log"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    )
    assert page.count('data-refused-by="coachlink"') == 6
    assert page.count('data-refused-by="exact"') == 6
    assert page.count("Grootboekrekening 8999 bestaat niet in Exact Online") >= 6
    assert page.count(NOT_SENT["nl"]) >= 6 and page.count(ANSWERED["nl"]) == 6
