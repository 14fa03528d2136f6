"""Calls to Exact's REST API on behalf of a link: a valid token, the shared budgets, paging.

``request`` is the path of every REST call: it adds the access token (refreshed under a lock
shared by all processes), waits within the shared rate limiter, refreshes once on a 401 and
waits once on a 429, and raises the error class of any other failure. ``rows``, ``create`` and
``update`` are what the typed operations in integrations.exact.api are written with; nothing
outside this package calls them.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext_noop

from coachlink.messages import Message
from integrations.exact import http, oauth, ratelimit
from integrations.exact.errors import Reauthenticate, TokenNotExpired, Transient
from integrations.exact.locks import shared_lock
from integrations.models import (
    TOKEN_MARGIN,
    TOKEN_REFRESH_REFUSED_FOR,
    AuditAction,
    AuditEntry,
    ExactLink,
)
from integrations.signals import Stopped, reauthentication_needed

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
# A list coachlink reads has at most a few hundred pages; a __next that never ends is a fault.
MAX_PAGES = 10_000

TOKEN_FIELDS = [
    "access_token_encrypted",
    "refresh_token_encrypted",
    "token_expires_at",
    "token_chain_broken",
    "refresh_token_issued_at",
]


def _lock_name(link: ExactLink) -> str:
    return f"token-{oauth.base_url(link.site)}-{link.pk}"


def _rate_key(link: ExactLink, division: str = "") -> str:
    return f"{oauth.base_url(link.site)}-{division or link.division}"


def budget_today(*, link: ExactLink, division: str = "") -> ratelimit.BudgetToday:
    """Today's calls used and left for the link's division (or ``division``), and the minute's."""
    return ratelimit.budget_read(key=_rate_key(link, division))


def _reauthenticate() -> Reauthenticate:
    return Reauthenticate(
        Message(
            gettext_noop(
                "The link with Exact Online has no valid token: click Authenticate and log in "
                "again."
            )
        ),
        status=401,
    )


def access_token_get(*, link: ExactLink) -> str:
    """A usable access token: the stored one while it has time left, else a refreshed one."""
    link.refresh_from_db(fields=TOKEN_FIELDS)
    if not link.is_authenticated:
        raise _reauthenticate()
    if link.access_token_fresh:
        return link.access_token
    return access_token_refresh(link=link)


def access_token_refresh(*, link: ExactLink, rejected: str = "") -> str:
    """Refresh the token pair, once across all processes.

    ``rejected`` is the access token Exact just refused, if any. Inside the lock the stored
    tokens are read again: when another process refreshed meanwhile, its token is used and the
    token endpoint is not called, so no process ever presents an old refresh token.
    """
    with shared_lock(_lock_name(link)):
        link.refresh_from_db(fields=TOKEN_FIELDS)
        if not link.is_authenticated:
            raise _reauthenticate()
        current = link.access_token
        if current and (current != rejected if rejected else link.access_token_fresh):
            return current
        try:
            tokens = oauth.token_refresh(site=link.site, refresh_token=link.refresh_token)
        except TokenNotExpired:
            if not current or current == rejected:
                raise
            # Our clock runs ahead of Exact's: keep the token and leave the token endpoint
            # alone until Exact will allow the refresh, instead of asking on every call.
            link.token_expires_at = timezone.now() + TOKEN_REFRESH_REFUSED_FOR + TOKEN_MARGIN
            link.save(update_fields=["token_expires_at", "updated_at"])
            return current
        except Reauthenticate as exc:
            link.token_chain_broken = True
            link.save(update_fields=["token_chain_broken", "updated_at"])
            AuditEntry.objects.create(
                action=AuditAction.TOKEN_CHAIN_BROKEN, detail=" / ".join(exc.messages)
            )
            logger.warning("Exact refused the refresh token of link %s", link.pk)
            reauthentication_needed.send(sender=ExactLink, link=link, stopped=Stopped.TOKEN_REFRESH)
            raise _reauthenticate() from exc
        link.tokens_set(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_in=tokens.expires_in,
        )
        link.save(update_fields=[*TOKEN_FIELDS, "updated_at"])
        return tokens.access_token


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def _url(link: ExactLink, path: str, division: str = "") -> str:
    if "://" in path:
        # A page link (__next) comes from the answer: the token goes only to the site's origin.
        if _origin(path) != _origin(oauth.base_url(link.site)):
            raise Transient(
                Message(
                    gettext_noop(
                        "Exact Online sent a page link to another site (%(host)s); it was not "
                        "followed."
                    ),
                    host=_origin(path)[1] or "?",
                )
            )
        return path
    if path.startswith("current/"):
        return f"{oauth.base_url(link.site)}/api/v1/{path}"
    return f"{oauth.base_url(link.site)}/api/v1/{division or link.division}/{path}"


