"""Exporting invoices to the sandbox over real HTTP: what arrives in Exact, and how often."""

from decimal import Decimal

import pytest

from exports.models import ExportRecord, ExportState
from exports.services import invoice_export, invoices_export_bulk
from tests.billing.factories import final_invoice_create
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db


def entries_by_ref(sandbox) -> dict:
    entries = division_state(sandbox)["sales_entries"]
    return {entry["YourRef"]: entry for entry in entries}


def test_it_books_a_final_invoice_as_a_sales_entry_for_a_new_customer(exact_link, sandbox):
    invoice = final_invoice_create(lines=2, unit_price=Decimal("250.00"))
    record = invoice_export(invoice=invoice)
    assert record.state == ExportState.EXPORTED, record.error_message
    state = division_state(sandbox)
    entry = {e["YourRef"]: e for e in state["sales_entries"]}[f"{invoice.number:05d}"]
    assert entry["EntryID"] == record.entry_id
    assert entry["Journal"].strip() == "70"
    account = next(a for a in state["accounts"] if a["ID"] == entry["Customer"])
    assert account["Code"].strip() == str(invoice.debtor.debtor_number)
    assert account["Name"] == invoice.debtor.name
    assert account["Status"] == "C"
    print(entry, account)
