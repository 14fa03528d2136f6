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
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Company, Debtor, Person
from billing.selectors import DEBTORS_LISTED, debtors_matching

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


MANY_COMPANIES, MANY_PERSONS = 60_000, 15_000


@pytest.fixture
def many_debtors(require_postgresql):
    """As many debtors as a history of a million invoices has, named alike as the benchmark's,
    the worst case for a trigram index (every name shares most of its trigrams)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO billing_company (name, extern_id, extern_source) "
            "SELECT 'Bedrijf ' || n || ' B.V.', '', '' FROM generate_series(1, %s) AS n",
            [MANY_COMPANIES],
        )
        cursor.execute(
            "INSERT INTO billing_person (first_name, last_name, extern_id, extern_source) "
            "SELECT 'Jan', 'de Vries-' || n, '', '' FROM generate_series(1, %s) AS n",
            [MANY_PERSONS],
        )
        for table, column in (("billing_company", "company_id"), ("billing_person", "person_id")):
            cursor.execute(
                f"INSERT INTO billing_debtor (debtor_number, {column}, debtor_number_external, "
                "address_line_1, address_line_2, address_line_3, postcode, city, country_code, "
                "email, vat_number, chamber_of_commerce) "
                f"SELECT (SELECT coalesce(max(debtor_number), 0) FROM billing_debtor) "
                f"+ row_number() OVER (ORDER BY id), id, '', '', '', '', '', '', 'NL', '', '', '' "
                f"FROM {table}"
            )
        cursor.execute("VACUUM ANALYZE billing_debtor, billing_company, billing_person")


def rows_read(plan: dict) -> int:
    """The rows every scan of a plan read (returned or filtered away), over all its loops."""
    read = 0
    if "Relation Name" in plan:
        loops = plan.get("Actual Loops", 1)
        read += (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * loops
        read += plan.get("Rows Removed by Index Recheck", 0)
    return read + sum(rows_read(child) for child in plan.get("Plans", []))


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Bedrijf 31234 B.V.", 1),
        ("jan de vries-7777", 1),
        ("vries-1234", 11),  # 1234, 12340-12349
        ("Bedrijf 1", DEBTORS_LISTED + 1),  # a broad search: stops at what is read
    ],
    ids=["a company's whole name", "a person's whole name", "part of a name", "broad"],
)
def test_a_name_search_reads_a_few_of_many_debtors(many_debtors, query, found):
    lookup = debtors_matching(query=query)[: DEBTORS_LISTED + 1]
    sql, params = lookup.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        value = cursor.fetchone()[0]
    plan = (json.loads(value) if isinstance(value, str) else value)[0]["Plan"]

    assert len(list(lookup)) == found
    # Of the 150,000 rows of names and debtors: a few matches through the name's index, or
    # the first few hundred of a broad match and their debtors.
    assert rows_read(plan) <= 8 * (DEBTORS_LISTED + 1), json.dumps(plan, indent=1)


def test_the_name_search_check_sees_a_lookup_that_reads_every_debtor(many_debtors):
    # The lookup as it was: the ways to match OR-ed, in the debtors' order.
    companies = Company.objects.filter(name__icontains="Bedrijf 31234 B.V.").values("pk")
    persons = Person.objects.filter(search_name__icontains="Bedrijf 31234 B.V.").values("pk")
    lookup = Debtor.objects.filter(Q(company__in=companies) | Q(person__in=persons))
    sql, params = lookup.values("pk")[: DEBTORS_LISTED + 1].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        value = cursor.fetchone()[0]
    plan = (json.loads(value) if isinstance(value, str) else value)[0]["Plan"]

    assert rows_read(plan) >= MANY_COMPANIES + MANY_PERSONS
