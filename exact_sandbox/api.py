"""The REST endpoints under /api/v1/: OData reads, Exact's writes, tokens, scopes and limits."""

import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from exact_sandbox import bookkeeping, transactions
from exact_sandbox import models as m
from exact_sandbox.bookkeeping import ExactRuleError
from exact_sandbox.limits import call_budget_spend, error_block_active, error_record
from exact_sandbox.oauth import bearer_grant
from exact_sandbox.odata import ODataError, filter_parse, orderby_apply
from exact_sandbox.responses import exact_error, exact_json

MAX_URL_LENGTH = 6000
PAGE_SIZE = 60
BULK_PAGE_SIZE = 1000
Row = dict[str, Any]


def _vat_code(code: str) -> str:
    """Exact pads VAT codes to three characters."""
    return code.ljust(3)


def _division_row(division: m.Division) -> Row:
    return {
        "Code": division.code,
        "Description": division.description,
        "Status": 1,
        "Country": division.site.upper(),
        "Currency": "EUR",
        "CustomerName": division.description,
    }


def account_row(a: m.Account) -> Row:
    return {
        "ID": a.id,
        "Code": a.code,
        "Name": a.name,
        "Status": a.status,
        "IsSupplier": a.is_supplier,
        "Email": a.email,
        "VATNumber": a.vat_number,
        "ChamberOfCommerce": a.chamber_of_commerce,
        "AddressLine1": a.address_line1,
        "AddressLine2": a.address_line2,
        "AddressLine3": a.address_line3,
        "Postcode": a.postcode,
        "City": a.city,
        "Country": a.country,
        "GLAR": a.glar,
        "Division": a.division,
        "Created": a.created,
        "Modified": a.modified,
    }


def sales_entry_line_row(line: m.SalesEntryLine) -> Row:
    return {
        "ID": line.id,
        "EntryID": line.entry_id,
        "LineNumber": line.line_number,
        "GLAccount": line.gl_account_id,
        "GLAccountCode": line.gl_account.code,
        "AmountFC": line.amount_fc,
        "AmountDC": line.amount_fc,
        "VATCode": _vat_code(line.vat_code),
        "VATAmountFC": line.vat_amount_fc,
        "VATAmountDC": line.vat_amount_fc,
        "CostCenter": line.cost_center or None,
        "Project": line.project,
        "Description": line.description,
        "Quantity": line.quantity,
        "Division": line.entry.division,
    }


def sales_entry_row(e: m.SalesEntry, *, with_lines: bool = True) -> Row:
    row = {
        "EntryID": e.id,
        "EntryNumber": e.entry_number,
        "InvoiceNumber": e.entry_number,
        "Journal": e.journal,
        "Customer": e.customer_id,
        "CustomerName": e.customer.name,
        "EntryDate": e.entry_date,
        "DueDate": e.due_date,
        "YourRef": e.your_ref,
        "Description": e.description,
        "ReportingYear": e.reporting_year,
        "ReportingPeriod": e.reporting_period,
        "Document": e.document_id,
        "Type": e.type,
        "PaymentCondition": e.payment_condition,
        "AmountDC": e.amount_dc,
        "AmountFC": e.amount_dc,
        "VATAmountDC": e.vat_amount_dc,
        "VATAmountFC": e.vat_amount_dc,
        "Currency": "EUR",
        "Status": e.status,
        "Division": e.division,
        "Created": e.created,
        "Modified": e.modified,
        "SalesEntryLines": {"results": []},
    }
    # Unsaved instances (used to list the fields) have no lines to query.
    if with_lines and not e._state.adding:
        row["SalesEntryLines"]["results"] = [sales_entry_line_row(line) for line in e.lines.all()]
    return row


def sales_entry_lines_attach(rows: list[Row]) -> None:
    """Fill in the lines of one page of entries only, so filtering many entries stays cheap."""
    lines = m.SalesEntryLine.objects.filter(
        entry_id__in=[row["EntryID"] for row in rows]
    ).select_related("entry", "gl_account")
    by_entry: dict[uuid.UUID, list[Row]] = {}
    for line in lines:
        by_entry.setdefault(line.entry_id, []).append(sales_entry_line_row(line))
    for row in rows:
        row["SalesEntryLines"] = {"results": by_entry.get(row["EntryID"], [])}


