"""Done when: a user configures, authenticates, tests, enables, pauses and deletes the link."""

import re

import pytest
from playwright.sync_api import expect

from billing.models import CostCenter, GLAccount, VatRate
from integrations.models import ExactLink
from testkit.factories import LinkManagerFactory
from tests.plugins.browser import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(live_server, exact_settings, settings, live_page):
    settings.EXACT_REDIRECT_URI = f"{live_server.url}/integrations/exact/callback/"
    return live_page


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"integrations-{name}.png"), full_page=True)


def test_a_finance_user_links_exact_online_from_configure_to_delete(live_server, browser_page):
    page = browser_page
    LinkManagerFactory(username="finance", password="finance-pass-2026")
    GLAccount.objects.create(code="8000", name="Omzet opleidingen")
    VatRate.objects.create(exact_code="1", percentage=21, description="Hoog")
    VatRate.objects.create(exact_code="2", percentage=9, description="Laag")
    CostCenter.objects.create(code="100", name="Opleidingen")

    page.goto(f"{live_server.url}/integrations/")
    page.fill("input[name=username]", "finance")
    page.fill("input[name=password]", "finance-pass-2026")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("exact-card")).to_contain_text("Not configured")
    shot(page, "01-index")
    page.get_by_role("link", name="Configure").click()

    page.fill("#id_general-division", "7095")
    page.select_option("#id_debtor-debtor_number_option_2", "DebtorNumberExternal")
    page.fill("#id_debtor-debtor_prefix", "9")
    page.select_option("#id_financial-booking_date_option_2", "export_date")
    page.check("#id_financial-send_cost_center")
    page.fill("#id_financial-invoice_number_prefix", "2026")
    page.select_option("#id_financial-export_moment", "nightly")
    page.fill("#id_financial-nightly_time", "02:30")
    page.select_option("#id_financial-nightly_repetition", "daily")
    page.check("#id_payment-payment_registration")
    shot(page, "02-filled")
    page.locator("#configure-form button[value=save]").click()
    expect(page.locator(".alert-success")).to_contain_text("The settings are saved.")
    expect(page.get_by_test_id("authenticate").first).to_have_class(re.compile("btn-danger"))
    # The audit entry says what the save changed, old → new.
    changes = page.get_by_test_id("audit-changes").first
    expect(changes).to_contain_text("Export moment: Realtime → Nightly bulk")
    expect(changes).to_contain_text("Time of the nightly export: (empty) → 02:30")
    shot(page, "03-saved")

    page.get_by_test_id("authenticate").click()
    page.wait_for_url(re.compile(r"/api/oauth2/auth"))
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    shot(page, "04-exact-consent")
    page.click("button[name=allow]")
    page.wait_for_url(re.compile(r"/integrations/exact/$"))
    expect(page.get_by_test_id("authenticate")).to_have_class(re.compile("btn-success"))
    expect(page.get_by_test_id("token-status")).to_have_text(
        re.compile(r"Valid token information available: \d{2}-\d{2}-\d{4} - \d{2}:\d{2}:\d{2}")
    )
    shot(page, "05-authenticated")

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator(".alert-success")).to_contain_text("every check passed")
    checklist = page.get_by_test_id("checklist")
    # Token, division, journal, debtor GL, GL 8000 (revenue, same name), VAT 1 and 2, cost centre.
    expect(checklist.locator("[data-level=ok]")).to_have_count(9)
    expect(checklist.locator("[data-level=error]")).to_have_count(0)
    shot(page, "06-test-connection")

    page.select_option("#language-switch", "nl")
    expect(page.get_by_test_id("token-status")).to_contain_text("Geldige tokeninformatie aanwezig")
    expect(page.locator("#panel-financial")).to_contain_text("verkoopdagboek")
    shot(page, "06-nl")
    page.select_option("#language-switch", "en")
    expect(page.get_by_test_id("token-status")).to_contain_text("Valid token information")

    page.get_by_role("link", name="Enable").click()
    shot(page, "07-enable-confirm")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("state-badge").first).to_have_text("Enabled")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_test_id("state-badge").first).to_have_text("Paused")
    shot(page, "08-paused")

    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Confirm delete").click()
    expect(page.get_by_test_id("exact-card")).to_contain_text("Not configured")
    shot(page, "09-deleted")
    assert not ExactLink.objects.exists()
