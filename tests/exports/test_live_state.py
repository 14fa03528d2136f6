"""Done when: while an invoice's export is not settled, its page and its export record's page
say what it waits for, in the user's language, from a fragment the page asks for again; once
it is settled the fragment shows the outcome and asks for nothing more. The fragment reads only
coachlink's database and the shared rate-limit state: a constant number of queries, no call to
Exact Online."""

import datetime as dt
import re
import time
import uuid

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exports.models import BUDGET_WAITING, BatchKind, ExportBatch, ExportRecord, ExportState
from exports.run import invoices_export_bulk
from exports.selectors import nightly_next_run
from integrations.exact import api, client, ratelimit
from integrations.models import Activation, ExportMoment, Repetition
from testkit.factories import DebtorFactory, ExactLinkFactory, final_invoice_create

pytestmark = pytest.mark.django_db

WORDS = {
    "en": {
        "queued": "Queued: it goes to Exact Online in a moment.",
        "sending": "In progress: being sent to Exact Online.",
        "minute": r"Waiting for Exact Online&#x27;s per-minute limit, about (\d+) s\.",
        "budget": "Waiting for tomorrow&#x27;s budget (resets at {time}).",
        "nightly": r"Queued for the nightly bulk export on (\d\d-\d\d-\d{4}) at 02:30\.",
        "link_off": "The link with Exact Online is not enabled: the invoice is sent once it is.",
        "exported": "In Exact Online as entry {number}, exported",
        "exported_badge": "Exported",
        "fix": "How to fix it:",
    },
    "nl": {
        "queued": "In de wachtrij: gaat zo naar Exact Online.",
        "sending": "Bezig: wordt naar Exact Online verstuurd.",
        "minute": r"Wacht op de minuutlimiet van Exact Online, nog ongeveer (\d+) s\.",
        "budget": "Wacht op het budget van morgen (opnieuw om {time}).",
        "nightly": (
            r"In de wachtrij voor de nachtelijke bulkexport van (\d\d-\d\d-\d{4}) om 02:30\."
        ),
        "link_off": (
            "De koppeling met Exact Online staat niet aan: de factuur gaat zodra de koppeling "
            "aan staat."
        ),
        "exported": "In Exact Online als boeking {number}, geëxporteerd",
        "exported_badge": "Geëxporteerd",
        "fix": "Hoe je het oplost:",
    },
}
LANGUAGES = ["en", "nl"]


def client_for(*codenames: str, language: str = "en") -> Client:
    user = User.objects.create_user(f"user-{uuid.uuid4().hex[:8]}", password="secret-pass")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    web = Client()
    web.force_login(user)
    web.cookies["django_language"] = language
    return web


def finance(language: str = "en") -> Client:
    return client_for("view_invoice", "view_exportrecord", "change_exportrecord", language=language)


def invoice_fragment(web: Client, record: ExportRecord) -> str:
    response = web.get(reverse("exports:invoice_live", args=[record.invoice_id]))
    assert response.status_code == 200
    return response.content.decode()


