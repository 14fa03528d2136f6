"""Payment registration benchmark: N exported invoices, payments booked in Exact, one sync.

    .venv/bin/python bench/payments.py --invoices 1000

The invoices are exported in-process, then the sandbox's person UI registers payments on most
of their receivables (in full, partly, partly with the rest written off), and one payment sync
runs: its API calls (the sandbox's counters) and its seconds are the figures. Issue 6 allows
ceil(N / 1000) + 2 calls.

The sync is coachlink's own ``exports.payments.payment_status_sync``, with payment registration
switched on for the link, as the Payment registration panel would.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

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

# Of the exported invoices: paid in full, partly paid, partly paid with the rest written off;
# the rest stays open.
PAYMENT_MIX = {"full": 0.4, "partial": 0.2, "write_off": 0.1}


def payments_register(run: BenchRun, *, chance: random.Random) -> dict[str, int]:
    """Pay receivables through the sandbox's person UI, as a bookkeeper would."""
    receivables = run.sandbox.state()["divisions"][DIVISION]["receivables"]
    done: dict[str, int] = defaultdict(int)
    # The UI's forms want their CSRF token, as in a browser.
    session = run.sandbox.ui_session()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--debtors", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    with bench_run("payments") as run:
        from exports.models import ExportRecord, ExportState, PaymentStatus
        from exports.payments import payment_status_sync
        from exports.run import invoices_export_bulk

        link = link_authenticate(run)
        link.payment_registration = True
        link.save(update_fields=["payment_registration"])
        run.sandbox.set_limits(**UNLIMITED)
        debtors = debtors_create(count=args.debtors)
        invoices_seed(count=args.invoices, debtors=debtors)
        invoices_export_bulk(link=link)
        exported = ExportRecord.objects.filter(state=ExportState.EXPORTED).count()
        registered = payments_register(run, chance=random.Random(args.seed))

        run.sandbox.reset_counters()
        started = time.monotonic()
        payment_status_sync(link=link)
        seconds = time.monotonic() - started
        counters = run.sandbox.counters()
        states = defaultdict(int)
        for state in PaymentStatus.objects.values_list("state", flat=True):
            states[state] += 1
        report(
            {
                "command": "bench/payments.py " + " ".join(sys.argv[1:]),
                "invoices": args.invoices,
                "exported": exported,
                "payments_registered": registered,
                "payment_states_after_sync": dict(sorted(states.items())),
                "sync_seconds": round(seconds, 2),
                "sync_api_calls": counters["total"],
                "sync_api_calls_allowed": math.ceil(exported / 1000) + 2,
                "sync_api_calls_by_endpoint": counters.get("by_method_endpoint", {}),
            }
        )


if __name__ == "__main__":
    main()
