"""Long lists paged by their sort key, at a cost that does not grow with the list.

A page is read as "the next rows after this key" (seek, or keyset, pagination) from an index in
the list's order, so the last page of a million invoices costs what the first does. The total is
counted exactly up to a bound and estimated by the database's planner above it: a person paging
through a list needs to know it is long, not the exact number of rows in it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Expression, F, QuerySet, Value
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

# Counted exactly up to this many rows; above it the planner's estimate is shown.
COUNT_BOUND = 1000
# A key's values travel in the URL, joined by this character (not in ISO dates or integers).
KEY_SEPARATOR = "_"


class RowBefore(Expression):
    """``(a, b, c) < (x, y, z)``: the rows that come after a key in descending order.

    A comparison of whole rows, not an OR of columns, so the database seeks in the index on
    (a, b, c) instead of reading it from the start.
    """

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, keys: Sequence[Expression], values: Sequence[Any], *, after: bool):
        super().__init__()
        self.keys = list(keys)
        self.values = list(values)
        self.operator = ">" if after else "<"

    def get_source_expressions(self) -> list:
        return [*self.keys, *self.values]

    def set_source_expressions(self, expressions: list) -> None:
        self.keys, self.values = expressions[: len(self.keys)], expressions[len(self.keys) :]

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        keys = [compiler.compile(key) for key in self.keys]
        values = [compiler.compile(value) for value in self.values]
        sql = "({}) {} ({})".format(
            ", ".join(part for part, _params in keys),
            self.operator,
            ", ".join(part for part, _params in values),
        )
        params = [param for _part, params in keys + values for param in params]
        return sql, params


@dataclass(frozen=True)
class SortKey:
    """One column of a list's sort key: what to order by and how its value reads from a row."""

    expression: Expression
    read: Callable[[models.Model], Any]
    output_field: models.Field

    @classmethod
    def field(cls, name: str, output_field: models.Field) -> SortKey:
        return cls(F(name), lambda row: getattr(row, name), output_field)

    def to_text(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat()
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    def from_text(self, text: str) -> Any:
        if isinstance(self.output_field, models.DateTimeField):
            value = dt.datetime.fromisoformat(text)
            if value.tzinfo is None:
                raise ValueError(text)
            return value
        if isinstance(self.output_field, models.DateField):
            return dt.date.fromisoformat(text)
        # A key is an id or a number: 18 digits fit any database's integer.
        if not text.isdigit() or len(text) > 18:
            raise ValueError(text)
        return int(text)


@dataclass(frozen=True)
class ResultCount:
    """How many rows a list holds: exact, estimated ("about"), or only a lower bound."""

    value: int
    exact: bool = True
    estimated: bool = False

    def __str__(self) -> str:
        shown = number_format(self.value, force_grouping=True)
        if self.exact:
            return shown
        if self.estimated:
            return gettext("about %(count)s") % {"count": shown}
        return gettext("more than %(count)s") % {"count": shown}

    @property
    def label(self) -> str:
        """The total under a list: "3 results", "about 1,000,000 results"."""
        if self.exact:
            return ngettext("%(count)s result", "%(count)s results", self.value) % {
                "count": str(self)
            }
        return gettext("%(count)s results") % {"count": str(self)}


def rows_count(queryset: QuerySet) -> ResultCount:
    """Count up to ``COUNT_BOUND`` rows of an ordered list exactly; above it, the planner's
    estimate on PostgreSQL."""
    return rows_counts({"rows": queryset})["rows"]


def rows_counts(
    querysets: Mapping[str, QuerySet], *, estimate: bool = True
) -> dict[str, ResultCount]:
    """``rows_count`` of several lists in one query (and, to ``estimate``, one more per list
    above the bound)."""
    bound = COUNT_BOUND
    parts, params = [], []
    for queryset in querysets.values():
        # No more than bound + 1 rows, in the list's order: read from the index that pages
        # through the list, not from wherever the planner expects the first matches.
        try:
            sql, part_params = queryset.values("pk")[: bound + 1].query.sql_with_params()
        except EmptyResultSet:
            # A search that matched no debtor and no number: nothing to ask the database.
            sql, part_params = "SELECT 1 WHERE 1 = 0", ()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS bounded)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counted = dict(zip(querysets, cursor.fetchone(), strict=True))
    return {
        name: ResultCount(counted[name])
        if counted[name] <= bound
        else _rows_estimate(queryset, bound=bound)
        if estimate
        else ResultCount(bound, exact=False)
        for name, queryset in querysets.items()
    }


def rows_counts_by_value(
    queryset: QuerySet, *, column: str, values: Sequence[str]
) -> dict[str, ResultCount]:
    """The rows of ``queryset`` with each of ``values`` in ``column``: counted up to the bound
    in one query; above it taken from PostgreSQL's statistics of the column, in one more."""
    counts = rows_counts(
        {value: queryset.filter(**{column: value}) for value in values}, estimate=False
    )
    above = [value for value, count in counts.items() if not count.exact]
    if above and connection.vendor == "postgresql":
        common = _common_values(queryset.model._meta.db_table, column)
        for value in above:
            if common.get(value, 0) > COUNT_BOUND:
                counts[value] = ResultCount(
                    _two_figures(common[value]), exact=False, estimated=True
                )
    return counts


