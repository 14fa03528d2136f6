"""The REST endpoints under /api/v1/: OData reads, Exact's writes, tokens, scopes and limits.

Which endpoints exist, their fields, keys, read-only and mandatory marks come from
``reference.py``; the answers' shapes from ``shapes.py``.
"""

import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from exact_sandbox import bookkeeping, transactions
from exact_sandbox import models as m
from exact_sandbox import reference as ref
from exact_sandbox import rows as r
from exact_sandbox.bookkeeping import ExactRuleError
from exact_sandbox.limits import call_budget_spend, error_block_active, error_record
from exact_sandbox.oauth import bearer_grant
from exact_sandbox.odata import ODataError, filter_names, filter_parse, orderby_apply
from exact_sandbox.responses import exact_error, exact_json
from exact_sandbox.shapes import (
    Renderer,
    Selection,
    atom_entry,
    atom_feed,
    body_check,
    selection_parse,
)

MAX_URL_LENGTH = 6000
PAGE_SIZE = 60
BULK_PAGE_SIZE = 1000
Row = dict[str, Any]

# Kept for callers that read rows directly (control.state, the person UI).
account_row = r.account_row
receivable_row = r.receivable_row
document_row = r.document_row
document_attachment_row = r.document_attachment_row


def sales_entry_row(entry: m.SalesEntry) -> Row:
    """A sales entry with its lines, for the control endpoint's state (not an API answer)."""
    row = r.sales_entry_row(entry)
    row["SalesEntryLines"] = [r.sales_entry_line_row(line) for line in entry.lines.all()]
    return row


def division_receivables(division: int):
    return m.Receivable.objects.filter(division=division).select_related("entry__customer")


@dataclass
class Resource:
    """One endpoint of the reference (reference.ENDPOINTS): how its rows are read and written."""

    endpoint: ref.Endpoint
    rows: Callable[[int], Iterable[Row]]
    model: type | None = None
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    delete: Callable[..., Any] | None = None
    to_row: Callable[[Any], Row] | None = None

    @property
    def name(self) -> str:
        return self.endpoint.path

    @property
    def entity(self) -> ref.Entity:
        return self.endpoint.entity

    @property
    def kind(self) -> str:
        return self.endpoint.kind

    @property
    def filter_fields(self) -> tuple[str, ...]:
        return self.endpoint.filter_fields

    @property
    def page_size(self) -> int:
        return PAGE_SIZE if self.kind == "regular" else BULK_PAGE_SIZE

    @property
    def key(self) -> str:
        return self.entity.key


def _simple(model: type, to_row: Callable[[Any], Row]) -> Callable[[int], Iterable[Row]]:
    return lambda division: (to_row(obj) for obj in model.objects.filter(division=division))


def _sales_entries(division: int) -> Iterable[Row]:
    entries = m.SalesEntry.objects.filter(division=division).select_related("customer")
    return (r.sales_entry_row(e) for e in entries)


def _sales_entry_lines(division: int) -> Iterable[Row]:
    lines = m.SalesEntryLine.objects.filter(entry__division=division).select_related(
        "entry", "gl_account"
    )
    return (r.sales_entry_line_row(line) for line in lines)


def _receivables(division: int) -> Iterable[Row]:
    return (r.receivable_row(item) for item in division_receivables(division))


def _outstanding(division: int) -> Iterable[Row]:
    return (
        r.receivables_list_row(item) for item in division_receivables(division) if item.open_dc != 0
    )


