"""Payment registration on the screens and in the schedule: badges, buttons and the beat task."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from exports.models import ExportRecord, PaymentState, PaymentStatus
from exports.records import export_record_ensure
from exports.run import invoice_export
from exports.tasks import payment_status_sync_task
from testkit.factories import ExactLinkFactory, final_invoice_create
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_client(clerk) -> Client:
    return clerk


def paid_in_the_sandbox(sandbox, record: ExportRecord) -> None:
    receivable = next(
        row
        for row in division_state(sandbox)["receivables"]
        if row["TransactionEntryID"] == record.entry_id
    )
    answer = sandbox.ui_post(
        f"/divisions/7095/receivables/{receivable['ID']}/pay/", {"kind": "full"}
    )
    assert answer.status_code == 302


def test_the_log_shows_the_payment_column_and_the_fetch_button(clerk_client):
    ExactLinkFactory(enabled=True, payment_registration=True)
    record = export_record_ensure(invoice=final_invoice_create())
    PaymentStatus.objects.create(
        record=record,
        state=PaymentState.PARTLY_PAID,
        amount=Decimal("350.00"),
        open_amount=Decimal("120.00"),
    )
    page = clerk_client.get(reverse("exports:log"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Betaling" in page and "Deels betaald" in page
    assert "Betaalstatus ophalen" in page
    detail = clerk_client.get(reverse("exports:record", args=[record.pk])).content.decode()
    assert "Partly paid: €\xa0120.00 of €\xa0350.00 still open" in detail


def test_the_log_has_no_fetch_button_without_payment_registration(clerk_client):
    ExactLinkFactory(enabled=True)
    assert "Fetch payment status" not in clerk_client.get(reverse("exports:log")).content.decode()


def test_paying_in_exact_shows_on_the_record_after_fetch_payment_status(
    clerk_client, exact_link, sandbox
):
    record = invoice_export(invoice=final_invoice_create())
    paid_in_the_sandbox(sandbox, record)
    answer = clerk_client.post(reverse("exports:payment_fetch", args=[record.pk]), follow=True)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "text-bg-success" in page and "Paid on" in page
    assert ExportRecord.objects.get(pk=record.pk).payment.is_paid


def test_the_log_button_and_the_scheduled_task_run_the_sync(clerk_client, exact_link, sandbox):
    exact_link.payment_registration = True
    exact_link.save()
    first = invoice_export(invoice=final_invoice_create())
    second = invoice_export(invoice=final_invoice_create())
    paid_in_the_sandbox(sandbox, first)
    answer = clerk_client.post(reverse("exports:payment_sync"), follow=True)
    assert "1 invoice changed" in answer.content.decode()
    assert ExportRecord.objects.get(pk=first.pk).payment.is_paid
    paid_in_the_sandbox(sandbox, second)
    payment_status_sync_task()
    assert ExportRecord.objects.get(pk=second.pk).payment.is_paid


def test_fetching_needs_a_post_and_the_permission_to_change_exports(db):
    record = export_record_ensure(invoice=final_invoice_create())
    user = User.objects.create_user("viewer", password="secret-viewer")
    user.user_permissions.set(Permission.objects.filter(codename="view_exportrecord"))
    client = Client()
    client.force_login(user)
    url = reverse("exports:payment_fetch", args=[record.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403


def test_the_invoice_list_shows_what_reached_exact_and_what_is_paid(admin_client):
    ExactLinkFactory(enabled=True, payment_registration=True)
    exported = final_invoice_create()
    record = export_record_ensure(invoice=exported)
    ExportRecord.objects.filter(pk=record.pk).update(state="exported", entry_number=7)
    PaymentStatus.objects.create(record=record, state=PaymentState.PAID, amount=Decimal("121.00"))

    page = admin_client.get(reverse("billing:invoice_list"), HTTP_ACCEPT_LANGUAGE="nl")

    html = page.content.decode()
    assert reverse("exports:record", args=[record.pk]) in html
    assert "Geëxporteerd" in html and "Betaald" in html