def record_fragment(web: Client, record: ExportRecord) -> str:
    response = web.get(reverse("exports:record_live", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def both_fragments(web: Client, record: ExportRecord) -> list[str]:
    return [invoice_fragment(web, record), record_fragment(web, record)]


def polls(html: str) -> bool:
    return "data-live-url=" in html


def pending_record() -> ExportRecord:
    return ExportRecord.objects.get(invoice=final_invoice_create())


def record_set(record: ExportRecord, **fields) -> ExportRecord:
    ExportRecord.objects.filter(pk=record.pk).update(**fields)
    record.refresh_from_db()
    return record


@pytest.fixture
def realtime_link(db):
    """An enabled realtime link whose exports are not sent in these tests: the records are
    put in each state by hand."""
    return ExactLinkFactory(enabled=True, export_moment=ExportMoment.REALTIME)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_queued_realtime_export_says_so_and_keeps_asking(realtime_link, language):
    record = pending_record()
    for html in both_fragments(finance(language), record):
        assert WORDS[language]["queued"] in html
        assert polls(html) and 'aria-live="polite"' in html and 'data-live-seconds="2"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_export_a_worker_holds_is_in_progress(realtime_link, language):
    record = record_set(
        pending_record(),
        state=ExportState.SENDING,
        lease_until=timezone.now() + dt.timedelta(minutes=2),
    )
    for html in both_fragments(finance(language), record):
        assert WORDS[language]["sending"] in html and polls(html)


def test_an_export_whose_worker_died_is_queued_again_not_in_progress(realtime_link):
    record = record_set(
        pending_record(),
        state=ExportState.SENDING,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    html = invoice_fragment(finance(), record)
    assert WORDS["en"]["queued"] in html and WORDS["en"]["sending"] not in html


@pytest.fixture
def minute_start(sandbox, monkeypatch):
    """The sandbox's clock at the start of a calendar minute, and coachlink's limiter on the
    same clock, so the minute's reset is a whole minute ahead whatever the real time."""
    seconds = float(sandbox.advance_clock(0)["now"][17:])
    offset = sandbox.advance_clock(60 - seconds + 0.01)["offset_seconds"]
    monkeypatch.setattr(ratelimit, "clock", lambda: time.time() + offset)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_spent_minute_says_how_long_the_wait_is(
    exact_link, sandbox, minute_start, realtime_link_of, language
):
    record = pending_record()
    realtime_link_of(exact_link)
    sandbox.set_limits(minutely=2)
    # Calls of an earlier export, through coachlink's own limiter: the minute is spent.
    for _ in range(2):
        api.journals(exact_link)
    assert client.budget_today(link=exact_link).minutely_left == 0

    web = finance(language)
    for state in (ExportState.PENDING, ExportState.SENDING):
        lease = timezone.now() + dt.timedelta(minutes=2)
        record_set(record, state=state, lease_until=lease if state == ExportState.SENDING else None)
        for html in both_fragments(web, record):
            seconds = int(re.search(WORDS[language]["minute"], html).group(1))
            assert 50 <= seconds <= 61
            assert polls(html)
            # Said once when the wait begins; the count itself is not read out each second.
            assert re.search(r'<span data-live-line aria-live="off">[^<]*' + str(seconds), html)


@pytest.fixture
def realtime_link_of():
    def make(link):
        link.export_moment = ExportMoment.REALTIME
        link.save()
        return link

    return make


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_export_waiting_for_the_days_budget_says_when_it_resets(
    exact_link, sandbox, settings, language
):
    # Bulk exports keep half of a small day for realtime ones and stop there.
    settings.EXACT_REALTIME_RESERVE = 0.5
    sandbox.set_limits(daily=24, minutely=1000)
    debtor = DebtorFactory()
    for _ in range(12):
        final_invoice_create(debtor=debtor)
    exact_link.export_moment = ExportMoment.NIGHTLY
    exact_link.save()
    invoices_export_bulk(link=exact_link)
    record = ExportRecord.objects.filter(error_kind=BUDGET_WAITING).first()
    assert record is not None and record.waits_for_budget
    resets_at = client.budget_today(link=exact_link).daily_resets_at
    time_text = timezone.localtime(resets_at).strftime("%H:%M")

    for html in both_fragments(finance(language), record):
        assert WORDS[language]["budget"].format(time=time_text) in html and polls(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_nightly_export_says_when_it_goes(db, language):
    ExactLinkFactory(
        enabled=True,
        export_moment=ExportMoment.NIGHTLY,
        nightly_time=dt.time(2, 30),
        nightly_repetition=Repetition.DAILY,
    )
    record = pending_record()
    expected = timezone.localtime(timezone.now()).date()
    if timezone.localtime(timezone.now()).time() >= dt.time(2, 30):
        expected += dt.timedelta(days=1)
    for html in both_fragments(finance(language), record):
        assert re.search(WORDS[language]["nightly"], html).group(1) == expected.strftime("%d-%m-%Y")


def test_the_nightly_export_runs_on_mondays_weekly_and_on_the_firsts_monthly(db):
    link = ExactLinkFactory(nightly_time=dt.time(2, 30), nightly_repetition=Repetition.WEEKLY)
    # Wednesday 4 March 2026, in the afternoon.
    now = timezone.make_aware(dt.datetime(2026, 3, 4, 15, 0))
    assert timezone.localtime(nightly_next_run(link=link, now=now)) == timezone.make_aware(
        dt.datetime(2026, 3, 9, 2, 30)
    )
    link.nightly_repetition = Repetition.MONTHLY
    assert timezone.localtime(nightly_next_run(link=link, now=now)) == timezone.make_aware(
        dt.datetime(2026, 4, 1, 2, 30)
    )
    link.nightly_repetition = Repetition.DAILY
    early = timezone.make_aware(dt.datetime(2026, 3, 4, 1, 0))
    assert timezone.localtime(nightly_next_run(link=link, now=early)) == timezone.make_aware(
        dt.datetime(2026, 3, 4, 2, 30)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_paused_link_says_the_invoice_waits_for_it(db, language):
    ExactLinkFactory(activation=Activation.PAUSED)
    record = pending_record()
    for html in both_fragments(finance(language), record):
        assert WORDS[language]["link_off"] in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_exported_invoice_shows_its_entry_number_and_stops_asking(realtime_link, language):
    record = record_set(
        pending_record(),
        state=ExportState.EXPORTED,
        entry_number=260042,
        exported_at=timezone.now(),
    )
    for html in both_fragments(finance(language), record):
        assert WORDS[language]["exported_badge"] in html
        assert not polls(html) and 'data-testid="export-progress"' not in html
    assert WORDS[language]["exported"].format(number=260042) in invoice_fragment(
        finance(language), record
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_invoice_shows_exacts_words_with_meaning_and_fix_and_stops_asking(
    realtime_link, language
):
    record = record_set(
        pending_record(),
        state=ExportState.FAILED,
        error_message="Verplicht: Betalingsconditie",
        error_kind="payment_condition",
        response={"status": 400, "messages": ["Verplicht: Betalingsconditie"]},
    )
    for html in both_fragments(finance(language), record):
        assert "Verplicht: Betalingsconditie" in html and WORDS[language]["fix"] in html
        assert not polls(html)


def test_an_excluded_invoice_does_not_ask_again(realtime_link):
    record = record_set(pending_record(), state=ExportState.EXCLUDED)
    assert not any(polls(html) for html in both_fragments(finance(), record))


def test_the_fragments_ask_the_same_permissions_as_their_pages(realtime_link):
    record = pending_record()
    invoice_url = reverse("exports:invoice_live", args=[record.invoice_id])
    record_url = reverse("exports:record_live", args=[record.pk])
    # The invoice page needs view_invoice, the record page view_exportrecord.
    exports_only = client_for("view_exportrecord")
    invoices_only = client_for("view_invoice")
    assert exports_only.get(invoice_url).status_code == 403
    invoice_page = reverse("billing:invoice_detail", args=[record.invoice_id])
    assert exports_only.get(invoice_page).status_code == 403
    assert invoices_only.get(record_url).status_code == 403
    assert invoices_only.get(reverse("exports:record", args=[record.pk])).status_code == 403
    assert invoices_only.get(invoice_url).status_code == 200
    assert exports_only.get(record_url).status_code == 200
    anonymous = Client().get(invoice_url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def queries_of(web: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert web.get(url).status_code == 200
    return len(captured)


def test_the_fragments_cost_a_fixed_number_of_queries_and_no_call_to_exact(
    exact_link, sandbox, realtime_link_of
):
    realtime_link_of(exact_link)
    small = ExportRecord.objects.get(invoice=final_invoice_create(lines=1))
    large = ExportRecord.objects.get(invoice=final_invoice_create(lines=30))
    web = finance()
    web.get(reverse("exports:invoice_live", args=[small.invoice_id]))  # the session, once
    sandbox.reset_counters()
    counts = set()
    for record in (small, large):
        for state in (ExportState.PENDING, ExportState.SENDING, ExportState.FAILED):
            record_set(
                record,
                state=state,
                lease_until=timezone.now() + dt.timedelta(minutes=1),
                payload={"SalesEntryLines": [{"AmountFC": 1}] * 30},
            )
            invoice_url = reverse("exports:invoice_live", args=[record.invoice_id])
            record_url = reverse("exports:record_live", args=[record.pk])
            counts.add((queries_of(web, invoice_url), queries_of(web, record_url)))
    # Session, user, the user's and the groups' permissions, the invoice with its record (or
    # the record with its invoice), the link; the record page adds the lines of what was sent.
    assert counts == {(6, 7)}
    assert sandbox.counters()["total"] == 0


def test_a_running_batch_keeps_asking_and_a_finished_one_stops(db):
    batch = ExportBatch.objects.create(kind=BatchKind.MANUAL, total=4, exported=1)
    web = client_for("view_exportrecord")
    page = web.get(reverse("exports:batch", args=[batch.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f'data-live-url="{reverse("exports:batch_live", args=[batch.pk])}?detailed=1"' in page
    running = web.get(reverse("exports:batch_live", args=[batch.pk]) + "?detailed=1")
    assert "1 of 4" in running.content.decode() and polls(running.content.decode())

    ExportBatch.objects.filter(pk=batch.pk).update(exported=4, finished_at=timezone.now())
    with CaptureQueriesContext(connection) as captured:
        done = web.get(reverse("exports:batch_live", args=[batch.pk]) + "?detailed=1")
    html = done.content.decode()
    assert "4 of 4" in html and "width: 100%" in html and not polls(html)
    # Session, user, the two permission reads, the batch with who started it.
    assert len(captured) == 5
    log = web.get(reverse("exports:log")).content.decode()
    assert "data-live-url" not in log
    refused = client_for("view_invoice").get(reverse("exports:batch_live", args=[batch.pk]))
    assert refused.status_code == 403
