"""Reliability harness: bulk exports while workers are SIGKILLed and Exact misbehaves.

    .venv/bin/python bench/chaos.py --invoices 200 --rounds 20

The sandbox injects failures (500 with Exact's body, bare 502 and 503 pages), latency, answers
withheld after the write committed (the connection is reset), garbage sent with status 200 (an
HTML page, JSON cut off halfway, ``{"d": null}``, an error body, rows of the wrong shape),
answers that drip a byte at a time past the deadline, and page links (``__next``) to another
site, where a listener counts every request and every token it receives. Debtors and invoice
lines are named in arbitrary Unicode (Latin with diacritics, Greek, Cyrillic, Hebrew, Arabic,
Chinese, Korean, emoji) and every invoice goes with its PDF.

In each round a real Celery worker starts on a bulk export and, once it has exported its first
invoice, is killed with SIGKILL, pool and all, at a random moment. Nothing runs the leases of
the dead workers out by hand: the run uses a short lease (EXPORT_LEASE_SECONDS) and Celery beat
runs the recovery task, which resumes what the dead workers held. Then one worker and beat,
faults still on, finish the rest ("Export now" is pressed again whenever a batch ends) until
every invoice is settled or the time is up.

The figures: invoices exported; duplicates in Exact (sales entries beyond the first per
YourRef); invoices lost (final invoices with no sales entry); records left unsettled (pending or
sending) after the recovery task ran; empty documents left in Exact (no attachment); tokens
sent off-site. All but the first must be 0; the script exits 1 when they are not.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    DIVISION,
    UNLIMITED,
    BenchRun,
    beat_start,
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

# Scripts the names are drawn from, as code point ranges.
SCRIPTS = [
    (0x00C0, 0x017F),  # Latin-1 and Latin Extended-A: é, ł, č, ş, ő, ß
    (0x0391, 0x03C9),  # Greek
    (0x0410, 0x044F),  # Cyrillic
    (0x05D0, 0x05EA),  # Hebrew (right to left)
    (0x0627, 0x064A),  # Arabic (right to left, joined)
    (0x4E00, 0x9FA5),  # Chinese
    (0xAC00, 0xD7A3),  # Korean
    (0x1F600, 0x1F64F),  # emoji
]


def unicode_name(chance: random.Random, *, words: int) -> str:
    parts = []
    for _word in range(words):
        low, high = chance.choice(SCRIPTS)
        parts.append("".join(chr(chance.randint(low, high)) for _ in range(chance.randint(2, 7))))
    return " ".join(parts)


def names_in_unicode(chance: random.Random) -> None:
    """Every debtor's name and every invoice line's description in arbitrary scripts."""
    from billing.models import Company, InvoiceLine

    for company in Company.objects.all():
        Company.objects.filter(pk=company.pk).update(name=unicode_name(chance, words=3))
    for line in InvoiceLine.objects.all():
        InvoiceLine.objects.filter(pk=line.pk).update(description=unicode_name(chance, words=4))


class OffSite:
    """A server on another port: where a page link to a foreign site points. It counts what a
    client that followed the link would hand over."""

    def __init__(self) -> None:
        self.requests = 0
        self.tokens = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                outer.tokens += bool(self.headers.get("Authorization"))
                body = json.dumps({"d": {"results": []}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def batch_enqueue() -> int:
    """What "Export now" does: a batch row, and its task on the queue."""
    from exports.models import BatchKind
    from exports.records import export_batch_start
    from exports.tasks import invoices_export_bulk_task

    batch = export_batch_start(kind=BatchKind.MANUAL)
    invoices_export_bulk_task.delay(batch.pk)
    return batch.pk


def unsettled() -> int:
    from exports.models import ExportRecord, ExportState

    return ExportRecord.objects.filter(state__in=[ExportState.PENDING, ExportState.SENDING]).count()


def leased() -> int:
    from django.utils import timezone

    from exports.models import ExportRecord, ExportState

    return ExportRecord.objects.filter(
        state=ExportState.SENDING, lease_until__gt=timezone.now()
    ).count()


def exporting(batch_id: int) -> bool:
    from exports.models import ExportBatch

    batch = ExportBatch.objects.get(pk=batch_id)
    return batch.done > 0 or batch.finished_at is not None


def kill_rounds(run: BenchRun, *, rounds: int, chance: random.Random, max_wait: float) -> dict:
    """Start a worker on a bulk export and SIGKILL it at a random moment after its first invoice."""
    kills, kills_mid_invoice = 0, 0
    for _round in range(rounds):
        if not unsettled():
            break
        worker = worker_start(run)
        batch_id = batch_enqueue()
        wait_for(lambda batch_id=batch_id: exporting(batch_id), seconds=120, what="its start")
        time.sleep(chance.uniform(0, max_wait))
        worker_kill(worker)
        run.workers.remove(worker)
        kills += 1
        # A record still leased was between its claim and its outcome when the worker died.
        kills_mid_invoice += bool(leased())
    return {"kills": kills, "kills_mid_invoice": kills_mid_invoice}


def settle(run: BenchRun, *, seconds: float) -> dict:
    """One worker and beat, faults on, "Export now" again after each batch, until nothing is
    left unsettled; the leases of the dead workers run out and the recovery task takes them."""
    from exports.models import ExportBatch

    worker = worker_start(run)
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    batches = 0
    batch_id = None
    while unsettled() and time.monotonic() < deadline:
        if (
            batch_id is None
            or ExportBatch.objects.filter(pk=batch_id, finished_at__isnull=False).exists()
        ):
            batch_id = batch_enqueue()
            batches += 1
        time.sleep(0.5)
    worker_stop(run, worker)
    return {"settle_batches": batches, "settle_seconds": round(time.monotonic() - started, 1)}


def recovered_records() -> int:
    """Records the recovery task took over from a dead worker (its log lines count them)."""
    from exports.models import ExportRecord

    return ExportRecord.objects.filter(attempts__gt=1).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--debtors", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=20, help="workers killed, at most")
    parser.add_argument(
        "--max-wait",
        type=float,
        default=3.0,
        help="seconds from the first exported invoice to the kill, at most",
    )
    parser.add_argument("--error-rate", type=float, default=0.05)
    parser.add_argument("--garbage-rate", type=float, default=0.03)
    parser.add_argument("--drip-rate", type=float, default=0.01)
    parser.add_argument("--foreign-next-rate", type=float, default=0.03)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--drop-rate", type=float, default=0.03)
    parser.add_argument("--deadline", type=float, default=2.0, help="EXACT_DEADLINE")
    parser.add_argument("--lease-seconds", type=float, default=6.0, help="EXPORT_LEASE_SECONDS")
    parser.add_argument("--recovery-seconds", type=float, default=3.0)
    parser.add_argument("--settle-seconds", type=float, default=600)
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()

    chance = random.Random(args.seed)
    off_site = OffSite()
    environment = {
        "EXACT_DEADLINE": str(args.deadline),
        "EXPORT_LEASE_SECONDS": str(args.lease_seconds),
        "EXPORT_RECOVERY_SECONDS": str(args.recovery_seconds),
    }
    with bench_run("chaos", environment=environment) as run:
        from billing.models import Invoice
        from exports.models import ExportRecord, ExportState
        from integrations.models import ExactLink

        link = link_authenticate(run)
        ExactLink.objects.filter(pk=link.pk).update(send_pdf=True)
        run.sandbox.set_limits(**UNLIMITED)
        debtors = debtors_create(count=args.debtors)
        invoices_seed(count=args.invoices, debtors=debtors)
        names_in_unicode(chance)
        run.sandbox.set_faults(
            error_rate=args.error_rate,
            error_statuses=[500, 502, 503],
            latency_ms=args.latency_ms,
            drop_after_commit_rate=args.drop_rate,
            drop_mode="reset",
            garbage_rate=args.garbage_rate,
            drip_rate=args.drip_rate,
            drip_interval_ms=100,
            foreign_next_rate=args.foreign_next_rate,
            foreign_next_url=off_site.url,
            seed=args.seed,
        )
        run.sandbox.reset_counters()
        beat_start(run)
        started = time.monotonic()
        figures = {
            "command": "bench/chaos.py " + " ".join(sys.argv[1:]),
            "invoices": args.invoices,
            "debtors_new_to_exact": args.debtors - debtors_known_to_exact(debtors),
            "faults": (
                f"error_rate {args.error_rate} (500/502/503), garbage_rate {args.garbage_rate} "
                f"(html/truncated/null/error/shape with 200), drip_rate {args.drip_rate} "
                f"(a byte per 100 ms), foreign_next_rate {args.foreign_next_rate}, "
                f"latency {args.latency_ms} ms, drop_after_commit_rate {args.drop_rate} "
                f"(connection reset); PDF on, names in arbitrary Unicode; EXACT_DEADLINE "
                f"{args.deadline:g} s, EXPORT_LEASE_SECONDS {args.lease_seconds:g}, recovery "
                f"every {args.recovery_seconds:g} s"
            ),
        }
        figures.update(kill_rounds(run, rounds=args.rounds, chance=chance, max_wait=args.max_wait))
        figures["exported_before_settling"] = ExportRecord.objects.filter(
            state=ExportState.EXPORTED
        ).count()
        figures.update(settle(run, seconds=args.settle_seconds))
        figures["seconds"] = round(time.monotonic() - started, 1)

        counters = run.sandbox.counters()
        state = run.sandbox.state()["divisions"][DIVISION]
        entries = state["sales_entries"]
        per_ref = collections.Counter(entry["YourRef"] for entry in entries)
        wanted = {
            f"{number:05d}"
            for number in Invoice.objects.filter(status=Invoice.Status.FINAL).values_list(
                "number", flat=True
            )
        }
        entry_ids = {entry["EntryID"] for entry in entries}
        documents = state["documents"]
        records = ExportRecord.objects.filter(state=ExportState.EXPORTED)
        injected = counters.get("injected", {})
        figures.update(
            {
                "faults_injected": sum(injected.values()),
                "faults_injected_by_kind": dict(sorted(injected.items())),
                "answers_dropped_after_commit": sum(counters.get("dropped", {}).values()),
                "api_calls": counters["total"],
                "records_taken_over_after_a_failure_or_kill": recovered_records(),
                "exported": records.count(),
                "failed": ExportRecord.objects.filter(state=ExportState.FAILED).count(),
                "records_pointing_nowhere": records.exclude(entry_id__in=entry_ids).count(),
                "sales_entries_in_exact": len(entries),
                "documents_in_exact": len(documents),
                "duplicates_in_exact": sum(count - 1 for count in per_ref.values()),
                "invoices_lost": len(wanted - set(per_ref)),
                "records_unsettled_after_recovery": unsettled(),
                "empty_documents_in_exact": sum(1 for d in documents if not d["Attachments"]),
                "requests_off_site": off_site.requests,
                "tokens_sent_off_site": off_site.tokens,
            }
        )
        report(figures)
    off_site.stop()
    zeros = (
        "duplicates_in_exact",
        "invoices_lost",
        "records_unsettled_after_recovery",
        "empty_documents_in_exact",
        "tokens_sent_off_site",
    )
    if any(figures[name] for name in zeros):
        sys.exit(1)


if __name__ == "__main__":
    main()
