"""The invoice PDF with the export: made before anything is created in Exact, and never a
second or an empty document there, however the answers get lost."""

import pytest
from fpdf.errors import FPDFException

from billing.pdf import InvoiceDocument
from exports import lookups, records
from exports.models import ExportRecord, ExportState
from exports.records import export_record_ensure, export_record_requeue
from exports.run import ExportsInterrupted, invoice_export
from integrations.exact import api
from testkit.factories import DebtorFactory, final_invoice_create
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(lookups, "READ_PAUSE_SECONDS", 0)


@pytest.fixture
def pdf_link(exact_link):
    exact_link.send_pdf = True
    exact_link.debtor_number_option_1 = "DebtorNumberExternal"
    exact_link.save()
    return exact_link


def known_invoice():
    """An invoice of a debtor Exact knows (the sandbox's customer 900001): no account to make."""
    return final_invoice_create(debtor=DebtorFactory(debtor_number_external="900001"))


def writes(sandbox) -> list[str]:
    calls = sandbox.counters()["by_method_endpoint"]
    return sorted(key for key in calls if key.startswith(("POST", "PUT")))


def documents(sandbox) -> list[dict]:
    return division_state(sandbox)["documents"]


def test_the_pdf_goes_with_the_entry_in_three_calls(pdf_link, sandbox):
    invoice = known_invoice()
    lookups.lookups_read(link=pdf_link, invoice_ids=[invoice.pk])
    sandbox.reset_counters()
    record = invoice_export(invoice=invoice)
    assert record.state == ExportState.EXPORTED
    assert writes(sandbox) == [
        "POST documents/DocumentAttachments",
        "POST documents/Documents",
        "POST salesentry/SalesEntries",
    ]
    [document] = documents(sandbox)
    assert len(document["Attachments"]) == 1
    assert division_state(sandbox)["sales_entries"][0]["Document"] == document["ID"]


def test_a_pdf_that_cannot_be_made_fails_the_invoice_and_nothing_reaches_exact(
    pdf_link, sandbox, monkeypatch
):
    def broken(self):
        raise FPDFException("not enough horizontal space to render a single character")

    monkeypatch.setattr(InvoiceDocument, "render", broken)
    invoice = known_invoice()

    record = invoice_export(invoice=invoice)

    assert record.state == ExportState.FAILED
    assert record.error_kind == "invoice_pdf"
    assert "could not be made: not enough horizontal space" in record.error_message
    assert "nothing was sent" in record.error_meaning
    assert not [w for w in writes(sandbox) if "documents" in w or "salesentry" in w]
    assert documents(sandbox) == []

    # The retry (a person fixed the invoice) is not a second failure in Exact either.
    monkeypatch.undo()
    export_record_requeue(record=record)
    assert invoice_export(invoice=invoice).state == ExportState.EXPORTED
    assert len(documents(sandbox)) == 1


def test_a_document_whose_answer_was_lost_is_found_not_made_again(pdf_link, sandbox):
    invoice = known_invoice()
    lookups.lookups_read(link=pdf_link, invoice_ids=[invoice.pk])
    # Every write is stored and its answer lost: the first one is the document's.
    sandbox.set_faults(drop_after_commit_rate=1.0, drop_mode="reset")
    with pytest.raises(ExportsInterrupted):
        invoice_export(invoice=invoice)
    assert len(documents(sandbox)) == 1
    assert ExportRecord.objects.get(invoice=invoice).document_subject

    sandbox.set_faults(drop_after_commit_rate=0.0)
    assert invoice_export(invoice=invoice).state == ExportState.EXPORTED

    [document] = documents(sandbox)
    assert len(document["Attachments"]) == 1
    assert division_state(sandbox)["sales_entries"][0]["Document"] == document["ID"]


@pytest.mark.parametrize("attached_before", [True, False])
def test_a_known_document_gets_its_pdf_once(pdf_link, sandbox, attached_before):
    invoice = known_invoice()
    record = export_record_ensure(invoice=invoice)
    account_id = api.accounts_by_codes(pdf_link, codes=["900001"])["900001"].id
    document_id = api.document_create(pdf_link, subject="earlier attempt", account_id=account_id)
    if attached_before:
        # The attachment was stored, its answer lost.
        api.document_attach(pdf_link, document_id=document_id, file_name="a.pdf", content=b"%PDF")
    ExportRecord.objects.filter(pk=record.pk).update(document_id=document_id)

    assert invoice_export(invoice=invoice).state == ExportState.EXPORTED

    [document] = documents(sandbox)
    assert len(document["Attachments"]) == 1


def test_through_lost_answers_and_garbage_every_invoice_has_one_document_with_its_pdf(
    pdf_link, sandbox
):
    invoices = [known_invoice() for _ in range(6)]
    sandbox.set_faults(
        drop_after_commit_rate=0.25,
        garbage_rate=0.15,
        error_rate=0.1,
        error_statuses=[502],
        seed=11,
    )
    rounds = 0
    while ExportRecord.objects.exclude(state=ExportState.EXPORTED).exists():
        rounds += 1
        assert rounds < 40, "the exports should settle"
        for invoice in invoices:
            try:
                invoice_export(invoice=invoice)
            except ExportsInterrupted:
                continue
    sandbox.set_faults(drop_after_commit_rate=0.0, garbage_rate=0.0, error_rate=0.0)

    assert rounds > 1, "the faults should have interrupted an export"
    entries = division_state(sandbox)["sales_entries"]
    found = documents(sandbox)
    assert sorted(e["YourRef"] for e in entries) == sorted(f"{i.number:05d}" for i in invoices)
    assert len(found) == len(invoices)
    assert all(len(document["Attachments"]) == 1 for document in found)
    assert {e["Document"] for e in entries} == {d["ID"] for d in found}


def test_a_worker_holding_an_old_copy_of_the_record_cannot_claim_it(pdf_link, sandbox):
    invoice = known_invoice()
    stale = ExportRecord.objects.get(invoice=invoice)
    # Another attempt posts the document, loses the answer and leaves the record PENDING, as
    # it found it: only its subject (and the time) says a document may exist.
    sandbox.set_faults(drop_after_commit_rate=1.0, drop_mode="reset")
    with pytest.raises(ExportsInterrupted):
        invoice_export(invoice=invoice)
    sandbox.set_faults(drop_after_commit_rate=0.0)
    assert ExportRecord.objects.get(pk=stale.pk).state == ExportState.PENDING

    assert not records.record_claim(record=stale, batch=None)
    assert invoice_export(invoice=invoice).state == ExportState.EXPORTED
    assert len(documents(sandbox)) == 1