def _resources() -> dict[str, Resource]:
    account = dict(
        model=m.Account,
        create=bookkeeping.account_create,
        update=lambda obj, data: bookkeeping.account_update(account=obj, data=data),
        delete=lambda obj: bookkeeping.account_delete(account=obj),
        to_row=r.account_row,
    )
    documents = dict(model=m.Document, create=bookkeeping.document_create, to_row=r.document_row)
    attachments = dict(
        model=m.DocumentAttachment,
        create=bookkeeping.document_attachment_create,
        to_row=r.document_attachment_row,
    )
    spec = ref.ENDPOINTS
    table = [
        Resource(spec["system/Divisions"], lambda division: ()),
        Resource(
            spec["crm/Accounts"],
            _simple(m.Account, r.account_row),
            **account,
        ),
        Resource(spec["bulk/CRM/Accounts"], _simple(m.Account, r.account_row)),
        Resource(spec["sync/CRM/Accounts"], _simple(m.Account, r.account_row)),
        Resource(
            spec["salesentry/SalesEntries"],
            _sales_entries,
            model=m.SalesEntry,
            create=bookkeeping.sales_entry_create,
            update=lambda obj, data: bookkeeping.sales_entry_update(entry=obj, data=data),
            delete=lambda obj: bookkeeping.sales_entry_delete(entry=obj),
            to_row=r.sales_entry_row,
        ),
        Resource(
            spec["salesentry/SalesEntryLines"],
            _sales_entry_lines,
            model=m.SalesEntryLine,
            to_row=r.sales_entry_line_row,
        ),
        Resource(
            spec["financial/GLAccounts"],
            _simple(m.GLAccount, r.glaccount_row),
            model=m.GLAccount,
            to_row=r.glaccount_row,
        ),
        Resource(spec["bulk/Financial/GLAccounts"], _simple(m.GLAccount, r.glaccount_row)),
        Resource(
            spec["financial/Journals"],
            _simple(m.Journal, r.journal_row),
            model=m.Journal,
            to_row=r.journal_row,
        ),
        Resource(
            spec["vat/VATCodes"],
            _simple(m.VATCode, r.vatcode_row),
            model=m.VATCode,
            to_row=r.vatcode_row,
        ),
        Resource(
            spec["hrm/Costcenters"],
            _simple(m.CostCenter, r.costcenter_row),
            model=m.CostCenter,
            create=bookkeeping.cost_center_create,
            to_row=r.costcenter_row,
        ),
        Resource(
            spec["project/Projects"],
            _simple(m.Project, r.project_row),
            model=m.Project,
            create=bookkeeping.project_create,
            to_row=r.project_row,
        ),
        Resource(spec["documents/Documents"], _simple(m.Document, r.document_row), **documents),
        Resource(spec["bulk/Documents/Documents"], _simple(m.Document, r.document_row)),
        Resource(
            spec["documents/DocumentAttachments"],
            _simple(m.DocumentAttachment, r.document_attachment_row),
            **attachments,
        ),
        Resource(
            spec["bulk/Documents/DocumentAttachments"],
            _simple(m.DocumentAttachment, r.document_attachment_row),
        ),
        Resource(
            spec["cashflow/Receivables"],
            _receivables,
            model=m.Receivable,
            to_row=r.receivable_row,
        ),
        Resource(spec["bulk/Cashflow/Receivables"], _receivables),
        Resource(spec["sync/Cashflow/Receivables"], _receivables),
        Resource(spec["read/financial/ReceivablesList"], _outstanding),
        Resource(spec["financialtransaction/TransactionLines"], transactions.division_lines),
        Resource(spec["bulk/Financial/TransactionLines"], transactions.division_lines),
        Resource(spec["sync/Financial/TransactionLines"], transactions.division_lines),
        Resource(spec["sync/Deleted"], _simple(m.DeletedRecord, r.deleted_row)),
    ]
    for resource in table:
        writes = [
            method
            for method, handler in (
                ("POST", resource.create),
                ("PUT", resource.update),
                ("DELETE", resource.delete),
            )
            if handler
        ]
        assert ("GET", *writes) == resource.endpoint.methods, resource.name
    assert {resource.name for resource in table} == set(ref.ENDPOINTS)
    resources = {resource.name.lower(): resource for resource in table}
    resources["hrm/divisions"] = resources["system/divisions"]
    return resources


RESOURCES = _resources()
# The resource that answers an entity's records, for __metadata uris and deferred links.
ENTITY_PATHS = {
    resource.entity.name: resource.name
    for resource in reversed(list(RESOURCES.values()))
    if resource.kind in ("regular", "report")
}
RESOURCE_PATH = re.compile(
    r"^(?P<name>[A-Za-z/]+)"
    r"(?:\((?P<key>guid'[^']*'|-?\d+L?|'[^']*')\))?"
    r"(?:/(?P<tail>\$count|[A-Za-z_0-9]+))?$"
)


def _key_value(text: str, entity: ref.Entity) -> Any:
    kind = entity.fields[entity.key].type
    try:
        if kind == "Edm.Guid":
            if not text.startswith("guid'"):
                raise ValueError(text)
            return uuid.UUID(text[5:-1])
        return int(text.rstrip("L"))
    except ValueError:
        raise ODataError(
            f"Bad Request - Error in query syntax. The key '{text}' is not a valid "
            f"{kind} for type '{entity.type_name}'."
        ) from None


