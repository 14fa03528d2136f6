"""OData v2 as Exact speaks it: a small $filter parser and evaluator, and Exact's JSON values."""

import calendar
import json
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any


class ODataError(ValueError):
    """A query Exact would refuse with 400."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<guid>guid'(?P<guid_value>[^']*)')
      | (?P<datetime>datetime'(?P<datetime_value>[^']*)')
      | (?P<string>'(?P<string_value>(?:[^']|'')*)')
      | (?P<number>-?\d+(?:\.\d+)?)[mMlLdD]?
      | (?P<paren>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_/.]*)
    )""",
    re.VERBOSE,
)
_COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "trim": lambda s: s.strip() if isinstance(s, str) else s,
    "tolower": lambda s: s.lower() if isinstance(s, str) else s,
    "toupper": lambda s: s.upper() if isinstance(s, str) else s,
    "substringof": lambda needle, hay: isinstance(hay, str) and needle in hay,
    "startswith": lambda hay, prefix: isinstance(hay, str) and hay.startswith(prefix),
    "endswith": lambda hay, suffix: isinstance(hay, str) and hay.endswith(suffix),
}


def parse_datetime(text: str) -> datetime:
    text = text.strip()
    match = re.fullmatch(r"/Date\((-?\d+)\)/", text)
    if match:
        return datetime(1970, 1, 1) + timedelta(milliseconds=int(match.group(1)))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise ODataError(f"Ongeldige datum: '{text}'") from error
    return parsed.replace(tzinfo=None)


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ODataError(f"Syntax error at position {position} in '{text}'.")
        position = match.end()
        if match.group("guid"):
            try:
                tokens.append(("literal", uuid.UUID(match.group("guid_value"))))
            except ValueError as error:
                raise ODataError(f"Unrecognized 'Edm.Guid' literal '{match.group()}'.") from error
        elif match.group("datetime"):
            tokens.append(("literal", parse_datetime(match.group("datetime_value"))))
        elif match.group("string"):
            tokens.append(("literal", match.group("string_value").replace("''", "'")))
        elif match.group("number"):
            tokens.append(("literal", Decimal(match.group("number"))))
        elif match.group("paren"):
            tokens.append((match.group("paren"), None))
        else:
            word = match.group("word")
            lowered = word.lower()
            if lowered in ("true", "false"):
                tokens.append(("literal", lowered == "true"))
            elif lowered == "null":
                tokens.append(("literal", None))
            elif lowered in _COMPARISONS or lowered in ("and", "or", "not"):
                tokens.append(("op", lowered))
            else:
                tokens.append(("name", word))
    return tokens


Row = dict[str, Any]
Predicate = Callable[[Row], Any]


