"""Putting exports on Celery's queue: what the screens and a finalised invoice start.

Each function says what it starts; nothing is sent from a model's save. Tasks are queued after
the commit, so a worker never looks for a row that is not there yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from billing.models import Invoice
from exports import records
from exports.models import BatchKind, ExportBatch, ExportRecord, ExportState
from exports.tasks import invoice_export_task, invoices_export_bulk_task
from integrations.models import ExportMoment
from integrations.selectors import link_exports_allowed, link_get


def invoice_finalised_queue(sender, invoice: Invoice, **kwargs) -> None:
    """billing's ``invoice_finalised``: every final invoice gets a PENDING record; with a
    realtime link its export is queued after the commit."""
    records.export_record_ensure(invoice=invoice)
    link = link_get()
    if link_exports_allowed(link=link) and link.export_moment == ExportMoment.REALTIME:
        invoice_id = invoice.pk
        transaction.on_commit(lambda: invoice_export_task.delay(invoice_id))


def exports_start_bulk(
    *, user: AbstractBaseUser | None = None, kind: str = BatchKind.MANUAL
) -> ExportBatch | None:
    """Queue one bulk export of every pending invoice, as a batch whose progress can be
    followed; None (nothing queued) unless the link is enabled."""
    if not link_exports_allowed(link=link_get()):
        return None
    batch = records.export_batch_start(kind=kind, user=user)
    batch_id = batch.pk
    transaction.on_commit(lambda: invoices_export_bulk_task.delay(batch_id))
    return batch


@dataclass(frozen=True)
class RetryOutcome:
    """What pressing Retry (or Export again) did, in the words the user sees."""

    queued: bool
    message: str


def export_record_retry(*, record: ExportRecord) -> RetryOutcome:
    """Make the record exportable again and, while the link is enabled, queue its export.

    A record a worker holds is left alone, and the outcome says until when it is held.
    """
    record.refresh_from_db()
    if (
        record.state == ExportState.SENDING
        and record.lease_until is not None
        and record.lease_until > timezone.now()
    ):
        return RetryOutcome(
            queued=False,
            message=_(
                "Nothing was changed: a worker is sending this invoice until %(time)s. If that "
                "worker stopped, the invoice is resumed after that time, and Exact Online is "
                "searched for it first."
            )
            % {"time": formats.time_format(timezone.localtime(record.lease_until), "H:i:s")},
        )
    record = records.export_record_requeue(record=record)
    if not link_exports_allowed(link=link_get()):
        return RetryOutcome(
            queued=False, message=_("The invoice waits as pending: the link is not enabled.")
        )
    invoice_id = record.invoice_id
    transaction.on_commit(lambda: invoice_export_task.delay(invoice_id))
    if record.state == ExportState.SENDING:
        return RetryOutcome(
            queued=True,
            message=_(
                "The invoice is queued for export. It may have reached Exact Online before, so "
                "Exact is searched for it first: it is never booked twice."
            ),
        )
    return RetryOutcome(queued=True, message=_("The invoice is queued for export."))
