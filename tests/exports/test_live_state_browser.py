"""Done when: the invoice page and the export record page follow an export that is not settled
without being reloaded, saying in the user's language what it waits for, and show the outcome
once it is settled; the bulk progress bar advances by itself and stops when the batch is done.

Most tests change the record or the batch as a worker would, so every step is seen whatever the
machine's speed; two finalise on the page with a real Celery worker against the sandbox
(PostgreSQL and Redis, like tests/exports/test_worker.py).
"""

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exports.models import BUDGET_WAITING, BatchKind, ExportBatch, ExportRecord, ExportState
from integrations.exact import api, ratelimit
from integrations.exact.oauth import base_url
from integrations.models import ExportMoment
from testkit.factories import (
    CompanyFactory,
    DebtorFactory,
    ExactLinkFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    final_invoice_create,
)
from tests.exports.test_invoice_page_browser import finance_user_login
from tests.exports.test_worker import worker_kill, worker_start
from tests.plugins.browser import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORDS = {
    "en": {
        "queued": "Queued: it goes to Exact Online in a moment.",
        "minute": re.compile(r"Waiting for Exact Online's per-minute limit, about \d+ s\."),
        "sending": "In progress: being sent to Exact Online.",
        "budget": "Waiting for tomorrow's budget (resets at 00:00).",
        "entry": "In Exact Online as entry {number}",
        "exported": "Exported",
        "failed": "Failed",
        "fix": "How to fix it:",
        "export_now": "Export now",
    },
    "nl": {
        "queued": "In de wachtrij: gaat zo naar Exact Online.",
        "minute": re.compile(r"Wacht op de minuutlimiet van Exact Online, nog ongeveer \d+ s\."),
        "sending": "Bezig: wordt naar Exact Online verstuurd.",
        "budget": "Wacht op het budget van morgen (opnieuw om 00:00).",
        "entry": "In Exact Online als boeking {number}",
        "exported": "Geëxporteerd",
        "failed": "Mislukt",
        "fix": "Hoe je het oplost:",
        "export_now": "Nu exporteren",
    },
}


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"live-{name}.png"), full_page=True)


def page_marked(page) -> None:
    """A mark that a reload would wipe out."""
    page.evaluate("window.notReloaded = true")


def page_not_reloaded(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def limiter_says(link, **headers: int) -> None:
    """What Exact's answers would leave in the division's shared limiter state."""
    key = f"{base_url(link.site)}-{link.division}"
    answer = {name: str(value) for name, value in headers.items()}
    ratelimit.ratelimit_record(key=key, headers=answer)


def limiter_forget(link) -> None:
    key = f"rate-{base_url(link.site)}-{link.division}"
    with ratelimit.shared_lock(key):
        ratelimit.shared_state_write(key, {})


def epoch_ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_invoice_page_follows_its_export_until_it_is_in_exact(live_server, live_page, language):
    page, words = live_page, WORDS[language]
    link = ExactLinkFactory(enabled=True, export_moment=ExportMoment.REALTIME)
    limiter_forget(link)
    record = ExportRecord.objects.get(invoice=final_invoice_create())
    finance_user_login(page, live_server, language)
    page.goto(f"{live_server.url}/invoices/{record.invoice_id}/")
    panel = page.get_by_test_id("export-panel")
    expect(panel).to_have_attribute("aria-live", "polite")
    expect(panel.get_by_test_id("export-progress")).to_have_text(words["queued"])
    page_marked(page)
    shot(page, f"{language}-01-queued")

    # A bulk run spent the minute's calls: the realtime invoice waits for the reset.
    reset = timezone.now() + dt.timedelta(seconds=40)
    limiter_says(
        link,
        **{"X-RateLimit-Minutely-Remaining": 0, "X-RateLimit-Minutely-Reset": epoch_ms(reset)},
        **{"X-RateLimit-Minutely-Limit": 60},
    )
    expect(panel.get_by_test_id("export-progress")).to_have_text(words["minute"], timeout=20_000)
    shot(page, f"{language}-02-minute")

    limiter_forget(link)
    ExportRecord.objects.filter(pk=record.pk).update(
        state=ExportState.SENDING, lease_until=timezone.now() + dt.timedelta(minutes=3)
    )
    expect(panel.get_by_test_id("export-progress")).to_have_text(words["sending"], timeout=20_000)
    shot(page, f"{language}-03-sending")

    ExportRecord.objects.filter(pk=record.pk).update(
        state=ExportState.EXPORTED,
        entry_number=260017,
        exported_at=timezone.now(),
        lease_until=None,
    )
    expect(panel).to_contain_text(words["entry"].format(number=260017), timeout=20_000)
    expect(panel).to_contain_text(words["exported"])
    expect(panel).not_to_have_attribute("data-live-url", re.compile(".*"))
    assert page_not_reloaded(page)
    shot(page, f"{language}-04-exported")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_record_page_shows_the_days_budget_and_then_the_refusal(
    live_server, live_page, language
):
    page, words = live_page, WORDS[language]
    link = ExactLinkFactory(enabled=True, export_moment=ExportMoment.NIGHTLY)
    record = ExportRecord.objects.get(invoice=final_invoice_create())
    ExportRecord.objects.filter(pk=record.pk).update(
        error_kind=BUDGET_WAITING, error_message="Today's Exact Online calls are used up."
    )
    midnight = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time.min)
    )
    limiter_says(
        link,
        **{"X-RateLimit-Remaining": 0, "X-RateLimit-Reset": epoch_ms(midnight)},
        **{"X-RateLimit-Limit": 5000},
    )
    finance_user_login(page, live_server, language)
    page.goto(f"{live_server.url}/exports/{record.pk}/")
    expect(page.get_by_test_id("record-progress")).to_have_text(words["budget"])
    page_marked(page)
    shot(page, f"{language}-05-record-budget")

    ExportRecord.objects.filter(pk=record.pk).update(
        state=ExportState.FAILED,
        error_message="Verplicht: Betalingsconditie",
        error_kind="payment_condition",
        response={"status": 400, "messages": ["Verplicht: Betalingsconditie"]},
    )
    live = page.get_by_test_id("record-live")
    # Nothing changes while it waits for the day, so the page asks less and less often.
    expect(live).to_contain_text(words["fix"], timeout=40_000)
    expect(live).to_contain_text("Verplicht: Betalingsconditie")
    expect(live.locator("h1 .badge")).to_have_text(words["failed"])
    expect(page.get_by_test_id("record-progress")).to_have_count(0)
    expect(live).not_to_have_attribute("data-live-url", re.compile(".*"))
    assert page_not_reloaded(page)
    limiter_forget(link)
    shot(page, f"{language}-06-record-failed")


