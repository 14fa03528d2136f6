"""Page benchmark: the configure screen, the invoice list and the export log, small and large.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/pages.py --records 1000000

Seeds ``--small`` (10,000) final invoices of two lines, each with an export record, and times
every page; then grows the history to ``--records`` and times them again, with the ratio between
the two. The debtors grow with the history (INVOICES_PER_DEBTOR), and one large customer has
about one invoice in a hundred, so a search for one debtor shows a page of about the same length
at both sizes; each page's ``rows`` says how many it drew. Each page is requested in-process
with Django's test client as a logged-in superuser, after two warm-up requests; the figures
are the server time of a request (median and 95th percentile; and the median CPU time of this
process) and the database queries it makes. On
PostgreSQL the history is written by the database itself (INSERT ... SELECT over
generate_series), then vacuumed and analysed as autovacuum would; each page's queries are
explained and the scans of the invoice and export record tables reported. On SQLite the rows are
inserted in bulk from Python, which suits the small size only.

Seeding 1,000,000 takes minutes; to time the pages again while changing a query, keep the
seeded database and run in it again (PostgreSQL only; the run's migrations are applied to it):

    DATABASE_URL=... .venv/bin/python bench/pages.py --records 1000000 --keep
    # prints "database kept after the run: coachlink_bench_<pid>_<hex>"
    DATABASE_URL=... .venv/bin/python bench/pages.py --reuse coachlink_bench_<pid>_<hex> \\
        --page invoice_list_search --page invoice_list_search_one_debtor

A reused database is timed at the size it holds, without seeding and without a ratio; drop it
with ``DROP DATABASE`` when done.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import bench_run, link_authenticate, report

WARM_UP_REQUESTS = 2
# Roughly the mix of a link that has run for a while: most exported, some waiting or refused.
STATE_WEIGHTS = {"exported": 85, "failed": 5, "pending": 5, "sending": 2, "excluded": 3}
# Debtors grow with the history: on average five invoices each, four in five of them companies
# (2,000 debtors at 10,000 invoices, 200,000 at 1,000,000). One large customer takes about one
# invoice in a hundred (invoice n where n % 97 == 0): a full page of its own at every size.
INVOICES_PER_DEBTOR = 5
COMPANY_SHARE = 0.8
LARGE_CUSTOMER = "Grootklant Opleidingen B.V."
LARGE_CUSTOMER_EVERY = 97
# Above any number the growing debtors take.
LARGE_CUSTOMER_NUMBER = 2_000_000_000
# Ten years of invoices: a group of companies invoicing 100,000 a year has 1,000,000.
HISTORY_DAYS = 3650
REFUSAL = "Ongeldige referentie: Btw-code"
BIG_TABLES = ("billing_invoice", "exports_exportrecord")
PAGES = {
    "configure": ("integrations:exact_configure", ""),
    "invoice_list": ("billing:invoice_list", ""),
    "invoice_list_next_page": ("billing:invoice_list", "next"),
    "invoice_list_last_page": ("billing:invoice_list", "?page=last"),
    "invoice_list_drafts": ("billing:invoice_list", "?status=draft"),
    # "Bedrijf 1" matches 712 of the 2,000 debtors at 10,000 invoices (1, 10-19, 100-199,
    # 1000-1600) and 71,112 of the 200,000 at 1,000,000; "Bedrijf 1234 B.V." one debtor with 5
    # invoices at 10,000 and 9 at 1,000,000; the large customer a full page at both.
    "invoice_list_search": ("billing:invoice_list", "?q=Bedrijf+1"),
    "invoice_list_search_one_debtor": ("billing:invoice_list", "?q=Bedrijf+1234+B.V."),
    "invoice_list_search_large_customer": ("billing:invoice_list", "?q=Grootklant"),
    "invoice_list_search_number": ("billing:invoice_list", "?q=04321"),
    "export_log": ("exports:log", ""),
    "export_log_next_page": ("exports:log", "next"),
    "export_log_last_page": ("exports:log", "?page=last"),
    "export_log_failed": ("exports:log", "?state=failed"),
    "export_log_search": ("exports:log", "?q=Bedrijf+1"),
    "export_log_search_one_debtor": ("exports:log", "?q=Bedrijf+1234+B.V."),
    "export_log_search_large_customer": ("exports:log", "?q=Grootklant"),
    "export_log_search_number": ("exports:log", "?q=04321"),
}


def reference_data_seed() -> dict:
    """The large customer, a course, a request, VAT, GL account, cost centre."""
    from billing.models import (
        Company,
        CostCenter,
        Course,
        CourseDefinition,
        Debtor,
        GLAccount,
        Request,
        VatRate,
    )

    large = Debtor.objects.create(
        debtor_number=LARGE_CUSTOMER_NUMBER, company=Company.objects.create(name=LARGE_CUSTOMER)
    )
    definition = CourseDefinition.objects.create(code="VCA", name="VCA Basis")
    return {
        "large_customer": large.pk,
        "course": Course.objects.create(
            code="VCA-01",
            definition=definition,
            start_date=dt.date(2026, 1, 5),
            end_date=dt.date(2026, 1, 6),
        ).pk,
        "request": Request.objects.create(request_number="AV-0001").pk,
        "vat": VatRate.objects.create(exact_code="2", percentage=21, description="21%").pk,
        "gl": GLAccount.objects.create(code="8000", name="Omzet").pk,
        "cost_center": CostCenter.objects.create(code="100", name="Opleidingen").pk,
    }


def debtors_seed(*, invoices: int, reference: dict) -> None:
    """As many debtors as ``invoices`` has on average (INVOICES_PER_DEBTOR each), four in five
    companies ("Bedrijf 1 B.V.", ...) and the rest persons ("Jan de Vries-1", ...); each size
    adds to the debtors of the size before, as a growing history does."""
    from billing.models import Company, Debtor, Person

    total = invoices // INVOICES_PER_DEBTOR
    companies_now = Company.objects.exclude(name=LARGE_CUSTOMER).count()
    persons_now = Person.objects.count()
    companies_to = round(total * COMPANY_SHARE)
    persons_to = total - companies_to
    number = Debtor.objects.exclude(pk=reference["large_customer"]).count()
    companies = Company.objects.bulk_create(
        (Company(name=f"Bedrijf {n} B.V.") for n in range(companies_now + 1, companies_to + 1)),
        batch_size=5000,
    )
    persons = Person.objects.bulk_create(
        (
            Person(first_name="Jan", last_name=f"de Vries-{n}")
            for n in range(persons_now + 1, persons_to + 1)
        ),
        batch_size=5000,
    )
    Debtor.objects.bulk_create(
        [Debtor(debtor_number=number + n, company=c) for n, c in enumerate(companies, 1)]
        + [
            Debtor(debtor_number=number + len(companies) + n, person=p)
            for n, p in enumerate(persons, 1)
        ],
        batch_size=5000,
    )
    everyone = list(Debtor.objects.order_by("pk").values_list("pk", "debtor_number"))
    reference["debtor_numbers"] = dict(everyone)
    reference["debtors"] = [pk for pk, _ in everyone if pk != reference["large_customer"]]


# The same history in both databases: invoice n is dated a pseudo-random day of the last ten
# years, its record is sent on that day, and its state follows STATE_WEIGHTS by n % 100.
STATE_CASE = """CASE WHEN n %% 100 < 85 THEN 'exported' WHEN n %% 100 < 90 THEN 'failed'
    WHEN n %% 100 < 95 THEN 'pending' WHEN n %% 100 < 97 THEN 'sending' ELSE 'excluded' END"""

POSTGRES_INVOICES = """
INSERT INTO billing_invoice (id, date, debtor_id, course_id, request_id,
    invoice_reference_number, status, number, finalised_at, finalised_by_id)
