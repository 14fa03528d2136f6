"""The invoice list and the export log read their big tables through indexes, as at a million.

Each page is requested for real and every query it makes is run again under EXPLAIN: no plan may
read the invoice or export record table from end to end (a sequential scan), nor sort a large
share of it. The tables hold 40,000 invoices and records here, vacuumed and analysed as
autovacuum keeps them, spread over 2,000 debtors as a company with that many invoices has them,
so that PostgreSQL's planner weighs a scan against an index on real statistics. At this size a
sequential scan costs so little that the planner takes it wherever no index serves the query, or
where a search matches more than about a hundred rows to fetch one by one; the searches here
match half the debtors (walked in the list's index) or one (fetched through its index). At
1,000,000 records the planner fetches by index up to thousands of matches: bench/pages.py
reports the plans of every page at that size.
"""

import json

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Company, Debtor, Person

# Committed, so that the tables can be vacuumed as autovacuum keeps them in production.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

INVOICES = 40_000
BIG_TABLES = {"billing_invoice", "exports_exportrecord"}
# A sort may hold the matches of a narrow search, never a large share of a table.
SORT_ROWS_ALLOWED = INVOICES // 20

SEED_INVOICES = """
INSERT INTO billing_invoice
    (date, debtor_id, status, number, invoice_reference_number, finalised_at)
SELECT DATE '2017-01-01' + (g * 3650 / %(invoices)s),
       debtors.ids[1 + g %% array_length(debtors.ids, 1)],
       CASE WHEN g %% 97 = 0 THEN 'draft' ELSE 'final' END,
       CASE WHEN g %% 97 = 0 THEN NULL ELSE g END,
       '', now()
FROM generate_series(1, %(invoices)s) AS g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM billing_debtor) AS debtors
"""
SEED_RECORDS = """
INSERT INTO exports_exportrecord
    (invoice_id, state, your_ref, account_code, attempts, entry_id, document_id,
     error_message, error_kind, created_at, updated_at, exported_at)
SELECT invoice.id,
       (ARRAY['exported', 'exported', 'exported', 'exported', 'exported', 'exported',
              'exported', 'exported', 'failed', 'pending', 'excluded'])[1 + invoice.id % 11],
       lpad(invoice.number::text, 5, '0'), debtor.debtor_number::text, 1, '', '', '', '',
       invoice.date, invoice.date + interval '1 hour' * (invoice.id % 24),
       CASE WHEN invoice.id % 11 < 8 THEN invoice.date + interval '1 hour' END
FROM billing_invoice AS invoice JOIN billing_debtor AS debtor ON debtor.id = invoice.debtor_id
WHERE invoice.status = 'final'
"""


@pytest.fixture
def history(require_postgresql):
    history_seed()


def history_seed() -> None:
    # As many debtors as a company with this many invoices would have: one debtor's invoices
    # are a small part of the table, as they are at scale.
    companies = Company.objects.bulk_create(Company(name=f"Bedrijf {n}") for n in range(1, 1601))
    persons = Person.objects.bulk_create(
        Person(first_name="Anna", last_name=f"de Vries {n}") for n in range(1, 401)
    )
    Debtor.objects.bulk_create(
        [Debtor(debtor_number=n, company=company) for n, company in enumerate(companies, 1)]
        + [Debtor(debtor_number=2000 + n, person=person) for n, person in enumerate(persons, 1)]
    )
    with connection.cursor() as cursor:
        cursor.execute(SEED_INVOICES, {"invoices": INVOICES})
        cursor.execute(SEED_RECORDS)
        # The debtors and their names too: a search's plan weighs how many of them match.
        cursor.execute(
            "VACUUM ANALYZE billing_invoice, exports_exportrecord, billing_debtor, "
            "billing_company, billing_person"
        )


