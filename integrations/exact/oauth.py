"""OAuth 2 with Exact Online: the authorization URL, the code exchange and the refresh.

Client id, secret and redirect URI come from settings, never from a form.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from integrations.exact.errors import ExactError

# requests-oauthlib logs request bodies (client secret, codes, tokens) at DEBUG level; keep
# those loggers quiet whatever LOG_LEVEL the installation runs with.
logging.getLogger("requests_oauthlib").setLevel(logging.WARNING)
logging.getLogger("oauthlib").setLevel(logging.WARNING)

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_in: int


def base_url(site: str) -> str:
    """The Exact site of the panel's configuration (nl or be), overridable by settings."""
    return (settings.EXACT_BASE_URL_BE if site == "be" else settings.EXACT_BASE_URL_NL).rstrip("/")


@contextlib.contextmanager
def _loopback_http_allowed(url: str) -> Iterator[None]:
    # oauthlib refuses plain http outright; the sandbox serves plain http on the loopback
    # interface only, so the check is lifted for loopback addresses and nothing else.
    if urlsplit(url).scheme == "http" and urlsplit(url).hostname in LOOPBACK_HOSTS:
        previous = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
            else:
                os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = previous
    else:
        yield


def _session(*, state: str | None = None) -> OAuth2Session:
    session = OAuth2Session(
        settings.EXACT_CLIENT_ID, redirect_uri=settings.EXACT_REDIRECT_URI, state=state
    )

    def refuse_server_failures(response: requests.Response) -> requests.Response:
        # oauthlib reads any body as a token answer; a gateway error page would surface as a
        # confusing "missing access token", so server failures are raised here as transient.
        if response.status_code == 429 or response.status_code >= 500:
            raise ExactError(
                _("Exact Online's token service did not answer (HTTP %(status)s); try again.")
                % {"status": response.status_code},
                status=response.status_code,
                permanent=False,
                code="token_service",
            )
        return response

    session.register_compliance_hook("access_token_response", refuse_server_failures)
    session.register_compliance_hook("refresh_token_response", refuse_server_failures)
    return session


def authorization_url(*, site: str, state: str) -> str:
    """The URL of Exact's login and consent page for the chosen site."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (OAuth 2 authorization)
    url = f"{base_url(site)}/api/oauth2/auth"
    with _loopback_http_allowed(url):
        address, _state = _session(state=state).authorization_url(url)
    return address


def _token_error(error: OAuth2Error) -> ExactError:
    description = error.description or error.error or ""
    lowered = description.lower()
    if "not expired" in lowered:
        # 400 "Rate limit exceeded: access_token not expired" (or the older 401 wording):
        # the stored access token still lives and must be used until it expires.
        return ExactError(description, status=400, permanent=True, code="token_not_expired")
    if (
        "old refresh token" in lowered
        or "refresh token" in lowered
        or error.error in {"invalid_grant", "unauthorized_client", "invalid_request"}
    ):
        return ExactError(description, status=400, permanent=True, code="reauthenticate")
    return ExactError(description, status=400, permanent=True, code=error.error or "oauth")


def _token_call(call, url: str) -> TokenSet:
    try:
        with _loopback_http_allowed(url):
            token = call()
    except OAuth2Error as exc:
        raise _token_error(exc) from exc
    except requests.Timeout as exc:
        raise ExactError(
            _("Exact Online did not answer in time."), permanent=False, code="timeout"
        ) from exc
    except requests.RequestException as exc:
        raise ExactError(
            _("Exact Online could not be reached."), permanent=False, code="network"
        ) from exc
    return TokenSet(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        # Exact sends expires_in as a string ("600").
        expires_in=int(token.get("expires_in") or 600),
    )


def code_exchange(*, site: str, code: str) -> TokenSet:
    """Trade the code from the callback for the first token pair (valid once, 3 minutes)."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (OAuth 2 token)
    url = f"{base_url(site)}/api/oauth2/token"
    session = _session()
    return _token_call(
        lambda: session.fetch_token(
            url,
            code=code,
            client_secret=settings.EXACT_CLIENT_SECRET,
            include_client_id=True,
            timeout=settings.EXACT_TIMEOUT,
        ),
        url,
    )


def token_refresh(*, site: str, refresh_token: str) -> TokenSet:
    """Trade the refresh token for a new pair; the old refresh token dies with it."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (OAuth 2 refresh)
    url = f"{base_url(site)}/api/oauth2/token"
    session = _session()
    return _token_call(
        lambda: session.refresh_token(
            url,
            refresh_token=refresh_token,
            client_id=settings.EXACT_CLIENT_ID,
            client_secret=settings.EXACT_CLIENT_SECRET,
            timeout=settings.EXACT_TIMEOUT,
        ),
        url,
    )
