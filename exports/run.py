"""Exporting final invoices to Exact Online, exactly once: one run, a batch or one invoice.

The protocol per invoice (see DESIGN.md, "Export semantics"; the states are in
exports.records):
1. claim the export record: PENDING (or SENDING whose lease ran out) becomes SENDING with a
   lease, by a compare-and-set UPDATE, so two workers never send the same invoice;
2. a record that was already SENDING may have reached Exact: it is settled by looking the entry
   up by YourRef before anything is posted again;
3. the entry is stored and committed (still SENDING) before the POST, and no transaction is
   open while Exact is waited on;
4. Exact's answer makes it EXPORTED; a refusal makes it FAILED with Exact's words; a transient
   failure leaves it for the next attempt (SENDING with an expired lease if the POST may have
   arrived, PENDING if it certainly did not).

A run reads what Exact holds once (exports.lookups), prepares the debtors and projects of each
chunk of invoices (exports.accounts), then sends the invoices one by one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Invoice
from billing.pdf import InvoicePdfError
from billing.services import invoice_pdf_render
from coachlink.messages import message_fields
from exports import records
from exports.accounts import accounts_prepare, codes_unavailable, problem_from, projects_prepare
from exports.builders import (
    ExactLookups,
    ExportProblem,
    InvoiceCodes,
    customer_check,
    invoice_codes_resolve,
    invoice_reference,
    sales_entry_build,
)
from exports.lookups import (
    lookups_read,
    lookups_remember,
    lookups_remembered,
    read_retried,
)
from exports.models import BatchKind, ExportBatch, ExportRecord
from integrations.exact import api, client, ratelimit
from integrations.exact.errors import BudgetSpent, ExactError, Reauthenticate, Transient
from integrations.models import ExactLink
from integrations.selectors import link_exports_allowed, link_get
from integrations.signals import Stopped, reauthentication_needed

logger = logging.getLogger(__name__)

# Invoices are loaded and their debtors looked up this many at a time: the database queries of
# a chunk do not grow with its size, and memory stays flat for a large backlog.
CHUNK_SIZE = 200
# After this many transient failures in a row Exact is probably down: stop and retry later
# instead of spending the whole batch on time-outs.
TRANSIENT_FAILURES_TO_STOP = 3


class ExportsInterrupted(Exception):
    """Transient failures left invoices unsettled; running the export again finishes them."""


@dataclass
class Run:
    """One export run (a batch, or one realtime invoice) and what it learnt of Exact."""

    link: ExactLink
    batch: ExportBatch | None
    lookups: ExactLookups
    export_date: dt.date
    # Each invoice's relation number and project code, resolved once per run.
    codes: dict[int, InvoiceCodes] = field(default_factory=dict)
    account_problems: dict[str, ExportProblem] = field(default_factory=dict)
    project_problems: dict[str, ExportProblem] = field(default_factory=dict)
    overwritten: set[str] = field(default_factory=set)
    transient_failures_in_a_row: int = 0
    unsettled: int = 0
    # Relation numbers and project codes Exact could not be asked about in this run: their
    # invoices stay as they are and the next run takes them.
    unavailable: set[str] = field(default_factory=set)

    def transient_failure(self, *, code: str, error: ExactError) -> None:
        self.unavailable.add(code)
        self.transient_failures_in_a_row += 1
        logger.warning("Exact failed for %s, trying again later: %s", code, error)
        if self.transient_failures_in_a_row >= TRANSIENT_FAILURES_TO_STOP:
            raise ExportsInterrupted(_("Exact Online keeps failing; the export will retry."))

    def count(self, counter: str) -> None:
        records.export_batch_count(batch=self.batch, counter=counter)


def _pdf_render(*, invoice: Invoice) -> bytes:
    """The invoice PDF, made before anything of the invoice is created in Exact: a PDF that
    cannot be made fails the invoice with the reason, and leaves nothing behind there."""
    try:
        return invoice_pdf_render(invoice=invoice)
    except InvoicePdfError as error:
        raise ExportProblem("invoice_pdf", error.said) from error


def _pdf_send(
    *, run: Run, record: ExportRecord, invoice: Invoice, customer_id: str, content: bytes
) -> str:
    """Upload the invoice PDF as a sales document once; the entry then carries its ID.

    An attempt before this one may have posted the document, or its attachment, and lost the
    answer: the document is then found by its subject and the attachment counted, so Exact
    never holds a second document for the invoice, nor an empty one.
    """
    link = run.link
    reference = invoice_reference(invoice=invoice, link=link)
    document_id = record.document_id
    if not document_id and record.document_subject:
        document_id = (
            read_retried(
                api.document_find, link, subject=record.document_subject, account_id=customer_id
            )
            or ""
        )
        if document_id:
            records.record_document(record=record, document_id=document_id)
    attached = False
    if document_id:
        attached = bool(read_retried(api.document_attachment_count, link, document_id=document_id))
    else:
        subject = f"{reference} {invoice.debtor.name}"[:100]
        records.record_document_posting(record=record, subject=subject)
        document_id = api.document_create(link, subject=subject, account_id=customer_id)
        records.record_document(record=record, document_id=document_id)
    if not attached:
        records.record_lease_renew(record=record)
        api.document_attach(
            link, document_id=document_id, file_name=f"{reference}.pdf", content=content
        )
    return document_id


def _invoice_send(*, run: Run, record: ExportRecord, invoice: Invoice) -> None:
    """Export one invoice whose record this run has just claimed."""
    link, codes = run.link, run.codes[invoice.pk]
    maybe_sent = record.sent_at is not None and bool(record.your_ref)
    try:
        if maybe_sent:
            found = read_retried(api.sales_entry_by_your_ref, link, your_ref=record.your_ref)
            if found is not None:
                records.record_exported(record=record, entry=found)
                run.count("exported")
                return
        code = codes.relation_checked()
        if code in run.account_problems:
            raise run.account_problems[code]
        if codes.project_checked() in run.project_problems:
            raise run.project_problems[codes.project]
        entry = sales_entry_build(
            invoice=invoice,
            link=link,
            lookups=run.lookups,
            export_date=run.export_date,
            codes=codes,
        )
        if link.send_pdf:
            content = _pdf_render(invoice=invoice)
            customer = customer_check(code=code, lookups=run.lookups)
            document_id = _pdf_send(
                run=run, record=record, invoice=invoice, customer_id=customer.id, content=content
            )
            entry = dataclasses.replace(entry, document_id=document_id)
        records.record_sending(record=record, entry=entry, account_code=code)
        maybe_sent = True
        records.record_exported(record=record, entry=api.sales_entry_create(link, entry=entry))
        run.count("exported")
        run.transient_failures_in_a_row = 0
    except records.LeaseLost:
        # Its lease ran out and another worker took the invoice over: that one finishes it.
        logger.warning("Export of invoice %s was taken over by another worker", invoice.pk)
        run.count("skipped")
    except ExportProblem as problem:
        records.record_failed(record=record, problem=problem)
        run.count("failed")
    except (Reauthenticate, BudgetSpent) as error:
        records.record_unsettled(record=record, error=error, maybe_sent=maybe_sent)
        # The link needs a new authentication, or the day's calls are spent: nothing else
        # can go either.
        raise
    except Transient as error:
        records.record_unsettled(record=record, error=error, maybe_sent=maybe_sent)
        run.unsettled += 1
        run.transient_failures_in_a_row += 1
        logger.warning("Export of invoice %s interrupted: %s", invoice.pk, error)
    except ExactError as error:
        records.record_failed(record=record, problem=problem_from(error), error=error)
        run.count("failed")
        run.transient_failures_in_a_row = 0


def _invoices_load(ids: list[int]) -> list[Invoice]:
    return list(
        Invoice.objects.filter(pk__in=ids)
        .select_related("debtor__company", "debtor__person", "course__definition", "request")
        .prefetch_related("lines__vat_rate", "lines__gl_account", "lines__cost_center")
        .order_by("number")
    )


def _chunks_export(*, run: Run, invoice_ids: list[int]) -> None:
    for start in range(0, len(invoice_ids), CHUNK_SIZE):
        chunk = invoice_ids[start : start + CHUNK_SIZE]
        invoices = _invoices_load(chunk)
        chunk_records = {
            record.invoice_id: record
            for record in ExportRecord.objects.filter(invoice_id__in=chunk)
        }
        for invoice in invoices:
            run.codes[invoice.pk] = invoice_codes_resolve(invoice=invoice, link=run.link)
        accounts_prepare(run=run, invoices=invoices)
        if run.link.project_code_source:
            projects_prepare(run=run, invoices=invoices)
        for invoice in invoices:
            record = chunk_records[invoice.pk]
            if codes_unavailable(run=run, codes=run.codes[invoice.pk]):
                run.unsettled += 1
                continue
            if not records.record_claim(record=record, batch=run.batch):
                run.count("skipped")
                continue
            _invoice_send(run=run, record=record, invoice=invoice)
            if run.transient_failures_in_a_row >= TRANSIENT_FAILURES_TO_STOP:
                raise ExportsInterrupted(_("Exact Online keeps failing; the export will retry."))


def _run(*, link: ExactLink, batch: ExportBatch | None, invoice_ids: list[int] | None) -> None:
    ids = list(
        records.exportable_records(invoice_ids=invoice_ids)
        .order_by("invoice__number")
        .values_list("invoice_id", flat=True)
    )
    if not ids:
        return
    # A batch reads Exact afresh; a realtime export starts from what recent runs confirmed.
    known = lookups_remembered(link=link) if batch is None else None
    run = Run(
        link=link,
        batch=batch,
        lookups=lookups_read(link=link, invoice_ids=ids, known=known),
        export_date=timezone.localdate(),
    )
    try:
        _chunks_export(run=run, invoice_ids=ids)
    finally:
        lookups_remember(link=link, lookups=run.lookups)
    if run.unsettled:
        raise ExportsInterrupted(
            _("%(count)s invoices met a passing failure; the export will retry.")
            % {"count": run.unsettled}
        )


def _records_export(
    *, link: ExactLink, batch: ExportBatch | None, invoice_ids: list[int] | None
) -> None:
    try:
        _run(link=link, batch=batch, invoice_ids=invoice_ids)
    except BudgetSpent as error:
        # The invoices wait for the reset; the recovery task resumes them. No retry is spent.
        waiting = records.records_wait_for_budget(batch=batch, invoice_ids=invoice_ids, error=error)
        logger.info("%s invoices wait for Exact's daily budget: %s", waiting, error.message)
    except Transient as error:
        # Before any invoice was reached (reading the journal, the accounts): the invoices
        # keep their state and say why they wait.
        if invoice_ids is not None:
            records.records_note(invoice_ids=invoice_ids, error=error)
        else:
            records.export_batch_stopped(batch=batch, error=error)
        raise ExportsInterrupted(str(error)) from error
    except ExactError as error:
        # Nothing per invoice went wrong (a look-up or the token did): the invoices wait.
        records.export_batch_stopped(batch=batch, error=error)
        logger.warning("Export run stopped: %s", error)
        if isinstance(error, Reauthenticate):
            reauthentication_needed.send(sender=ExactLink, link=link, stopped=Stopped.EXPORT)


def exports_budget_resume(*, link: ExactLink) -> int:
    """Resume the invoices waiting for the day's budget once bulk exports may call Exact
    again; how many were taken up (none while the budget is still spent)."""
    if not link_exports_allowed(link=link) or client.budget_today(link=link).bulk_waiting:
        return 0
    invoice_ids = list(records.records_waiting_for_budget().values_list("invoice_id", flat=True))
    if invoice_ids:
        logger.info("%s invoices resumed after Exact's daily budget reset", len(invoice_ids))
        with ratelimit.budget_lane(ratelimit.BULK):
            _records_export(link=link, batch=None, invoice_ids=invoice_ids)
    return len(invoice_ids)


def invoice_export(*, invoice: Invoice) -> ExportRecord:
    """Export one final invoice (the realtime path); a no-op unless the link is enabled."""
    if not invoice.is_final:
        raise ValueError(f"Invoice {invoice.pk} is a draft; only final invoices are exported.")
    record = records.export_record_ensure(invoice=invoice)
    link = link_get()
    if link_exports_allowed(link=link):
        _records_export(link=link, batch=None, invoice_ids=[invoice.pk])
        record.refresh_from_db()
    return record


def exports_recover(*, link: ExactLink) -> int:
    """Resume every record that waits with no worker on it (records.records_to_resume): a
    lease that ran out is settled by YourRef first, as any export does. How many were taken
    up; nothing while the link is not enabled."""
    if not link_exports_allowed(link=link):
        return 0
    invoice_ids = list(records.records_to_resume(link=link).values_list("invoice_id", flat=True))
    if invoice_ids:
        logger.info("Recovery resumes %s invoices", len(invoice_ids))
        _records_export(link=link, batch=None, invoice_ids=invoice_ids)
    return len(invoice_ids)


def invoices_export_bulk(
    *,
    link: ExactLink,
    invoice_ids: list[int] | None = None,
    batch: ExportBatch | None = None,
    kind: str = BatchKind.MANUAL,
) -> ExportBatch | None:
    """Export every exportable invoice (or those of ``invoice_ids``) as one batch.

    Nothing happens while the link is not enabled: the invoices stay PENDING.
    """
    if not link_exports_allowed(link=link):
        return None
    if batch is None:
        batch = records.export_batch_start(kind=kind, invoice_ids=invoice_ids)
    else:
        records.export_records_ensure()
        ExportBatch.objects.filter(pk=batch.pk).update(finished_at=None, **message_fields(""))
    try:
        with ratelimit.budget_lane(ratelimit.BULK):
            _records_export(link=link, batch=batch, invoice_ids=invoice_ids)
    finally:
        ExportBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now())
        batch.refresh_from_db()
    return batch