def _children(entity: ref.Entity, navigation: str, parents: list[Row]) -> dict[Any, list[Row]]:
    """The rows of an expanded or deferred navigation, by the parent's key."""
    if entity.name == "SalesEntry" and navigation == "SalesEntryLines":
        keys = [row["EntryID"] for row in parents]
        lines = m.SalesEntryLine.objects.filter(entry_id__in=keys).select_related(
            "entry", "gl_account"
        )
        found: dict[Any, list[Row]] = {}
        for line in lines:
            found.setdefault(line.entry_id, []).append(r.sales_entry_line_row(line))
        return found
    # Bank accounts, VAT percentages, project budgets, division classes: the sandbox keeps none.
    return {}


def _renderer(request: HttpRequest, division: int) -> Renderer:
    root = f"{request.scheme}://{request.get_host()}"
    prefix = request.path.split("/api/v1/")[0]
    return Renderer(
        service_root=f"{root}{prefix}/api/v1/{division}/",
        site_root=root,
        paths=ENTITY_PATHS,
        children=_children,
    )


def _wants_json(request: HttpRequest) -> bool:
    """Exact's WCF Data Services answer JSON only when asked; otherwise Atom XML."""
    return "json" in request.META.get("HTTP_ACCEPT", "").lower()


def _select_checked(request: HttpRequest, resource: Resource) -> Selection:
    params = request.GET
    if params.get("$select") is not None and resource.kind == "bulk" and not params["$select"]:
        raise ODataError("$select is mandatory for bulk endpoints.")
    if resource.kind == "bulk" and not params.get("$select"):
        raise ODataError("$select is mandatory for bulk endpoints.")
    return selection_parse(
        resource.entity, select=params.get("$select"), expand=params.get("$expand")
    )


def _filter_checked(request: HttpRequest, resource: Resource):
    text = request.GET.get("$filter")
    entity = resource.entity
    if resource.filter_fields:
        used = set(filter_names(text or ""))
        if not used & set(resource.filter_fields):
            raise ODataError(
                "This endpoint has mandatory filtering applied. A GET request for this endpoint "
                "must have a $filter parameter with one of the following fields in the url:"
                + ",".join(resource.filter_fields)
                + "."
            )
    if text is None:
        return None
    if not text.strip():
        raise ODataError("This $filter parameter is not supported for this resource")
    if resource.kind == "sync":
        other = sorted(set(filter_names(text)) - set(resource.endpoint.sync_filter_fields))
        if other:
            raise ODataError(f"Filtering on these fields is not supported: {','.join(other)}")
    return filter_parse(text, fields=set(entity.properties), type_name=entity.type_name)


def _int_option(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name)
    if value is None:
        return None
    if not (value.strip().isascii() and value.strip().isdigit()):
        raise ODataError(f"Invalid '{name}' query option value '{value}': it must be an integer.")
    return int(value)


def _query(request: HttpRequest, resource: Resource, rows: Iterable[Row], division: int):
    """Rows after $filter, $orderby, $skiptoken, $skip and $top; with the count before paging."""
    params = request.GET
    selection = _select_checked(request, resource)
    predicate = _filter_checked(request, resource)
    if params.get("$skip") is not None and resource.kind in ("bulk", "sync"):
        raise ODataError(
            "The query option $skip is not supported for this endpoint; page with $skiptoken."
        )
    skip, top = _int_option(request, "$skip"), _int_option(request, "$top")
    inlinecount = params.get("$inlinecount")
    if inlinecount not in (None, "allpages", "none"):
        raise ODataError(f"Invalid '$inlinecount' query option value '{inlinecount}'.")
    rows = [row for row in rows if predicate is None or predicate(row)]
    entity, key = resource.entity, resource.key
    order_key = "Timestamp" if resource.kind == "sync" else key
    if params.get("$orderby"):
        rows = orderby_apply(
            rows, params["$orderby"], fields=set(entity.properties), type_name=entity.type_name
        )
    else:
        rows.sort(key=lambda row: _sortable(row[order_key]))
    count = len(rows)
    skiptoken = params.get("$skiptoken")
    if skiptoken:
        last = re.sub(r"^guid'(.*)'$", r"\1", skiptoken).rstrip("L").lower()
        index = next((n for n, row in enumerate(rows) if str(row[order_key]).lower() == last), None)
        if index is not None:
            rows = rows[index + 1 :]
        elif not params.get("$orderby"):
            # The last row of the previous page is gone: carry on after where it sorted.
            rows = [row for row in rows if _sortable(row[order_key]) > _sortable(_parse(last))]
        else:
            rows = []
    if skip:
        rows = rows[skip:]
    if top is not None:
        rows = rows[:top]
    return selection, rows, count, top, order_key


