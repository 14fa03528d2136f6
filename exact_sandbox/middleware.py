"""Counts every Exact call and injects the configured faults into the REST API."""

import re

from django.http import HttpRequest, HttpResponse

from exact_sandbox.responses import exact_error
from exact_sandbox.runtime import runtime

API_PATH = re.compile(r"^/(?:nl/|be/)?api/(?P<rest>.*)$")
REST_PATH = re.compile(r"^/(?:nl/|be/)?api/v1/")
WRITES = {"POST", "PUT", "DELETE"}
DROP_MARKER = "exact_sandbox.drop"
LATENCY_MARKER = "exact_sandbox.latency"


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
        endpoint = getattr(request, "sandbox_endpoint", None) or api["rest"].split("?")[0]
        runtime.count(method=request.method, endpoint=endpoint, status=response.status_code)
        return response
