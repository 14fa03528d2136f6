"""A reconciliation run: read both sides for a month or a year, compare, store what differs.

Exact's side costs ceil(lines / 1,000) calls to ``bulk/Financial/TransactionLines`` for the
period, plus at most ENTRY_LOOKUP_CALLS to look for exported entries that are not in it (moved
to another period) by their entry id. coachlink's side is read in a fixed number of queries,
whatever the number of invoices.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from billing.models import Invoice
from coachlink.messages import Message
from coachlink.numbers import INTEGER_LARGEST, whole_number
from exports.builders import (
    ExportProblem,
    booking_date_resolve,
    debtor_number_resolve,
    invoice_reference,
)
from exports.models import (
    ExportState,
    ReconciliationDifference,
    ReconciliationMonth,
    ReconciliationRun,
    ReconciliationState,
    ReconciliationTrigger,
)
from exports.reconciliation.compare import (
    ZERO,
    Amounts,
    Expected,
    Finding,
    InvoiceState,
    Outcome,
    bookings_from_lines,
    reconcile,
)
from integrations.exact import api, client, ratelimit
from integrations.exact.errors import BudgetSpent, ExactError
from integrations.models import ExactLink, LinkState

logger = logging.getLogger(__name__)

ENTRY_LOOKUP_CALLS = 2
# A queued or running run older than this was lost with its worker: it no longer blocks a new one.
RUN_LOST_AFTER = dt.timedelta(hours=1)
LINK_NOT_READABLE = Message(
    gettext_noop("the link to Exact Online is not enabled and authenticated.")
)
BULK_SHARE_SPENT = Message(
    gettext_noop(
        "the share of today's Exact Online calls for bulk work is used up; the rest is kept "
        "for realtime exports."
    )
)
STATES = {
    ExportState.EXPORTED: InvoiceState.EXPORTED,
    ExportState.SENDING: InvoiceState.SENDING,
    ExportState.EXCLUDED: InvoiceState.EXCLUDED,
}


def reconciliation_allowed(*, link: ExactLink | None) -> bool:
    """Exact is read only while the link is enabled (not paused) and authenticated."""
    return link is not None and link.state == LinkState.ENABLED and link.is_authenticated


def _invoices() -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(status=Invoice.Status.FINAL)
        .select_related(
            "debtor__company", "debtor__person", "course__definition", "request", "export_record"
        )
        .prefetch_related("lines__vat_rate", "lines__gl_account")
    )


def _expected(invoice: Invoice, *, link: ExactLink, today: dt.date) -> Expected:
    """What coachlink sent, or would send, for ``invoice``."""
    record = getattr(invoice, "export_record", None)
    payload = (record.payload if record is not None else None) or {}
    state = STATES.get(record.state if record else "", InvoiceState.NOT_EXPORTED)
    if payload.get("ReportingYear"):
        period = (int(payload["ReportingYear"]), int(payload["ReportingPeriod"]))
        date = dt.date.fromisoformat(str(payload["EntryDate"])[:10])
    else:
        try:
            date = booking_date_resolve(invoice=invoice, link=link, export_date=today)
        except ExportProblem:
            date = invoice.date
        period = (date.year, date.month)
    account_code = record.account_code if record is not None else ""
    if not account_code:
        try:
            account_code = debtor_number_resolve(debtor=invoice.debtor, link=link)
        except ExportProblem:
            account_code = ""
    gl_amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    excl = ZERO
    for line in invoice.lines.all():
        excl += line.amount
        if line.gl_account_id:
            gl_amounts[line.gl_account.code] += line.amount
    vat_amounts = invoice.vat_amounts
    vat = sum((amount.vat for amount in vat_amounts), ZERO)
    return Expected(
        invoice_id=invoice.pk,
        record_id=record.pk if record is not None else None,
        reference=(record.your_ref if record is not None and record.your_ref else "")
        or invoice_reference(invoice=invoice, link=link),
        state=state,
        entry_id=(record.entry_id if record is not None else "").lower(),
        period=period,
        date=date,
        account_code=account_code,
        amounts=Amounts(excl, vat, excl + vat),
        gl_amounts=tuple(sorted((c, a) for c, a in gl_amounts.items() if a != 0)),
        vat_amounts=tuple(
            sorted((amount.vat_rate.exact_code.strip(), amount.vat) for amount in vat_amounts)
        ),
    )


def expected_in_periods(*, link: ExactLink, year: int, month: int | None) -> list[Expected]:
    """coachlink's final invoices (excluded ones left out) that belong in the year or month.

    What was sent is placed by the year and period it was sent with; what was not, by the date
    the panel's booking-date options give it today.
    """
    sent = Q(export_record__payload__ReportingYear=year)
    if month is not None:
        sent &= Q(export_record__payload__ReportingPeriod=month)
    unsent = Q(export_record__isnull=True) | Q(export_record__payload__isnull=True)
    invoices = _invoices().filter(sent | unsent).exclude(export_record__state=ExportState.EXCLUDED)
    today = timezone.localdate()
    found = []
    for invoice in invoices.iterator(chunk_size=2000):
        expected = _expected(invoice, link=link, today=today)
        if expected.period[0] == year and (month is None or expected.period[1] == month):
            found.append(expected)
    return found


def expected_by_reference(*, link: ExactLink, references: Iterable[str]) -> dict[str, Expected]:
    """coachlink's invoices (excluded ones too) for references found in Exact."""
    references = set(references)
    if not references:
        return {}
    prefix = link.invoice_number_prefix
    numbers = {
        number
        for reference in references
        if reference.startswith(prefix)
        and (number := whole_number(reference[len(prefix) :], largest=INTEGER_LARGEST)) is not None
    }
    invoices = _invoices().filter(Q(export_record__your_ref__in=references) | Q(number__in=numbers))
    today = timezone.localdate()
    known = {}
    for invoice in invoices.iterator(chunk_size=2000):
        expected = _expected(invoice, link=link, today=today)
        if expected.reference in references:
            known[expected.reference] = expected
    return known