SELECT n, CURRENT_DATE - ((n::bigint * 7919) %% %(days)s)::int,
    CASE WHEN n %% %(large_every)s = 0 THEN %(large_customer)s
        ELSE (%(debtors)s::int[])[1 + n %% cardinality(%(debtors)s::int[])] END,
    %(course)s, %(request)s,
    'REF-' || n, 'final', n, now(), %(user)s
FROM generate_series(%(first)s, %(last)s) AS n
"""
POSTGRES_LINES = """
INSERT INTO billing_invoiceline (invoice_id, description, quantity, unit_price, vat_rate_id,
    gl_account_id, cost_center_id)
SELECT n, 'Cursusdag ' || line, 1 + n %% 3, 395.00, %(vat)s, %(gl)s, %(cost_center)s
FROM generate_series(%(first)s, %(last)s) AS n, generate_series(1, 2) AS line
"""
POSTGRES_RECORDS = f"""
INSERT INTO exports_exportrecord (invoice_id, state, your_ref, account_code, attempts,
    payload, response, entry_id, entry_number, document_id, error_message, error_kind,
    created_at, updated_at, sent_at, exported_at)
SELECT n, state, lpad(n::text, 5, '0'), debtor.debtor_number::text, 1,
    CASE WHEN state IN ('exported', 'failed', 'sending') THEN jsonb_build_object(
        'Journal', '70', 'YourRef', lpad(n::text, 5, '0'), 'SalesEntryLines', '[]'::jsonb) END,
    CASE WHEN state = 'exported' THEN jsonb_build_object('EntryNumber', 26700000 + n) END,
    CASE WHEN state = 'exported' THEN '00000000-0000-0000-0000-' || lpad(n::text, 12, '0')
        ELSE '' END,
    CASE WHEN state = 'exported' THEN 26700000 + n END, '',
    CASE WHEN state = 'failed' THEN %(refusal)s ELSE '' END,
    CASE WHEN state = 'failed' THEN %(kind)s ELSE '' END,
    sent, sent, CASE WHEN state <> 'pending' AND state <> 'excluded' THEN sent END,
    CASE WHEN state = 'exported' THEN sent END
