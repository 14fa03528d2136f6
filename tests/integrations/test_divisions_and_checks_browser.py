"""Done when: a division without consent is refused with the fix, and a GL account that Exact
names otherwise is a warning with both names, taken over from Exact in a tick; in English and
Dutch."""

import os
import re
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect

from billing.models import GLAccount, VatRate
from integrations.models import AuditAction, AuditEntry, ExactLink
from testkit.factories import LinkManagerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def page(live_server, exact_settings, settings, chromium):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.EXACT_REDIRECT_URI = f"{live_server.url}/integrations/exact/callback/"
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    LinkManagerFactory(username="finance", password="finance-pass-2026")
    page.goto(f"{live_server.url}/integrations/exact/")
    page.fill("input[name=username]", "finance")
    page.fill("input[name=password]", "finance-pass-2026")
    page.click("button[type=submit]")
    yield page
    page.close()
    connections.close_all()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"configure-{name}.png"), full_page=True)


def authenticate(page, *, tick: list[str]) -> None:
    page.get_by_test_id("authenticate").click()
    page.wait_for_url(re.compile(r"/api/oauth2/auth"))
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    for box in page.locator("input[name=division]").all():
        box.set_checked(box.get_attribute("value") in tick)
    page.click("button[name=allow]")
    page.wait_for_url(re.compile(r"/integrations/exact/$"))


def save(page) -> None:
    page.locator("#configure-form button[value=save]").click()


def test_a_division_without_consent_is_refused_with_the_fix(page):
    page.fill("#id_general-division", "7096")
    save(page)
    expect(page.locator(".alert-success")).to_contain_text("The settings are saved.")

    authenticate(page, tick=["7095"])
    expect(page.locator(".alert-warning")).to_contain_text(
        "did not give coachlink access to division 7096"
    )
    division = page.locator("#id_general-division")
    expect(division.locator("option")).to_have_text(
        ["(choose an administration)", "7095 Opleidingen Zuid BV", "7096 (no access given)"]
    )
    shot(page, "division-01-after-consent")

    save(page)
    error = page.locator("#panel-general .invalid-feedback")
    expect(error).to_contain_text("did not give coachlink access to division 7096")
    expect(error).to_contain_text("Click Authenticate, tick that administration")
    shot(page, "division-02-refused")
    assert ExactLink.objects.get().activation == "off"

    page.select_option("#language-switch", "nl")
    save(page)
    expect(page.locator("#panel-general .invalid-feedback")).to_contain_text(
        "heeft coachlink geen toegang gegeven tot divisie 7096. Klik op Authenticeren"
    )
    shot(page, "division-03-refused-nl")

    page.select_option("#id_general-division", "7095")
    save(page)
    expect(page.locator(".alert-success")).to_contain_text("opgeslagen")
    assert ExactLink.objects.get().division == "7095"


def test_a_gl_account_named_otherwise_in_exact_is_warned_and_taken_over(page):
    GLAccount.objects.create(code="8000", name="Omzet opleidingen")
    GLAccount.objects.create(code="8020", name="Omzet lesmateriaal")
    VatRate.objects.create(exact_code="1", percentage=21, description="BTW hoog")
    page.fill("#id_general-division", "7095")
    save(page)
    authenticate(page, tick=["7095"])

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator(".alert-warning")).to_contain_text("may book on the wrong account")
    warning = page.get_by_test_id("checklist").locator("[data-level=warning]")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text(
        "GL account 8020 is “Omzet lesmateriaal” in coachlink but “Omzet e-learning” in Exact"
    )
    expect(page.get_by_test_id("checklist").locator("[data-level=error]")).to_have_count(0)
    shot(page, "gl-01-warning")

    page.select_option("#language-switch", "nl")
    page.get_by_role("button", name="Test verbinding").click()
    expect(page.get_by_test_id("checklist").locator("[data-level=warning]")).to_contain_text(
        "Grootboekrekening 8020 heet “Omzet lesmateriaal” in coachlink maar “Omzet e-learning”"
    )
    shot(page, "gl-02-warning-nl")

    page.get_by_role("link", name="Overnemen uit Exact").click()
    row = page.locator("tr[data-key='gl:8020']")
    expect(row).to_contain_text("andere naam")
    shot(page, "gl-03-take-over-nl")
    page.select_option("#language-switch", "en")
    row.locator("input[name=take]").check()
    page.locator("tr[data-key='gl:8030'] input[name=take]").check()
    shot(page, "gl-04-take-over-ticked")
    page.get_by_role("button", name="Take over the ticked rows").click()
    expect(page.locator(".alert-success")).to_contain_text("Taken over from Exact Online: 2")
    assert GLAccount.objects.get(code="8020").name == "Omzet e-learning"
    assert GLAccount.objects.get(code="8030").name == "Omzet coaching"
    entry = AuditEntry.objects.get(action=AuditAction.TAKEN_OVER)
    expect(page.get_by_test_id("audit-log")).to_contain_text("Took over GL accounts")
    assert "“Omzet lesmateriaal” → “Omzet e-learning”" in entry.detail

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator(".alert-success")).to_contain_text("every check passed")
    shot(page, "gl-05-all-green")