def _periods(year: int, month: int | None) -> list[tuple[int, int]]:
    return [(year, month)] if month else [(year, number) for number in range(1, 13)]


def _difference(run: ReconciliationRun, finding: Finding) -> ReconciliationDifference:
    expected, exact = finding.expected, finding.exact_amounts
    return ReconciliationDifference(
        run=run,
        kind=finding.kind,
        reference=finding.reference,
        year=finding.period[0],
        month=finding.period[1],
        invoice_id=expected.invoice_id if expected else None,
        record_id=expected.record_id if expected else None,
        entry_numbers=", ".join(str(booking.entry_number) for booking in finding.bookings),
        coachlink_excl=expected.amounts.excl if expected else None,
        coachlink_vat=expected.amounts.vat if expected else None,
        coachlink_total=expected.amounts.total if expected else None,
        exact_excl=exact.excl if exact else None,
        exact_vat=exact.vat if exact else None,
        exact_total=exact.total if exact else None,
        mismatches=[
            {"field": m.field, "coachlink": m.coachlink, "exact": m.exact}
            for m in finding.mismatches
        ],
        fingerprint=finding.fingerprint,
    )


@transaction.atomic
def _outcome_store(run: ReconciliationRun, outcome: Outcome) -> None:
    differences = [_difference(run, finding) for finding in outcome.findings]
    ReconciliationDifference.objects.bulk_create(differences, batch_size=500)
    per_month: dict[tuple[int, int], int] = defaultdict(int)
    for finding in outcome.findings:
        per_month[finding.period] += 1
    ReconciliationMonth.objects.bulk_create(
        [
            ReconciliationMonth(
                run=run,
                year=month.period[0],
                month=month.period[1],
                coachlink_excl=month.coachlink.excl,
                coachlink_vat=month.coachlink.vat,
                coachlink_total=month.coachlink.total,
                exact_excl=month.exact.excl,
                exact_vat=month.exact.vat,
                exact_total=month.exact.total,
                vat_rounding=month.vat_rounding,
                invoices=month.invoices,
                entries=month.entries,
                differences=per_month[month.period],
            )
            for month in sorted(outcome.months.values(), key=lambda month: month.period)
            if month.period[0] == run.year and (run.month is None or month.period[1] == run.month)
        ]
    )
    run.agreed = outcome.agreed
    run.differences_count = len(differences)
    run.state = ReconciliationState.DONE
    run.finished_at = timezone.now()
    run.save()


def reconciliation_queue(
    *, link: ExactLink, year: int, month: int | None, user: AbstractBaseUser | None
) -> tuple[ReconciliationRun, bool]:
    """A queued run for the period, or the one already queued or running: (run, is it new).

    The link's row is locked while looking, so two clicks at once queue one run.
    """
    with transaction.atomic():
        ExactLink.objects.select_for_update().filter(pk=link.pk).first()
        active = (
            ReconciliationRun.objects.filter(
                Q(
                    state__in=[ReconciliationState.QUEUED, ReconciliationState.RUNNING],
                    started_at__gte=timezone.now() - RUN_LOST_AFTER,
                )
                | Q(state=ReconciliationState.WAITING),
                year=year,
                month=month,
            )
            .order_by("-started_at", "-pk")
            .first()
        )
        if active is not None:
            return active, False
        run = ReconciliationRun.objects.create(
            year=year,
            month=month,
            trigger=ReconciliationTrigger.MANUAL,
            started_by=user if user is not None and user.is_authenticated else None,
        )
        return run, True


