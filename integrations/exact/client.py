"""The Exact Online REST client: the only code in coachlink that calls Exact's API.

Every request goes through ``_send`` (one timeout for all). ``request`` adds the access token
(refreshed under a lock shared by all processes), the shared rate limiter and Exact's error
text; ``get``, ``post`` and ``put`` are what the rest of coachlink uses.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.exact import oauth, ratelimit
from integrations.exact.errors import ExactError
from integrations.exact.locks import shared_lock
from integrations.models import (
    TOKEN_MARGIN,
    TOKEN_REFRESH_REFUSED_FOR,
    AuditAction,
    AuditEntry,
    ExactLink,
)

logger = logging.getLogger(__name__)

_http = requests.Session()

TOKEN_FIELDS = [
    "access_token_encrypted",
    "refresh_token_encrypted",
    "token_expires_at",
    "token_chain_broken",
]
TRANSIENT_STATUSES = {408, 429, 502, 503, 504}
# Exact's words for a failure of its own, as opposed to a business rule it reports as a 500.
INTERNAL_ERROR_MESSAGES = ("Er is een interne fout opgetreden", "An internal error occurred")


def _send(method: str, url: str, *, access_token: str = "", **kwargs: Any) -> requests.Response:
    """Send one HTTP request to Exact, always with settings.EXACT_TIMEOUT."""
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    try:
        return _http.request(method, url, headers=headers, timeout=settings.EXACT_TIMEOUT, **kwargs)
    except requests.Timeout as exc:
        raise ExactError(
            _("Exact Online did not answer in time."), permanent=False, code="timeout"
        ) from exc
    except requests.RequestException as exc:
        raise ExactError(
            _("Exact Online could not be reached."), permanent=False, code="network"
        ) from exc


def error_from_response(response: requests.Response) -> ExactError:
    """Exact's own words from an error answer, and whether retrying can help."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (error responses)
    message = ""
    try:
        body = response.json()
        error = body.get("error", {}) if isinstance(body, dict) else {}
        detail = error.get("message", "") if isinstance(error, dict) else error
        message = detail.get("value", "") if isinstance(detail, dict) else str(detail or "")
        if not message and isinstance(body, dict):
            message = str(body.get("error_description", ""))
    except ValueError:
        message = ""
    status = response.status_code
    if status in TRANSIENT_STATUSES:
        permanent = False
    elif status >= 500:
        # "Gegeven bestaat reeds", "Ongeldige referentie": Exact reports some refusals as 500;
        # with a message it is a business rule, unless the message says the server failed.
        permanent = bool(message) and not message.startswith(INTERNAL_ERROR_MESSAGES)
    else:
        permanent = True
    if not message:
        message = _("Exact Online answered HTTP %(status)s.") % {"status": status}
    return ExactError(message, status=status, permanent=permanent, code=f"http_{status}")


def _lock_name(link: ExactLink) -> str:
    return f"token-{oauth.base_url(link.site)}-{link.pk}"


def _rate_key(link: ExactLink) -> str:
    return f"{oauth.base_url(link.site)}-{link.division}"


def _reauthenticate_error() -> ExactError:
    return ExactError(
        _("The link with Exact Online has no valid token: click Authenticate and log in again."),
        status=401,
        permanent=True,
        code="reauthenticate",
    )


def access_token_get(*, link: ExactLink) -> str:
    """A usable access token: the stored one while it has time left, else a refreshed one."""
    link.refresh_from_db(fields=TOKEN_FIELDS)
    if not link.is_authenticated:
        raise _reauthenticate_error()
    if link.access_token_fresh:
        return link.access_token
    return access_token_refresh(link=link)


