"""What Exact says but cannot be understood never crashes a screen or strands an export."""

import pytest
from django.urls import reverse

from exports import lookups
from exports.models import ExportRecord, ExportState
from exports.run import ExportsInterrupted, invoice_export
from testkit.factories import final_invoice_create
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db

GARBAGE_KINDS = ["html", "truncated", "null", "error", "shape"]


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(lookups, "READ_PAUSE_SECONDS", 0)


@pytest.mark.parametrize("kind", GARBAGE_KINDS)
def test_an_export_meeting_garbage_keeps_a_message_and_goes_when_exact_recovers(
    exact_link, sandbox, kind
):
    invoice = final_invoice_create()
    sandbox.set_faults(garbage_rate=1.0, garbage_kinds=[kind])
    with pytest.raises(ExportsInterrupted):
        invoice_export(invoice=invoice)
    record = ExportRecord.objects.get(invoice=invoice)
    assert record.state in (ExportState.PENDING, ExportState.SENDING)
    assert "cannot read" in record.error_message
    sandbox.set_faults(garbage_rate=0.0)
    assert invoice_export(invoice=invoice).state == ExportState.EXPORTED
    assert [e["YourRef"] for e in division_state(sandbox)["sales_entries"]] == [
        f"{invoice.number:05d}"
    ]


def test_a_foreign_page_link_in_an_export_is_not_followed(exact_link, sandbox):
    invoice = final_invoice_create()
    sandbox.set_faults(foreign_next_rate=1.0, foreign_next_url="http://127.0.0.1:9/")
    with pytest.raises(ExportsInterrupted):
        invoice_export(invoice=invoice)
    assert "another site" in ExportRecord.objects.get(invoice=invoice).error_message


def test_the_preview_is_read_from_exact_once_for_a_while(clerk, exact_link, sandbox):
    invoice = final_invoice_create()
    first = clerk.get(reverse("exports:preview", args=[invoice.pk])).content.decode()
    calls = sandbox.counters()["total"]
    assert calls > 0
    second = clerk.get(reverse("exports:preview", args=[invoice.pk])).content.decode()
    assert sandbox.counters()["total"] == calls
    assert f"&quot;YourRef&quot;: &quot;{invoice.number:05d}&quot;" in second
    assert "Read from Exact Online at" in first
    # A change on the panel shows at once.
    exact_link.journal = "10"
    exact_link.save()
    third = clerk.get(reverse("exports:preview", args=[invoice.pk])).content.decode()
    assert "not a sales journal" in third


@pytest.mark.parametrize("kind", GARBAGE_KINDS)
def test_the_preview_shows_a_message_for_garbage_never_a_500(clerk, exact_link, sandbox, kind):
    invoice = final_invoice_create()
    sandbox.set_faults(garbage_rate=1.0, garbage_kinds=[kind])
    page = clerk.get(reverse("exports:preview", args=[invoice.pk]))
    assert page.status_code == 200
    assert "cannot read" in page.content.decode()


@pytest.mark.parametrize("kind", GARBAGE_KINDS)
def test_fetching_the_payment_status_shows_a_message_for_garbage_never_a_500(
    clerk, exact_link, sandbox, kind
):
    record = invoice_export(invoice=final_invoice_create())
    sandbox.set_faults(garbage_rate=1.0, garbage_kinds=[kind])
    answer = clerk.post(reverse("exports:payment_fetch", args=[record.pk]), follow=True)
    assert answer.status_code == 200
    assert "cannot read" in answer.content.decode()
