"""Reading the export history for the screens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from billing.models import Invoice
from billing.selectors import invoice_search
from coachlink.pagination import ResultCount, SortKey, rows_counts_by_value
from exports.models import ExportBatch, ExportRecord, ExportState

# Newest first, as the index exportrecord_log_order holds them.
RECORD_SORT_KEY = (
    SortKey.field("updated_at", models.DateTimeField()),
    SortKey.field("id", models.IntegerField()),
)
# A YourRef is one invoice's and a relation number one debtor's; a few more are looked at, in
# case a prefix was changed.
RECORDS_LISTED = 20


def export_records_filter(*, state: str = "", query: str = "") -> QuerySet[ExportRecord]:
    """Records for the log, with everything a row shows in the same query."""
    records = ExportRecord.objects.select_related(
        "invoice__debtor__company", "invoice__debtor__person", "payment"
    )
    if state:
        records = records.filter(state=state)
    query = query.strip()
    if query:
        # What Exact knows an invoice by leads to its number (YourRef) or debtor (relation
        # number), so that every condition stays on the invoice.
        numbers = ExportRecord.objects.filter(your_ref=query).values_list("invoice__number")
        debtors = ExportRecord.objects.filter(account_code=query).values_list("invoice__debtor")
        records = records.filter(
            invoice_search(
                query=query,
                by_debtor_number=True,
                numbers=[number for (number,) in numbers[:RECORDS_LISTED]],
                debtors=[debtor for (debtor,) in debtors.order_by().distinct()[:RECORDS_LISTED]],
                via="invoice__",
            )
        )
    return records


def export_state_counts() -> dict[str, ResultCount]:
    return rows_counts_by_value(
        ExportRecord.objects.order_by("-updated_at", "-id"),
        column="state",
        values=ExportState.values,
    )


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    count: int
    percent: int


def exports_per_day(*, days: int = 14) -> list[DayCount]:
    """Invoices exported per day over the last ``days`` days, today last, for the bar chart."""
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    # A bound on the column itself, not on its date, so the index on exported_at is used.
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    # Only exported_at is read, so the database counts from its index alone.
    rows = (
        ExportRecord.objects.filter(exported_at__gte=since)
        .annotate(day=TruncDate("exported_at"))
        .values_list("day")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts = dict(rows)
    highest = max(counts.values(), default=0)
    result = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        count = counts.get(day, 0)
        result.append(DayCount(day, count, round(100 * count / highest) if highest else 0))
    return result


def export_batches_recent(*, limit: int = 5) -> list[ExportBatch]:
    return list(ExportBatch.objects.all()[:limit])


@dataclass(frozen=True)
class Backlog:
    """The final invoices not yet in Exact Online: what enabling the link would send."""

    count: int
    first: dt.date | None
    last: dt.date | None
    total: Decimal


def export_backlog() -> Backlog:
    """Final invoices waiting to be sent: pending, or without a record yet. (Failed ones are
    in the export log, each with its fix.)"""
    invoices = (
        Invoice.objects.filter(status=Invoice.Status.FINAL)
        .filter(Q(export_record__isnull=True) | Q(export_record__state=ExportState.PENDING))
        .prefetch_related("lines__vat_rate")
    )
    dates = invoices.aggregate(first=Min("date"), last=Max("date"), count=Count("pk"))
    total = sum((invoice.total_incl_vat for invoice in invoices), Decimal("0.00"))
    return Backlog(count=dates["count"], first=dates["first"], last=dates["last"], total=total)
