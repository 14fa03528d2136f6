"""Pages for a person: each division's accounts, sales entries, receivables and payments."""

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode
from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from exact_sandbox import bookkeeping
from exact_sandbox import models as m
from exact_sandbox.bookkeeping import ExactRuleError
from exact_sandbox.clock import now
from exact_sandbox.seed import APPS, PASSWORD


def _division(code: int) -> m.Division:
    """The division a person opens; like in Exact it becomes the user's current division."""
    division = get_object_or_404(m.Division.objects.select_related("user"), code=code)
    if division.user.current_division != code:
        division.user.current_division = code
        division.user.save(update_fields=["current_division"])
    return division


def index(request: HttpRequest) -> HttpResponse:
    host = request.get_host()
    sites = [
        {
            "code": site,
            "label": label,
            "base": f"http://{host}/{site}",
            "divisions": m.Division.objects.filter(site=site).select_related("user"),
            "apps": [
                (client_id, secret) for app_site, client_id, secret in APPS if app_site == site
            ],
        }
        for site, label in m.Site.choices
    ]
    return render(
        request,
        "exact_sandbox/index.html",
        {"sites": sites, "password": PASSWORD, "now": now(), "host": host},
    )


def accounts(request: HttpRequest, code: int) -> HttpResponse:
    division = _division(code)
    rows = m.Account.objects.filter(division=code).order_by("-modified", "code")
    return render(
        request,
        "exact_sandbox/accounts.html",
        {"division": division, "accounts": rows, "tab": "accounts"},
    )


def sales_entries(request: HttpRequest, code: int) -> HttpResponse:
    division = _division(code)
    entries = (
        m.SalesEntry.objects.filter(division=code)
        .select_related("customer", "document")
        .prefetch_related("lines__gl_account", "document__attachments")
        .order_by("-entry_number")
    )
    return render(
        request,
        "exact_sandbox/sales_entries.html",
        {
            "division": division,
            "entries": entries,
            "tab": "entries",
            "error": request.GET.get("error", ""),
            "done": request.GET.get("done", ""),
        },
    )


def receivables(request: HttpRequest, code: int) -> HttpResponse:
    division = _division(code)
    rows = (
        m.Receivable.objects.filter(division=code)
        .select_related("entry__customer")
        .order_by("-entry__entry_number")
    )
    return render(
        request,
        "exact_sandbox/receivables.html",
        {
            "division": division,
            "receivables": rows,
            "tab": "receivables",
            "error": request.GET.get("error", ""),
            "done": request.GET.get("done", ""),
        },
    )


def _back(code: int, **message: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"/divisions/{code}/receivables/?{urlencode(message)}")


@require_POST
def receivable_pay(request: HttpRequest, code: int, receivable_id: UUID) -> HttpResponse:
    receivable = get_object_or_404(m.Receivable, division=code, pk=receivable_id)
    kind = request.POST.get("kind", "full")
    amount = None
    if kind in ("partial", "write_off"):
        try:
            amount = Decimal(request.POST.get("amount", "").replace(",", "."))
        except InvalidOperation:
            return _back(code, error="Ongeldig: Bedrag")
    try:
        bookkeeping.receivable_payment_register(
            receivable=receivable, amount=amount, write_off_rest=kind == "write_off"
        )
    except ExactRuleError as error:
        return _back(code, error=str(error))
    return _back(code, done=str(receivable.entry.entry_number))


@require_POST
def receivable_undo(request: HttpRequest, code: int, receivable_id: UUID) -> HttpResponse:
    receivable = get_object_or_404(m.Receivable, division=code, pk=receivable_id)
    bookkeeping.receivable_match_undo(receivable=receivable)
    return _back(code, done=str(receivable.entry.entry_number))


def sys_attachment(request: HttpRequest) -> HttpResponse:
    """Exact's download link of an attachment (its ``Url`` field); ``&Download=1`` saves it."""
    try:
        attachment_id, code = (
            UUID(request.GET.get("ID", "")),
            int(request.GET.get("_Division_", "")),
        )
    except ValueError:
        return HttpResponse("Not found", status=404, content_type="text/plain")
    response = attachment(request, code, attachment_id)
    if request.GET.get("Download") == "1":
        response["Content-Disposition"] = response["Content-Disposition"].replace(
            "inline", "attachment"
        )
    return response


def attachment(request: HttpRequest, code: int, attachment_id: UUID) -> HttpResponse:
    stored = get_object_or_404(m.DocumentAttachment, division=code, pk=attachment_id)
    kind = (
        "application/pdf"
        if stored.file_name.lower().endswith(".pdf")
        else "application/octet-stream"
    )
    response = HttpResponse(bytes(stored.content), content_type=kind)
    response["Content-Disposition"] = f'inline; filename="{stored.file_name}"'
    return response
