"""Celery tasks: load ids, call the services. The logic lives in exports.run and .payments."""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from billing.models import Invoice
from exports.models import BatchKind, ExportBatch, ExportState, ReconciliationRun
from exports.payments import payment_status_sync
from exports.reconciliation.run import (
    reconciliation_perform,
    reconciliation_scheduled,
    reconciliations_budget_resume,
)
from exports.run import (
    ExportsInterrupted,
    exports_budget_resume,
    exports_recover,
    invoice_export,
    invoices_export_bulk,
)
from integrations.selectors import link_get

logger = logging.getLogger(__name__)

# A task that waits for another worker's lease comes back just after it ran out.
LEASE_GRACE = dt.timedelta(seconds=1)

# Transient failures (Exact down, time-outs, lost answers) are retried with growing, jittered
# pauses; a functional refusal is recorded as FAILED by the service and never raised here.
RETRY_POLICY = {
    "autoretry_for": (ExportsInterrupted,),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(bind=True, **RETRY_POLICY)
def invoice_export_task(self, invoice_id: int) -> None:
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return
    record = invoice_export(invoice=invoice)
    held_until = record.lease_until
    if (
        record.state == ExportState.SENDING
        and held_until
        and held_until > timezone.now()
        and not self.request.is_eager
    ):
        # Another worker holds the invoice, or held it and died (this task may be the
        # redelivery of the one it ran): come back when the lease runs out, and settle it.
        invoice_export_task.apply_async((invoice_id,), eta=held_until + LEASE_GRACE)


@shared_task(**RETRY_POLICY)
def invoices_export_bulk_task(batch_id: int | None = None) -> None:
    link = link_get()
    batch = ExportBatch.objects.filter(pk=batch_id).first() if batch_id else None
    if link is not None:
        invoices_export_bulk(link=link, batch=batch)


@shared_task(**RETRY_POLICY)
def invoices_export_nightly_task() -> None:
    link = link_get()
    if link is not None:
        invoices_export_bulk(link=link, kind=BatchKind.NIGHTLY)


@shared_task
def payment_status_sync_task() -> None:
    link = link_get()
    if link is not None:
        payment_status_sync(link=link)


@shared_task
def reconciliation_weekly_task() -> None:
    link = link_get()
    if link is not None:
        reconciliation_scheduled(link=link)


@shared_task
def export_records_recover_task() -> None:
    """Celery beat runs this every settings.EXPORT_RECOVERY_SECONDS, in every export moment:
    records left behind by a worker are resumed, and the invoices and reconciliations waiting
    for Exact's daily budget once it has reset."""
    link = link_get()
    if link is None:
        return
    try:
        exports_recover(link=link)
        exports_budget_resume(link=link)
    except ExportsInterrupted as error:
        logger.warning("Recovery stopped; its next run goes on: %s", error)
    for run_id in reconciliations_budget_resume(link=link):
        reconciliation_task.delay(run_id)


@shared_task
def reconciliation_task(run_id: int) -> None:
    run = ReconciliationRun.objects.filter(pk=run_id).first()
    if run is not None:
        reconciliation_perform(run=run, link=link_get())
