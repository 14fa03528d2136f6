"""Payment registration: read from Exact Online which exported invoices are paid.

Exact has no "paid" flag on a sales entry. Its receivables say it: a receivable that is matched
(Status 50, IsFullyPaid) is settled, in full or with the difference written off; one that is
still listed by ReceivablesList has its open amount there. An invoice may have several
receivable rows (payment terms); they are added up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from coachlink.numbers import INTEGER_LARGEST, whole_number
from exports.models import (
    ExportRecord,
    ExportState,
    PaymentState,
    PaymentStatus,
    PaymentSyncRun,
)
from integrations.exact import api
from integrations.exact.entities import Receivable
from integrations.exact.errors import Reauthenticate
from integrations.models import ExactLink
from integrations.selectors import link_exports_allowed, link_get
from integrations.signals import Stopped, reauthentication_needed

# Exact's clock and ours differ a little, and a receivable saved while the last run was reading
# may carry a time just before that run's start: the next run looks back this much further.
CHANGED_SINCE_OVERLAP = dt.timedelta(minutes=10)


@dataclass
class _Receivables:
    """The receivable rows read for one invoice, and what ReceivablesList says is open."""

    rows: list[Receivable] = field(default_factory=list)
    open_by_id: dict[str, Decimal] = field(default_factory=dict)


def payment_registration_allowed(*, link: ExactLink | None) -> bool:
    """Payments are read only while registration is on and the link is enabled (not paused)."""
    return link_exports_allowed(link=link) and link.payment_registration


def records_in_scope(*, link: ExactLink):
    """Exported invoices from the panel's invoice date on: the ones payment registration covers."""
    records = ExportRecord.objects.filter(state=ExportState.EXPORTED)
    if link.payment_from_date:
        records = records.filter(invoice__date__gte=link.payment_from_date)
    return records.select_related("invoice", "payment")


def records_unpaid(*, link: ExactLink):
    return records_in_scope(link=link).filter(
        Q(payment__isnull=True) | ~Q(payment__state=PaymentState.PAID)
    )


def _invoice_number(*, reference, link: ExactLink) -> int | None:
    """The coachlink invoice number in a YourRef or InvoiceNumber, the invoice prefix stripped."""
    text = str(reference or "").strip()
    prefix = link.invoice_number_prefix
    if prefix and text.startswith(prefix):
        text = text[len(prefix) :]
    return whole_number(text, largest=INTEGER_LARGEST)


class _Matcher:
    """Finds the export record of a receivable row: by entry id, else by reference."""

    def __init__(self, *, link: ExactLink, records: list[ExportRecord]) -> None:
        self.link = link
        self.by_entry = {r.entry_id.lower(): r for r in records if r.entry_id}
        self.by_ref = {r.your_ref: r for r in records if r.your_ref}
        self.by_number = {r.invoice.number: r for r in records if r.invoice.number}

    def record(self, row: Receivable) -> ExportRecord | None:
        entry_id = row.entry_id
        if entry_id in self.by_entry:
            return self.by_entry[entry_id]
        found = self.by_ref.get(row.your_ref)
        if found is None:
            for reference in (row.your_ref, row.invoice_number):
                number = _invoice_number(reference=reference, link=self.link)
                if number is not None and number in self.by_number:
                    found = self.by_number[number]
                    break
        # A row of another entry (its own entry id) never takes over a record by number.
        if found is not None and entry_id and found.entry_id and found.entry_id.lower() != entry_id:
            return None
        return found


def _outstanding_read(*, link: ExactLink, rows: list[Receivable]) -> dict[str, Decimal]:
    """Open amounts of the partly paid rows, from ReceivablesList.

    Only rows with a payment that are not matched need it: an unpaid row is open for its whole
    amount, a matched one for nothing. ReceivablesList has no Modified field to narrow the read
    by, so it is read whole (1,000 rows a page) when some row is partly paid.
    """
    if not any(not r.is_matched and r.last_payment for r in rows):
        return {}
    return api.receivables_open(link)


def _row_state(*, row: Receivable, open_by_id: dict[str, Decimal]) -> dict:
    """One receivable row as stored: its amount, what is open of it, its last payment."""
    # Not in ReceivablesList's answer means nothing was paid on it: all of it is open.
    open_amount = Decimal(0) if row.is_settled else open_by_id.get(row.id, row.amount)
    return {
        "amount": str(row.amount),
        "open": str(open_amount),
        "paid_on": row.last_payment.date().isoformat() if row.last_payment else None,
    }


