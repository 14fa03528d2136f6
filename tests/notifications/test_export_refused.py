"""A refused export tells the people who run the export, once a day, after the commit."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from coachlink.celery import app as celery_app
from exports.models import BUDGET_WAITING, ExportRecord, ExportState
from exports.run import ExportsInterrupted, invoice_export, invoices_export_bulk
from notifications.models import NoticeKind, Notification
from notifications.services import CLAIM_LOST_AFTER, notice_given_today
from notifications.tasks import RETRY_POLICY, notice_send_task, notices_lost_resend_task
from testkit.factories import DebtorFactory, final_invoice_create
from tests.notifications.conftest import SITE, a_day_passes

SUPPLIER = "800001"  # a relation the sandbox holds as a supplier, never a customer


@pytest.fixture
def supplier_link(exact_link):
    exact_link.debtor_number_option_1 = "DebtorNumberExternal"
    exact_link.save()
    return exact_link


def supplier_invoice():
    return final_invoice_create(debtor=DebtorFactory(debtor_number_external=SUPPLIER))


def refused(invoice):
    """Export ``invoice`` (made before, outside the worker) and see it refused."""
    record = invoice_export(invoice=invoice)
    assert record.state == ExportState.FAILED, record.error_message
    return record


def test_a_refusal_mails_the_people_who_run_the_export_once(
    supplier_link, sandbox, people, worker, mailoutbox
):
    invoice = supplier_invoice()
    with worker():
        record = refused(invoice)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == people
    assert "1 invoice was not exported to Exact Online" in mail.subject
    assert f"Invoice {invoice.number_display} · {invoice.debtor.name}" in mail.body
    assert "Refused by: coachlink, before sending" in mail.body
    assert str(record.error_meaning) in mail.body and str(record.error_fix) in mail.body
    assert f"{SITE}/exports/?state=failed" in mail.body
    html = mail.alternatives[0][0]
    assert mail.alternatives[0][1] == "text/html"
    assert invoice.debtor.name in html and f"{SITE}/exports/?state=failed" in html

    second, third = supplier_invoice(), supplier_invoice()
    with worker():
        refused(second)
    assert len(mailoutbox) == 1, "a second refusal the same day sends nothing"

    a_day_passes()
    with worker():
        refused(third)
    assert len(mailoutbox) == 2
    assert "3 invoices were not exported" in mailoutbox[1].subject


def test_a_refusal_in_exacts_words_is_quoted_with_its_meaning(
    exact_link, sandbox, people, worker, mailoutbox
):
    # Exact has no financial year for a booking date long ago.
    invoice = final_invoice_create(date=dt.date(2001, 3, 5))
    with worker():
        record = refused(invoice)
    assert record.refused_by == "exact"
    body = mailoutbox[0].body
    assert "Refused by: Exact Online" in body
    assert f"Exact Online answered: {record.error_message}" in body


def test_the_mail_leaves_the_export_transaction_first(
    supplier_link, sandbox, people, mail_settings, mailoutbox, django_capture_on_commit_callbacks
):
    invoice = supplier_invoice()
    with django_capture_on_commit_callbacks() as queued, transaction.atomic():
        refused(invoice)
        assert mailoutbox == []
    assert len(queued) == 1, "one task, queued for after the commit"
    assert mailoutbox == []


def test_a_passing_failure_mails_nobody(exact_link, sandbox, people, worker, mailoutbox):
    invoice = final_invoice_create()
    sandbox.set_faults(error_rate=1.0, error_statuses=[503])
    with worker(), pytest.raises(ExportsInterrupted):
        invoice_export(invoice=invoice)
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_invoices_waiting_for_the_days_budget_mail_nobody(
    exact_link, sandbox, people, worker, mailoutbox, settings
):
    settings.EXACT_REALTIME_RESERVE = 0.5
    sandbox.set_limits(daily=40, minutely=1000)
    debtor = DebtorFactory()
    for _ in range(25):
        final_invoice_create(debtor=debtor)
    with worker():
        invoices_export_bulk(link=exact_link)
    assert ExportRecord.objects.filter(error_kind=BUDGET_WAITING).exists()
    assert not ExportRecord.objects.filter(state=ExportState.FAILED).exists()
    assert mailoutbox == []


def test_without_anyone_to_tell_nothing_is_sent_and_it_is_logged_once(
    supplier_link, sandbox, worker, mailoutbox, caplog
):
    invoices = [supplier_invoice(), supplier_invoice()]
    with worker():
        refused(invoices[0])
        refused(invoices[1])
    assert mailoutbox == []
    assert len([r for r in caplog.records if "no active user" in r.getMessage()]) == 1
    assert Notification.objects.get().recipients == []


def test_a_mail_server_that_refuses_leaves_the_days_notice_to_be_sent(
    supplier_link, sandbox, people, worker, mailoutbox, settings, caplog
):
    from exact_sandbox.process import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    first, second = supplier_invoice(), supplier_invoice()
    with worker():
        refused(first)
    assert not Notification.objects.exists(), "the day's slot is not spent"
    failures = [r for r in caplog.records if "could not be sent" in r.getMessage()]
    assert len(failures) == 1 + RETRY_POLICY["max_retries"], "logged, and tried again"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with worker():
        refused(second)
    assert len(mailoutbox) == 1
    assert Notification.objects.get(kind=NoticeKind.EXPORTS_REFUSED).sent_at is not None


def test_a_bulk_runs_refusals_queue_one_mail_that_lists_them_all(
    supplier_link,
    sandbox,
    people,
    mail_settings,
    mailoutbox,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    # The broker holds a queued notice for its wait (a minute) while the run goes on.
    queued = []
    monkeypatch.setattr(
        notice_send_task, "apply_async", lambda args, countdown: queued.append(args)
    )
    for _ in range(4):
        supplier_invoice()
    with django_capture_on_commit_callbacks(execute=True):
        invoices_export_bulk(link=supplier_link)
    assert ExportRecord.objects.filter(state=ExportState.FAILED).count() == 4
    assert len(queued) == 1, "one notice queued for the run's four refusals"

    notice_send_task.apply(queued[0])
    assert len(mailoutbox) == 1
    assert "4 invoices were not exported to Exact Online" in mailoutbox[0].subject

    # The mail went: a later refusal that day queues nothing; the next day's does.
    with django_capture_on_commit_callbacks(execute=True):
        refused(supplier_invoice())
    assert len(queued) == 1
    a_day_passes()
    with django_capture_on_commit_callbacks(execute=True):
        refused(supplier_invoice())
    assert len(queued) == 2


def test_a_notice_whose_worker_stopped_before_sending_is_sent_by_the_next_check(
    supplier_link, sandbox, people, mail_settings, mailoutbox, monkeypatch
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    refused(supplier_invoice())
    # A worker claimed the day's notice and stopped before the mail went.
    claim = Notification.objects.create(
        kind=NoticeKind.EXPORTS_REFUSED, day=timezone.localdate(), recipients=people
    )
    assert notices_lost_resend_task.apply().successful()
    assert mailoutbox == [], "a fresh claim is being sent by its worker"

    Notification.objects.filter(pk=claim.pk).update(
        created_at=timezone.now() - CLAIM_LOST_AFTER - dt.timedelta(minutes=1)
    )
    assert not notice_given_today(kind=NoticeKind.EXPORTS_REFUSED)
    assert notices_lost_resend_task.apply().successful()
    assert len(mailoutbox) == 1
    assert "1 invoice was not exported to Exact Online" in mailoutbox[0].subject
    claim.refresh_from_db()
    assert claim.sent_at is not None

    assert notices_lost_resend_task.apply().successful()
    assert len(mailoutbox) == 1, "sent once"


def test_a_day_with_nobody_to_tell_is_not_sent_again(supplier_link, sandbox, worker, mailoutbox):
    with worker():
        refused(supplier_invoice())
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert notice_given_today(kind=NoticeKind.EXPORTS_REFUSED)
    assert notices_lost_resend_task.apply().successful()
    assert mailoutbox == [] and Notification.objects.get().sent_at is None


def test_the_lost_notices_check_is_on_the_beat_schedule():
    entry = celery_app.conf.beat_schedule["notifications: lost notices"]
    assert entry["task"] == notices_lost_resend_task.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] < CLAIM_LOST_AFTER.total_seconds()
