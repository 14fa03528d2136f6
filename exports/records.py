"""Export records: the state of each invoice's export, and the leases that keep it single.

States (see DESIGN.md, "Export semantics"): PENDING → SENDING (leased to one worker) →
EXPORTED or FAILED; EXCLUDED never goes. A SENDING record whose lease ran out may have reached
Exact: the run settles it by YourRef before posting again. Every change of state is here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from billing.models import Invoice
from coachlink.messages import message_fields
from exports.builders import ExportProblem
from exports.lookups import lookups_forget
from exports.models import BUDGET_WAITING, ExportBatch, ExportRecord, ExportState
from exports.signals import export_refused
from integrations.exact.entities import NewSalesEntry, SalesEntry
from integrations.exact.errors import BudgetSpent, ExactError
from integrations.models import ExactLink, ExportMoment
from integrations.selectors import link_get

# What keeps a record's message (coachlink.messages.message_fields).
MESSAGE_FIELDS = ("error_message", "error_said")


class LeaseLost(Exception):
    """Another worker took the record over after this one's lease ran out: this one stops
    before it writes anything more to Exact."""


def lease_until() -> dt.datetime:
    # Renewed before every write to Exact, so it need only outlast one call and a rate-limit
    # wait (settings.EXPORT_LEASE_SECONDS); a worker that died holds it no longer than that.
    return timezone.now() + dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def _leased(record: ExportRecord) -> QuerySet[ExportRecord]:
    """The record, while it is still under the lease this worker holds."""
    return ExportRecord.objects.filter(
        pk=record.pk, state=ExportState.SENDING, lease_until=record.lease_until
    )


def record_lease_renew(*, record: ExportRecord) -> None:
    """Extend this worker's lease before a write to Exact; LeaseLost when it was taken over."""
    lease = lease_until()
    if not _leased(record).update(lease_until=lease, updated_at=timezone.now()):
        raise LeaseLost(record.pk)
    record.lease_until = lease


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
    # What realtime exports remember of Exact goes too: the user may have fixed it there.
    link = link_get()
    if link is not None:
        lookups_forget(link=link)
    return record


def _exportable() -> Q:
    now = timezone.now()
    return Q(state=ExportState.PENDING) | Q(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), state=ExportState.SENDING
    )


def exportable_records(*, invoice_ids: Iterable[int] | None = None) -> QuerySet[ExportRecord]:
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


def export_batch_count(*, batch: ExportBatch | None, counter: str) -> None:
    """Add one to a batch's ``exported``, ``failed`` or ``skipped``, as workers go."""
    if batch is not None:
        ExportBatch.objects.filter(pk=batch.pk).update(**{counter: F(counter) + 1})


def record_claim(*, record: ExportRecord, batch: ExportBatch | None) -> bool:
    """Take the record for this worker: compare-and-set on the record as it was read."""
    lease, now = lease_until(), timezone.now()
    # updated_at too: an attempt that posted a document and went back to PENDING leaves state
    # and lease as they were, but not the document it may have made.
    claimed = (
        ExportRecord.objects.filter(_exportable(), pk=record.pk, state=record.state)
        .filter(lease_until=record.lease_until, updated_at=record.updated_at)
        .update(
            state=ExportState.SENDING,
            lease_until=lease,
            attempts=F("attempts") + 1,
            batch=batch,
            updated_at=now,
        )
    )
    if claimed:
        record.state, record.lease_until, record.updated_at = ExportState.SENDING, lease, now
    return bool(claimed)


def record_sending(*, record: ExportRecord, entry: NewSalesEntry, account_code: str) -> None:
    """Store what is about to be posted, committed before the POST and only while this worker
    holds the lease (LeaseLost otherwise): from here on a crash leaves SENDING, settled by
    YourRef."""
    now = timezone.now()
    fields = {
        "payload": entry.as_payload(),
        "your_ref": entry.your_ref,
        "account_code": account_code,
        "sent_at": now,
        "lease_until": lease_until(),
    }
    if not _leased(record).update(**fields, updated_at=now):
        raise LeaseLost(record.pk)
    for name, value in fields.items():
        setattr(record, name, value)


def record_document_posting(*, record: ExportRecord, subject: str) -> None:
    """The subject of the document about to be posted, committed first: if the answer is
    lost, the next attempt finds the document by it instead of making a second one."""
    record_lease_renew(record=record)
    record.document_subject = subject
    record.save(update_fields=["document_subject", "updated_at"])


