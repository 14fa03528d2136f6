"""The export record and the preview in a finance user's words: who refused, and the entry."""

import datetime as dt
import re
from decimal import Decimal

from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import translation

from exports.models import ExportState
from exports.run import invoice_export
from testkit.factories import final_invoice_create

ANSWERED = {"en": "Exact Online answered:", "nl": "Exact Online antwoordde:"}
NOT_SENT = {"en": "Not sent:", "nl": "Niet verstuurd:"}


def _page(client, name: str, pk: int, language: str) -> str:
    return client.get(reverse(name, args=[pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_refusal_of_coachlinks_own_says_not_sent_in_english_and_dutch(clerk, exact_link, sandbox):
    exact_link.journal = "10"  # a journal that exists in Exact but is no sales journal
    exact_link.save()
    record = invoice_export(invoice=final_invoice_create())
    assert record.state == ExportState.FAILED
    assert record.refused_by == "coachlink"
    english = _page(clerk, "exports:record", record.pk, "en")
    assert NOT_SENT["en"] in english
    assert "nothing reached Exact Online" in english
    assert "The sales journal is missing in Exact Online or its number is wrong." in english
    assert ANSWERED["en"] not in english
    dutch = _page(clerk, "exports:record", record.pk, "nl")
    assert NOT_SENT["nl"] in dutch
    assert "er is niets bij Exact Online aangekomen" in dutch
    assert "The sales journal is missing" not in dutch
    assert "How to fix it" not in dutch and "What it means" not in dutch
    assert ANSWERED["nl"] not in dutch


def test_a_refusal_by_exact_says_exact_answered_with_its_meaning_in_the_users_language(
    clerk, exact_link, sandbox
):
    # Exact has no financial year for a booking date long ago.
    record = invoice_export(invoice=final_invoice_create(date=dt.date(2001, 3, 5)))
    assert (record.state, record.refused_by) == (ExportState.FAILED, "exact"), record.error_message
    assert record.response is not None
    english = _page(clerk, "exports:record", record.pk, "en")
    assert ANSWERED["en"] in english and NOT_SENT["en"] not in english
    dutch = _page(clerk, "exports:record", record.pk, "nl")
    assert ANSWERED["nl"] in dutch and NOT_SENT["nl"] not in dutch
    with translation.override("en"):
        meaning = str(record.error_meaning)
    assert meaning in english and meaning not in dutch


def test_the_preview_reads_as_the_sales_entry_exact_will_show(clerk, exact_link, sandbox):
    invoice = final_invoice_create(lines=2, unit_price=Decimal("1234.50"))
    line = invoice.lines.first()
    english = _page(clerk, "exports:preview", invoice.pk, "en")
    entry = english[english.index("data-sales-entry") : english.index("data-technical-details")]
    assert "Journal" in entry and ">70<" in entry
    assert invoice.debtor.name in entry
    assert f"{invoice.number:05d}" in entry
    assert f"period {invoice.date.month} of {invoice.date.year}" in entry
    assert line.gl_account.code in entry and line.description in entry
    assert "€&nbsp;1,234.50" in entry
    assert "€&nbsp;2,469.00" in entry  # the total excluding VAT
    # The VAT booked with the lines, and the total as on the invoice.
    assert "€&nbsp;518.49" in entry and "€&nbsp;2,987.49" in entry
    assert invoice.total_incl_vat == Decimal("2987.49")
    assert "&quot;" not in entry and not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", entry)
    # The body itself is one click away, behind the technical details.
    details = english[english.index("data-technical-details") :]
    assert "&quot;Journal&quot;: &quot;70&quot;" in details
    dutch = _page(clerk, "exports:preview", invoice.pk, "nl")
    assert "Dagboek" in dutch and "Bedrag excl. btw" in dutch and "Technische details" in dutch
    assert "€&nbsp;1.234,50" in dutch and "€&nbsp;2.469,00" in dutch
    assert f"periode {invoice.date.month} van {invoice.date.year}" in dutch


def test_the_record_shows_what_was_sent_as_a_readable_entry(clerk, exact_link, sandbox):
    record = invoice_export(invoice=final_invoice_create(unit_price=Decimal("99.95")))
    assert record.state == ExportState.EXPORTED, record.error_message
    line = record.invoice.lines.get()
    english = _page(clerk, "exports:record", record.pk, "en")
    entry = english[english.index("data-sales-entry") : english.index("data-technical-details")]
    assert f"{line.gl_account.code}</span> {line.gl_account.name}" in entry
    assert "€&nbsp;99.95" in entry and record.account_code in entry
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", entry)
    assert "&quot;YourRef&quot;" in english[english.index("data-technical-details") :]
    dutch = _page(clerk, "exports:record", record.pk, "nl")
    dutch_entry = dutch[dutch.index("data-sales-entry") : dutch.index("data-technical-details")]
    assert "€&nbsp;99,95" in dutch_entry and "Grootboekrekening" in dutch_entry, dutch_entry


def test_the_invoice_page_says_who_refused_the_same_way(clerk, exact_link, sandbox):
    exact_link.journal = "10"
    exact_link.save()
    record = invoice_export(invoice=final_invoice_create())
    User.objects.get(username="clerk").user_permissions.add(
        Permission.objects.get(codename="view_invoice")
    )
    dutch = _page(clerk, "billing:invoice_detail", record.invoice_id, "nl")
    assert NOT_SENT["nl"] in dutch and "er is niets bij Exact Online aangekomen" in dutch
