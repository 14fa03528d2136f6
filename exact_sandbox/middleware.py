"""Counts every Exact call and injects the configured faults into the REST API."""

import json
import re

from django.http import HttpRequest, HttpResponse

from exact_sandbox.responses import exact_error
from exact_sandbox.runtime import runtime

API_PATH = re.compile(r"^/(?:nl/|be/)?api/(?P<rest>.*)$")
REST_PATH = re.compile(r"^/(?:nl/|be/)?api/v1/")
WRITES = {"POST", "PUT", "DELETE"}
DROP_MARKER = "exact_sandbox.drop"
LATENCY_MARKER = "exact_sandbox.latency"
DRIP_MARKER = "exact_sandbox.drip"


def _gateway_failure(status: int) -> HttpResponse:
    if status == 500:
        return exact_error(500, "Er is een interne fout opgetreden.")
    # Exact's load balancers answer 502/503 with a bare HTML page, not the API's JSON.
    reason = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(
        status, "Error"
    )
    return HttpResponse(
        f"<html><body><h1>{status} {reason}</h1></body></html>",
        status=status,
        content_type="text/html",
    )


def _garbage(kind: str, response: HttpResponse) -> HttpResponse:
    """A 200 answer no client can use, as proxies, maintenance pages and broken releases send."""
    if kind == "html":
        body = b"<html><body><h1>Exact Online</h1><p>Onderhoud / maintenance</p></body></html>"
        return HttpResponse(body, status=200, content_type="text/html")
    if kind == "truncated":
        body = response.content[: len(response.content) // 2] or b'{"d": {"results": ['
    elif kind == "null":
        body = b'{"d": null}'
    elif kind == "error":
        body = exact_error(500, "Er is een interne fout opgetreden.").content
    else:
        body = b'{"d": {"results": {"__count": "many"}, "__next": 7}}'
    return HttpResponse(body, status=200, content_type="application/json; charset=utf-8")


def _foreign_next(response: HttpResponse, url: str) -> HttpResponse | None:
    """The same list answer with a page link to another site, where a token must never go."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    data = body.get("d") if isinstance(body, dict) else None
    if not isinstance(data, dict) or "results" not in data:
        return None
    data["__next"] = url.rstrip("/") + "/api/v1/stolen?$skiptoken=1"
    return HttpResponse(
        json.dumps(body), status=200, content_type="application/json; charset=utf-8"
    )


def _tally(kind: str) -> None:
    with runtime.lock:
        runtime.injected[kind] += 1


def _answer_spoilt(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Garbage, a foreign page link or a dripping body, as the faults say (after the view ran:
    a write the client cannot read the answer of has happened)."""
    faults = runtime.faults
    if faults.garbage_kinds and runtime.chance(faults.garbage_rate):
        kind = runtime.pick_garbage()
        response = _garbage(kind, response)
        _tally(f"garbage-{kind}")
    elif (
        request.method == "GET"
        and response.status_code == 200
        and runtime.chance(faults.foreign_next_rate)
    ):
        spoilt = _foreign_next(response, faults.foreign_next_url)
        if spoilt is not None:
            response = spoilt
            _tally("foreign-next")
    if runtime.chance(faults.drip_rate):
        request.environ[DRIP_MARKER] = faults.drip_interval_ms / 1000
        _tally("drip")
    return response


class SandboxMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = API_PATH.match(request.path)
        if not api:
            return self.get_response(request)
        faults = runtime.faults
        rest = bool(REST_PATH.match(request.path))
        if faults.latency_ms:
            request.environ[LATENCY_MARKER] = faults.latency_ms / 1000
        if rest and runtime.chance(faults.error_rate):
            status = runtime.pick_status()
            response = _gateway_failure(status)
            with runtime.lock:
                runtime.injected[str(status)] += 1
        else:
            response = self.get_response(request)
            if (
                rest
                and request.method in WRITES
                and 200 <= response.status_code < 300
                and runtime.chance(faults.drop_after_commit_rate)
            ):
                # The view's transaction has committed; the server now withholds the answer.
                request.environ[DROP_MARKER] = (faults.drop_mode, faults.drop_hold_seconds)
                with runtime.lock:
                    runtime.dropped[getattr(request, "sandbox_endpoint", api["rest"])] += 1
            elif rest:
                response = _answer_spoilt(request, response)
        endpoint = getattr(request, "sandbox_endpoint", None) or api["rest"].split("?")[0]
        runtime.count(method=request.method, endpoint=endpoint, status=response.status_code)
        return response
