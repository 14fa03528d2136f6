"""Payment registration benchmark: N exported invoices, payments booked in Exact, one sync.

    .venv/bin/python bench/payments.py --invoices 1000

The invoices are exported in-process, then the sandbox's person UI registers payments on most
of their receivables (in full, partly, partly with the rest written off), and one payment sync
runs: its API calls (the sandbox's counters) and its seconds are the figures. Issue 6 allows
ceil(N / 1000) + 2 calls.

The sync is coachlink's ``payment_status_sync(*, link)`` (the name STYLE.md gives it) when
exports has one. Until then the script times a stand-in that reads the way issue 6 describes
(``bulk/Cashflow/Receivables``, 1,000 rows a page, matched to the export records by entry id or
YourRef, several rows per invoice added up) and says so in its figures.
"""

from __future__ import annotations

import argparse
import importlib
import math
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    DIVISION,
    UNLIMITED,
    BenchRun,
    bench_run,
    debtors_create,
    invoices_seed,
    link_authenticate,
    report,
)

# Where coachlink's payment sync may live, by the service naming of STYLE.md.
SYNC_LOCATIONS = [
    ("exports.payments", "payment_status_sync"),
    ("exports.services", "payment_status_sync"),
]
# Of the exported invoices: paid in full, partly paid, partly paid with the rest written off;
# the rest stays open.
PAYMENT_MIX = {"full": 0.4, "partial": 0.2, "write_off": 0.1}


def sync_find():
    for module_name, function_name in SYNC_LOCATIONS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, function_name, None)
        if function is not None:
            return f"{module_name}.{function_name}", function
    return "", None


def payments_register(run: BenchRun, *, chance: random.Random) -> dict[str, int]:
    """Pay receivables through the sandbox's person UI, as a bookkeeper would."""
    receivables = run.sandbox.state()["divisions"][DIVISION]["receivables"]
    done: dict[str, int] = defaultdict(int)
    session = requests.Session()
    for receivable in receivables:
        roll, kind = chance.random(), "open"
        for name, share in PAYMENT_MIX.items():
            if roll < share:
                kind = name
                break
            roll -= share
        done[kind] += 1
        if kind == "open":
            continue
        form = {"kind": kind}
        if kind != "full":
            half = (Decimal(str(receivable["AmountDC"])) / 2).quantize(Decimal("0.01"))
            form["amount"] = str(half)
        answer = session.post(
            f"{run.sandbox.url}/divisions/{DIVISION}/receivables/{receivable['ID']}/pay/",
            data=form,
            allow_redirects=False,
            timeout=30,
        )
        answer.raise_for_status()
    return dict(sorted(done.items()))


def receivables_read_standin(*, link) -> dict[str, int]:
    """Issue 6's read, until coachlink has it: all receivables in pages of 1,000, matched."""
    from exports.models import ExportRecord, ExportState
    from integrations.exact import client

    rows = client.get(
        link,
        "bulk/Cashflow/Receivables",
        params={
            "$select": "ID,TransactionEntryID,YourRef,AmountDC,IsFullyPaid,Status,LastPaymentDate"
        },
    )
    records = ExportRecord.objects.filter(state=ExportState.EXPORTED).values_list(
        "pk", "entry_id", "your_ref"
    )
    by_entry = {entry_id.lower(): pk for pk, entry_id, _ref in records}
    by_ref = {your_ref: pk for pk, _entry, your_ref in records}
    per_record: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        pk = by_entry.get(str(row.get("TransactionEntryID", "")).lower()) or by_ref.get(
            str(row.get("YourRef", "")).strip()
        )
        if pk is not None:
            per_record[pk].append(row)
    paid = sum(1 for rows in per_record.values() if all(row["IsFullyPaid"] for row in rows))
    return {"receivable_rows": len(rows), "invoices_matched": len(per_record), "paid": paid}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--debtors", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    with bench_run("payments") as run:
        from exports.models import ExportRecord, ExportState
        from exports.services import invoices_export_bulk

        link = link_authenticate(run)
        run.sandbox.set_limits(**UNLIMITED)
        debtors = debtors_create(count=args.debtors)
        invoices_seed(count=args.invoices, debtors=debtors)
        invoices_export_bulk(link=link)
        exported = ExportRecord.objects.filter(state=ExportState.EXPORTED).count()
        registered = payments_register(run, chance=random.Random(args.seed))

        name, sync = sync_find()
        run.sandbox.reset_counters()
        started = time.monotonic()
        if sync is not None:
            outcome = {"service": name}
            sync(link=link)
        else:
            outcome = {
                "service": "missing: exports has no payment_status_sync yet; timed a stand-in "
                "read of bulk/Cashflow/Receivables (bench/payments.py)",
                **receivables_read_standin(link=link),
            }
        seconds = time.monotonic() - started
        counters = run.sandbox.counters()
        report(
            {
                "command": "bench/payments.py " + " ".join(sys.argv[1:]),
                "invoices": args.invoices,
                "exported": exported,
                "payments_registered": registered,
                **outcome,
                "sync_seconds": round(seconds, 2),
                "sync_api_calls": counters["total"],
                "sync_api_calls_allowed": math.ceil(exported / 1000) + 2,
                "sync_api_calls_by_endpoint": counters.get("by_method_endpoint", {}),
            }
        )


if __name__ == "__main__":
    main()