def record_document(*, record: ExportRecord, document_id: str) -> None:
    """The uploaded PDF's document, so a retry does not upload it again."""
    record.document_id = document_id
    record.save(update_fields=["document_id", "updated_at"])


def export_batch_stopped(*, batch: ExportBatch | None, error: ExactError) -> None:
    """Why a batch stopped before its invoices."""
    if batch is not None:
        ExportBatch.objects.filter(pk=batch.pk).update(**message_fields(error.stored))


def records_note(*, invoice_ids: Iterable[int], error: ExactError) -> None:
    """A run stopped before it reached these records: each keeps why, and its state."""
    exportable_records(invoice_ids=invoice_ids).update(
        **message_fields(error.stored), error_kind="transient", updated_at=timezone.now()
    )


def records_to_resume(*, link: ExactLink) -> QuerySet[ExportRecord]:
    """The records that wait with no worker on them, which the recovery task resumes.

    - SENDING whose lease ran out, in every export moment: a worker died (or its task was
      lost) between the claim and the outcome; the export settles it by YourRef first.
    - With a realtime link, PENDING untouched for a lease's length: its queued export was
      lost (a broker restart) or ran out of retries. Nightly, PENDING waits for the night.

    Records waiting for the next day's call budget are left out: exports_budget_resume takes
    them up once the budget has reset.
    """
    now = timezone.now()
    due = Q(state=ExportState.SENDING) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    if link.export_moment == ExportMoment.REALTIME:
        idle_since = now - dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)
        due |= Q(state=ExportState.PENDING, updated_at__lt=idle_since)
    return ExportRecord.objects.filter(due).exclude(error_kind=BUDGET_WAITING)


def record_exported(*, record: ExportRecord, entry: SalesEntry) -> None:
    record.state = ExportState.EXPORTED
    record.entry_id = entry.entry_id
    record.entry_number = entry.entry_number
    record.response = entry.as_record()
    record.exported_at = timezone.now()
    record.lease_until = None
    record.error_set("")
    record.error_kind = ""
    record.save(
        update_fields=[
            "state",
            "entry_id",
            "entry_number",
            "response",
            "exported_at",
            "lease_until",
            *MESSAGE_FIELDS,
            "error_kind",
            "updated_at",
        ]
    )


def record_failed(
    *, record: ExportRecord, problem: ExportProblem, error: ExactError | None = None
) -> None:
    """Refused, by Exact (``error`` holds its answer) or by coachlink before sending."""
    record.state = ExportState.FAILED
    record.error_set(problem.stored)
    record.error_kind = problem.kind
    error = error or problem.error
    record.response = {"status": error.status, "messages": error.messages} if error else None
    record.lease_until = None
    record.save(
        update_fields=[
            "state",
            *MESSAGE_FIELDS,
            "error_kind",
            "response",
            "lease_until",
            "updated_at",
        ]
    )
    export_refused.send(sender=ExportRecord, record=record)


def record_unsettled(*, record: ExportRecord, error: ExactError, maybe_sent: bool) -> None:
    """A transient failure: whether Exact booked the entry is unknown when it may have been sent."""
    record.state = ExportState.SENDING if maybe_sent else ExportState.PENDING
    # An expired lease: the next attempt may take it at once, and settles it by YourRef first.
    record.lease_until = timezone.now() if maybe_sent else None
    record.error_set(error.stored)
    record.error_kind = "transient"
    record.save(update_fields=["state", "lease_until", *MESSAGE_FIELDS, "error_kind", "updated_at"])


def records_wait_for_budget(
    *, batch: ExportBatch | None, invoice_ids: list[int] | None, error: BudgetSpent
) -> int:
    """The day's calls are spent: the run's invoices not yet settled wait, visibly, for the
    reset (records_waiting_for_budget); how many."""
    export_batch_stopped(batch=batch, error=error)
    return exportable_records(invoice_ids=invoice_ids).update(
        error_kind=BUDGET_WAITING, **message_fields(error.stored), updated_at=timezone.now()
    )


def records_waiting_for_budget() -> QuerySet[ExportRecord]:
    return exportable_records().filter(error_kind=BUDGET_WAITING)