class _Parser:
    def __init__(self, text: str, fields: set[str], type_name: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.fields = fields
        self.type_name = type_name

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise ODataError("Unexpected end of the filter expression.")
        self.position += 1
        return token

    def expect(self, kind: str) -> None:
        if self.take()[0] != kind:
            raise ODataError(f"Expected '{kind}' in the filter expression.")

    def parse(self) -> Predicate:
        predicate = self.or_expression()
        if self.peek() is not None:
            raise ODataError("Syntax error in the filter expression.")
        return predicate

    def or_expression(self) -> Predicate:
        left = self.and_expression()
        while self.peek() == ("op", "or"):
            self.take()
            right = self.and_expression()
            left = (lambda a, b: lambda row: bool(a(row)) or bool(b(row)))(left, right)
        return left

    def and_expression(self) -> Predicate:
        left = self.comparison()
        while self.peek() == ("op", "and"):
            self.take()
            right = self.comparison()
            left = (lambda a, b: lambda row: bool(a(row)) and bool(b(row)))(left, right)
        return left

    def comparison(self) -> Predicate:
        left = self.primary()
        token = self.peek()
        if token and token[0] == "op" and token[1] in _COMPARISONS:
            self.take()
            right = self.primary()
            return (lambda a, b, op: lambda row: compare(a(row), op, b(row)))(left, right, token[1])
        return left

    def primary(self) -> Predicate:
        kind, value = self.take()
        if kind == "(":
            inner = self.or_expression()
            self.expect(")")
            return inner
        if kind == "op" and value == "not":
            operand = self.primary()
            return lambda row: not operand(row)
        if kind == "literal":
            return lambda row: value
        if kind == "name":
            if self.peek() == ("(", None):
                return self.function(value)
            if value not in self.fields:
                raise no_property(value, self.type_name, max(self.text.find(value), 0))
            return lambda row: row.get(value)
        raise ODataError("Syntax error in the filter expression.")

    def function(self, name: str) -> Predicate:
        function = _FUNCTIONS.get(name.lower())
        if function is None:
            raise ODataError(f"Unknown function '{name}'.")
        self.expect("(")
        arguments = [self.or_expression()]
        while self.peek() == (",", None):
            self.take()
            arguments.append(self.or_expression())
        self.expect(")")
        return lambda row: function(*(argument(row) for argument in arguments))


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, bool) or isinstance(right, bool):
        return left, right
    if isinstance(left, int | float | Decimal) and isinstance(right, int | float | Decimal):
        return Decimal(str(left)), Decimal(str(right))
    if isinstance(left, uuid.UUID) or isinstance(right, uuid.UUID):
        return str(left).lower(), str(right).lower()
    if isinstance(left, date) and not isinstance(left, datetime):
        left = datetime(left.year, left.month, left.day)
    if isinstance(right, date) and not isinstance(right, datetime):
        right = datetime(right.year, right.month, right.day)
    if isinstance(left, str) and isinstance(right, int | Decimal):
        try:
            return Decimal(left), right
        except InvalidOperation:
            return left, str(right)
    return left, right


def compare(left: Any, op: str, right: Any) -> bool:
    left, right = _comparable(left, right)
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if left is None or right is None:
        return False
    try:
        if op == "gt":
            return left > right
        if op == "ge":
            return left >= right
        if op == "lt":
            return left < right
        return left <= right
    except TypeError as error:
        raise ODataError("Operator types do not match in the filter expression.") from error


def no_property(name: str, type_name: str, position: int) -> ODataError:
    """What Exact's WCF Data Services answer for a name the entity does not have."""
    return ODataError(f"No property '{name}' exists in type '{type_name}' at position {position}.")


def filter_parse(text: str, *, fields: set[str], type_name: str = "") -> Predicate:
    """Turn a $filter into a predicate over rows keyed by Exact's field names."""
    return _Parser(text, fields, type_name).parse()


def filter_names(text: str) -> list[str]:
    """The property names a $filter uses (functions and operators left out)."""
    tokens = _tokens(text) if text.strip() else []
    return [
        value
        for n, (kind, value) in enumerate(tokens)
        if kind == "name" and (n + 1 >= len(tokens) or tokens[n + 1] != ("(", None))
    ]


def orderby_apply(
    rows: list[Row], text: str, *, fields: set[str], type_name: str = ""
) -> list[Row]:
    for part in reversed([p.strip() for p in text.split(",") if p.strip()]):
        name, _, direction = part.partition(" ")
        if name not in fields:
            raise no_property(name, type_name, max(text.find(name), 0))
        descending = direction.strip().lower() == "desc"
        rows = sorted(
            rows,
            key=lambda row, n=name: (row.get(n) is not None, _sort_key(row.get(n))),
            reverse=descending,
        )
    return rows


def _sort_key(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value if value is not None else ""


def exact_date(value: datetime | date) -> str:
    """Exact sends local times as /Date(ms)/ as if they were UTC."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return f"/Date({calendar.timegm(value.timetuple()) * 1000 + value.microsecond // 1000})/"


class ExactJSONEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | date):
            return exact_date(o)
        if isinstance(o, uuid.UUID):
            return str(o)
        if isinstance(o, Decimal):
            return float(o)
        return super().default(o)


def dumps(payload: Any) -> str:
    return json.dumps(payload, cls=ExactJSONEncoder)