def receivable_row(r: m.Receivable) -> Row:
    e = r.entry
    return {
        "ID": r.id,
        "Account": e.customer_id,
        "AccountCode": e.customer.code,
        "AccountName": e.customer.name,
        "AmountDC": r.amount_dc,
        "AmountFC": r.amount_dc,
        "TransactionAmountDC": e.amount_dc,
        "Currency": "EUR",
        "Description": e.description,
        "DueDate": e.due_date,
        "EndDate": r.last_payment_date if r.is_fully_paid else None,
        "EntryDate": e.entry_date,
        "EntryNumber": e.entry_number,
        "InvoiceNumber": e.entry_number,
        "InvoiceDate": e.entry_date,
        "IsFullyPaid": r.is_fully_paid,
        "JournalCode": e.journal,
        "LastPaymentDate": r.last_payment_date,
        "Status": r.status,
        "TransactionEntryID": e.id,
        "TransactionType": e.type,
        "YourRef": e.your_ref,
        "Division": r.division,
        "Created": r.created,
        "Modified": r.modified,
    }


def _receivables_list_row(r: m.Receivable) -> Row:
    e = r.entry
    return {
        "Id": r.id,
        "HID": e.entry_number,
        "AccountId": e.customer_id,
        "AccountCode": e.customer.code,
        "AccountName": e.customer.name,
        "Amount": r.open_dc,
        "CurrencyCode": "EUR",
        "Description": e.description,
        "DueDate": e.due_date,
        "EntryNumber": e.entry_number,
        "InvoiceDate": e.entry_date,
        "InvoiceNumber": e.entry_number,
        "JournalCode": e.journal,
        "JournalDescription": "Verkoopboek",
        "YourRef": e.your_ref,
        "Modified": r.modified,
    }


def division_receivables(division: int):
    return m.Receivable.objects.filter(division=division).select_related("entry__customer")


@dataclass
class Resource:
    """One Exact endpoint: how its rows are read and which writes Exact allows on it."""

    name: str
    key: str
    rows: Callable[[int], Iterable[Row]]
    fields: set[str] = field(default_factory=set)
    model: type | None = None
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    delete: Callable[..., Any] | None = None
    to_row: Callable[[Any], Row] | None = None
    bulk: bool = False
    # Exact's regular endpoints answer 60 rows a page; bulk and the read/ report lists 1,000.
    page_size: int = PAGE_SIZE
    filter_required: bool = False
    page_complete: Callable[[list[Row]], None] | None = None


def _simple(model: type, to_row: Callable[[Any], Row]) -> Callable[[int], Iterable[Row]]:
    return lambda division: (to_row(obj) for obj in model.objects.filter(division=division))


def _glaccount_row(g: m.GLAccount) -> Row:
    return {
        "ID": g.id,
        "Code": g.code,
        "Description": g.description,
        "Type": g.type,
        "BalanceType": g.balance_type,
        "IsBlocked": g.is_blocked,
        "Division": g.division,
        "Modified": g.modified,
    }


def _journal_row(j: m.Journal) -> Row:
    return {
        "ID": j.id,
        "Code": j.code,
        "Description": j.description,
        "Type": j.type,
        "Division": j.division,
        "Modified": j.modified,
    }


def _vatcode_row(v: m.VATCode) -> Row:
    return {
        "ID": v.id,
        "Code": _vat_code(v.code),
        "Description": v.description,
        "Type": v.type,
        "Percentage": v.percentage,
        "IsBlocked": v.is_blocked,
        "Division": v.division,
        "Modified": v.modified,
    }


def _costcenter_row(c: m.CostCenter) -> Row:
    return {
        "ID": c.id,
        "Code": c.code,
        "Description": c.description,
        "Active": c.active,
        "Division": c.division,
        "Modified": c.modified,
    }


def _project_row(p: m.Project) -> Row:
    return {
        "ID": p.id,
        "Code": p.code,
        "Description": p.description,
        "Type": p.type,
        "Account": p.account,
        "Division": p.division,
        "Modified": p.modified,
    }


def document_row(d: m.Document) -> Row:
    return {
        "ID": d.id,
        "Subject": d.subject,
        "Type": d.type,
        "Account": d.account,
        "Division": d.division,
        "Created": d.created,
        "Modified": d.modified,
    }


def document_attachment_row(a: m.DocumentAttachment) -> Row:
    return {
        "ID": a.id,
        "Document": a.document_id,
        "FileName": a.file_name,
        "FileSize": len(a.content),
        "AttachmentUrl": f"/divisions/{a.division}/attachments/{a.id}/",
        "Division": a.division,
        "Created": a.created,
        "Modified": a.modified,
    }


def _fields(to_row: Callable[[Any], Row], sample: Any) -> set[str]:
    return set(to_row(sample))


