"""Bulk export benchmark: a backlog of final invoices to the sandbox through a real Celery worker.

    .venv/bin/python bench/export.py --invoices 1000

Part 1, limits raised: API calls per invoice by endpoint (the sandbox's counters), invoices per
second from the task's enqueueing to the batch's end, database queries per invoice and the
peak memory of the pool process that ran the export (both counted inside the worker).

With ``--pdf`` every invoice goes with its PDF (a document and its attachment before the sales
entry: 3 calls an invoice plus one per new debtor), and the time to render an invoice's PDF is
measured on a sample of the invoices.

Part 2, Exact's own limits (60 calls per minute, 5,000 a day) with the minute scaled down for
the run (by default to 6 s, through the sandbox's minute_seconds): it reports the share of each
full window's budget used and the number of 429 answers. ``--minute-seconds 60`` runs it in real
minutes.

Part 3, the daily budget shrunk (by default 300 calls a "day" of 60 s, the minute 6 s): a
backlog exported across several days while bulk exports leave the realtime reserve alone, the
waiting invoices resumed by the recovery task after each reset, and an invoice finalised during
the run (after the bulk first waits) exported within the minute. It reports exported, failed,
429s, the days used and that invoice's latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    UNLIMITED,
    BenchRun,
    batch_wait,
    bench_run,
    debtors_create,
    debtors_known_to_exact,
    invoices_seed,
    link_authenticate,
    per_invoice_by_endpoint,
    report,
    wait_for,
    worker_start,
)


def bulk_export(run: BenchRun, *, timeout: float, sample=None) -> tuple[object, float]:
    """Enqueue one bulk export as "Export now" does and wait for its end; (batch, seconds)."""
    from exports.models import BatchKind
    from exports.records import export_batch_start
    from exports.tasks import invoices_export_bulk_task

    batch = export_batch_start(kind=BatchKind.MANUAL)
    started = time.monotonic()
    invoices_export_bulk_task.delay(batch.pk)
    if sample is None:
        batch = batch_wait(batch.pk, seconds=timeout)
    else:
        from exports.models import ExportBatch

        deadline = started + timeout
        while not ExportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the limited export did not finish in time")
            sample()
            time.sleep(0.2)
        batch = ExportBatch.objects.get(pk=batch.pk)
    return batch, time.monotonic() - started


def task_metrics(run: BenchRun, *, tasks_before: int) -> dict:
    """The worker's line for the bulk task that just ran (it lands just after the batch ends)."""
    lines = wait_for(
        lambda: run.worker_metrics()[tasks_before:],
        seconds=30,
        what="the worker's task metrics",
    )
    return lines[-1]


def fast_run(run: BenchRun, *, invoices: int, debtors: list) -> dict:
    from exports.models import ExportRecord, ExportState

    run.sandbox.set_limits(**UNLIMITED)
    seeding = time.monotonic()
    invoices_seed(count=invoices, debtors=debtors)
    seed_seconds = time.monotonic() - seeding
    run.sandbox.reset_counters()
    batch, seconds = bulk_export(run, timeout=540)
    metrics = task_metrics(run, tasks_before=0)
    counters = run.sandbox.counters()
    exported = ExportRecord.objects.filter(state=ExportState.EXPORTED).count()
    return {
        "invoices": invoices,
        "debtors": len(debtors),
        "debtors_known_to_exact": debtors_known_to_exact(debtors),
        "debtors_new_to_exact": len(debtors) - debtors_known_to_exact(debtors),
        "seed_seconds": round(seed_seconds, 1),
        "exported": exported,
        "failed": batch.failed,
        "export_seconds": round(seconds, 2),
        "invoices_per_second": round(exported / seconds, 1),
        "api_calls": counters["total"],
        "api_calls_per_invoice": round(counters["total"] / invoices, 4),
        "api_calls_per_invoice_by_endpoint": per_invoice_by_endpoint(counters, invoices),
        "api_429s": counters["by_status"].get("429", 0),
        "db_queries": metrics["queries"],
        "db_queries_per_invoice": round(metrics["queries"] / invoices, 2),
        "worker_peak_rss_mb_before": metrics["peak_rss_mb_before"],
        "worker_peak_rss_mb": metrics["peak_rss_mb"],
    }


