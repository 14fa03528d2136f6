"""Done when: a finance user reads the preview and a refused export in their own language, with
the body Exact receives folded away under Technical details (no script needed)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from exports.run import invoice_export
from testkit.factories import final_invoice_create
from tests.exports.test_invoice_page_browser import SCREENSHOTS, finance_user_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"details": "Technical details", "total": "€\xa02,469.00", "refused": "Not sent:"},
    "nl": {"details": "Technische details", "total": "€\xa02.469,00", "refused": "Niet verstuurd:"},
}
# Words of an English sentence that Dutch does not use: none may be left on a Dutch page.
ENGLISH = re.compile(r"\b(the|not|does|and|was|has|what|how|nothing|reached|sent|journal)\b", re.I)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_preview_and_a_refusal_read_in_the_users_language(
    live_server, live_page, exact_link, sandbox, language
):
    page, words = live_page, WORDS[language]
    invoice = final_invoice_create(lines=2, unit_price=Decimal("1234.50"))
    finance_user_login(page, live_server, language)

    page.goto(live_server.url + reverse("exports:preview", args=[invoice.pk]))
    expect(page.locator("[data-total]")).to_have_text(words["total"])
    body = page.locator("[data-technical-details] pre")
    expect(body).to_be_hidden()
    page.get_by_text(words["details"]).click()
    expect(body).to_be_visible()
    expect(body).to_contain_text('"SalesEntryLines"')
    page.screenshot(path=str(SCREENSHOTS / f"preview-{language}.png"), full_page=True)

    exact_link.journal = "10"  # exists in Exact, but is no sales journal
    exact_link.save()
    # The worker that refuses runs in English, whoever reads the refusal later.
    with translation.override("en"):
        record = invoice_export(invoice=final_invoice_create())
    page.goto(live_server.url + reverse("exports:record", args=[record.pk]))
    refusal = page.locator("[data-refused-by=coachlink]")
    expect(refusal).to_contain_text(words["refused"])
    page.screenshot(path=str(SCREENSHOTS / f"refused-{language}.png"), full_page=True)
    if language == "nl":
        assert ENGLISH.findall(refusal.inner_text()) == []
        assert ENGLISH.findall(page.locator("main").inner_text()) == []
    else:
        expect(refusal).to_contain_text("Journal 10 is not a sales journal in Exact Online.")

    page.goto(live_server.url + reverse("exports:log"))
    row = page.locator("td[data-refused-by=coachlink]")
    expect(row).to_contain_text(words["refused"])
    page.screenshot(path=str(SCREENSHOTS / f"log-refused-{language}.png"), full_page=True)
    if language == "nl":
        assert ENGLISH.findall(row.inner_text()) == []
