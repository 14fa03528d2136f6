"""Reliability harness: bulk exports while workers are SIGKILLed and the sandbox misbehaves.

    .venv/bin/python bench/chaos.py --invoices 400 --rounds 12

The sandbox injects failures (500 with Exact's body, bare 502 and 503 pages), latency, and
answers withheld after the write committed (the connection is reset). In each round a real
Celery worker starts on a bulk export and, once it has exported its first invoice, is killed
with SIGKILL, pool and all, at a random moment. Between rounds the leases of the records the
dead worker held are run out, as the passing of their lease time would (3 x EXACT_TIMEOUT
+ 90 s). Then one worker, faults still on, is left to finish: "Export now" is pressed again whenever
a batch ends, until every invoice is exported or the time is up. The figures: invoices exported,
duplicates in Exact (sales entries beyond the first per YourRef, from the sandbox's state) and
invoices lost (final invoices with no sales entry); both must be 0. The script exits 1 when they
are not.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    DIVISION,
    UNLIMITED,
    BenchRun,
    bench_run,
    debtors_create,
    debtors_known_to_exact,
    invoices_seed,
    link_authenticate,
    report,
    wait_for,
    worker_kill,
    worker_start,
    worker_stop,
)


def batch_enqueue() -> int:
    """What "Export now" does: a batch row, and its task on the queue."""
    from exports.models import BatchKind
    from exports.records import export_batch_start
    from exports.tasks import invoices_export_bulk_task

    batch = export_batch_start(kind=BatchKind.MANUAL)
    invoices_export_bulk_task.delay(batch.pk)
    return batch.pk


def leases_run_out() -> int:
    """The records a killed worker held: their lease ends, as it would after its time."""
    from django.utils import timezone

    from exports.models import ExportRecord, ExportState

    return ExportRecord.objects.filter(
        state=ExportState.SENDING, lease_until__gt=timezone.now()
    ).update(lease_until=timezone.now() - dt.timedelta(seconds=1))


def unfinished() -> int:
    from exports.models import ExportRecord, ExportState

    return ExportRecord.objects.exclude(state=ExportState.EXPORTED).count()


def booked_entries(run: BenchRun) -> list[dict]:
    return run.sandbox.state()["divisions"][DIVISION]["sales_entries"]


def exporting(batch_id: int) -> bool:
    from exports.models import ExportBatch

    batch = ExportBatch.objects.get(pk=batch_id)
    return batch.done > 0 or batch.finished_at is not None


def kill_rounds(run: BenchRun, *, rounds: int, chance: random.Random, max_wait: float) -> dict:
    """Start a worker on a bulk export and SIGKILL it at a random moment after its first invoice."""
    kills, kills_mid_invoice = 0, 0
    for _round in range(rounds):
        if not unfinished():
            break
        worker = worker_start(run)
        batch_id = batch_enqueue()
        wait_for(lambda batch_id=batch_id: exporting(batch_id), seconds=60, what="its start")
        time.sleep(chance.uniform(0, max_wait))
        worker_kill(worker)
        run.workers.remove(worker)
        kills += 1
        # A record still leased was between its claim and its outcome when the worker died.
        kills_mid_invoice += bool(leases_run_out())
    return {"kills": kills, "kills_mid_invoice": kills_mid_invoice}


def settle(run: BenchRun, *, seconds: float) -> dict:
    """One worker, faults on, "Export now" again after each batch, until nothing is left."""
    from exports.models import ExportBatch

    worker = worker_start(run)
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    batches = 0
    batch_id = None
    while unfinished() and time.monotonic() < deadline:
        if (
            batch_id is None
            or ExportBatch.objects.filter(pk=batch_id, finished_at__isnull=False).exists()
        ):
            batch_id = batch_enqueue()
            batches += 1
        time.sleep(0.2)
    worker_stop(run, worker)
    return {"settle_batches": batches, "settle_seconds": round(time.monotonic() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=400)
    parser.add_argument("--debtors", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=12, help="workers killed, at most")
    parser.add_argument(
        "--max-wait",
        type=float,
        default=3.0,
        help="seconds from the first exported invoice to the kill, at most",
    )
    parser.add_argument("--error-rate", type=float, default=0.1)
    parser.add_argument("--latency-ms", type=int, default=40)
    parser.add_argument("--drop-rate", type=float, default=0.05)
    parser.add_argument("--settle-seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    chance = random.Random(args.seed)
    with bench_run("chaos") as run:
        from billing.models import Invoice
        from exports.models import ExportRecord, ExportState

        link_authenticate(run)
        run.sandbox.set_limits(**UNLIMITED)
        debtors = debtors_create(count=args.debtors)
        invoices_seed(count=args.invoices, debtors=debtors)
        run.sandbox.set_faults(
            error_rate=args.error_rate,
            error_statuses=[500, 502, 503],
            latency_ms=args.latency_ms,
            drop_after_commit_rate=args.drop_rate,
            drop_mode="reset",
            seed=args.seed,
        )
        run.sandbox.reset_counters()
        started = time.monotonic()
        figures = {
            "command": "bench/chaos.py " + " ".join(sys.argv[1:]),
            "invoices": args.invoices,
            "debtors_new_to_exact": args.debtors - debtors_known_to_exact(debtors),
            "faults": (
                f"error_rate {args.error_rate} (500/502/503), latency {args.latency_ms} ms, "
                f"drop_after_commit_rate {args.drop_rate} (connection reset)"
            ),
        }
        figures.update(kill_rounds(run, rounds=args.rounds, chance=chance, max_wait=args.max_wait))
        figures["exported_before_settling"] = args.invoices - unfinished()
        figures.update(settle(run, seconds=args.settle_seconds))
        figures["seconds"] = round(time.monotonic() - started, 1)

        counters = run.sandbox.counters()
        entries = booked_entries(run)
        per_ref = collections.Counter(entry["YourRef"] for entry in entries)
        wanted = {
            f"{number:05d}"
            for number in Invoice.objects.filter(status=Invoice.Status.FINAL).values_list(
                "number", flat=True
            )
        }
        entry_ids = {entry["EntryID"] for entry in entries}
        records = ExportRecord.objects.filter(state=ExportState.EXPORTED)
        figures.update(
            {
                "faults_injected": sum(counters.get("injected", {}).values()),
                "answers_dropped_after_commit": sum(counters.get("dropped", {}).values()),
                "api_calls": counters["total"],
                "exported": records.count(),
                "records_not_exported": unfinished(),
                "records_pointing_nowhere": records.exclude(entry_id__in=entry_ids).count(),
                "sales_entries_in_exact": len(entries),
                "duplicates_in_exact": sum(count - 1 for count in per_ref.values()),
                "invoices_lost": len(wanted - set(per_ref)),
            }
        )
        report(figures)
    if figures["duplicates_in_exact"] or figures["invoices_lost"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