def pdf_render_times(*, sample: int) -> dict:
    """Milliseconds to render an invoice's PDF, over ``sample`` of the exported invoices."""
    from billing.models import Invoice
    from billing.services import invoice_pdf_render

    times = []
    for invoice in Invoice.objects.filter(status=Invoice.Status.FINAL).order_by("pk")[:sample]:
        started = time.perf_counter()
        invoice_pdf_render(invoice=invoice)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "pdf_render_sample": len(times),
        "pdf_render_ms_per_invoice_median": round(statistics.median(times), 1),
        "pdf_render_ms_per_invoice_mean": round(statistics.fmean(times), 1),
    }


def minute_calls(
    samples: list[tuple[float, int]], *, first_minute: int, end: float, window: int
) -> list[int]:
    """Calls in each budget window that lies wholly within the run, from counter samples."""

    def total_at(moment: float) -> int:
        before = [total for at, total in samples if at <= moment]
        return before[-1] if before else 0

    calls = []
    minute = first_minute
    while (minute + 1) * window <= end:
        calls.append(total_at((minute + 1) * window) - total_at(minute * window))
        minute += 1
    return calls


def limited_run(run: BenchRun, *, invoices: int, debtors: list, minutely: int, window: int) -> dict:
    from exports.models import ExportRecord, ExportState
    from testkit.factories import DebtorFactory

    exported_before = ExportRecord.objects.filter(state=ExportState.EXPORTED).count()
    # A few debtors Exact has not seen yet, as a day's new customers would be.
    new_debtors = DebtorFactory.create_batch(max(1, invoices // 20))
    invoices_seed(count=invoices, debtors=[*new_debtors, *debtors])
    run.sandbox.set_limits(minutely=minutely, daily=5000, minute_seconds=window)
    # Start on a fresh window: the calls of part 1 count against the current one.
    wait_for(
        lambda: time.time() % window < min(1, window / 6),
        seconds=window + 1,
        what="the next window",
        every=0.01,
    )
    run.sandbox.reset_counters()
    first_minute = int(time.time() // window)
    samples: list[tuple[float, int]] = [(time.time(), 0)]

    def sample() -> None:
        samples.append((time.time(), run.sandbox.counters()["total"]))

    tasks_before = len(run.worker_metrics())
    batch, seconds = bulk_export(run, timeout=480, sample=sample)
    sample()
    task_metrics(run, tasks_before=tasks_before)
    counters = run.sandbox.counters()
    exported = ExportRecord.objects.filter(state=ExportState.EXPORTED).count() - exported_before
    full_minutes = minute_calls(
        samples, first_minute=first_minute, end=samples[-1][0], window=window
    )
    share = statistics.mean(full_minutes) / minutely if full_minutes else 0
    return {
        "invoices": invoices,
        "debtors_new_to_exact": len(new_debtors),
        "minutely_limit": minutely,
        "minute_seconds": window,
        "exported": exported,
        "failed": batch.failed,
        "export_seconds": round(seconds, 1),
        "api_calls": counters["total"],
        "api_calls_per_invoice": round(counters["total"] / invoices, 3),
        # The rate limiter spends a window's budget at its start and then waits, so the last,
        # partial window is fast: the sustained rate comes from the full windows.
        "sustained_invoices_per_window": round(
            statistics.mean(full_minutes) * invoices / counters["total"], 1
        )
        if full_minutes
        else 0,
        "api_calls_per_full_window": ",".join(str(calls) for calls in full_minutes),
        "minutely_budget_used": f"{share:.0%}",
        "api_429s": counters["by_status"].get("429", 0),
    }


def daily_run(
    run: BenchRun, *, invoices: int, debtors: list, daily: int, day: int, every: float
) -> dict:
    from exports.models import BUDGET_WAITING, ExportRecord, ExportState
    from exports.tasks import export_records_recover_task, invoice_export_task
    from integrations.exact.client import budget_today
    from integrations.models import ExactLink
    from testkit.factories import final_invoice_create

    link = ExactLink.objects.get()
    exported_before = ExportRecord.objects.filter(state=ExportState.EXPORTED).count()
    ids = invoices_seed(count=invoices, debtors=debtors)
    run.sandbox.set_limits(minutely=60, minute_seconds=6, daily=daily, day_seconds=day)
    # Start on a fresh day: the calls of the parts before count against the current one.
    wait_for(lambda: time.time() % day < 1, seconds=day + 1, what="the next day", every=0.01)
    run.sandbox.reset_counters()
    started = time.time()
    first_day = int(started // day)
    batch, _seconds = bulk_export(run, timeout=120)
    waited_at_first = ExportRecord.objects.filter(error_kind=BUDGET_WAITING).count()

    # A realtime invoice, finalised while the backlog waits for tomorrow's budget.
    realtime = final_invoice_create(debtor=debtors[0], lines=2)
    finalised = time.monotonic()
    invoice_export_task.delay(realtime.pk)
    realtime_record = ExportRecord.objects.filter(invoice=realtime)
    realtime_latency = None
    backlog = ExportRecord.objects.filter(invoice_id__in=ids, state=ExportState.EXPORTED)
    deadline = time.monotonic() + (invoices / (daily * 0.7) + 3) * day
    while backlog.count() < invoices:
        if time.monotonic() > deadline:
            break
        if realtime_latency is None and realtime_record.filter(state=ExportState.EXPORTED).exists():
            realtime_latency = time.monotonic() - finalised
        # Celery beat's part: the recovery task, every ``every`` seconds.
        export_records_recover_task.delay()
        time.sleep(every)
    if realtime_latency is None and realtime_record.filter(state=ExportState.EXPORTED).exists():
        realtime_latency = time.monotonic() - finalised
    ended = time.time()
    counters = run.sandbox.counters()
    budget = budget_today(link=link)
    return {
        "invoices": invoices,
        "daily_limit": daily,
        "day_seconds": day,
        "realtime_reserve": budget.reserve,
        "exported": backlog.count(),
        "exported_all": ExportRecord.objects.filter(state=ExportState.EXPORTED).count()
        - exported_before,
        "failed": ExportRecord.objects.filter(state=ExportState.FAILED).count(),
        "waiting_after_first_bulk": waited_at_first,
        "first_bulk_failed": batch.failed,
        "api_calls": counters["total"],
        "api_429s": counters["by_status"].get("429", 0),
        "days_used": int(ended // day) - first_day + 1,
        "realtime_latency_seconds": round(realtime_latency, 1) if realtime_latency else None,
        "seconds": round(ended - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--debtors", type=int, default=200)
    parser.add_argument(
        "--limited-invoices",
        type=int,
        default=300,
        help="invoices for part 2 (about one call each: 300 take some 30 windows); 0 skips it",
    )
    parser.add_argument("--minutely", type=int, default=60, help="calls per minute in part 2")
    parser.add_argument(
        "--minute-seconds", type=int, default=6, help="the minute's length in part 2 (Exact: 60)"
    )
    parser.add_argument(
        "--daily-invoices",
        type=int,
        default=1000,
        help="invoices for part 3, the shrunk daily budget; 0 skips it",
    )
    parser.add_argument("--daily", type=int, default=300, help="calls per day in part 3")
    parser.add_argument(
        "--day-seconds", type=int, default=60, help="the day's length in part 3 (Exact: 86400)"
    )
    parser.add_argument(
        "--recovery-seconds", type=float, default=5, help="the recovery task's interval in part 3"
    )
    parser.add_argument("--pdf", action="store_true", help="send every invoice's PDF")
    args = parser.parse_args()

    with bench_run("export") as run:
        from integrations.models import ExactLink

        link = link_authenticate(run)
        ExactLink.objects.filter(pk=link.pk).update(send_pdf=args.pdf)
        debtors = debtors_create(count=args.debtors)
        worker_start(run)
        figures = {"command": "bench/export.py " + " ".join(sys.argv[1:])}
        figures["raised_limits"] = fast_run(run, invoices=args.invoices, debtors=debtors)
        if args.pdf:
            fast = figures["raised_limits"]
            fast["api_calls_per_invoice_less_new_debtors"] = round(
                (fast["api_calls"] - fast["debtors_new_to_exact"]) / fast["invoices"], 4
            )
            fast.update(pdf_render_times(sample=min(args.invoices, 100)))
        if args.limited_invoices:
            figures["exact_limits"] = limited_run(
                run,
                invoices=args.limited_invoices,
                debtors=debtors,
                minutely=args.minutely,
                window=args.minute_seconds,
            )
        if args.daily_invoices:
            figures["daily_budget"] = daily_run(
                run,
                invoices=args.daily_invoices,
                debtors=debtors,
                daily=args.daily,
                day=args.day_seconds,
                every=args.recovery_seconds,
            )
        report(figures)


if __name__ == "__main__":
    main()