def _status_apply(*, record: ExportRecord, found: _Receivables, now: dt.datetime) -> bool:
    """Store what the rows say about one invoice; True when its payment state changed."""
    status = getattr(record, "payment", None) or PaymentStatus(record=record)
    checked_before, before = status.pk is not None, (status.state, status.open_amount)
    rows = dict(status.receivables)
    for row in found.rows:
        rows[row.id] = _row_state(row=row, open_by_id=found.open_by_id)
    amount = sum((Decimal(row["amount"]) for row in rows.values()), Decimal(0))
    open_amount = sum((Decimal(row["open"]) for row in rows.values()), Decimal(0))
    dates = [dt.date.fromisoformat(row["paid_on"]) for row in rows.values() if row["paid_on"]]
    paid_on = max(dates, default=None)
    if open_amount == 0:
        state = PaymentState.PAID
    elif open_amount != amount:
        state = PaymentState.PARTLY_PAID
    else:
        # An undone match leaves no payment: the invoice is open again and has no paid date.
        state, paid_on = PaymentState.OPEN, None
    status.state, status.amount, status.open_amount = state, amount, open_amount
    status.paid_on, status.checked_at, status.receivables = paid_on, now, rows
    status.save()
    record.payment = status
    if not checked_before:
        # Never checked reads as open for the whole amount: that is what the screens assumed.
        before = (PaymentState.OPEN, amount)
    return before != (state, open_amount)


def _receivables_read(*, link: ExactLink, since: dt.datetime | None) -> list[Receivable]:
    """Receivable rows, 1,000 a page: those changed since ``since``, else all in scope."""
    if since is not None:
        return api.receivables_changed_since(link, since=since)
    return api.receivables_of_invoices_from(link, date=link.payment_from_date)


def _changed_since(*, link: ExactLink) -> dt.datetime | None:
    """Where this run may start reading, or None when it must read everything in scope.

    Every run reads what changed since the start of the one before, so each receivable is
    read at least once after it was created or changed. Only a from-date moved back brings
    invoices no run looked at into scope.
    """
    last = PaymentSyncRun.objects.filter(finished_at__isnull=False).first()
    if last is None:
        return None
    if last.from_date and (
        link.payment_from_date is None or link.payment_from_date < last.from_date
    ):
        return None
    return last.started_at - CHANGED_SINCE_OVERLAP


def payment_status_sync(*, link: ExactLink) -> PaymentSyncRun | None:
    """Read the payment state of the exported invoices from Exact, in bulk.

    Costs ceil(changed receivables / 1,000) calls to the bulk endpoint, plus one page of
    ReceivablesList when some invoice is partly paid. Paid invoices are not asked about again,
    but a receivable that changed (a match undone) brings its invoice back to unpaid.
    """
    if not payment_registration_allowed(link=link) or not records_unpaid(link=link).exists():
        return None
    run = PaymentSyncRun.objects.create(started_at=timezone.now(), from_date=link.payment_from_date)
    since = _changed_since(link=link)
    try:
        rows = _receivables_read(link=link, since=since)
        run.read = len(rows)
        records = list(records_in_scope(link=link))
        matcher = _Matcher(link=link, records=records)
        found: dict[int, _Receivables] = defaultdict(_Receivables)
        matched_rows = []
        for row in rows:
            record = matcher.record(row)
            if record is not None:
                found[record.pk].rows.append(row)
                matched_rows.append(row)
        open_by_id = _outstanding_read(link=link, rows=matched_rows)
    except Reauthenticate:
        reauthentication_needed.send(sender=ExactLink, link=link, stopped=Stopped.PAYMENT_SYNC)
        raise
    by_pk = {record.pk: record for record in records}
    now = timezone.now()
    for pk, receivables in found.items():
        receivables.open_by_id = open_by_id
        run.changed += _status_apply(record=by_pk[pk], found=receivables, now=now)
    run.finished_at = timezone.now()
    run.save()
    return run


def invoice_payment_status_fetch(*, record: ExportRecord) -> PaymentStatus | None:
    """Ask Exact now about one exported invoice (the button on the invoice's export).

    A person asks for it, so it works with payment registration off too, but never while the
    link is paused.
    """
    link = link_get()
    if not link_exports_allowed(link=link) or not record.entry_id:
        return None
    rows = api.receivables_of_entry(link, entry_id=record.entry_id)
    if not rows:
        return None
    found = _Receivables(rows=rows, open_by_id=_outstanding_read(link=link, rows=rows))
    _status_apply(record=record, found=found, now=timezone.now())
    return record.payment
