"""The control endpoint under /_sandbox/ for tests, demos and benchmarks.

Loopback callers only, JSON, and every call carries the token printed at start-up in the
``X-Sandbox-Token`` header.
"""

import hmac
import ipaddress
import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from exact_sandbox import api, bookkeeping
from exact_sandbox import models as m
from exact_sandbox.clock import clock_advance, clock_offset, now
from exact_sandbox.odata import dumps
from exact_sandbox.runtime import GARBAGE_KINDS, runtime
from exact_sandbox.seed import sandbox_seed


def _loopback_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            loopback = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return JsonResponse(
                {"error": "the control endpoint answers loopback callers only"}, status=403
            )
        given = request.META.get("HTTP_X_SANDBOX_TOKEN", "")
        if not runtime.control_token or not hmac.compare_digest(
            given.encode(), runtime.control_token.encode()
        ):
            return JsonResponse(
                {"error": "the control endpoint needs the X-Sandbox-Token printed at start"},
                status=401,
            )
        if request.method not in view.methods:
            return JsonResponse({"error": "method not allowed"}, status=405)
        try:
            return view(request, *args, **kwargs)
        except (ValueError, TypeError) as error:
            return JsonResponse({"error": str(error)}, status=400)

    return csrf_exempt(wrapped)


def _methods(*methods: str):
    def mark(view):
        view.methods = set(methods)
        return view

    return mark


def _json(request: HttpRequest) -> dict:
    data = json.loads(request.body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def _clock() -> dict:
    return {"offset_seconds": clock_offset(), "now": now().isoformat()}


def sandbox_reset() -> None:
    """Reseed the data, rewind the clock and restore the start-up limits and faults."""
    m.Clock.objects.all().delete()
    sandbox_seed()
    runtime.restore()


@_loopback_only
@_methods("POST")
def reset(request: HttpRequest) -> HttpResponse:
    sandbox_reset()
    return JsonResponse({"reset": True, **runtime.describe()})


@_loopback_only
@_methods("GET")
def counters(request: HttpRequest) -> HttpResponse:
    return JsonResponse(runtime.counters())


@_loopback_only
@_methods("POST")
def counters_reset(request: HttpRequest) -> HttpResponse:
    runtime.clear_counters()
    return JsonResponse(runtime.counters())


@_loopback_only
@_methods("GET", "POST")
def clock(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        clock_advance(seconds=float(_json(request).get("advance", 0)))
    return JsonResponse(_clock())


@_loopback_only
@_methods("GET", "POST")
def faults(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        values = _json(request)
        if values.get("drop_mode", "reset") not in ("reset", "timeout"):
            raise ValueError("drop_mode is 'reset' or 'timeout'")
        if not set(values.get("garbage_kinds", GARBAGE_KINDS)) <= set(GARBAGE_KINDS):
            raise ValueError(f"garbage_kinds are some of {', '.join(GARBAGE_KINDS)}")
        runtime.update_faults(values)
    return JsonResponse(runtime.describe()["faults"])


@_loopback_only
@_methods("GET", "POST")
def limits(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        runtime.update_limits(_json(request))
    return JsonResponse(runtime.describe()["limits"])


@_loopback_only
@_methods("POST")
def division_settings(request: HttpRequest, code: int) -> HttpResponse:
    """Break a division the ways a real administration can be broken (no payment condition, ...)."""
    division = m.Division.objects.get(code=code)
    values = _json(request)
    if "default_payment_condition" in values:
        division.default_payment_condition = values["default_payment_condition"] or ""
        division.save()
    for year, period in values.get("close_periods", []):
        m.FinancialPeriod.objects.filter(division=code, year=year, period=period).update(
            closed=True
        )
    for year, period in values.get("open_periods", []):
        m.FinancialPeriod.objects.filter(division=code, year=year, period=period).update(
            closed=False
        )
    return JsonResponse(
        {"division": code, "default_payment_condition": division.default_payment_condition}
    )


@_loopback_only
@_methods("GET")
def state(request: HttpRequest) -> HttpResponse:
    divisions = {}
    for division in m.Division.objects.all():
        code = division.code
        entries = [
            api.sales_entry_row(entry)
            for entry in m.SalesEntry.objects.filter(division=code)
            .select_related("customer")
            .prefetch_related("lines__gl_account", "lines__entry")
        ]
        divisions[str(code)] = {
            "site": division.site,
            "description": division.description,
            "default_payment_condition": division.default_payment_condition,
            "accounts": [api.account_row(a) for a in m.Account.objects.filter(division=code)],
            "sales_entries": entries,
            "receivables": [
                {
                    **api.receivable_row(r),
                    "OpenAmountDC": r.open_dc,
                    "PaidAmountDC": r.paid_dc,
                    "WrittenOffAmountDC": r.written_off_dc,
                }
                for r in api.division_receivables(code)
            ],
            "documents": [
                {
                    **api.document_row(d),
                    "Attachments": [api.document_attachment_row(a) for a in d.attachments.all()],
                }
                for d in m.Document.objects.filter(division=code)
            ],
        }
    payload = {"clock": _clock(), **runtime.describe(), "divisions": divisions}
    return HttpResponse(dumps(payload), content_type="application/json")


@_loopback_only
@_methods("POST")
def receivable_split(request: HttpRequest, receivable_id: str) -> HttpResponse:
    """Split a receivable into terms, ``{"amounts": ["100.00", "21.00"]}``: rows of one entry."""
    receivable = m.Receivable.objects.get(pk=receivable_id)
    try:
        terms = bookkeeping.receivable_split(
            receivable=receivable, amounts=_json(request).get("amounts", [])
        )
    except bookkeeping.ExactRuleError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return HttpResponse(
        dumps({"receivables": [api.receivable_row(term) for term in terms]}),
        content_type="application/json",
    )