def _resources() -> dict[str, Resource]:
    fake_entry = m.SalesEntry(customer=m.Account())
    fake_line = m.SalesEntryLine(entry=fake_entry, gl_account=m.GLAccount())
    receivable = m.Receivable(entry=fake_entry, amount_dc=0)
    table = [
        Resource(
            "system/Divisions",
            "Code",
            lambda division: (),
            fields=_fields(_division_row, m.Division()),
        ),
        Resource(
            "crm/Accounts",
            "ID",
            _simple(m.Account, account_row),
            fields=_fields(account_row, m.Account()),
            model=m.Account,
            create=bookkeeping.account_create,
            update=lambda obj, data: bookkeeping.account_update(account=obj, data=data),
            delete=lambda obj: bookkeeping.account_delete(account=obj),
            to_row=account_row,
            filter_required=True,
        ),
        Resource(
            "salesentry/SalesEntries",
            "EntryID",
            lambda division: (
                sales_entry_row(e, with_lines=False)
                for e in m.SalesEntry.objects.filter(division=division).select_related("customer")
            ),
            fields=_fields(sales_entry_row, fake_entry),
            model=m.SalesEntry,
            create=bookkeeping.sales_entry_create,
            update=lambda obj, data: bookkeeping.sales_entry_update(entry=obj, data=data),
            delete=lambda obj: bookkeeping.sales_entry_delete(entry=obj),
            to_row=sales_entry_row,
            page_complete=sales_entry_lines_attach,
        ),
        Resource(
            "salesentry/SalesEntryLines",
            "ID",
            lambda division: (
                sales_entry_line_row(line)
                for line in m.SalesEntryLine.objects.filter(
                    entry__division=division
                ).select_related("entry", "gl_account")
            ),
            fields=_fields(sales_entry_line_row, fake_line),
        ),
        Resource(
            "financial/GLAccounts",
            "ID",
            _simple(m.GLAccount, _glaccount_row),
            fields=_fields(_glaccount_row, m.GLAccount()),
        ),
        Resource(
            "financial/Journals",
            "ID",
            _simple(m.Journal, _journal_row),
            fields=_fields(_journal_row, m.Journal()),
        ),
        Resource(
            "vat/VATCodes",
            "ID",
            _simple(m.VATCode, _vatcode_row),
            fields=_fields(_vatcode_row, m.VATCode(code="")),
        ),
        Resource(
            "hrm/Costcenters",
            "ID",
            _simple(m.CostCenter, _costcenter_row),
            fields=_fields(_costcenter_row, m.CostCenter()),
            model=m.CostCenter,
            create=bookkeeping.cost_center_create,
            to_row=_costcenter_row,
        ),
        Resource(
            "project/Projects",
            "ID",
            _simple(m.Project, _project_row),
            fields=_fields(_project_row, m.Project()),
            model=m.Project,
            create=bookkeeping.project_create,
            to_row=_project_row,
        ),
        Resource(
            "documents/Documents",
            "ID",
            _simple(m.Document, document_row),
            fields=_fields(document_row, m.Document()),
            model=m.Document,
            create=bookkeeping.document_create,
            to_row=document_row,
        ),
        Resource(
            "documents/DocumentAttachments",
            "ID",
            _simple(m.DocumentAttachment, document_attachment_row),
            fields=_fields(document_attachment_row, m.DocumentAttachment(content=b"")),
            model=m.DocumentAttachment,
            create=bookkeeping.document_attachment_create,
            to_row=document_attachment_row,
        ),
        Resource(
            "cashflow/Receivables",
            "ID",
            lambda division: (receivable_row(r) for r in division_receivables(division)),
            fields=_fields(receivable_row, receivable),
        ),
        Resource(
            "bulk/Cashflow/Receivables",
            "ID",
            lambda division: (receivable_row(r) for r in division_receivables(division)),
            fields=_fields(receivable_row, receivable),
            bulk=True,
            page_size=BULK_PAGE_SIZE,
        ),
        Resource(
            "read/financial/ReceivablesList",
            "Id",
            lambda division: (
                _receivables_list_row(r) for r in division_receivables(division) if r.open_dc != 0
            ),
            fields=_fields(_receivables_list_row, receivable),
            page_size=BULK_PAGE_SIZE,
        ),
    ]
    line_fields = set(transactions.sample_row())
    for name, key, page_size, bulk in [
        ("financialtransaction/TransactionLines", "ID", PAGE_SIZE, False),
        ("bulk/Financial/TransactionLines", "ID", BULK_PAGE_SIZE, True),
        ("sync/Financial/TransactionLines", "Timestamp", BULK_PAGE_SIZE, False),
    ]:
        table.append(
            Resource(
                name,
                key,
                transactions.division_lines,
                fields=line_fields,
                bulk=bulk,
                page_size=page_size,
            )
        )
    resources = {resource.name.lower(): resource for resource in table}
    resources["hrm/divisions"] = resources["system/divisions"]
    return resources