# With a real worker: the realtime export waits for the minute a bulk run spent, then goes.


@pytest.fixture
def worker_log(queue, sandbox, tmp_path):
    """A real Celery worker on this test's queue, for as long as the test; its log's path."""
    log_path = tmp_path / "worker.log"
    worker = worker_start(queue=queue, sandbox=sandbox, log_path=log_path)
    yield log_path
    worker_kill(worker)


@pytest.mark.services
@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_finalised_invoice_goes_from_waiting_to_exported_before_the_users_eyes(
    live_server, live_page, exact_link, sandbox, worker_log, language
):
    page, words = live_page, WORDS[language]
    exact_link.export_moment = ExportMoment.REALTIME
    exact_link.save()
    invoice = InvoiceFactory(debtor=DebtorFactory(company=CompanyFactory(name="Bakkerij Één BV")))
    InvoiceLineFactory(invoice=invoice, description="Cursusdag", unit_price=Decimal("1000.00"))
    finance_user_login(page, live_server, language)
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/finalise/")

    # A short minute of 20 calls, spent by "a bulk run" right at its start.
    window = 12
    sandbox.set_limits(minutely=20, minute_seconds=window)
    time.sleep(window - time.time() % window + 0.2)
    for _ in range(20):
        api.journals(exact_link)
    page.get_by_test_id("confirm-finalise").click()

    page.wait_for_url(re.compile(rf"/invoices/{invoice.pk}/$"))
    page_marked(page)
    panel = page.get_by_test_id("export-panel")
    expect(panel.get_by_test_id("export-progress")).to_have_text(words["minute"])
    shot(page, f"{language}-07-worker-minute")
    expect(panel).to_contain_text(words["exported"], timeout=60_000)
    record = ExportRecord.objects.get(invoice=invoice)
    assert record.state == ExportState.EXPORTED, worker_log.read_text()
    expect(panel).to_contain_text(words["entry"].format(number=record.entry_number))
    assert page_not_reloaded(page)
    shot(page, f"{language}-08-worker-exported")


def test_the_bulk_progress_bar_advances_by_itself_until_the_batch_is_done(
    live_server, live_page, exact_link
):
    # The batch advances as a worker's run would move it (exports.records counts each invoice
    # on the batch row); the test moves it itself, so every step is seen whatever the speed.
    page = live_page
    batch = ExportBatch.objects.create(kind=BatchKind.MANUAL, total=8)
    finance_user_login(page, live_server, "en")
    page.goto(f"{live_server.url}/exports/batches/{batch.pk}/")
    page_marked(page)
    progress = page.get_by_test_id("batch-progress")
    expect(progress).to_contain_text("0 of 8")
    ExportBatch.objects.filter(pk=batch.pk).update(exported=3)
    expect(progress).to_contain_text("3 of 8 · 3 exported · 0 failed", timeout=40_000)
    shot(page, "09-batch-running")
    ExportBatch.objects.filter(pk=batch.pk).update(exported=7, failed=1, finished_at=timezone.now())
    expect(progress).to_contain_text("8 of 8 · 7 exported · 1 failed", timeout=40_000)
    expect(progress).not_to_have_attribute("data-live-url", re.compile(".*"))
    expect(page.get_by_test_id("batch-finished")).not_to_have_text("—")
    assert page_not_reloaded(page)
    shot(page, "10-batch-done")
