"""Done when: a bookkeeper deletes an entry in Exact, the reconciliation shows it, and the
invoice goes back to Exact from the reconciliation page."""

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from coachlink.celery import app as celery_app
from tests.exports.conftest import exported
from tests.plugins.browser import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"reconciliation-{name}.png"), full_page=True)


def test_a_deleted_entry_is_found_and_exported_again_from_the_reconciliation_page(
    live_server, live_page, sandbox, prefixed_link, monkeypatch
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    page = live_page
    kept, deleted = exported(), exported()
    user = User.objects.create_user("bookkeeper", password="bookkeeper-pass-2026")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_exportrecord", "change_exportrecord"])
    )

    page.goto(f"{sandbox.url}/divisions/7095/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f"button[data-entry='{deleted.entry_number}']").click()
    expect(page.locator(".alert.ok")).to_contain_text(f"{deleted.entry_number} verwijderd")
    shot(page, "01-deleted-in-exact")

    page.goto(f"{live_server.url}/accounts/login/?next=/exports/reconciliation/")
    page.fill("input[name=username]", "bookkeeper")
    page.fill("input[name=password]", "bookkeeper-pass-2026")
    page.click("button[type=submit]")
    page.select_option("select[name=month]", "3")
    page.fill("input[name=year]", "2026")
    page.get_by_role("button", name="Reconcile now").click()
    # Queued after the request; the worker (eager here) has carried it out before the page loads.
    expect(page.locator(".alert")).to_contain_text("The reconciliation of 2026-03 is queued.")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
    expect(page.locator(".card .badge").first).to_contain_text("1 difference")
    expect(page.locator("#months tbody tr")).to_have_class("table-danger")
    row = page.locator("#differences tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Exported, not in Exact")
    expect(row).to_contain_text(deleted.your_ref)
    expect(page.locator("#differences")).not_to_contain_text(kept.your_ref)
    shot(page, "02-missing")

    row.get_by_role("button", name="Re-export").click()
    expect(page.locator(".alert")).to_contain_text("queued for export")
    page.get_by_role("button", name="Reconcile now").click()
    expect(page.locator(".card .badge").first).to_contain_text("coachlink and Exact Online agree")
    expect(page.locator("#months tbody tr")).to_have_class("table-success")
    expect(page.locator("#differences")).to_have_count(0)
    shot(page, "03-agrees")
    deleted.refresh_from_db()
    assert deleted.state == "exported"
    entries = sandbox.state()["divisions"]["7095"]["sales_entries"]
    assert sorted(entry["YourRef"] for entry in entries) == sorted(
        [kept.your_ref, deleted.your_ref]
    )
