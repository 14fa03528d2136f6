"""Reading invoices and debtors for the screens, through indexes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from billing.models import Company, Debtor, Invoice, Person
from coachlink.numbers import INTEGER_LARGEST, whole_number
from coachlink.pagination import SortKey

# Up to this many matching debtors are passed to the invoice query as a list, so the planner
# knows how many invoices they hold and fetches them through the index on the debtor. More match
# a broad search, whose first page lies near the top of the list: the invoices are then read in
# the list's order and each checked on its own debtor's name, already joined for the row.
DEBTORS_LISTED = 500

# Newest first; within a day by number, drafts (no number yet) after the numbered invoices.
INVOICE_SORT_KEY = (
    SortKey.field("date", models.DateField()),
    SortKey(Coalesce("number", 0), lambda invoice: invoice.number or 0, models.IntegerField()),
    SortKey.field("id", models.IntegerField()),
)


def _name_lookup() -> str:
    """On PostgreSQL any part of a name matches, through the trigram indexes on the names; on
    SQLite, which has no such index, the start of the company name, the full name or the last
    name."""
    return "icontains" if connection.vendor == "postgresql" else "istartswith"


def _person_name_match(query: str, *, via: str = "") -> Q:
    lookup = _name_lookup()
    matches = Q(**{f"{via}search_name__{lookup}": query})
    if lookup == "istartswith":
        matches |= Q(**{f"{via}last_name__{lookup}": query})
    return matches


def debtors_matching(*, query: str, by_number: bool = False) -> QuerySet[Debtor]:
    """Debtors whose company or person name matches ``query`` or, ``by_number``, whose number
    it is; in no particular order.

    Each way to match is its own query, joined by UNION ALL: each is answered through its own
    index (the name's trigram index, then the debtor's key to the company or person), and a
    LIMIT stops them as soon as enough are found. One query with the ways OR-ed read every
    debtor instead.
    """
    lookup = _name_lookup()
    # Each name table gives at most what the caller reads, so a broad term ("Bedrijf 1")
    # stops at the first few hundred names its index finds, not the tens of thousands.
    companies = Company.objects.filter(**{f"name__{lookup}": query}).order_by().values("pk")
    persons = Person.objects.filter(_person_name_match(query)).order_by().values("pk")
    companies, persons = companies[: DEBTORS_LISTED + 1], persons[: DEBTORS_LISTED + 1]
    ways = [
        Debtor.objects.filter(company__in=companies),
        Debtor.objects.filter(person__in=persons),
    ]
    number = _as_number(query)
    if by_number and number is not None:
        ways.append(Debtor.objects.filter(_debtor_number_match(number, via="")))
    first, *others = (way.order_by().values_list("pk", flat=True) for way in ways)
    return first.union(*others, all=True)


def debtor_of_row_matching(*, query: str, by_number: bool = False, via: str = "") -> Q:
    """The same match as ``debtors_matching``, on the debtor of the row ``via`` a relation."""
    lookup = _name_lookup()
    matches = Q(**{f"{via}debtor__company__name__{lookup}": query}) | _person_name_match(
        query, via=f"{via}debtor__person__"
    )
    number = _as_number(query)
    if by_number and number is not None:
        matches |= _debtor_number_match(number, via=f"{via}debtor__")
    return matches


def _as_number(query: str) -> int | None:
    """The invoice or debtor number ``query`` is, typed as printed ("00042" is 42)."""
    return whole_number(query, largest=INTEGER_LARGEST)


def _debtor_number_match(number: int, *, via: str) -> Q:
    return Q(**{f"{via}debtor_number": number})


def invoice_search(
    *,
    query: str,
    by_debtor_number: bool = False,
    numbers: Iterable[int] = (),
    debtors: Iterable[int] = (),
    via: str = "",
) -> Q | None:
    """What an invoice matching ``query``, numbered one of ``numbers`` or of one of ``debtors``
    looks like.

    The debtors are looked up first (a small table), up to ``DEBTORS_LISTED``: so few are
    given to the invoice table as a list, reached ``via`` a relation when the list is of
    something else, and the planner finds their invoices through the index on the debtor and
    the unique index on the number. More make a broad search: the list's own index is walked
    and each row's debtor checked where the row has it joined anyway. A subquery of the matching
    debtors there cost more to plan and to run than the page's other queries together.
    """
    query = query.strip()
    if not query:
        return None
    debtors = list(debtors)
    found = list(debtors_matching(query=query, by_number=by_debtor_number)[: DEBTORS_LISTED + 1])
    # Counted before duplicates are dropped: a full fetch means more may match than were read.
    broad = len(debtors) + len(found) > DEBTORS_LISTED
    listed = list(dict.fromkeys([*debtors, *found]))
    if broad:
        matches = debtor_of_row_matching(query=query, by_number=by_debtor_number, via=via)
        if debtors:
            matches |= Q(**{f"{via}debtor_id__in": debtors})
    else:
        matches = Q(**{f"{via}debtor_id__in": listed})
    number = _as_number(query)
    numbers = [*numbers, number] if number is not None else list(numbers)
    if numbers:
        matches |= Q(**{f"{via}number__in": numbers})
    return matches


def invoices_filter(*, query: str = "", status: str = "") -> QuerySet[Invoice]:
    """Invoices for the list, with everything a row shows in a fixed number of queries."""
    invoices = Invoice.objects.select_related(
        "debtor__company", "debtor__person", "export_record__payment"
    ).prefetch_related("lines__vat_rate")
    if status:
        invoices = invoices.filter(status=status)
    matches = invoice_search(query=query)
    if matches is not None:
        invoices = invoices.filter(matches)
    return invoices
