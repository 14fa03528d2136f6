"""What a person does with a difference: mark it as handled, or export its invoice again."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from exports.models import ExportState, HandledDifference, ReconciliationDifference
from exports.reconciliation.kinds import KIND_HELP
from exports.records import export_record_ensure, export_record_requeue
from exports.tasks import invoice_export_task
from integrations.selectors import link_exports_allowed, link_get


def handled_marks(differences) -> dict[str, HandledDifference]:
    """The handled marks of ``differences`` by fingerprint, in one query."""
    fingerprints = {difference.fingerprint for difference in differences}
    marks = HandledDifference.objects.filter(fingerprint__in=fingerprints).select_related(
        "handled_by"
    )
    return {mark.fingerprint: mark for mark in marks}


def difference_handled_mark(
    *, difference: ReconciliationDifference, note: str, user: AbstractBaseUser | None
) -> HandledDifference:
    """Mark a difference as handled; the mark holds in later runs while it stays the same."""
    mark, _created = HandledDifference.objects.update_or_create(
        fingerprint=difference.fingerprint,
        defaults={
            "note": note,
            "handled_by": user if user is not None and user.is_authenticated else None,
        },
    )
    return mark


def difference_handled_clear(*, difference: ReconciliationDifference) -> None:
    HandledDifference.objects.filter(fingerprint=difference.fingerprint).delete()


def difference_reexport(*, difference: ReconciliationDifference) -> bool:
    """Queue the invoice of a missing or unexported difference for export; False when the
    link is not enabled or the kind of difference is not one a re-export repairs.

    A record that was exported goes back as SENDING with an expired lease: the export looks the
    entry up by its reference first, so an entry that turned up again is not booked twice.
    """
    if not KIND_HELP[difference.kind].can_reexport or difference.invoice_id is None:
        return False
    if not link_exports_allowed(link=link_get()):
        return False
    record = export_record_ensure(invoice=difference.invoice)
    if record.state in (ExportState.EXPORTED, ExportState.FAILED, ExportState.EXCLUDED):
        export_record_requeue(record=record)
    invoice_id = difference.invoice_id
    transaction.on_commit(lambda: invoice_export_task.delay(invoice_id))
    return True