def _common_values(table: str, column: str) -> dict[str, float]:
    """Rows per value of a column as ANALYZE last sampled them; empty before the first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stats.most_common_vals::text::text[], stats.most_common_freqs, "
            "class.reltuples FROM pg_stats AS stats JOIN pg_class AS class "
            "ON class.relname = stats.tablename AND class.relnamespace = "
            "stats.schemaname::regnamespace WHERE stats.schemaname = current_schema() "
            "AND stats.tablename = %s AND stats.attname = %s",
            [table, column],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[2] <= 0:
        return {}
    values, frequencies, rows = row
    return {value: frequency * rows for value, frequency in zip(values, frequencies, strict=True)}


def _two_figures(rows: float) -> int:
    """An estimate is no more precise than its first two figures."""
    return int(float(f"{round(rows):.2g}"))


def _rows_estimate(queryset: QuerySet, *, bound: int) -> ResultCount:
    if connection.vendor != "postgresql":
        return ResultCount(bound, exact=False)
    estimate = _planner_rows(queryset)
    if estimate <= bound:
        return ResultCount(bound, exact=False)
    return ResultCount(estimate, exact=False, estimated=True)


def _planner_rows(queryset: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects, rounded to the two figures it can claim."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))[0]["Plan"]
    return _two_figures(plan["Plan Rows"])


def list_total(queryset: QuerySet, *, shown: int, more: bool) -> ResultCount:
    """The size of a list of which ``shown`` rows are on the page, and ``more`` elsewhere.

    A list on one page is counted on the page. On PostgreSQL a longer one is first estimated by
    the planner, without reading it, which costs the same for a search as for a million rows;
    only a list it expects to be short is then counted, up to the bound. SQLite counts up to the
    bound.
    """
    if not more:
        return ResultCount(shown)
    if connection.vendor == "postgresql":
        estimate = _planner_rows(queryset)
        if estimate > COUNT_BOUND:
            return ResultCount(max(estimate, shown + 1), exact=False, estimated=True)
    return rows_count(queryset.order_by())


@dataclass
class SeekPage:
    """One page of a list: its rows, where the pages around it start, and the list's size."""

    rows: list
    has_previous: bool
    has_next: bool
    first_key: str
    last_key: str
    total: ResultCount
    querystring: str

    def __iter__(self) -> Iterator:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def _url(self, **paging: str) -> str:
        return "?" + "&".join(part for part in (self.querystring, urlencode(paging)) if part)

    @property
    def first_url(self) -> str:
        return self._url()

    @property
    def previous_url(self) -> str:
        return self._url(before=self.first_key)

    @property
    def next_url(self) -> str:
        return self._url(after=self.last_key)

    @property
    def last_url(self) -> str:
        return self._url(page="last")

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def seek_page(
    queryset: QuerySet, *, keys: Sequence[SortKey], size: int, params: QueryDict
) -> SeekPage:
    """The page of ``queryset`` (ordered by ``keys``, newest first) that ``params`` ask for.

    ``after=<key>`` is the page after a row, ``before=<key>`` the page before one and
    ``page=last`` the oldest rows; anything else, or a key that does not read, is the first page.
    """
    querystring = params.copy()
    for name in ("page", "after", "before"):
        querystring.pop(name, None)
    expressions = [key.expression for key in keys]
    newest_first = queryset.order_by(*(expression.desc() for expression in expressions))
    oldest_first = queryset.order_by(*(expression.asc() for expression in expressions))
    after = _key_read(params.get("after", ""), keys)
    before = _key_read(params.get("before", ""), keys)

    if before is not None:
        rows = list(oldest_first.filter(_seek(keys, before, after=True))[: size + 1])
        if len(rows) > size:
            rows, has_previous, has_next = rows[:size][::-1], True, True
        else:
            # Rows were added or removed since: fill a whole first page instead.
            rows, has_previous, has_next = _first_page(newest_first, size)
    elif params.get("page") == "last":
        rows = list(oldest_first[: size + 1])
        has_previous, has_next = len(rows) > size, False
        rows = rows[:size][::-1]
    elif after is not None:
        rows = list(newest_first.filter(_seek(keys, after, after=False))[: size + 1])
        has_previous, has_next = True, len(rows) > size
        rows = rows[:size]
    else:
        rows, has_previous, has_next = _first_page(newest_first, size)

    return SeekPage(
        rows=rows,
        has_previous=has_previous,
        has_next=has_next,
        first_key=_key_write(rows[0], keys) if rows else "",
        last_key=_key_write(rows[-1], keys) if rows else "",
        total=list_total(newest_first, shown=len(rows), more=has_previous or has_next),
        querystring=querystring.urlencode(),
    )


def _first_page(newest_first: QuerySet, size: int) -> tuple[list, bool, bool]:
    rows = list(newest_first[: size + 1])
    return rows[:size], False, len(rows) > size


def _seek(keys: Sequence[SortKey], values: list, *, after: bool) -> RowBefore:
    pairs = zip(keys, values, strict=True)
    return RowBefore(
        [key.expression for key in keys],
        [Value(value, output_field=key.output_field) for key, value in pairs],
        after=after,
    )


def _key_write(row: models.Model, keys: Sequence[SortKey]) -> str:
    return KEY_SEPARATOR.join(key.to_text(key.read(row)) for key in keys)


def _key_read(text: str, keys: Sequence[SortKey]) -> list | None:
    parts = text.split(KEY_SEPARATOR)
    if len(parts) != len(keys):
        return None
    try:
        return [key.from_text(part) for key, part in zip(keys, parts, strict=True)]
    except ValueError:
        return None