def reconciliation_perform(*, run: ReconciliationRun, link: ExactLink | None) -> ReconciliationRun:
    """Carry out a queued run once: a second delivery of the same run does nothing.

    Exact is read in the bulk lane of the day's budget. With the bulk share spent the run
    waits, with the reset time, and the recovery queues it again after the reset
    (``reconciliations_budget_resume``). A failure to read Exact or a link that may not be read
    any more ends the run as failed with its message; nothing of an unfinished comparison is
    stored.
    """
    taken = ReconciliationRun.objects.filter(pk=run.pk, state=ReconciliationState.QUEUED).update(
        state=ReconciliationState.RUNNING
    )
    if not taken:
        run.refresh_from_db()
        return run
    run.state = ReconciliationState.RUNNING
    if link is None or not reconciliation_allowed(link=link):
        return _failed(run, LINK_NOT_READABLE)
    try:
        # A run reads as much as a bulk export: it must leave the realtime reserve alone.
        with ratelimit.budget_lane(ratelimit.BULK):
            outcome = _compare(run=run, link=link)
    except BudgetSpent as error:
        logger.info("Reconciliation %s waits for Exact's budget: %s", run.period_label, error)
        run.budget_resets_at = error.resets_at
        run.error_set(BULK_SHARE_SPENT)
        run.state = ReconciliationState.WAITING
        run.save()
        return run
    except ExactError as error:
        logger.warning("Reconciliation %s stopped: %s", run.period_label, error)
        return _failed(run, error.stored)
    except Exception:
        _failed(run, Message(gettext_noop("an unexpected error stopped the reconciliation.")))
        raise
    _outcome_store(run, outcome)
    return run


def reconciliations_budget_resume(*, link: ExactLink) -> list[int]:
    """Queue again the runs waiting for the day's budget once bulk work may call Exact again;
    the runs taken up (none while the bulk share is still spent or the link may not be read).

    Each run is taken by one caller only, so two recoveries at once queue it once.
    """
    if not reconciliation_allowed(link=link) or client.budget_today(link=link).bulk_waiting:
        return []
    waiting = ReconciliationRun.objects.filter(state=ReconciliationState.WAITING)
    resumed = []
    for pk in waiting.order_by("started_at", "pk").values_list("pk", flat=True):
        taken = ReconciliationRun.objects.filter(pk=pk, state=ReconciliationState.WAITING).update(
            state=ReconciliationState.QUEUED,
            # When Exact is read, which the page shows; a queued run is lost after a while.
            started_at=timezone.now(),
            budget_resets_at=None,
            error_message="",
            error_said=None,
        )
        if taken:
            resumed.append(pk)
    if resumed:
        logger.info("%s reconciliations resumed after Exact's daily budget reset", len(resumed))
    return resumed


def _failed(run: ReconciliationRun, message: Message | str) -> ReconciliationRun:
    """The run ends as failed with ``message``, which the page shows in the reader's language."""
    run.error_set(message)
    run.state = ReconciliationState.FAILED
    run.finished_at = timezone.now()
    run.save()
    return run


def reconciliation_run(
    *,
    link: ExactLink,
    year: int,
    month: int | None = None,
    user: AbstractBaseUser | None = None,
    trigger: str = ReconciliationTrigger.MANUAL,
) -> ReconciliationRun:
    """Compare a month (or a whole year) of coachlink's invoices with Exact's sales journal.

    A failure to read Exact is kept on the run (and logged); nothing of an unfinished
    comparison is stored.
    """
    run = ReconciliationRun.objects.create(
        year=year,
        month=month,
        trigger=trigger,
        started_by=user if user is not None and user.is_authenticated else None,
    )
    return reconciliation_perform(run=run, link=link)


def _compare(*, run: ReconciliationRun, link: ExactLink) -> Outcome:
    journal = link.journal.strip()
    lines = api.transaction_lines(link, journal=journal, year=run.year, period=run.month)
    bookings = bookings_from_lines(lines, debtor_gl=link.debtor_gl_account.strip())
    expected = expected_in_periods(link=link, year=run.year, month=run.month)
    in_scope = {invoice.reference for invoice in expected}
    booked = {booking.reference for booking in bookings}
    known = expected_by_reference(link=link, references=booked - in_scope)
    unfound = [
        invoice.entry_id
        for invoice in expected
        if invoice.entry_id
        and invoice.reference not in booked
        and invoice.state in (InvoiceState.EXPORTED, InvoiceState.SENDING)
    ]
    elsewhere = []
    if unfound:
        found = api.transaction_lines_of_entries(
            link, entry_ids=unfound, max_calls=ENTRY_LOOKUP_CALLS
        )
        elsewhere = bookings_from_lines(found, debtor_gl=link.debtor_gl_account.strip())
    run.lines_read = len(lines)
    run.entries_read = len(bookings)
    run.invoices = len(expected)
    return reconcile(
        expected=expected,
        known=known,
        bookings=bookings,
        elsewhere=elsewhere,
        prefix=link.invoice_number_prefix,
        periods=_periods(run.year, run.month),
    )


def reconciliation_scheduled(*, link: ExactLink) -> list[ReconciliationRun]:
    """The weekly run: this year so far, and in January the year just closed as well."""
    if not link.reconciliation_weekly or not reconciliation_allowed(link=link):
        return []
    today = timezone.localdate()
    years = [today.year - 1, today.year] if today.month == 1 else [today.year]
    return [
        reconciliation_run(link=link, year=year, trigger=ReconciliationTrigger.SCHEDULED)
        for year in years
    ]