def scans(plan: dict) -> list[tuple[str, str, float]]:
    """Every node of a plan as (node type, relation, estimated rows)."""
    found = [(plan["Node Type"], plan.get("Relation Name", ""), plan["Plan Rows"])]
    for child in plan.get("Plans", []):
        found += scans(child)
        if plan["Node Type"] in ("Sort", "Incremental Sort"):
            found.append(("Sort input", child.get("Relation Name", ""), child["Plan Rows"]))
    return found


def page_problems(client, url: str) -> list[str]:
    """What in the plans of the page's queries would grow with the tables."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    big_queries = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and any(table in query["sql"] for table in BIG_TABLES)
    ]
    assert big_queries, f"{url} read neither table"
    return [f"{url}: {problem}" for sql in big_queries for problem in plan_problems(sql)]


def plan_problems(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        value = cursor.fetchone()[0]
    plan = (json.loads(value) if isinstance(value, str) else value)[0]["Plan"]
    problems = []
    for node, relation, rows in scans(plan):
        if node == "Seq Scan" and relation in BIG_TABLES:
            problems.append(f"sequential scan on {relation} in {sql[:150]}")
        if node == "Sort input" and rows > SORT_ROWS_ALLOWED:
            problems.append(f"sorts {rows:.0f} rows in {sql[:150]}")
    return problems


def test_the_pages_read_invoices_and_records_through_indexes(history, client):
    client.force_login(User.objects.create_superuser("plans"))
    invoices, log = reverse("billing:invoice_list"), reverse("exports:log")
    first_invoices = client.get(invoices).context["page"]
    first_records = client.get(log).context["page"]
    urls = [
        invoices,
        invoices + first_invoices.next_url,
        invoices + "?page=last",
        invoices + "?status=draft",
        invoices + "?status=final&page=last",
        # Half of the debtors match, then one, then a person's name, then a number.
        invoices + "?q=Bedrijf+1",
        invoices + "?q=Bedrijf+1171",
        invoices + "?q=vries+7",
        invoices + "?q=01234",
        log,
        log + first_records.next_url,
        log + "?page=last",
        log + "?state=failed",
        log + "?state=pending&page=last",
        log + "?q=Bedrijf+1",
        log + "?q=Bedrijf+1171",
        log + "?q=01234",
        log + "?q=1171&state=exported",
    ]
    problems = [problem for url in urls for problem in page_problems(client, url)]

    assert problems == []
    # And on the same tables the check sees a query that no index serves, or a sort of them all.
    unindexed = "SELECT id FROM billing_invoice WHERE invoice_reference_number = 'REF-7'"
    unsorted = "SELECT id FROM billing_invoice ORDER BY invoice_reference_number LIMIT 50"
    assert plan_problems(unindexed) == [f"sequential scan on billing_invoice in {unindexed}"]
    assert plan_problems(unsorted)[-1].startswith("sorts 40000 rows")


def test_a_broad_search_checks_each_invoice_of_the_list_on_its_own_debtor(history, client):
    # "Bedrijf 1" matches 800 of the 2,000 debtors: more than are listed, so the invoices are
    # read in the list's order and each checked on the debtor its row joins, with no subquery
    # of debtors to plan and run beside it.
    client.force_login(User.objects.create_superuser("plans"))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("billing:invoice_list") + "?q=Bedrijf+1").context["page"]
    invoice_queries = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT "billing_invoice"."id", "billing_invoice"."date"')
    ]

    assert len(page) == 50
    assert all(row.debtor.name.startswith("Bedrijf 1") for row in page)
    assert len(invoice_queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + invoice_queries[0])
        value = cursor.fetchone()[0]
    plan = (json.loads(value) if isinstance(value, str) else value)[0]["Plan"]
    nodes, found = [plan], []
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        found.append(node)
    assert not [node for node in found if node.get("Parent Relationship") == "SubPlan"]
    invoice_scans = [node for node in found if node.get("Relation Name") == "billing_invoice"]
    assert [(node["Node Type"], node.get("Index Name")) for node in invoice_scans] == [
        ("Index Scan", "invoice_list_order")
    ], json.dumps(plan, indent=1)
