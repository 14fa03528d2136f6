"""Page benchmark: the configure screen, the invoice list and the export log over 10,000 records.

    .venv/bin/python bench/pages.py --records 10000 --requests 30

Each page is requested in-process with Django's test client as a logged-in superuser, after
two warm-up requests; the figures are the server time of a request (median and 95th
percentile) and the database queries it makes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import bench_run, link_authenticate, report

WARM_UP_REQUESTS = 2
# Roughly the mix of a link that has run for a while: most exported, some waiting or refused.
STATE_WEIGHTS = {"exported": 85, "failed": 5, "pending": 5, "sending": 2, "excluded": 3}
BATCH_SIZE = 1000


def history_seed(*, records: int) -> None:
    """``records`` final invoices of two lines, each with an export record, in bulk."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from billing.models import Invoice, InvoiceLine, Parameters
    from exports.explanations import explanation_find
    from exports.models import BatchKind, ExportBatch, ExportRecord
    from tests.billing.factories import (
        CostCenterFactory,
        CourseFactory,
        DebtorFactory,
        GLAccountFactory,
        RequestFactory,
        VatRateFactory,
    )

    chance = random.Random(7)
    user = get_user_model().objects.get(username="bench")
    debtors = DebtorFactory.create_batch(200)
    courses = CourseFactory.create_batch(20)
    requests = RequestFactory.create_batch(20)
    vat, gl, cost_center = VatRateFactory(), GLAccountFactory(), CostCenterFactory()
    refusal = "Ongeldige referentie: Btw-code"
    kind = explanation_find(refusal).kind
    now = timezone.now()
    for start in range(0, records, BATCH_SIZE):
        numbers = range(start + 1, min(start + BATCH_SIZE, records) + 1)
        invoices = Invoice.objects.bulk_create(
            Invoice(
                date=dt.date(2026, 1, 1) + dt.timedelta(days=number % 300),
                debtor=debtors[number % len(debtors)],
                course=courses[number % len(courses)],
                request=requests[number % len(requests)],
                invoice_reference_number=f"REF-{number:05d}",
                status=Invoice.Status.FINAL,
                number=number,
                finalised_at=now,
                finalised_by=user,
            )
            for number in numbers
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                description=f"Cursusdag {line}",
                quantity=Decimal(1 + invoice.number % 3),
                unit_price=Decimal("395.00"),
                vat_rate=vat,
                gl_account=gl,
                cost_center=cost_center,
            )
            for invoice in invoices
            for line in (1, 2)
        )
        rows = []
        for invoice in invoices:
            state = chance.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
            sent = now - dt.timedelta(days=chance.randrange(30), minutes=chance.randrange(1440))
            payload = {"Journal": "70", "YourRef": f"{invoice.number:05d}", "SalesEntryLines": []}
            record = ExportRecord(
                invoice=invoice,
                state=state,
                your_ref=f"{invoice.number:05d}",
                account_code=str(invoice.debtor.debtor_number),
                attempts=1,
            )
            if state in ("exported", "failed", "sending"):
                record.payload = payload
                record.sent_at = sent
            if state == "exported":
                record.entry_id = f"00000000-0000-0000-0000-{invoice.number:012d}"
                record.entry_number = 26700000 + invoice.number
                record.response = {"EntryID": record.entry_id, "EntryNumber": record.entry_number}
                record.exported_at = sent
            if state == "failed":
                record.error_message = refusal
                record.error_kind = kind
            rows.append(record)
        ExportRecord.objects.bulk_create(rows)
    ExportBatch.objects.bulk_create(
        ExportBatch(
            kind=BatchKind.NIGHTLY,
            total=records // 30,
            exported=records // 30,
            finished_at=now - dt.timedelta(days=day),
        )
        for day in range(30)
    )
    parameters = Parameters.load()
    Parameters.objects.filter(pk=parameters.pk).update(last_invoice_number=records)


def page_measure(browser, url: str, *, requests: int) -> dict:
    from django.db import connection

    for _ in range(WARM_UP_REQUESTS):
        answer = browser.get(url)
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code}")
    queries = []

    # Counted below the connection: the request closes and reopens it, which a query log
    # would not survive.
    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        browser.get(url)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        browser.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(statistics.quantiles(times, n=20)[18], 1),
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    with bench_run("pages") as run:
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.urls import NoReverseMatch, reverse

        link_authenticate(run)
        seeding = time.monotonic()
        history_seed(records=args.records)
        figures = {
            "command": "bench/pages.py " + " ".join(sys.argv[1:]),
            "records": args.records,
            "requests_per_page": args.requests,
            "seed_seconds": round(time.monotonic() - seeding, 1),
        }
        browser = Client()
        browser.force_login(get_user_model().objects.get(username="bench"))
        pages = {
            "configure": ("integrations:exact_configure", ""),
            "invoice_list": ("billing:invoice_list", ""),
            "invoice_list_search": ("billing:invoice_list", "?q=Bedrijf+1"),
            "invoice_list_last_page": ("billing:invoice_list", "?page=last"),
            "export_log": ("exports:log", ""),
            "export_log_failed": ("exports:log", "?state=failed"),
            "export_log_search": ("exports:log", "?q=Bedrijf+1"),
        }
        for name, (url_name, query) in pages.items():
            try:
                url = reverse(url_name) + query
            except NoReverseMatch:
                figures[name] = "missing: the page does not exist yet"
                continue
            figures[name] = page_measure(browser, url, requests=args.requests)
        report(figures)


if __name__ == "__main__":
    main()
