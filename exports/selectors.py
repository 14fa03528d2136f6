"""Reading the export history for the screens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from billing.models import Invoice
from billing.selectors import invoice_search
from coachlink.pagination import ResultCount, SortKey, rows_counts
from exports.models import ExportBatch, ExportRecord, ExportState

# Newest first, as the index exportrecord_log_order holds them.
RECORD_SORT_KEY = (
    SortKey.field("updated_at", models.DateTimeField()),
    SortKey.field("id", models.IntegerField()),
)
# A search by YourRef or relation number hands the invoices it found to the invoice conditions
# as a list up to this many, and as a subquery above it.
RECORDS_LISTED = 500


def export_records_filter(*, state: str = "", query: str = "") -> QuerySet[ExportRecord]:
    """Records for the log, with everything a row shows in the same query."""
    records = ExportRecord.objects.select_related(
        "invoice__debtor__company", "invoice__debtor__person", "payment"
    )
    if state:
        records = records.filter(state=state)
    matches = invoice_search(query=query, by_debtor_number=True)
    if matches is not None:
        query = query.strip()
        referenced = ExportRecord.objects.filter(Q(account_code=query) | Q(your_ref=query))
        invoice_ids = referenced.values_list("invoice_id", flat=True)
        listed = list(invoice_ids[: RECORDS_LISTED + 1])
        matches |= Q(pk__in=invoice_ids if len(listed) > RECORDS_LISTED else listed)
        # A semi-join on the invoice table, where every condition has an index to use.
        records = records.filter(invoice__in=Invoice.objects.filter(matches).values("pk"))
    return records


def export_state_counts() -> dict[str, ResultCount]:
    return rows_counts(
        {state: ExportRecord.objects.filter(state=state) for state in ExportState.values}
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
