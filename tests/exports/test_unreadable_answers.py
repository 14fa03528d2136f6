"""What Exact says but cannot be understood never crashes a screen."""

import pytest
from django.urls import reverse

from exports import lookups
from exports.run import invoice_export
from testkit.factories import final_invoice_create

pytestmark = pytest.mark.django_db

GARBAGE_KINDS = ["html", "truncated", "null", "error", "shape"]


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(lookups, "READ_PAUSE_SECONDS", 0)


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
