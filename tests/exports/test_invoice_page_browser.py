"""Done when: a finance user finalises an invoice on its page and sees it reach Exact Online,
in English and in Dutch, with amounts and dates written the way that language writes them."""

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connections
from playwright.sync_api import expect

from coachlink.celery import app as celery_app
from exports.models import ExportRecord, ExportState
from integrations.models import ExportMoment
from testkit.factories import (
    CompanyFactory,
    DebtorFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    VatRateFactory,
)
from tests.exports.conftest import division_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# What each language shows; the browser's own locale is American English in both, so nothing
# on the page may depend on it.
WORDS = {
    "en": {
        "finalise": "Finalise…",
        "confirm": "Finalise",
        "sent_now": "right after finalising",
        "final": "Invoice 00001 is final and can no longer be changed.",
        "exported": "Exported",
        "entry": "In Exact Online as entry",
        "total": "€\xa01,309.19",
        "vat_low": "VAT 9% over €\xa091.00",
        "placeholder": "dd-mm-yyyy",
        "log": "Export log",
    },
    "nl": {
        "finalise": "Definitief maken…",
        "confirm": "Definitief maken",
        "sent_now": "direct na het definitief maken",
        "final": "Factuur 00001 is definitief en kan niet meer worden gewijzigd.",
        "exported": "Geëxporteerd",
        "entry": "In Exact Online als boeking",
        "total": "€\xa01.309,19",
        "vat_low": "Btw 9% over €\xa091,00",
        "placeholder": "dd-mm-jjjj",
        "log": "Exportlog",
    },
}


@pytest.fixture
def browser_page(live_server, exact_link, monkeypatch, settings, chromium):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # The export runs in the web process as soon as the invoice is final, as a worker would.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    yield page
    page.close()
    connections.close_all()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"invoice-{name}.png"), full_page=True)


def finance_user_login(page, live_server, language: str) -> None:
    user = User.objects.create_user("finance", password="finance-pass-2026")
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_invoice",
                "change_invoice",
                "view_exportrecord",
                "change_exportrecord",
            ]
        )
    )
    cookie = {"name": "django_language", "value": language, "url": live_server.url}
    page.context.add_cookies([cookie])
    page.goto(f"{live_server.url}/invoices/")
    page.fill("input[name=username]", "finance")
    page.fill("input[name=password]", "finance-pass-2026")
    page.click("button[type=submit]")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_finance_user_finalises_on_the_invoice_page_and_sees_it_in_exact(
    live_server, browser_page, exact_link, sandbox, language
):
    page, words = browser_page, WORDS[language]
    exact_link.export_moment = ExportMoment.REALTIME
    exact_link.save()
    invoice = InvoiceFactory(
        date=dt.date(2026, 3, 5),
        debtor=DebtorFactory(company=CompanyFactory(name="Bakkerij Één BV")),
    )
    InvoiceLineFactory(invoice=invoice, description="Cursusdag", unit_price=Decimal("1000.00"))
    InvoiceLineFactory(
        invoice=invoice,
        description="Lesboek",
        quantity=Decimal("2"),
        unit_price=Decimal("45.50"),
        vat_rate=VatRateFactory(exact_code="2", percentage=Decimal("9.00"), description="Laag"),
    )
    finance_user_login(page, live_server, language)

    page.locator(f"a[href='/invoices/{invoice.pk}/']").click()
    expect(page.get_by_test_id("invoice-date")).to_have_text("05-03-2026")
    expect(page.get_by_test_id("total-incl-vat")).to_have_text(words["total"])
    expect(page.get_by_test_id("invoice-totals")).to_contain_text(words["vat_low"])
    shot(page, f"{language}-01-draft")

    page.get_by_test_id("finalise").click()
    expect(page.locator(".card-body")).to_contain_text(words["sent_now"])
    shot(page, f"{language}-02-confirm")
    page.get_by_test_id("confirm-finalise").click()

    page.wait_for_url(re.compile(rf"/invoices/{invoice.pk}/$"))
    expect(page.locator(".alert-success")).to_contain_text(words["final"])
    panel = page.get_by_test_id("export-panel")
    expect(panel).to_contain_text(words["exported"])
    expect(panel).to_contain_text(words["entry"])
    expect(panel).to_contain_text(re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}"))
    shot(page, f"{language}-03-exported")
    record = ExportRecord.objects.get(invoice=invoice)
    assert record.state == ExportState.EXPORTED
    assert len(division_state(sandbox)["sales_entries"]) == 1

    page.get_by_role("link", name=words["log"]).click()
    date_input = page.locator("input[name=up_to]")
    expect(date_input).to_have_attribute("type", "text")
    expect(date_input).to_have_attribute("placeholder", words["placeholder"])
    shot(page, f"{language}-04-export-log")
