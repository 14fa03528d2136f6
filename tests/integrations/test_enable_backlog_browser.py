"""Done when: enabling with invoices not yet in Exact shows them and sends nothing until the
user chose; excluding up to a date (English) and sending them (Dutch)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connections
from playwright.sync_api import expect

from exports.models import BatchKind, ExportBatch, ExportRecord, ExportState
from integrations.models import Activation, ExactLink
from testkit.factories import LinkManagerFactory, final_invoice_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def page(live_server, authenticated_link, settings, chromium):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for day in (5, 12, 19, 26):
        final_invoice_create(date=dt.date(2026, 10, day), lines=2, unit_price=450)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    manager = LinkManagerFactory(username="finance", password="finance-pass-2026")
    # The same person follows the batch in the export log.
    manager.user_permissions.add(Permission.objects.get(codename="view_exportrecord"))
    page.goto(f"{live_server.url}/integrations/exact/")
    page.fill("input[name=username]", "finance")
    page.fill("input[name=password]", "finance-pass-2026")
    page.click("button[type=submit]")
    yield page
    page.close()
    connections.close_all()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"enable-{name}.png"), full_page=True)


def states() -> list[str]:
    return list(ExportRecord.objects.order_by("invoice__date").values_list("state", flat=True))


def test_enabling_with_a_backlog_excludes_up_to_a_date(page):
    page.get_by_role("link", name="Enable").click()
    backlog = page.get_by_test_id("backlog")
    expect(backlog).to_contain_text(
        "4 final invoices are not yet in Exact Online, dated 05-10-2026 to 26-10-2026"
    )
    expect(backlog).to_contain_text("€\xa04,356.00 including VAT")
    shot(page, "01-backlog")

    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".invalid-feedback, .text-danger").first).to_contain_text(
        "Choose what happens with these invoices."
    )
    assert ExactLink.objects.get().activation == Activation.OFF
    shot(page, "02-no-choice")

    page.get_by_label("Exclude them").check()
    page.fill("input[name=up_to]", "19-10-2026")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("state-badge").first).to_have_text("Enabled")
    expect(page.locator(".alert-info").first).to_contain_text(
        "3 invoices dated up to 19-10-2026 are excluded"
    )
    shot(page, "03-excluded")
    assert states() == [ExportState.EXCLUDED] * 3 + [ExportState.PENDING]
    assert ExportBatch.objects.get().total == 1


def test_enabling_with_a_backlog_sends_them_in_dutch(page):
    page.select_option("#language-switch", "nl")
    page.get_by_role("link", name="Inschakelen").click()
    expect(page.get_by_test_id("backlog")).to_contain_text(
        "4 definitieve facturen staan nog niet in Exact Online"
    )
    page.get_by_label("Nu naar Exact Online versturen").check()
    shot(page, "04-send-nl")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.locator(".alert-info").first).to_contain_text("worden verstuurd")
    batch = ExportBatch.objects.get()
    assert (batch.kind, batch.started_by.username) == (BatchKind.ENABLE, "finance")
    page.goto(page.url.replace("/integrations/exact/", f"/exports/batches/{batch.pk}/"))
    expect(page.locator("main")).to_contain_text("Verstuurd bij het inschakelen van de koppeling")
    expect(page.locator("main")).to_contain_text("finance")
    shot(page, "05-batch-nl")
    assert re.search(r"/exports/", page.url)
