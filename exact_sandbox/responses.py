"""Answers in Exact's JSON shapes."""

from typing import Any

from django.http import HttpResponse

from exact_sandbox.odata import dumps


def exact_json(payload: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(
        dumps(payload), status=status, content_type="application/json; charset=utf-8"
    )


def exact_error(status: int, message: str) -> HttpResponse:
    """Exact's error body; several messages arrive in one value, separated by CR LF."""
    return exact_json(
        {"error": {"code": "", "message": {"lang": "nl-NL", "value": message}}}, status=status
    )
