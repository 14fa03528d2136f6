"""The one place coachlink's requests to Exact Online go through, the token endpoint included.

``send`` puts a time-out on every call and turns a failure to connect or to answer into
``Transient``; ``error_from_response`` turns an error answer into the class of error it is;
``json_read`` reads an answer's body, an unparseable one being a passing failure of Exact's.
Limits that apply to every call (a deadline for the whole answer, a cap on its size) belong here.
"""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from integrations.exact.errors import ExactError, NotFound, RateLimited, Refused, Transient

_http = requests.Session()

TRANSIENT_STATUSES = {408, 502, 503, 504}
# Exact's words for a failure of its own, as opposed to a business rule it reports as a 500.
INTERNAL_ERROR_MESSAGES = ("Er is een interne fout opgetreden", "An internal error occurred")


def send(method: str, url: str, *, access_token: str = "", **kwargs: Any) -> requests.Response:
    """Send one HTTP request to Exact, always with settings.EXACT_TIMEOUT; any status returns."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    try:
        return _http.request(method, url, headers=headers, timeout=settings.EXACT_TIMEOUT, **kwargs)
    except requests.Timeout as exc:
        raise Transient(_("Exact Online did not answer in time.")) from exc
    except requests.RequestException as exc:
        raise Transient(_("Exact Online could not be reached.")) from exc


def json_read(response: requests.Response) -> Any:
    """The answer's JSON; an answer cut off or not JSON is Exact failing, not refusing."""
    try:
        return response.json()
    except ValueError as exc:
        raise Transient(
            _("Exact Online sent an answer coachlink cannot read (HTTP %(status)s).")
            % {"status": response.status_code},
            status=response.status_code,
        ) from exc


def _message(response: requests.Response) -> str:
    """Exact's own words in an error answer: the REST shape or the OAuth shape."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (error responses)
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    error = body.get("error", {})
    detail = error.get("message", "") if isinstance(error, dict) else ""
    message = detail.get("value", "") if isinstance(detail, dict) else str(detail or "")
    return message or str(body.get("error_description") or "")


def error_from_response(response: requests.Response) -> ExactError:
    """The error an answer of status 400 or more stands for, with Exact's own words."""
    message = _message(response)
    status = response.status_code
    fallback = _("Exact Online answered HTTP %(status)s.") % {"status": status}
    if status == 429:
        return RateLimited(message or fallback, status=status)
    if status in TRANSIENT_STATUSES:
        return Transient(message or fallback, status=status)
    if status >= 500:
        # "Gegeven bestaat reeds", "Ongeldige referentie": Exact reports some refusals as 500;
        # with a message it is a business rule, unless the message says the server failed.
        if message and not message.startswith(INTERNAL_ERROR_MESSAGES):
            return Refused(message, status=status)
        return Transient(message or fallback, status=status)
    if status == 404:
        return NotFound(message or fallback, status=status)
    return Refused(message or fallback, status=status)
