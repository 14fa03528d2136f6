"""Reading the export history for the screens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from exports.models import ExportBatch, ExportRecord, ExportState


def export_records_filter(*, state: str = "", query: str = "") -> QuerySet[ExportRecord]:
    """Records for the log, newest first, with everything a row shows in the same query."""
    records = ExportRecord.objects.select_related(
        "invoice__debtor__company", "invoice__debtor__person"
    ).order_by("-updated_at", "-pk")
    if state:
        records = records.filter(state=state)
    query = query.strip()
    if query:
        matches = (
            Q(invoice__debtor__company__name__icontains=query)
            | Q(invoice__debtor__person__first_name__icontains=query)
            | Q(invoice__debtor__person__last_name__icontains=query)
            | Q(account_code=query)
            | Q(your_ref=query)
        )
        # People type the number as printed ("00042"); it is stored as 42.
        if query.isdigit():
            matches |= Q(invoice__number=int(query)) | Q(invoice__debtor__debtor_number=int(query))
        records = records.filter(matches)
    return records


def export_state_counts() -> dict[str, int]:
    counts = dict(ExportRecord.objects.values_list("state").annotate(n=Count("pk")))
    return {state: counts.get(state, 0) for state in ExportState.values}


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
    rows = (
        ExportRecord.objects.filter(exported_at__gte=since)
        .annotate(day=TruncDate("exported_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
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
