"""A bookkeeper's corrections to sales entries: the person's pages and the control calls.

The pages (edit, reverse, delete, book by hand, book again) are how a demo shows what a
reconciliation finds; the control calls under /_sandbox/ do the same for tests and benchmarks.
"""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from exact_sandbox import api, corrections
from exact_sandbox import models as m
from exact_sandbox.bookkeeping import ExactRuleError
from exact_sandbox.control import _json, _loopback_only, _methods
from exact_sandbox.odata import dumps
from exact_sandbox.ui import _division


def _back(code: int, **message: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"/divisions/{code}/?{urlencode(message)}")


def _entry(code: int, entry_id: UUID) -> m.SalesEntry:
    return get_object_or_404(
        m.SalesEntry.objects.select_related("customer"), division=code, pk=entry_id
    )


def entry_edit(request: HttpRequest, code: int, entry_id: UUID) -> HttpResponse:
    division = _division(code)
    entry = _entry(code, entry_id)
    error = ""
    if request.method == "POST":
        try:
            corrections.entry_edit(entry=entry, edit=corrections.entry_edit_from(request.POST))
        except ExactRuleError as failure:
            error = str(failure)
        else:
            return _back(code, done=f"Boeking {entry.entry_number} gewijzigd.")
    first = entry.lines.select_related("gl_account").first()
    return render(
        request,
        "exact_sandbox/entry_edit.html",
        {"division": division, "entry": entry, "first": first, "error": error, "tab": "entries"},
    )


def entry_book(request: HttpRequest, code: int) -> HttpResponse:
    division = _division(code)
    error = ""
    if request.method == "POST":
        try:
            entry = corrections.entry_book(division=code, data=request.POST)
        except ExactRuleError as failure:
            error = str(failure)
        else:
            return _back(code, done=f"Boeking {entry.entry_number} geboekt.")
    return render(
        request,
        "exact_sandbox/entry_book.html",
        {
            "division": division,
            "error": error,
            "values": request.POST,
            "accounts": m.Account.objects.filter(division=code, status="C"),
            "gl_accounts": m.GLAccount.objects.filter(division=code, type=110, is_blocked=False),
            "vat_codes": m.VATCode.objects.filter(division=code, type="E"),
            "tab": "entries",
        },
    )


def _act(request: HttpRequest, code: int, entry_id: UUID, action, done: str) -> HttpResponse:
    entry = _entry(code, entry_id)
    number = entry.entry_number
    try:
        action(entry=entry)
    except ExactRuleError as failure:
        return _back(code, error=str(failure))
    return _back(code, done=done % {"number": number})


@require_POST
def entry_reverse(request: HttpRequest, code: int, entry_id: UUID) -> HttpResponse:
    return _act(
        request, code, entry_id, corrections.entry_reverse, "Boeking %(number)s teruggeboekt."
    )


@require_POST
def entry_delete(request: HttpRequest, code: int, entry_id: UUID) -> HttpResponse:
    return _act(request, code, entry_id, corrections.entry_delete, "Boeking %(number)s verwijderd.")


@require_POST
def entry_duplicate(request: HttpRequest, code: int, entry_id: UUID) -> HttpResponse:
    return _act(
        request, code, entry_id, corrections.entry_duplicate, "Boeking %(number)s nogmaals geboekt."
    )


# Control calls (JSON, loopback only)


def _entry_answer(entry: m.SalesEntry | None) -> HttpResponse:
    body = {"entry": api.sales_entry_row(entry) if entry is not None else None}
    return HttpResponse(dumps(body), content_type="application/json")


def _control_entry(entry_id: str) -> m.SalesEntry:
    return m.SalesEntry.objects.select_related("customer").get(pk=entry_id)


def _rule_refusal(error: ExactRuleError) -> JsonResponse:
    return JsonResponse({"error": str(error)}, status=400)


@_loopback_only
@_methods("POST")
def control_entry_edit(request: HttpRequest, entry_id: str) -> HttpResponse:
    """``{"amount": "120.00", "customer_code": "900002", "gl_code": "8010", "year": 2026,
    "period": 6}``: any of them."""
    entry = _control_entry(entry_id)
    try:
        corrections.entry_edit(entry=entry, edit=corrections.entry_edit_from(_json(request)))
    except ExactRuleError as error:
        return _rule_refusal(error)
    return _entry_answer(entry)


@_loopback_only
@_methods("POST")
def control_entry_reverse(request: HttpRequest, entry_id: str) -> HttpResponse:
    try:
        return _entry_answer(corrections.entry_reverse(entry=_control_entry(entry_id)))
    except ExactRuleError as error:
        return _rule_refusal(error)


@_loopback_only
@_methods("POST")
def control_entry_delete(request: HttpRequest, entry_id: str) -> HttpResponse:
    try:
        corrections.entry_delete(entry=_control_entry(entry_id))
    except ExactRuleError as error:
        return _rule_refusal(error)
    return _entry_answer(None)


@_loopback_only
@_methods("POST")
def control_entry_duplicate(request: HttpRequest, entry_id: str) -> HttpResponse:
    try:
        return _entry_answer(corrections.entry_duplicate(entry=_control_entry(entry_id)))
    except ExactRuleError as error:
        return _rule_refusal(error)


@_loopback_only
@_methods("POST")
def control_entry_book(request: HttpRequest, code: int) -> HttpResponse:
    """A new entry by hand: the fields of corrections.entry_book."""
    try:
        return _entry_answer(corrections.entry_book(division=code, data=_json(request)))
    except ExactRuleError as error:
        return _rule_refusal(error)


@_loopback_only
@_methods("POST")
def control_entries_bulk(request: HttpRequest, code: int) -> HttpResponse:
    """``{"entries": [...]}`` stored at once (see corrections.entries_bulk_book)."""
    entries = corrections.entries_bulk_book(division=code, entries=_json(request)["entries"])
    body = {
        "entries": [
            {"EntryID": entry.id, "EntryNumber": entry.entry_number, "YourRef": entry.your_ref}
            for entry in entries
        ]
    }
    return HttpResponse(dumps(body), content_type="application/json")
