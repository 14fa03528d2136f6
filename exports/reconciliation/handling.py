"""What a person does with a difference: mark it as handled, or export its invoice again."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from exports.models import HandledDifference, ReconciliationDifference
from exports.queue import RetryOutcome, export_record_retry
from exports.reconciliation.kinds import KIND_HELP
from exports.records import export_record_ensure


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


def difference_reexport(*, difference: ReconciliationDifference) -> RetryOutcome | None:
    """Export the invoice of a missing or unexported difference again, as Retry on its record
    does (exports.queue.export_record_retry); None when a re-export does not repair this kind
    of difference."""
    if not KIND_HELP[difference.kind].can_reexport or difference.invoice_id is None:
        return None
    return export_record_retry(record=export_record_ensure(invoice=difference.invoice))