RESOURCES = _resources()
RESOURCE_PATH = re.compile(r"^(?P<name>[A-Za-z/]+?)(?:\(guid'(?P<key>[^']*)'\))?$")


def _user_divisions_rows(grant: m.Grant) -> list[Row]:
    divisions = m.Division.objects.filter(code__in=grant.divisions)
    return [_division_row(division) for division in divisions]


def _query_rows(request: HttpRequest, resource: Resource, rows: Iterable[Row]) -> HttpResponse:
    params = request.GET
    if resource.bulk and not params.get("$select"):
        raise ODataError("$select is mandatory for bulk endpoints.")
    if resource.filter_required and not params.get("$filter"):
        raise ODataError("This endpoint has mandatory filtering applied")
    rows = list(rows)
    if params.get("$filter"):
        predicate = filter_parse(params["$filter"], fields=resource.fields)
        rows = [row for row in rows if predicate(row)]
    key = resource.key
    if params.get("$orderby"):
        rows = orderby_apply(rows, params["$orderby"], fields=resource.fields)
    else:
        rows.sort(key=lambda row: str(row[key]) if isinstance(row[key], uuid.UUID) else row[key])
    skiptoken = params.get("$skiptoken")
    if skiptoken:
        last = re.sub(r"^guid'(.*)'$", r"\1", skiptoken).lower()
        index = next((n for n, row in enumerate(rows) if str(row[key]).lower() == last), None)
        if index is not None:
            rows = rows[index + 1 :]
        elif not params.get("$orderby"):
            # The last row of the previous page is gone: carry on after where it sorted.
            rows = [row for row in rows if str(row[key]).lower() > last]
        else:
            rows = []
    top = params.get("$top")
    if top is not None:
        if not top.isdigit():
            raise ODataError(f"Invalid $top value '{top}'.")
        rows = rows[: int(top)]
    size = resource.page_size
    page, rest = rows[:size], rows[size:]
    if resource.page_complete:
        resource.page_complete(page)
    results = [_select(row, params.get("$select"), resource) for row in page]
    body: dict[str, Any] = {"results": results}
    if rest:
        body["__next"] = _next_url(request, page[-1][key], top=int(top) - size if top else None)
    return exact_json({"d": body})


def _select(row: Row, select: str | None, resource: Resource) -> Row:
    if not select or select.strip() == "*":
        return row
    names = [name.strip() for name in select.split(",") if name.strip()]
    for name in names:
        if name not in resource.fields:
            raise ODataError(f"Could not find a property named '{name}'.")
    return {name: row.get(name) for name in names}


def _next_url(request: HttpRequest, last_key: Any, *, top: int | None) -> str:
    params = {name: value for name, value in request.GET.items() if name != "$skiptoken"}
    if top is not None:
        params["$top"] = str(top)
    token = f"guid'{last_key}'" if isinstance(last_key, uuid.UUID) else str(last_key)
    params["$skiptoken"] = token
    query = urlencode(params, quote_via=quote, safe="$',()")
    return f"{request.scheme}://{request.get_host()}{request.path}?{query}"


def _body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise ODataError(
            "Error processing request stream. JSON text specified is not valid."
        ) from error
    if not isinstance(data, dict):
        raise ODataError("Error processing request stream. JSON text specified is not valid.")
    return data


def _handle(
    request: HttpRequest, grant: m.Grant, division: int, resource: Resource, key: str | None
) -> HttpResponse:
    method = request.method
    if resource.name == "system/Divisions":
        if method != "GET":
            return exact_error(405, "Method not allowed")
        return _query_rows(request, resource, _user_divisions_rows(grant))
    obj = None
    if key is not None:
        if resource.model is None:
            return exact_error(404, "Not found")
        try:
            obj = resource.model.objects.filter(division=division, pk=uuid.UUID(key)).first()
        except ValueError:
            raise ODataError(f"Unrecognized 'Edm.Guid' literal 'guid'{key}''.") from None
        if obj is None:
            return exact_error(404, "Not found")
    if method == "GET":
        if obj is not None:
            return exact_json({"d": resource.to_row(obj)})
        return _query_rows(request, resource, resource.rows(division))
    if method == "POST" and obj is None and resource.create:
        created = resource.create(division=division, data=_body(request))
        return exact_json({"d": resource.to_row(created)}, status=201)
    if method == "PUT" and obj is not None and resource.update:
        resource.update(obj, _body(request))
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
        return _handle(request, grant, code, resource, match.group("key"))

    return _answer(
        request,
        grant=grant,
        division=code,
        endpoint=request.sandbox_endpoint,
        counts_daily=True,
        handler=handler,
    )
