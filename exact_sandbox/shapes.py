"""The shapes of Exact's answers, generated from the reference tables (reference.py).

OData v2 "verbose" JSON as Exact's WCF Data Services write it: every record carries
``__metadata`` (``uri``, ``type``), a navigation property is ``{"__deferred": {"uri": ...}}``
unless ``$expand``-ed (then ``{"results": [...]}``), ``$select`` names properties and, after an
``$expand``, ``Navigation/Property``. A name the entity does not have is refused before any row
is read, so the answer does not depend on the data.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from exact_sandbox.odata import ODataError
from exact_sandbox.odata import no_property as odata_no_property
from exact_sandbox.reference import ENTITIES, Entity

Row = dict[str, Any]


def no_property(name: str, entity: Entity, position: int) -> ODataError:
    return odata_no_property(name, entity.type_name, position)


def key_literal(value: Any, entity: Entity) -> str:
    """The key as OData v2 writes it in a URI: guid'...', 123 or 123L."""
    kind = entity.fields[entity.key].type
    if kind == "Edm.Guid":
        return f"guid'{value}'"
    if kind == "Edm.Int64":
        return f"{value}L"
    return str(value)


@dataclass
class Selection:
    """What $select and $expand ask for: properties per level, expanded navigations."""

    names: list[str] | None = None  # None: every property
    expand: dict[str, "Selection"] = field(default_factory=dict)

    def wants(self, name: str) -> bool:
        return self.names is None or name in self.names


def _items(text: str) -> list[tuple[str, int]]:
    items, position = [], 0
    for part in text.split(","):
        stripped = part.strip()
        if stripped:
            items.append((stripped, position + part.index(stripped)))
        position += len(part) + 1
    return items


def selection_parse(entity: Entity, *, select: str | None, expand: str | None) -> Selection:
    """Check $select and $expand against the entity's reference fields; unknown names are 400."""
    selection = Selection()
    for name, position in _items(expand or ""):
        spec = entity.fields.get(name)
        if spec is None:
            raise no_property(name, entity, position)
        if not spec.nav:
            raise ODataError(
                f"Only properties that specify navigation can be expanded: '{name}' "
                f"at position {position}."
            )
        selection.expand[name] = Selection()
    if not select or select.strip() == "*":
        return selection
    names: list[str] = []
    for item, position in _items(select):
        head, _, rest = item.partition("/")
        spec = entity.fields.get(head)
        if spec is None:
            raise no_property(head, entity, position)
        if rest:
            if head not in selection.expand:
                raise ODataError(
                    "Only properties specified in $expand can be traversed in $select query "
                    f"options. Selected item: '{item}'."
                )
            target = ENTITIES.get(spec.nav)
            nested = selection.expand[head]
            if rest != "*":
                if target is not None and rest not in target.fields:
                    raise no_property(rest, target, position + len(head) + 1)
                nested.names = [*(nested.names or []), rest]
        if head not in names:
            names.append(head)
    selection.names = names
    return selection


def body_check(entity: Entity, data: dict) -> None:
    """A POST/PUT body names only writable properties of the entity and its line collections."""
    for name, value in data.items():
        if name == "__metadata":
            continue
        spec = entity.fields.get(name)
        if spec is None:
            raise ODataError(
                "Error processing request stream. The property name "
                f"'{name}' specified for type '{entity.type_name}' is not valid."
            )
        if spec.read_only:
            raise ODataError(
                "Error processing request stream. The property "
                f"'{name}' of type '{entity.type_name}' is read-only and cannot be set."
            )
        if spec.nav and value is not None:
            target = ENTITIES.get(spec.nav)
            lines = value.get("results", []) if isinstance(value, dict) else value
            if target is not None and isinstance(lines, list):
                for line in lines:
                    if isinstance(line, dict):
                        body_check(target, line)


@dataclass
class Renderer:
    """Turns stored rows into Exact's JSON records for one request."""

    service_root: str  # https://host/api/v1/{division}/
    site_root: str  # https://host, for Exact's absolute download links
    paths: dict[str, str]  # entity name -> endpoint path for __metadata uris
    children: Any  # callable(entity, navigation, parent rows) -> {parent key: [child rows]}

    def uri(self, entity: Entity, row: Row) -> str:
        path = self.paths.get(entity.name, entity.name)
        return f"{self.service_root}{path}({key_literal(row.get(entity.key), entity)})"

    def records(self, entity: Entity, rows: list[Row], selection: Selection) -> list[Row]:
        expanded = {
            name: self.children(entity, name, rows)
            for name in selection.expand
            if selection.wants(name)
        }
        out = []
        for row in rows:
            uri = self.uri(entity, row)
            record: Row = {"__metadata": {"uri": uri, "type": entity.type_name}}
            for name, spec in entity.fields.items():
                if not selection.wants(name):
                    continue
                if spec.nav:
                    if name in expanded:
                        target = ENTITIES.get(spec.nav) or entity
                        lines = expanded[name].get(row.get(entity.key), [])
                        record[name] = {
                            "results": self.records(target, lines, selection.expand[name])
                        }
                    else:
                        record[name] = {"__deferred": {"uri": f"{uri}/{name}"}}
                else:
                    value = row.get(name)
                    if name == "Url" and isinstance(value, str) and value.startswith("/"):
                        value = self.site_root + value
                    record[name] = value
            out.append(record)
        return out


# Atom, for a caller that does not ask for JSON (WCF Data Services' default format).

_ATOM_NS = (
    'xmlns="http://www.w3.org/2005/Atom" '
    'xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" '
    'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"'
)


def _atom_value(name: str, value: Any, edm: str) -> str:
    if isinstance(value, dict):
        return ""
    if value is None:
        return f'<d:{name} m:null="true" />'
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime | date):
        text = value.isoformat() if isinstance(value, datetime) else f"{value.isoformat()}T00:00:00"
    else:
        text = str(value)
    kind = "" if edm == "Edm.String" else f' m:type="{edm}"'
    return f"<d:{name}{kind}>{escape(text)}</d:{name}>"


def _atom_entry(record: Row, entity: Entity) -> str:
    meta = record.get("__metadata", {})
    properties = "".join(
        _atom_value(name, value, entity.fields[name].type if name in entity.fields else "")
        for name, value in record.items()
        if name != "__metadata"
    )
    links = "".join(
        f'<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/{name}" '
        f'type="application/atom+xml;type=feed" title="{name}" '
        f'href="{escape(value["__deferred"]["uri"])}" />'
        for name, value in record.items()
        if isinstance(value, dict) and "__deferred" in value
    )
    return (
        f"<entry><id>{escape(meta.get('uri', ''))}</id>"
        f'<category term="{meta.get("type", "")}" '
        'scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" />'
        f'{links}<content type="application/xml"><m:properties>{properties}'
        "</m:properties></content></entry>"
    )


def atom_feed(records: list[Row], entity: Entity, *, feed_id: str, next_url: str = "") -> str:
    entries = "".join(_atom_entry(record, entity) for record in records)
    link = f'<link rel="next" href="{escape(next_url)}" />' if next_url else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed {_ATOM_NS}><id>{escape(feed_id)}</id>'
        f'<title type="text">{escape(entity.name)}</title>{entries}{link}</feed>'
    )


def atom_entry(record: Row, entity: Entity) -> str:
    entry = _atom_entry(record, entity)
    entry = entry.replace("<entry>", f"<entry {_ATOM_NS}>", 1)
    return f'<?xml version="1.0" encoding="utf-8"?>{entry}'