def access_token_refresh(*, link: ExactLink, rejected: str = "") -> str:
    """Refresh the token pair, once across all processes.

    ``rejected`` is the access token Exact just refused, if any. Inside the lock the stored
    tokens are read again: when another process refreshed meanwhile, its token is used and the
    token endpoint is not called, so no process ever presents an old refresh token.
    """
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (OAuth 2 refresh)
    with shared_lock(_lock_name(link)):
        link.refresh_from_db(fields=TOKEN_FIELDS)
        if not link.is_authenticated:
            raise _reauthenticate_error()
        current = link.access_token
        if current and (current != rejected if rejected else link.access_token_fresh):
            return current
        try:
            tokens = oauth.token_refresh(site=link.site, refresh_token=link.refresh_token)
        except ExactError as exc:
            if exc.code == "token_not_expired" and current and current != rejected:
                # Our clock runs ahead of Exact's: keep the token and leave the token endpoint
                # alone until Exact will allow the refresh, instead of asking on every call.
                link.token_expires_at = timezone.now() + TOKEN_REFRESH_REFUSED_FOR + TOKEN_MARGIN
                link.save(update_fields=["token_expires_at", "updated_at"])
                return current
            if exc.code == "reauthenticate":
                link.token_chain_broken = True
                link.save(update_fields=["token_chain_broken", "updated_at"])
                AuditEntry.objects.create(
                    action=AuditAction.TOKEN_CHAIN_BROKEN, detail=" / ".join(exc.messages)
                )
                logger.warning("Exact refused the refresh token of link %s", link.pk)
                raise _reauthenticate_error() from exc
            raise
        link.tokens_set(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_in=tokens.expires_in,
        )
        link.save(update_fields=[*TOKEN_FIELDS, "updated_at"])
        return tokens.access_token


def _url(link: ExactLink, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    if path.startswith("current/"):
        return f"{oauth.base_url(link.site)}/api/v1/{path}"
    return f"{oauth.base_url(link.site)}/api/v1/{link.division}/{path}"


def request(
    link: ExactLink, method: str, path: str, *, access_token: str = "", **kwargs: Any
) -> requests.Response:
    """One call to Exact's API for ``link``, within the budgets, with a valid token.

    A 401 refreshes the token once (another process may have refreshed, or Exact's clock says
    the token expired before ours did); a 429 waits for the reset once. Anything else that is
    not a success raises ExactError.
    """
    url = _url(link, path)
    rate_key = _rate_key(link)
    token = access_token or access_token_get(link=link)
    retried_token = bool(access_token)
    retried_rate = False
    while True:
        ratelimit.ratelimit_acquire(key=rate_key)
        response = _send(method, url, access_token=token, **kwargs)
        ratelimit.ratelimit_record(key=rate_key, headers=response.headers)
        if response.status_code == 401 and not retried_token:
            retried_token = True
            token = access_token_refresh(link=link, rejected=token)
            continue
        if response.status_code == 429 and not retried_rate:
            retried_rate = True
            ratelimit.ratelimit_exhaust(key=rate_key, headers=response.headers)
            continue
        if response.status_code >= 400:
            raise error_from_response(response)
        return response


def get(
    link: ExactLink, path: str, *, params: dict | None = None, access_token: str = ""
) -> list[dict]:
    """Every row of a list endpoint, following ``__next`` page by page."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (paging, __next)
    rows: list[dict] = []
    next_url: str | None = path
    page_params = params
    while next_url:
        body = request(link, "GET", next_url, params=page_params, access_token=access_token).json()[
            "d"
        ]
        if isinstance(body, list):
            return rows + body
        rows.extend(body.get("results", []))
        next_url = body.get("__next")
        # __next already carries the filter, the selection and the skip token.
        page_params = None
    return rows


def post(link: ExactLink, path: str, *, payload: dict) -> dict:
    """Create a record; returns Exact's representation of it."""
    response = request(
        link, "POST", path, json=payload, headers={"Prefer": "return=representation"}
    )
    return response.json()["d"]


def put(link: ExactLink, path: str, *, payload: dict) -> None:
    """Update a record addressed as ``Endpoint(guid'...')``."""
    request(link, "PUT", path, json=payload)


def divisions_allowed(*, link: ExactLink, access_token: str) -> list[str]:
    """The division codes the consenting user gave coachlink, checked with a new token."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SystemSystemDivisions
    rows = get(
        link,
        "system/Divisions",
        params={"$select": "Code,Description"},
        access_token=access_token,
    )
    return [str(row.get("Code")) for row in rows]
