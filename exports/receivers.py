"""What the exports do when an invoice is finalised or the link changes."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from billing.models import Invoice
from billing.signals import invoice_finalised
from exports.schedule import (
    nightly_schedule_sync,
    payment_schedule_sync,
    reconciliation_schedule_sync,
)
from exports.services import export_record_ensure, exportable_records
from exports.tasks import invoice_export_task, invoices_export_bulk_task
from integrations.models import ExactLink, ExportMoment
from integrations.selectors import link_exports_allowed, link_get

SCHEDULE_FIELDS = {
    "activation",
    "export_moment",
    "nightly_time",
    "nightly_repetition",
    "payment_registration",
    "payment_interval_minutes",
    "reconciliation_weekly",
}


@receiver(invoice_finalised, dispatch_uid="exports_invoice_finalised")
def invoice_finalised_export(sender, invoice: Invoice, **kwargs) -> None:
    """Every final invoice gets a PENDING record; realtime, its export is queued after commit."""
    export_record_ensure(invoice=invoice)
    link = link_get()
    if link_exports_allowed(link=link) and link.export_moment == ExportMoment.REALTIME:
        invoice_id = invoice.pk
        transaction.on_commit(lambda: invoice_export_task.delay(invoice_id))


@receiver(post_save, sender=ExactLink, dispatch_uid="exports_link_saved")
def link_saved(sender, instance: ExactLink, update_fields=None, **kwargs) -> None:
    """Keep the nightly schedule in step with the panel; on resume, send what waited."""
    # Token refreshes save only the token fields: they change neither schedule nor state.
    if update_fields is not None and not SCHEDULE_FIELDS & set(update_fields):
        return
    nightly_schedule_sync(link=instance)
    payment_schedule_sync(link=instance)
    reconciliation_schedule_sync(link=instance)
    if (
        link_exports_allowed(link=instance)
        and instance.export_moment == ExportMoment.REALTIME
        and exportable_records().exists()
    ):
        transaction.on_commit(lambda: invoices_export_bulk_task.delay())


@receiver(post_delete, sender=ExactLink, dispatch_uid="exports_link_deleted")
def link_deleted(sender, instance: ExactLink, **kwargs) -> None:
    nightly_schedule_sync(link=None)
    payment_schedule_sync(link=None)
    reconciliation_schedule_sync(link=None)
