"""Reading the export history for the screens."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from billing.models import Invoice
from billing.selectors import invoice_search
from coachlink.pagination import ResultCount, SortKey, rows_counts_by_value
from exports.models import ExportBatch, ExportRecord, ExportState
from integrations.exact.client import budget_today
from integrations.models import ExactLink, ExportMoment, Repetition
from integrations.selectors import link_exports_allowed

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


# Exported, failed and excluded records stay as they are until a person acts.
SETTLED_STATES = (ExportState.EXPORTED, ExportState.FAILED, ExportState.EXCLUDED)


@dataclass(frozen=True)
class ExportProgress:
    """What an export that is not settled yet is doing, in the user's words. ``key`` names the
    situation (queued, sending, minute, budget, nightly, link_off): the line's words change
    within one, the rest of the page only when it changes."""

    key: str
    message: str


def nightly_next_run(*, link: ExactLink, now: dt.datetime) -> dt.datetime | None:
    """When the nightly bulk export next runs after ``now``, as its beat schedule says
    (integrations.schedules: weekly on Mondays, monthly on the 1st)."""
    if link.nightly_time is None or not link.nightly_repetition:
        return None
    local = timezone.localtime(now)
    for offset in range(32):
        day = local.date() + dt.timedelta(days=offset)
        if link.nightly_repetition == Repetition.WEEKLY and day.weekday() != 0:
            continue
        if link.nightly_repetition == Repetition.MONTHLY and day.day != 1:
            continue
        moment = timezone.make_aware(dt.datetime.combine(day, link.nightly_time))
        if moment > local:
            return moment
    return None


def _at(moment: dt.datetime, format_name: str) -> str:
    return formats.date_format(timezone.localtime(moment), format_name)


def export_record_progress(
    *, record: ExportRecord | None, link: ExactLink | None
) -> ExportProgress | None:
    """What the export of a final invoice is waiting for or doing; None once it is settled.

    Read from the record, the link and the division's shared rate-limit state: no call to
    Exact and no query beyond what the caller passes in.
    """
    if record is not None and record.state in SETTLED_STATES:
        return None
    if not link_exports_allowed(link=link):
        return ExportProgress(
            "link_off",
            _("The link with Exact Online is not enabled: the invoice is sent once it is."),
        )
    now = timezone.now()
    state = record.state if record is not None else ExportState.PENDING
    held = state == ExportState.SENDING and record.lease_until and record.lease_until > now
    realtime = link.export_moment == ExportMoment.REALTIME
    waits_for_budget = record is not None and record.waits_for_budget
    if waits_for_budget or held or realtime:
        budget = budget_today(link=link)
        if waits_for_budget and budget.daily_resets_at is not None:
            return ExportProgress(
                "budget",
                _("Waiting for tomorrow's budget (resets at %(time)s).")
                % {"time": _at(budget.daily_resets_at, "H:i")},
            )
        if budget.minutely_wait_seconds > 0:
            return ExportProgress(
                "minute",
                _("Waiting for Exact Online's per-minute limit, about %(seconds)s s.")
                % {"seconds": math.ceil(budget.minutely_wait_seconds)},
            )
    if held:
        return ExportProgress("sending", _("In progress: being sent to Exact Online."))
    if realtime or state == ExportState.SENDING:
        return ExportProgress("queued", _("Queued: it goes to Exact Online in a moment."))
    run = nightly_next_run(link=link, now=now)
    if run is None:
        return ExportProgress("nightly", _("Queued for the next nightly bulk export."))
    return ExportProgress(
        "nightly",
        _("Queued for the nightly bulk export on %(day)s at %(time)s.")
        % {"day": _at(run, "SHORT_DATE_FORMAT"), "time": _at(run, "H:i")},
    )
