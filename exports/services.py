"""Exporting final invoices to Exact Online, exactly once.

The protocol per invoice (see DESIGN.md, "Export semantics"):
1. claim the export record: PENDING (or SENDING whose lease ran out) becomes SENDING with a
   lease, by a compare-and-set UPDATE, so two workers never send the same invoice;
2. a record that was already SENDING may have reached Exact: it is settled by looking the entry
   up by YourRef before anything is posted again;
3. the payload is stored and committed (still SENDING) before the POST, and no transaction is
   open while Exact is waited on;
4. Exact's answer makes it EXPORTED; a refusal makes it FAILED with Exact's words; a transient
   failure leaves it for the next attempt (SENDING with an expired lease if the POST may have
   arrived, PENDING if it certainly did not).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import GLAccount, Invoice, InvoiceLine, VatRate
from billing.services import invoice_pdf_render
from exports.builders import (
    ExactLookups,
    ExportProblem,
    account_fields_build,
    customer_check,
    debtor_number_resolve,
    invoice_reference,
    project_code_resolve,
    sales_entry_build,
)
from exports.explanations import explanation_find
from exports.models import BatchKind, ExportBatch, ExportRecord, ExportState
from integrations.exact import api, oauth, rules
from integrations.exact.entities import Account, Project, SalesEntry
from integrations.exact.errors import ExactError, Reauthenticate, Transient
from integrations.models import ExactLink
from integrations.selectors import link_exports_allowed, link_get

logger = logging.getLogger(__name__)

# Invoices are loaded and their debtors looked up this many at a time: the database queries of
# a chunk do not grow with its size, and memory stays flat for a large backlog.
CHUNK_SIZE = 200
# After this many transient failures in a row Exact is probably down: stop and retry later
# instead of spending the whole batch on time-outs.
TRANSIENT_FAILURES_TO_STOP = 3
# A realtime export (one invoice) would read the same journal, GL accounts, VAT codes and
# accounts every time; what Exact confirmed is remembered this long. Batches read afresh and a
# retry forgets it, so a mapping fixed in Exact is seen at once.
LOOKUPS_CACHE_SECONDS = 600
# A read changes nothing in Exact, so a passing failure of one is retried on the spot, briefly;
# a write is never repeated blindly (see the settlement by YourRef).
READ_ATTEMPTS = 3
READ_PAUSE_SECONDS = 0.2


class ExportsInterrupted(Exception):
    """Transient failures left invoices unsettled; running the export again finishes them."""


def _lease_until() -> dt.datetime:
    # Long enough for a PDF and a POST, each with its time-out, and a rate-limit wait.
    return timezone.now() + dt.timedelta(seconds=3 * settings.EXACT_DEADLINE + 90)


def export_record_ensure(*, invoice: Invoice) -> ExportRecord:
    record, _created = ExportRecord.objects.get_or_create(invoice=invoice)
    return record


def export_records_ensure() -> None:
    """Give every final invoice without an export record a PENDING one."""
    missing = Invoice.objects.filter(
        status=Invoice.Status.FINAL, export_record__isnull=True
    ).values_list("pk", flat=True)
    ExportRecord.objects.bulk_create(
        [ExportRecord(invoice_id=pk) for pk in missing], ignore_conflicts=True
    )


def invoices_exclude_existing(*, up_to: dt.date) -> int:
    """Mark final invoices dated up to ``up_to`` as EXCLUDED: they never go to Exact.

    For invoices that existed before the link (seed 001's first step). Invoices being sent or
    already exported are left alone.
    """
    export_records_ensure()
    return ExportRecord.objects.filter(
        invoice__date__lte=up_to, state__in=[ExportState.PENDING, ExportState.FAILED]
    ).update(state=ExportState.EXCLUDED, updated_at=timezone.now())


def export_record_requeue(*, record: ExportRecord) -> ExportRecord:
    """Make a failed, excluded or exported record exportable again (retry, re-export).

    A record that was ever sent goes back as SENDING with an expired lease, so the next
    export first looks for the entry by YourRef and never books it twice. A record a worker
    is sending right now is left to that worker.
    """
    now = timezone.now()
    was_sent = record.sent_at is not None or record.state == ExportState.EXPORTED
    ExportRecord.objects.filter(
        Q(state__in=[ExportState.FAILED, ExportState.EXCLUDED, ExportState.EXPORTED])
        | Q(state=ExportState.SENDING, lease_until__lt=now),
        pk=record.pk,
    ).update(
        state=ExportState.SENDING if was_sent else ExportState.PENDING,
        lease_until=now if was_sent else None,
        updated_at=now,
    )
    record.refresh_from_db()
    link = link_get()
    if link is not None:
        lookups_forget(link=link)
    return record


def _exportable() -> Q:
    now = timezone.now()
    return Q(state=ExportState.PENDING) | Q(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), state=ExportState.SENDING
    )


def exportable_records(*, invoice_ids: Iterable[int] | None = None):
    records = ExportRecord.objects.filter(_exportable())
    if invoice_ids is not None:
        records = records.filter(invoice_id__in=list(invoice_ids))
    return records


def export_batch_start(
    *, kind: str, user: AbstractBaseUser | None = None, invoice_ids: list[int] | None = None
) -> ExportBatch:
    """A batch row, so its progress can be shown before a worker picks it up."""
    export_records_ensure()
    total = exportable_records(invoice_ids=invoice_ids).count()
    return ExportBatch.objects.create(
        kind=kind,
        started_by=user if user is not None and user.is_authenticated else None,
        total=total,
    )


# Reading what Exact holds, once per batch


def _retried(read, **kwargs):
    attempt = 1
    while True:
        try:
            return read(**kwargs)
        except Transient:
            if attempt >= READ_ATTEMPTS:
                raise
            time.sleep(READ_PAUSE_SECONDS * attempt * (1 + random.random()))
            attempt += 1


def lookups_read(
    *, link: ExactLink, invoice_ids: list[int], known: ExactLookups | None = None
) -> ExactLookups:
    """The journal, GL accounts, VAT codes and cost centres the invoices use, as Exact has them.

    Only what ``known`` does not hold yet is asked for.
    """
    lookups = known or ExactLookups()
    lines = InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
    gl_codes = {
        code.strip()
        for code in GLAccount.objects.filter(invoiceline__in=lines).values_list("code", flat=True)
    } | {link.debtor_gl_account.strip()}
    vat_codes = {
        code.strip()
        for code in VatRate.objects.filter(invoiceline__in=lines).values_list(
            "exact_code", flat=True
        )
    }
    if link.journal.strip() not in lookups.journals:
        lookups.journals.update(_retried(api.journals, link=link, codes=[link.journal]))
    if gl_codes - set(lookups.gl_accounts):
        lookups.gl_accounts.update(
            _retried(api.gl_accounts, link=link, codes=gl_codes - set(lookups.gl_accounts))
        )
    if vat_codes - set(lookups.vat_codes):
        lookups.vat_codes.update(
            _retried(api.vat_codes, link=link, codes=vat_codes - set(lookups.vat_codes))
        )
    if link.send_cost_center:
        cost_centres = {
            code.strip()
            for code in lines.exclude(cost_center=None).values_list("cost_center__code", flat=True)
        }
        if cost_centres - set(lookups.cost_centres):
            lookups.cost_centres.update(
                _retried(
                    api.cost_centres, link=link, codes=cost_centres - set(lookups.cost_centres)
                )
            )
    return lookups


def _lookups_cache_key(link: ExactLink) -> str:
    return f"exports:lookups:{oauth.base_url(link.site)}:{link.division}"


def lookups_forget(*, link: ExactLink) -> None:
    """Drop what realtime exports remember of Exact (after the user fixed something there)."""
    cache.delete(_lookups_cache_key(link))


def _accounts_find(*, link: ExactLink, codes: Iterable[str]) -> dict[str, Account]:
    """Existing accounts by relation number, in as few calls as the URL limit allows."""
    return _retried(api.accounts_by_codes, link=link, codes=codes)


@dataclass
class _Run:
    """One export run (a batch, or one realtime invoice) and what it learnt of Exact."""

    link: ExactLink
    batch: ExportBatch | None
    lookups: ExactLookups
    export_date: dt.date
    account_problems: dict[str, ExportProblem] = field(default_factory=dict)
    overwritten: set[str] = field(default_factory=set)
    project_problems: dict[str, ExportProblem] = field(default_factory=dict)
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
        if self.batch is not None:
            ExportBatch.objects.filter(pk=self.batch.pk).update(**{counter: F(counter) + 1})


def _problem_from(error: ExactError) -> ExportProblem:
    return ExportProblem(explanation_find(error.message).kind, error.message)


def _accounts_prepare(*, run: _Run, invoices: list[Invoice]) -> None:
    """Make sure every debtor of ``invoices`` is a customer account in Exact.

    Missing accounts are created; existing ones are overwritten (once per run) only when the
    panel says so. A refusal is kept per relation number and fails that debtor's invoices.
    """
    link, lookups = run.link, run.lookups
    debtors = {}
    for invoice in invoices:
        try:
            debtors.setdefault(
                debtor_number_resolve(debtor=invoice.debtor, link=link), invoice.debtor
            )
        except ExportProblem:
            continue  # reported when the invoice itself is exported
    unknown = [code for code in debtors if code not in lookups.accounts]
    if unknown:
        lookups.accounts.update(_accounts_find(link=link, codes=unknown))
    gl_ar = lookups.gl_accounts.get(link.debtor_gl_account.strip())
    for code, debtor in debtors.items():
        if code in run.account_problems:
            continue
        account = lookups.accounts.get(code)
        if account is not None and (
            not link.overwrite_existing or code in run.overwritten or not account.is_customer
        ):
            continue
        if gl_ar is None:
            run.account_problems[code] = ExportProblem.of(
                rules.debtor_gl_account_breach(
                    code=link.debtor_gl_account, gl_accounts=lookups.gl_accounts
                )
            )
            continue
        fields = account_fields_build(debtor=debtor, gl_receivable_id=gl_ar.id)
        try:
            if account is None:
                lookups.accounts[code] = api.account_create(link, code=code, fields=fields)
            else:
                api.account_update(link, account_id=account.id, fields=fields)
                run.overwritten.add(code)
            run.transient_failures_in_a_row = 0
        except Reauthenticate:
            raise
        except Transient as error:
            # A created account whose answer was lost is found by the next run's look-up.
            run.transient_failure(code=code, error=error)
            continue
        except ExactError as error:
            run.transient_failures_in_a_row = 0
            # Another worker may have created the same relation a moment ago.
            found = _accounts_find(link=link, codes=[code]) if account is None else {}
            if code in found:
                lookups.accounts[code] = found[code]
            else:
                run.account_problems[code] = _problem_from(error)


def _projects_prepare(*, run: _Run, invoices: list[Invoice]) -> None:
    """Look up the projects the invoices need, creating the missing ones."""
    link, lookups = run.link, run.lookups
    codes = set()
    for invoice in invoices:
        try:
            codes.add(project_code_resolve(invoice=invoice, link=link))
        except ExportProblem:
            continue  # reported when the invoice itself is exported
    unknown = [code for code in codes if code not in lookups.projects]
    if not unknown:
        return
    lookups.projects.update(_retried(api.projects, link=link, codes=unknown))
    for code in unknown:
        if code in lookups.projects or code in run.project_problems:
            continue
        try:
            lookups.projects[code] = api.project_create(link, code=code)
            run.transient_failures_in_a_row = 0
        except Reauthenticate:
            raise
        except Transient as error:
            run.transient_failure(code=code, error=error)
        except ExactError as error:
            run.project_problems[code] = _problem_from(error)


def _pdf_send(*, run: _Run, record: ExportRecord, invoice: Invoice, customer_id: str) -> str:
    """Upload the invoice PDF as a sales document; the entry then carries its ID."""
    if record.document_id:
        return record.document_id
    reference = invoice_reference(invoice=invoice, link=run.link)
    document_id = api.document_create(
        run.link, subject=f"{reference} {invoice.debtor.name}", account_id=customer_id
    )
    api.document_attach(
        run.link,
        document_id=document_id,
        file_name=f"{reference}.pdf",
        content=invoice_pdf_render(invoice=invoice),
    )
    record.document_id = document_id
    record.save(update_fields=["document_id", "updated_at"])
    return record.document_id


def _record_claim(*, run: _Run, record: ExportRecord) -> bool:
    """Take the record for this worker: compare-and-set on the state and lease it was read with."""
    lease = _lease_until()
    claimed = (
        ExportRecord.objects.filter(_exportable(), pk=record.pk, state=record.state)
        .filter(lease_until=record.lease_until)
        .update(
            state=ExportState.SENDING,
            lease_until=lease,
            attempts=F("attempts") + 1,
            batch=run.batch,
            updated_at=timezone.now(),
        )
    )
    if claimed:
        record.state, record.lease_until = ExportState.SENDING, lease
    return bool(claimed)


def _record_exported(*, record: ExportRecord, entry: SalesEntry) -> None:
    now = timezone.now()
    record.state = ExportState.EXPORTED
    record.entry_id = entry.entry_id
    record.entry_number = entry.entry_number
    record.response = entry.as_record()
    record.exported_at = now
    record.lease_until = None
    record.error_message = record.error_kind = ""
    record.save(
        update_fields=[
            "state",
            "entry_id",
            "entry_number",
            "response",
            "exported_at",
            "lease_until",
            "error_message",
            "error_kind",
            "updated_at",
        ]
    )


def _record_failed(*, record: ExportRecord, problem: ExportProblem, answer: dict | None) -> None:
    record.state = ExportState.FAILED
    record.error_message = problem.message
    record.error_kind = problem.kind
    record.response = answer
    record.lease_until = None
    record.save(
        update_fields=[
            "state",
            "error_message",
            "error_kind",
            "response",
            "lease_until",
            "updated_at",
        ]
    )


def _record_unsettled(*, record: ExportRecord, error: ExactError, maybe_sent: bool) -> None:
    """A transient failure: whether Exact booked the entry is unknown when it may have been sent."""
    record.state = ExportState.SENDING if maybe_sent else ExportState.PENDING
    # An expired lease: the next attempt may take it at once, and settles it by YourRef first.
    record.lease_until = timezone.now() if maybe_sent else None
    record.error_message = str(error)
    record.error_kind = "transient"
    record.save(update_fields=["state", "lease_until", "error_message", "error_kind", "updated_at"])


def _error_answer(error: ExactError) -> dict:
    return {"status": error.status, "messages": error.messages}


def _record_export(*, run: _Run, record: ExportRecord, invoice: Invoice) -> None:
    """Export one invoice whose record this run has just claimed."""
    link = run.link
    maybe_sent = record.sent_at is not None and bool(record.your_ref)
    try:
        if maybe_sent:
            found = _retried(api.sales_entry_by_your_ref, link=link, your_ref=record.your_ref)
            if found is not None:
                _record_exported(record=record, entry=found)
                run.count("exported")
                return
        code = debtor_number_resolve(debtor=invoice.debtor, link=link)
        if code in run.account_problems:
            raise run.account_problems[code]
        project_code = project_code_resolve(invoice=invoice, link=link)
        if project_code in run.project_problems:
            raise run.project_problems[project_code]
        entry = sales_entry_build(
            invoice=invoice, link=link, lookups=run.lookups, export_date=run.export_date
        )
        if link.send_pdf:
            customer = customer_check(code=code, lookups=run.lookups)
            entry = dataclasses.replace(
                entry,
                document_id=_pdf_send(
                    run=run, record=record, invoice=invoice, customer_id=customer.id
                ),
            )
        record.payload = entry.as_payload()
        record.your_ref = entry.your_ref
        record.account_code = code
        record.sent_at = timezone.now()
        record.lease_until = _lease_until()
        # Committed before the POST: from here on a crash leaves SENDING, settled by YourRef.
        record.save(
            update_fields=[
                "payload",
                "your_ref",
                "account_code",
                "sent_at",
                "lease_until",
                "updated_at",
            ]
        )
        maybe_sent = True
        _record_exported(record=record, entry=api.sales_entry_create(link, entry=entry))
        run.count("exported")
        run.transient_failures_in_a_row = 0
    except ExportProblem as problem:
        _record_failed(record=record, problem=problem, answer=None)
        run.count("failed")
    except Reauthenticate as error:
        _record_unsettled(record=record, error=error, maybe_sent=maybe_sent)
        raise  # the link needs a new authentication: nothing else can go either
    except Transient as error:
        _record_unsettled(record=record, error=error, maybe_sent=maybe_sent)
        run.unsettled += 1
        run.transient_failures_in_a_row += 1
        logger.warning("Export of invoice %s interrupted: %s", invoice.pk, error)
    except ExactError as error:
        _record_failed(record=record, problem=_problem_from(error), answer=_error_answer(error))
        run.count("failed")
        run.transient_failures_in_a_row = 0


def _invoice_codes(*, invoice: Invoice, link: ExactLink) -> set[str]:
    codes = set()
    for resolve in (
        lambda: debtor_number_resolve(debtor=invoice.debtor, link=link),
        lambda: project_code_resolve(invoice=invoice, link=link),
    ):
        try:
            codes.add(resolve())
        except ExportProblem:
            continue  # reported when the invoice itself is exported
    return codes


def _invoices_load(ids: list[int]) -> list[Invoice]:
    return list(
        Invoice.objects.filter(pk__in=ids)
        .select_related("debtor__company", "debtor__person", "course__definition", "request")
        .prefetch_related("lines__vat_rate", "lines__gl_account", "lines__cost_center")
        .order_by("number")
    )


def _records_export(
    *, link: ExactLink, batch: ExportBatch | None, invoice_ids: list[int] | None
) -> None:
    try:
        _records_export_run(link=link, batch=batch, invoice_ids=invoice_ids)
    except Transient as error:
        raise ExportsInterrupted(str(error)) from error
    except ExactError as error:
        # Nothing per invoice went wrong (a look-up or the token did): the invoices wait.
        if batch is not None:
            ExportBatch.objects.filter(pk=batch.pk).update(error_message=str(error))
        logger.warning("Export run stopped: %s", error)


def _records_export_run(
    *, link: ExactLink, batch: ExportBatch | None, invoice_ids: list[int] | None
) -> None:
    record_ids = list(
        exportable_records(invoice_ids=invoice_ids)
        .order_by("invoice__number")
        .values_list("invoice_id", flat=True)
    )
    if not record_ids:
        return
    # A batch reads Exact afresh; a realtime export starts from what recent runs confirmed.
    known = cache.get(_lookups_cache_key(link)) if batch is None else None
    run = _Run(
        link=link,
        batch=batch,
        lookups=lookups_read(link=link, invoice_ids=record_ids, known=known),
        export_date=timezone.localdate(),
    )
    try:
        _chunks_export(run=run, record_ids=record_ids)
    finally:
        cache.set(_lookups_cache_key(link), run.lookups, LOOKUPS_CACHE_SECONDS)
    if run.unsettled:
        raise ExportsInterrupted(
            _("%(count)s invoices met a passing failure; the export will retry.")
            % {"count": run.unsettled}
        )


def _chunks_export(*, run: _Run, record_ids: list[int]) -> None:
    link = run.link
    for start in range(0, len(record_ids), CHUNK_SIZE):
        chunk = record_ids[start : start + CHUNK_SIZE]
        invoices = _invoices_load(chunk)
        records = {
            record.invoice_id: record
            for record in ExportRecord.objects.filter(invoice_id__in=chunk)
        }
        _accounts_prepare(run=run, invoices=invoices)
        if link.project_code_source:
            _projects_prepare(run=run, invoices=invoices)
        for invoice in invoices:
            record = records[invoice.pk]
            if run.unavailable and _invoice_codes(invoice=invoice, link=link) & run.unavailable:
                run.unsettled += 1
                continue
            if not _record_claim(run=run, record=record):
                run.count("skipped")
                continue
            _record_export(run=run, record=record, invoice=invoice)
            if run.transient_failures_in_a_row >= TRANSIENT_FAILURES_TO_STOP:
                raise ExportsInterrupted(_("Exact Online keeps failing; the export will retry."))


def invoice_export(*, invoice: Invoice) -> ExportRecord:
    """Export one final invoice (the realtime path); a no-op unless the link is enabled."""
    if not invoice.is_final:
        raise ValueError(f"Invoice {invoice.pk} is a draft; only final invoices are exported.")
    record = export_record_ensure(invoice=invoice)
    link = link_get()
    if link_exports_allowed(link=link):
        _records_export(link=link, batch=None, invoice_ids=[invoice.pk])
        record.refresh_from_db()
    return record


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
        batch = export_batch_start(kind=kind, invoice_ids=invoice_ids)
    else:
        export_records_ensure()
        ExportBatch.objects.filter(pk=batch.pk).update(finished_at=None, error_message="")
    try:
        _records_export(link=link, batch=batch, invoice_ids=invoice_ids)
    finally:
        ExportBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now())
        batch.refresh_from_db()
    return batch


def sales_entry_preview(*, invoice: Invoice, link: ExactLink) -> dict:
    """The sales entry ``invoice`` would become, built from Exact's data but not sent.

    Raises ExportProblem (or ExactError) when it could not be sent as it is.
    """
    lookups = lookups_read(link=link, invoice_ids=[invoice.pk])
    code = debtor_number_resolve(debtor=invoice.debtor, link=link)
    lookups.accounts.update(_accounts_find(link=link, codes=[code]))
    if code not in lookups.accounts:
        # A missing relation is created on export; the preview shows where its guid goes.
        lookups.accounts[code] = Account(
            id=str(_("(new account %(code)s)") % {"code": code}),
            code=code,
            status="C",
            is_supplier=False,
        )
    project_code = project_code_resolve(invoice=invoice, link=link)
    if project_code:
        lookups.projects.update(_retried(api.projects, link=link, codes=[project_code]))
        new_project = str(_("(new project %(code)s)") % {"code": project_code})
        lookups.projects.setdefault(project_code, Project(id=new_project, code=project_code))
    return sales_entry_build(
        invoice=invoice, link=link, lookups=lookups, export_date=timezone.localdate()
    ).as_payload()