FROM (
    SELECT invoice.id AS n, invoice.debtor_id, {STATE_CASE.replace("n %%", "invoice.id %%")}
        AS state,
        invoice.date + interval '8 hours' + interval '1 second' * ((invoice.id * 37) %% 36000)
        AS sent
    FROM billing_invoice AS invoice WHERE invoice.id BETWEEN %(first)s AND %(last)s
) AS invoice JOIN billing_debtor AS debtor ON debtor.id = invoice.debtor_id
"""


def history_seed(*, first: int, last: int, reference: dict) -> None:
    """Final invoices ``first``..``last`` of two lines, each with its export record."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from billing.models import Parameters
    from exports.explanations import explanation_find

    params = {
        **reference,
        "first": first,
        "last": last,
        "days": HISTORY_DAYS,
        "large_every": LARGE_CUSTOMER_EVERY,
        "user": get_user_model().objects.get(username="bench").pk,
        "refusal": REFUSAL,
        "kind": explanation_find(REFUSAL).kind,
    }
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in (POSTGRES_INVOICES, POSTGRES_LINES, POSTGRES_RECORDS):
                cursor.execute(sql, params)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('billing_invoice', 'id'), %s)", [last]
            )
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics, and the visibility map that
            # lets an index answer alone.
            cursor.execute("VACUUM ANALYZE")
    else:
        _history_seed_in_bulk(params)
    Parameters.objects.update(last_invoice_number=last)


def _history_seed_in_bulk(params: dict) -> None:
    from django.db import transaction
    from django.utils import timezone

    from billing.models import Invoice, InvoiceLine
    from exports.models import ExportRecord

    today = timezone.localdate()
    debtors = params["debtors"]
    with transaction.atomic():
        for start in range(params["first"], params["last"] + 1, 1000):
            numbers = range(start, min(start + 1000, params["last"] + 1))
            invoices = Invoice.objects.bulk_create(
                Invoice(
                    id=n,
                    date=today - dt.timedelta(days=(n * 7919) % HISTORY_DAYS),
                    debtor_id=(
                        params["large_customer"]
                        if n % LARGE_CUSTOMER_EVERY == 0
                        else debtors[n % len(debtors)]
                    ),
                    course_id=params["course"],
                    request_id=params["request"],
                    invoice_reference_number=f"REF-{n}",
                    status=Invoice.Status.FINAL,
                    number=n,
                    finalised_at=timezone.now(),
                    finalised_by_id=params["user"],
                )
                for n in numbers
            )
            InvoiceLine.objects.bulk_create(
                InvoiceLine(
                    invoice_id=invoice.pk,
                    description=f"Cursusdag {line}",
                    quantity=Decimal(1 + invoice.pk % 3),
                    unit_price=Decimal("395.00"),
                    vat_rate_id=params["vat"],
                    gl_account_id=params["gl"],
                    cost_center_id=params["cost_center"],
                )
                for invoice in invoices
                for line in (1, 2)
            )
            ExportRecord.objects.bulk_create(_record(invoice, params) for invoice in invoices)


def _record(invoice, params: dict):
    from django.utils import timezone

    from exports.models import ExportRecord

    n = invoice.pk
    state = next(
        name
        for name, below in (
            ("exported", 85),
            ("failed", 90),
            ("pending", 95),
            ("sending", 97),
            ("excluded", 100),
        )
        if n % 100 < below
    )
    sent = timezone.make_aware(dt.datetime.combine(invoice.date, dt.time(8))) + dt.timedelta(
        seconds=(n * 37) % 36000
    )
    record = ExportRecord(
        invoice_id=n,
        state=state,
        your_ref=f"{n:05d}",
        attempts=1,
        account_code=str(params["debtor_numbers"][invoice.debtor_id]),
    )
    if state in ("exported", "failed", "sending"):
        record.payload = {"Journal": "70", "YourRef": f"{n:05d}", "SalesEntryLines": []}
        record.sent_at = sent
    if state == "exported":
        record.entry_id = f"00000000-0000-0000-0000-{n:012d}"
        record.entry_number = 26700000 + n
        record.response = {"EntryNumber": record.entry_number}
        record.exported_at = sent
    if state == "failed":
        record.error_message, record.error_kind = params["refusal"], params["kind"]
    return record


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
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        content = browser.get(url).content.decode()
    times, cpu_times = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        browser.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
    figures = {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(statistics.quantiles(times, n=20)[18], 1),
        # This process's own CPU time (Python, Django, the template; not the database's): on a
        # shared machine it grows less with the load than the time waited.
        "cpu_median_ms": round(statistics.median(cpu_times), 1),
        "queries": len(queries),
        "rows": rows_shown(content),
    }
    if connection.vendor == "postgresql":
        figures["scans"] = scans_of_big_tables(queries)
    return figures