def _sortable(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _parse(text: str) -> Any:
    digits = text.lstrip("-")
    return int(text) if digits.isascii() and digits.isdigit() else text


def _list_answer(
    request: HttpRequest, resource: Resource, rows: Iterable[Row], division: int
) -> HttpResponse:
    selection, rows, count, top, order_key = _query(request, resource, rows, division)
    size = resource.page_size
    page, rest = rows[:size], rows[size:]
    renderer = _renderer(request, division)
    records = renderer.records(resource.entity, page, selection)
    next_url = ""
    if rest:
        last = page[-1][order_key]
        next_url = _next_url(request, last, resource, top=top - size if top else None)
    if not _wants_json(request):
        feed = atom_feed(
            records, resource.entity, feed_id=request.build_absolute_uri(), next_url=next_url
        )
        return _atom(feed, "feed")
    body: dict[str, Any] = {"results": records}
    if request.GET.get("$inlinecount") == "allpages":
        body["__count"] = str(count)
    if next_url:
        body["__next"] = next_url
    return exact_json({"d": body})


def _atom(text: str, kind: str) -> HttpResponse:
    return HttpResponse(text, content_type=f"application/atom+xml;type={kind};charset=utf-8")


def _next_url(request: HttpRequest, last_key: Any, resource: Resource, *, top: int | None) -> str:
    params = {name: value for name, value in request.GET.items() if name != "$skiptoken"}
    params.pop("$skip", None)
    if top is not None:
        params["$top"] = str(top)
    if isinstance(last_key, uuid.UUID):
        token = f"guid'{last_key}'"
    elif resource.kind == "sync" or resource.entity.fields[resource.key].type == "Edm.Int64":
        token = f"{last_key}L"
    else:
        token = str(last_key)
    params["$skiptoken"] = token
    query = urlencode(params, quote_via=quote, safe="$',()")
    return f"{request.scheme}://{request.get_host()}{request.path}?{query}"


def _body(request: HttpRequest, entity: ref.Entity) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise ODataError(
            "Error processing request stream. JSON text specified is not valid."
        ) from error
    if not isinstance(data, dict):
        raise ODataError("Error processing request stream. JSON text specified is not valid.")
    body_check(entity, data)
    return data


def _record_answer(
    request: HttpRequest, resource: Resource, row: Row, division: int, *, status: int = 200
) -> HttpResponse:
    selection = _select_checked(request, resource) if status == 200 else Selection()
    record = _renderer(request, division).records(resource.entity, [row], selection)[0]
    if status == 200 and not _wants_json(request):
        return _atom(atom_entry(record, resource.entity), "entry")
    return exact_json({"d": record}, status=status)


def _handle(
    request: HttpRequest, grant: m.Grant, division: int, resource: Resource, match
) -> HttpResponse:
    method = request.method
    entity = resource.entity
    key_text, tail = match.group("key"), match.group("tail")
    if resource.name == "system/Divisions":
        rows = [r.division_row(d) for d in m.Division.objects.filter(code__in=grant.divisions)]
    else:
        rows = None
    if key_text is None:
        if tail == "$count":
            if method != "GET":
                return exact_error(405, "Method not allowed")
            _, counted, *_ = _query(request, resource, rows or resource.rows(division), division)
            return HttpResponse(str(len(counted)), content_type="text/plain;charset=utf-8")
        if tail:
            return exact_error(404, f"Resource not found for the segment '{tail}'.")
        if method == "GET":
            return _list_answer(request, resource, rows or resource.rows(division), division)
        if method == "POST" and resource.create:
            created = resource.create(division=division, data=_body(request, entity))
            return _record_answer(request, resource, resource.to_row(created), division, status=201)
        return exact_error(405, "Method not allowed")
    key = _key_value(key_text, entity)
    if rows is not None:
        found = next((row for row in rows if row[entity.key] == key), None)
        obj = None
    elif resource.model is not None and resource.kind == "regular":
        obj = resource.model.objects.filter(pk=key).first()
        if obj is not None and getattr(obj, "division", None) not in (None, division):
            obj = None
        if obj is None and resource.model is m.SalesEntryLine:
            obj = m.SalesEntryLine.objects.filter(pk=key, entry__division=division).first()
        found = resource.to_row(obj) if obj is not None else None
    else:
        found = next((row for row in resource.rows(division) if row[entity.key] == key), None)
        obj = None
    if found is None:
        return exact_error(404, "Not found")
    if tail:
        spec = entity.fields.get(tail)
        if tail == "$count" or spec is None or not spec.nav:
            return exact_error(404, f"Resource not found for the segment '{tail}'.")
        target = ref.ENTITIES.get(spec.nav)
        children = _children(entity, tail, [found]).get(key, [])
        if target is None:
            return exact_json({"d": {"results": []}})
        path = ENTITY_PATHS.get(target.name, tail)
        child = Resource(ref.Endpoint(path, target), lambda division: children)
        return _list_answer(request, child, children, division)
    if method == "GET":
        return _record_answer(request, resource, found, division)
    if method == "PUT" and obj is not None and resource.update:
        resource.update(obj, _body(request, entity))
        return HttpResponse(status=204)
    if method == "DELETE" and obj is not None and resource.delete:
        resource.delete(obj)
        return HttpResponse(status=204)
    return exact_error(405, "Method not allowed")


def _with_headers(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for name, value in headers.items():
        response[name] = value
    return response


def _answer(
    request: HttpRequest,
    *,
    grant: m.Grant,
    division: int,
    endpoint: str,
    counts_daily: bool,
    handler: Callable[[], HttpResponse],
) -> HttpResponse:
    """The path every authorised call takes: budget, error block, handler, error tally."""
    error_key = (grant.app.client_id, grant.user_id, division, endpoint.lower())
    budget = call_budget_spend(
        client_id=grant.app.client_id, division=division, counts_daily=counts_daily
    )
    if not budget.allowed:
        return _with_headers(exact_error(429, "Too many requests"), budget.headers)
    if error_block_active(key=error_key):
        response = exact_error(
            429, "Too many errors: this endpoint is blocked for an hour (more than 10 errors)."
        )
        return _with_headers(response, budget.headers)
    try:
        response = handler()
    except ODataError as error:
        response = exact_error(400, str(error))
    except ExactRuleError as error:
        response = exact_error(error.status, str(error))
    except (TypeError, ValueError) as error:
        # A value of the wrong type in the payload: Exact refuses the request stream.
        response = exact_error(400, f"Error processing request stream. {error}")
    error_record(key=error_key, status=response.status_code)
    return _with_headers(response, budget.headers)


@csrf_exempt
def me(request: HttpRequest, site: str) -> HttpResponse:
    request.sandbox_endpoint = "current/Me"
    grant, refusal = bearer_grant(request, site)
    if refusal:
        return refusal
    user = grant.user

    def handler() -> HttpResponse:
        row = {
            "CurrentDivision": user.current_division,
            "DivisionCustomer": None,
            "FullName": user.full_name,
            "UserID": user.user_id,
            "UserName": user.username,
            "Email": user.email,
            "Language": "nl-NL" if grant.app.site == "nl" else "nl-BE",
        }
        fields = set(row)
        select = request.GET.get("$select")
        if select:
            names = [name.strip() for name in select.split(",") if name.strip()]
            unknown = [name for name in names if name not in fields]
            if unknown:
                raise ODataError(f"Could not find a property named '{unknown[0]}'.")
            row = {name: row[name] for name in names}
        return exact_json({"d": {"results": [row]}})

    # current/Me carries no division, so Exact leaves it out of the daily budget.
    return _answer(
        request,
        grant=grant,
        division=user.current_division,
        endpoint="current/Me",
        counts_daily=False,
        handler=handler,
    )


@csrf_exempt
def endpoint(request: HttpRequest, site: str, division: str, path: str) -> HttpResponse:
    if len(request.get_full_path()) > MAX_URL_LENGTH:
        return exact_error(414, f"De URL is langer dan {MAX_URL_LENGTH} tekens.")
    match = RESOURCE_PATH.match(path)
    resource = RESOURCES.get(match.group("name").lower()) if match else None
    request.sandbox_endpoint = resource.name if resource else path
    grant, refusal = bearer_grant(request, site)
    if refusal:
        if grant is not None:
            error_record(
                key=(
                    grant.app.client_id,
                    grant.user_id,
                    int(division),
                    request.sandbox_endpoint.lower(),
                ),
                status=refusal.status_code,
            )
        return refusal
    code = int(division)

    def handler() -> HttpResponse:
        if code not in grant.divisions:
            return exact_error(403, "Forbidden")
        if resource is None:
            return exact_error(404, f"Resource not found for the segment '{path}'.")
        return _handle(request, grant, code, resource, match)

    return _answer(
        request,
        grant=grant,
        division=code,
        endpoint=request.sandbox_endpoint,
        counts_daily=True,
        handler=handler,
    )