def request(
    link: ExactLink,
    method: str,
    path: str,
    *,
    access_token: str = "",
    division: str = "",
    **kwargs: Any,
) -> http.Answer:
    """One call to Exact's API for ``link``, within the budgets, with a valid token; in
    ``division`` instead of the link's when given.

    A 401 refreshes the token once (another process may have refreshed, or Exact's clock says
    the token expired before ours did); a 429 waits for the reset once. Anything else that is
    not a success raises an ExactError of the class it is.
    """
    url = _url(link, path, division)
    rate_key = _rate_key(link, division)
    token = access_token or access_token_get(link=link)
    retried_token = bool(access_token)
    retried_rate = False
    while True:
        ratelimit.ratelimit_acquire(key=rate_key)
        response = http.send(method, url, access_token=token, **kwargs)
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
            raise http.error_from_response(response)
        return response


def _data(response: http.Answer) -> dict | list:
    """The ``d`` of an OData answer: an object or a list; anything else is an answer of a
    broken Exact (an error body sent with 200, ``{"d": null}``, a page from a proxy)."""
    body = http.json_read(response)
    data = body.get("d") if isinstance(body, dict) else None
    if not isinstance(data, (dict, list)):
        raise http.unreadable(response)
    return data


def _page(response: http.Answer) -> tuple[list[dict], str | None]:
    """The rows of one page and the link to the next, checked for shape."""
    data = _data(response)
    found = data if isinstance(data, list) else data.get("results")
    next_url = None if isinstance(data, list) else data.get("__next")
    if not isinstance(found, list) or not all(isinstance(row, dict) for row in found):
        raise http.unreadable(response)
    if next_url is not None and not isinstance(next_url, str):
        raise http.unreadable(response)
    return found, next_url or None


def rows(
    link: ExactLink,
    path: str,
    *,
    params: dict | None = None,
    access_token: str = "",
    division: str = "",
) -> list[dict]:
    """Every row of a list endpoint, following ``__next`` page by page."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (paging, __next)
    found: list[dict] = []
    next_url: str | None = path
    page_params = params
    pages = 0
    while next_url:
        page, next_url = _page(
            request(
                link,
                "GET",
                next_url,
                params=page_params,
                access_token=access_token,
                division=division,
            )
        )
        found.extend(page)
        pages += 1
        if pages > MAX_PAGES:
            raise Transient(
                Message(
                    gettext_noop(
                        "Exact Online kept sending pages (more than %(pages)s); coachlink stopped."
                    ),
                    pages=MAX_PAGES,
                )
            )
        # __next already carries the filter, the selection and the skip token.
        page_params = None
    return found


def create(link: ExactLink, path: str, *, payload: dict) -> dict:
    """Create a record; returns Exact's representation of it."""
    response = request(
        link, "POST", path, json=payload, headers={"Prefer": "return=representation"}
    )
    created = _data(response)
    if not isinstance(created, dict):
        raise http.unreadable(response)
    return created


def update(link: ExactLink, path: str, *, payload: dict) -> None:
    """Update a record addressed as ``Endpoint(guid'...')``."""
    request(link, "PUT", path, json=payload)