def rows_shown(content: str) -> int:
    """The rows of the page's table: a page of 50 costs more to draw than a page of 5."""
    body = content.partition("<tbody>")[2].partition("</tbody>")[0]
    return body.count("<tr") - body.count("colspan=")


def scans_of_big_tables(queries: list) -> str:
    """How the page's queries read the invoice and record tables, from EXPLAIN."""
    from django.db import connection

    found = set()
    with connection.cursor() as cursor:
        for sql, params in queries:
            if not sql.startswith("SELECT") or not any(t in sql for t in BIG_TABLES):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            value = cursor.fetchone()[0]
            nodes = [(json.loads(value) if isinstance(value, str) else value)[0]["Plan"]]
            while nodes:
                node = nodes.pop()
                nodes.extend(node.get("Plans", []))
                if node.get("Relation Name") in BIG_TABLES:
                    index = f" {node['Index Name']}" if "Index Name" in node else ""
                    found.add(f"{node['Node Type']}{index}")
    return ", ".join(sorted(found))


def pages_measure(browser, *, requests: int, pages: Sequence[str] = tuple(PAGES)) -> dict:
    from django.urls import reverse

    from coachlink.process import startup_objects_freeze

    # As the web process does once started (coachlink/wsgi.py): what this process holds by now
    # stays out of the collector's full passes, as a server's modules and registries do.
    startup_objects_freeze()
    figures = {}
    for name in pages:
        url_name, query = PAGES[name]
        url = reverse(url_name)
        if query == "next":
            # The second page, through the first page's own Next link.
            found = re.search(r'href="([^"]+)" rel="next"', browser.get(url).content.decode())
            url += html.unescape(found.group(1))
        else:
            url += query
        figures[name] = page_measure(browser, url, requests=requests)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--page", action="append", choices=PAGES, help="time only this page (repeatable)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the seeded PostgreSQL database in place"
    )
    parser.add_argument(
        "--reuse", metavar="DATABASE", default="", help="time the pages of a kept database"
    )
    args = parser.parse_args()
    pages = args.page or tuple(PAGES)

    with bench_run("pages", keep=args.keep, reuse=args.reuse) as run:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from billing.models import Invoice

        figures = {
            "command": "bench/pages.py " + " ".join(sys.argv[1:]),
            "requests_per_page": args.requests,
        }
        browser = Client()
        if args.reuse:
            browser.force_login(get_user_model().objects.get(username="bench"))
            size = Invoice.objects.count()
            figures[f"records_{size}"] = pages_measure(browser, requests=args.requests, pages=pages)
            figures[f"load_average_{size}"] = round(os.getloadavg()[0], 1)
            report(figures)
            return
        link_authenticate(run)
        reference = reference_data_seed()
        browser.force_login(get_user_model().objects.get(username="bench"))
        sizes = [args.small, args.records] if args.records > args.small else [args.records]
        seeded = 0
        for size in sizes:
            started = time.monotonic()
            debtors_seed(invoices=size, reference=reference)
            history_seed(first=seeded + 1, last=size, reference=reference)
            seeded = size
            figures[f"seed_seconds_to_{size}"] = round(time.monotonic() - started, 1)
            # The machine may be shared: what else ran shows in the load while measuring.
            figures[f"load_average_before_{size}"] = round(os.getloadavg()[0], 1)
            figures[f"records_{size}"] = pages_measure(browser, requests=args.requests, pages=pages)
            figures[f"load_average_{size}"] = round(os.getloadavg()[0], 1)
        if len(sizes) == 2:
            small, large = (figures[f"records_{size}"] for size in sizes)
            figures["p95_ratio"] = {
                name: round(large[name]["p95_ms"] / small[name]["p95_ms"], 2) for name in pages
            }
        report(figures)


if __name__ == "__main__":
    main()
