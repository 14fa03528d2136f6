"""Reconciliation benchmark: N exported invoices, a bookkeeper's changes in Exact, one run.

    .venv/bin/python bench/reconcile.py --invoices 10000

The exported state is seeded in bulk rather than by N real exports (which would take minutes
and measure the export, not the reconciliation): coachlink's final invoices, lines and export
records are inserted with the ORM, and the same invoices are booked in the sandbox through its
control endpoint ``/_sandbox/divisions/7095/entries/bulk`` (entries, lines and receivables as a
POST would store them, with the entry numbers and references coachlink's exports use). Then the
sandbox's control endpoint does what a bookkeeper does: deletes some entries, edits others
(amount, customer, GL account, period), books some invoices a second time and books new entries
by hand with coachlink's invoice number prefix. One reconciliation of the year runs
(coachlink's ``exports.reconciliation.run.reconciliation_run``): the differences it finds are
checked against the changes made (found, missed, false alarms), and its API calls (the
sandbox's counters), seconds and database queries are the figures. A month run follows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
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
    link_authenticate,
    report,
)

PREFIX = "26"
YEAR = 2026
# Two lines an invoice, one per VAT rate, so coachlink's VAT per rate and Exact's VAT per line
# are the same amount.
LINES = [("8000", "1", Decimal("21.00")), ("8010", "2", Decimal("9.00"))]
EDITS = [
    {"amount": "1.00"},
    {"customer_code": "900065"},
    {"gl_code": "8020"},
    {"period": 12},
]
SEED_CHUNK = 2000


def invoices_seed_exported(run: BenchRun, *, count: int, debtors: list) -> dict:
    """``count`` final invoices, booked in the sandbox and recorded as exported in coachlink."""
    from django.db import transaction

    from billing.models import GLAccount, Invoice, InvoiceLine, Parameters, VatRate
    from exports.models import ExportRecord, ExportState

    gls = {
        code: GLAccount.objects.get_or_create(code=code, name=f"Omzet {code}")[0]
        for code, _, _ in LINES
    }
    rates = {
        code: VatRate.objects.get_or_create(
            exact_code=code, defaults={"percentage": pct, "description": f"BTW {pct}%"}
        )[0]
        for _, code, pct in LINES
    }
    references = {}
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        invoices = []
        for number in range(1, count + 1):
            date = dt.date(YEAR, 1 + (number - 1) * 11 // count, 1 + number % 28)
            invoices.append(
                Invoice(
                    date=date,
                    debtor=debtors[number % len(debtors)],
                    status=Invoice.Status.FINAL,
                    number=number,
                    finalised_at=now,
                )
            )
        Invoice.objects.bulk_create(invoices, batch_size=1000)
        lines = []
        for invoice in invoices:
            for index, (gl, vat, _) in enumerate(LINES):
                price = Decimal(100 + (invoice.number * 7 + index * 13) % 900)
                lines.append(
                    InvoiceLine(
                        invoice=invoice,
                        description=f"Cursusdag {index + 1}",
                        unit_price=price,
                        vat_rate=rates[vat],
                        gl_account=gls[gl],
                    )
                )
        InvoiceLine.objects.bulk_create(lines, batch_size=2000)
        Parameters.objects.filter(pk=Parameters.SINGLETON_PK).update(last_invoice_number=count)
    by_invoice: dict[int, list] = {}
    for line in lines:
        by_invoice.setdefault(line.invoice_id, []).append(line)
    session = requests.Session()
    for start in range(0, count, SEED_CHUNK):
        chunk = invoices[start : start + SEED_CHUNK]
        entries = []
        for invoice in chunk:
            reference = f"{PREFIX}{invoice.number:05d}"
            entries.append(
                {
                    "EntryNumber": int(reference),
                    "YourRef": reference,
                    "AccountCode": str(invoice.debtor.debtor_number),
                    "Date": invoice.date.isoformat(),
                    "Description": f"{reference} {invoice.debtor.name}",
                    "Lines": [
                        {
                            "GLAccountCode": line.gl_account.code,
                            "AmountFC": str(line.amount),
                            "VATCode": line.vat_rate.exact_code,
                        }
                        for line in by_invoice[invoice.pk]
                    ],
                }
            )
        answer = session.post(
            f"{run.sandbox.url}/_sandbox/divisions/{DIVISION}/entries/bulk",
            json={"entries": entries},
            headers=run.sandbox.control_headers,
            timeout=300,
        )
        answer.raise_for_status()
        booked = {row["YourRef"]: row for row in answer.json()["entries"]}
        records = []
        for invoice in chunk:
            reference = f"{PREFIX}{invoice.number:05d}"
            entry = booked[reference]
            references[reference] = entry["EntryID"]
            records.append(
                ExportRecord(
                    invoice=invoice,
                    state=ExportState.EXPORTED,
                    your_ref=reference,
                    account_code=str(invoice.debtor.debtor_number),
                    attempts=1,
                    payload={
                        "EntryDate": invoice.date.isoformat(),
                        "ReportingYear": invoice.date.year,
                        "ReportingPeriod": invoice.date.month,
                        "YourRef": reference,
                    },
                    entry_id=entry["EntryID"],
                    entry_number=entry["EntryNumber"],
                    sent_at=now,
                    exported_at=now,
                )
            )
        ExportRecord.objects.bulk_create(records, batch_size=1000)
    return references


def bookkeeper_changes(run: BenchRun, *, references: dict, args, chance) -> set[tuple[str, str]]:
    """Change Exact as a bookkeeper would; the differences a reconciliation must find."""
    from exports.models import DifferenceKind

    picked = chance.sample(sorted(references), args.deleted + args.edited + args.twice)
    deleted = picked[: args.deleted]
    edited = picked[args.deleted : args.deleted + args.edited]
    twice = picked[args.deleted + args.edited :]
    session = requests.Session()

    def control(path: str, payload: dict | None = None) -> None:
        answer = session.post(
            f"{run.sandbox.url}/_sandbox/{path}",
            json=payload or {},
            headers=run.sandbox.control_headers,
            timeout=60,
        )
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.text}")

    expected = set()
    for reference in deleted:
        control(f"entries/{references[reference]}/delete")
        expected.add((DifferenceKind.MISSING, reference))
    for index, reference in enumerate(edited):
        control(f"entries/{references[reference]}/edit", EDITS[index % len(EDITS)])
        expected.add((DifferenceKind.CHANGED, reference))
    for reference in twice:
        control(f"entries/{references[reference]}/duplicate")
        expected.add((DifferenceKind.DUPLICATE, reference))
    for index in range(args.by_hand):
        number = f"{PREFIX}9{index + 1:04d}"
        control(
            f"divisions/{DIVISION}/entries/book",
            {
                "customer_code": "900001",
                "invoice_number": number,
                "date": f"{YEAR}-{1 + index % 11:02d}-15",
                "gl_code": "8000",
                "vat_code": "1",
                "amount": "250.00",
                "description": "Handmatig geboekt",
            },
        )
        expected.add((DifferenceKind.UNKNOWN, number))
    return expected


def measured_run(run: BenchRun, *, link, month: int | None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exports.reconciliation.run import reconciliation_run

    run.sandbox.reset_counters()
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        result = reconciliation_run(link=link, year=YEAR, month=month)
    seconds = time.monotonic() - started
    return result, seconds, len(queries), run.sandbox.counters()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=10000)
    # 900001-900064: all known to the sandbox; an edit moves an entry to customer 900065.
    parser.add_argument("--debtors", type=int, default=64)
    parser.add_argument("--deleted", type=int, default=20)
    parser.add_argument("--edited", type=int, default=20)
    parser.add_argument("--twice", type=int, default=10)
    parser.add_argument("--by-hand", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    chance = random.Random(args.seed)

    with bench_run("reconcile") as run:
        link = link_authenticate(run)
        link.invoice_number_prefix = PREFIX
        link.save(update_fields=["invoice_number_prefix"])
        run.sandbox.set_limits(**UNLIMITED)
        debtors = debtors_create(count=args.debtors)
        started = time.monotonic()
        references = invoices_seed_exported(run, count=args.invoices, debtors=debtors)
        seed_seconds = time.monotonic() - started
        made = bookkeeper_changes(run, references=references, args=args, chance=chance)

        year_run, seconds, queries, counters = measured_run(run, link=link, month=None)
        found = {(d.kind, d.reference) for d in year_run.differences.all()}
        busiest = max(year_run.months.all(), key=lambda month: month.invoices)
        month_run, month_seconds, month_queries, month_counters = measured_run(
            run, link=link, month=busiest.month
        )
        report(
            {
                "command": "bench/reconcile.py " + " ".join(sys.argv[1:]),
                "invoices_exported": args.invoices,
                "seed_seconds": round(seed_seconds, 1),
                "changes_in_exact": {
                    "deleted": args.deleted,
                    "edited": args.edited,
                    "booked_twice": args.twice,
                    "booked_by_hand": args.by_hand,
                },
                "year": {
                    "differences_expected": len(made),
                    "differences_found": len(found & made),
                    "differences_missed": len(made - found),
                    "false_alarms": len(found - made),
                    "invoices_agreeing": year_run.agreed,
                    "journal_lines_read": year_run.lines_read,
                    "api_calls": counters["total"],
                    "api_calls_allowed": math.ceil(year_run.lines_read / 1000) + 3,
                    "seconds": round(seconds, 2),
                    "queries": queries,
                    "months_agreeing": sum(m.agrees for m in year_run.months.all()),
                },
                "month": {
                    "period": month_run.period_label,
                    "invoices": month_run.invoices,
                    "differences_found": month_run.differences_count,
                    "journal_lines_read": month_run.lines_read,
                    "api_calls": month_counters["total"],
                    "api_calls_allowed": math.ceil(month_run.lines_read / 1000) + 3,
                    "seconds": round(month_seconds, 2),
                    "queries": month_queries,
                },
            }
        )
        if found != made:
            sys.exit(1)


if __name__ == "__main__":
    main()
