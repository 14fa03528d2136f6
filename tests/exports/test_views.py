"""The screens: the export log, a record, the preview, export now and the bulk progress."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coachlink import pagination
from coachlink.celery import app as celery_app
from exports.models import BatchKind, ExportBatch, ExportRecord, ExportState
from exports.records import export_record_ensure
from exports.selectors import export_state_counts
from testkit.factories import CompanyFactory, DebtorFactory, ExactLinkFactory, final_invoice_create
from tests.billing.test_invoice_list import TOTAL_QUERIES
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db


def user_with(*codenames: str) -> User:
    user = User.objects.create_user("clerk", password="secret-clerk")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def clerk_client() -> Client:
    client = Client()
    client.force_login(user_with("view_exportrecord", "change_exportrecord"))
    return client


def record_make(state=ExportState.PENDING, **fields) -> ExportRecord:
    record = export_record_ensure(invoice=final_invoice_create(**fields))
    ExportRecord.objects.filter(pk=record.pk).update(state=state)
    record.refresh_from_db()
    return record


def test_the_log_needs_the_permission_to_view_exports(client):
    client.force_login(user_with())
    assert client.get(reverse("exports:log")).status_code == 403


def test_the_log_filters_by_state(clerk_client):
    failed = record_make(ExportState.FAILED)
    exported = record_make(ExportState.EXPORTED)
    page = clerk_client.get(reverse("exports:log"), {"state": "failed"})
    assert list(page.context["page"]) == [failed]
    assert exported not in page.context["page"]


def test_the_log_finds_an_invoice_by_its_printed_number_and_by_debtor_name(clerk_client):
    wanted = record_make(debtor=DebtorFactory(company=CompanyFactory(name="Zonnebloem BV")))
    record_make()
    by_number = clerk_client.get(reverse("exports:log"), {"q": wanted.invoice.number_display})
    by_name = clerk_client.get(reverse("exports:log"), {"q": "zonnebloem"})
    assert list(by_number.context["page"]) == [wanted]
    assert list(by_name.context["page"]) == [wanted]


def test_the_log_costs_the_same_queries_for_three_rows_as_for_twenty(clerk_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clerk_client.get(reverse("exports:log")).status_code == 200
        return len(captured)

    for _ in range(3):
        record_make()
    few = queries()
    for _ in range(17):
        record_make(ExportState.EXPORTED)
    assert queries() == few


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        # session, user, permissions of the user and of its groups; the page's records with
        # their invoices, debtors and payments; the bounded count of each state (one query);
        # the chart; the bulk runs; the link; and the total of the list (TOTAL_QUERIES)
        ({}, 9),
        ({"state": "exported"}, 9),
        ({"page": "last"}, 9),
        # and the invoices by YourRef, the debtors by relation number, the debtors by name
        ({"q": "Zonnebloem"}, 12),
    ],
    ids=["first page", "one state", "last page", "search"],
)
def test_the_log_costs_a_fixed_number_of_queries(
    clerk_client, django_assert_num_queries, params, queries
):
    debtor = DebtorFactory(company=CompanyFactory(name="Zonnebloem BV"))
    for _ in range(27):
        record_make(ExportState.EXPORTED, debtor=debtor)

    with django_assert_num_queries(queries + TOTAL_QUERIES):
        response = clerk_client.get(reverse("exports:log"), params)

    assert len(response.context["page"]) == 25


def test_the_log_finds_a_record_by_yourref_and_by_relation_number(clerk_client):
    wanted = record_make()
    other = record_make()
    ExportRecord.objects.filter(pk=wanted.pk).update(your_ref="7700042", account_code="")
    ExportRecord.objects.filter(pk=other.pk).update(account_code="C-81")

    by_ref = clerk_client.get(reverse("exports:log"), {"q": "7700042"}).context["page"]
    by_code = clerk_client.get(reverse("exports:log"), {"q": "C-81"}).context["page"]

    assert list(by_ref) == [wanted]
    assert list(by_code) == [other]


@pytest.mark.parametrize("listed", [500, 1], ids=["debtors listed", "broad search"])
def test_the_log_finds_every_record_of_every_matching_debtor(clerk_client, monkeypatch, listed):
    monkeypatch.setattr("billing.selectors.DEBTORS_LISTED", listed)
    north = DebtorFactory(company=CompanyFactory(name="Zonnebloem Noord"))
    south = DebtorFactory(company=CompanyFactory(name="Zonnebloem Zuid"))
    wanted = {record_make(debtor=north), record_make(debtor=south), record_make(debtor=south)}
    record_make(debtor=DebtorFactory(company=CompanyFactory(name="Andere Klant BV")))

    page = clerk_client.get(reverse("exports:log"), {"q": "zonnebloem"}).context["page"]

    assert set(page) == wanted


def test_a_search_that_matches_nothing_says_so(clerk_client):
    record_make()

    response = clerk_client.get(reverse("exports:log"), {"q": "Nergens te vinden"})

    assert list(response.context["page"]) == []
    html = response.content.decode()
    assert "No exports match." in html
    assert "0 results" in html


def test_the_chart_shows_todays_exports(clerk_client):
    record = record_make(ExportState.EXPORTED)
    ExportRecord.objects.filter(pk=record.pk).update(exported_at=timezone.now())
    days = clerk_client.get(reverse("exports:log")).context["days"]
    assert days[-1].day == timezone.localdate()
    assert (days[-1].count, days[-1].percent) == (1, 100)


def test_a_failed_record_shows_exacts_words_meaning_fix_and_what_was_sent(clerk_client):
    record = record_make(ExportState.FAILED)
    ExportRecord.objects.filter(pk=record.pk).update(
        error_message="Verplicht: Betalingsconditie",
        error_kind="payment_condition",
        payload={"YourRef": "00042"},
        response={"status": 400, "messages": ["Verplicht: Betalingsconditie"]},
    )
    page = clerk_client.get(reverse("exports:record", args=[record.pk])).content.decode()
    assert "Verplicht: Betalingsconditie" in page
    assert "default sales payment condition" in page
    assert "Set a default sales payment condition" in page
    assert "&quot;YourRef&quot;: &quot;00042&quot;" in page
    assert "Retry" in page


def test_retrying_needs_a_post_with_a_csrf_token(db):
    record = record_make(ExportState.FAILED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with("view_exportrecord", "change_exportrecord"))
    url = reverse("exports:record_requeue", args=[record.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    record.refresh_from_db()
    assert record.state == ExportState.FAILED


def test_retrying_a_failed_record_queues_it_again(clerk_client, django_capture_on_commit_callbacks):
    ExactLinkFactory(enabled=True)
    record = record_make(ExportState.FAILED)
    with django_capture_on_commit_callbacks() as callbacks:
        answer = clerk_client.post(reverse("exports:record_requeue", args=[record.pk]))
    assert answer.status_code == 302
    record.refresh_from_db()
    assert record.state == ExportState.PENDING
    assert len(callbacks) == 1


def test_re_exporting_an_exported_record_looks_it_up_before_posting_again(clerk_client):
    record = record_make(ExportState.EXPORTED)
    clerk_client.post(reverse("exports:record_requeue", args=[record.pk]))
    record.refresh_from_db()
    assert record.state == ExportState.SENDING
    assert record.lease_until <= timezone.now()


def test_the_preview_shows_the_entry_without_sending_it(clerk_client, exact_link, sandbox):
    invoice = final_invoice_create()
    page = clerk_client.get(reverse("exports:preview", args=[invoice.pk]))
    assert f"&quot;YourRef&quot;: &quot;{invoice.number:05d}&quot;" in page.content.decode()
    assert "&quot;Journal&quot;: &quot;70&quot;" in page.content.decode()
    posts = [k for k in sandbox.counters()["by_method_endpoint"] if k.startswith("POST")]
    assert posts == []
    assert division_state(sandbox)["sales_entries"] == []


def test_a_change_in_coachlinks_tables_shows_in_the_next_preview_at_once(
    clerk_client, exact_link, sandbox
):
    invoice = final_invoice_create()
    url = reverse("exports:preview", args=[invoice.pk])
    assert "Omzet incompany trainingen" not in clerk_client.get(url).content.decode()
    gl_account = invoice.lines.get().gl_account
    gl_account.code = "8010"
    gl_account.save()
    assert "Omzet incompany trainingen" in clerk_client.get(url).content.decode()
    company = invoice.debtor.company
    company.name = "Opleidingen Zuid B.V."
    company.save()
    assert "Opleidingen Zuid B.V." in clerk_client.get(url).content.decode()
    sandbox.reset_counters()
    assert "Opleidingen Zuid B.V." in clerk_client.get(url).content.decode()
    assert sandbox.counters()["total"] == 0


def test_the_preview_explains_why_an_invoice_could_not_go(clerk_client, exact_link, sandbox):
    exact_link.journal = "10"
    exact_link.save()
    invoice = final_invoice_create()
    page = clerk_client.get(reverse("exports:preview", args=[invoice.pk])).content.decode()
    assert "not a sales journal" in page
    assert "fix the journal number" in page


def test_export_now_runs_a_batch_whose_progress_is_shown(
    clerk_client, exact_link, sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    for _ in range(3):
        export_record_ensure(invoice=final_invoice_create())
    with django_capture_on_commit_callbacks(execute=True):
        answer = clerk_client.post(reverse("exports:export_now"))
    batch = ExportBatch.objects.get()
    assert answer.url == reverse("exports:batch", args=[batch.pk])
    assert (batch.kind, batch.total) == (BatchKind.MANUAL, 3)
    page = clerk_client.get(answer.url).content.decode()
    assert 'class="progress"' in page
    assert "width: 100%" in page
    assert len(division_state(sandbox)["sales_entries"]) == 3


def test_export_now_refuses_while_the_link_is_paused(clerk_client):
    ExactLinkFactory(activation="paused")
    clerk_client.post(reverse("exports:export_now"))
    assert not ExportBatch.objects.exists()


def test_existing_invoices_are_excluded_up_to_the_date_given(clerk_client):
    old = record_make(date=dt.date(2025, 6, 1))
    new = record_make(date=dt.date(2026, 6, 1))
    clerk_client.post(reverse("exports:exclude"), {"up_to": "2025-12-31"})
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, new.state) == (ExportState.EXCLUDED, ExportState.PENDING)


def test_the_log_speaks_dutch(clerk_client):
    record_make(ExportState.FAILED)
    page = clerk_client.get(reverse("exports:log"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Exportlog" in page
    assert "Mislukt" in page
    assert "Bestaande facturen uitsluiten" in page


def test_states_above_the_bound_are_estimated_from_the_columns_statistics(monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_BOUND", 2)
    for _ in range(5):
        record_make(ExportState.EXPORTED)
    record_make(ExportState.FAILED)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE exports_exportrecord")

    counts = export_state_counts()

    assert str(counts["failed"]) == "1"
    assert str(counts["pending"]) == "0"
    if connection.vendor == "postgresql":
        assert str(counts["exported"]) == "about 5"
    else:
        assert str(counts["exported"]) == "more than 2"
