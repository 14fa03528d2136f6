"""OAuth 2 with Exact Online: the authorization URL, the code exchange and the refresh.

Client id, secret and redirect URI come from settings, never from a form. The token endpoint is
called through the same chokepoint as the REST API (integrations.exact.http).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext_noop

from coachlink.messages import Message
from coachlink.numbers import INTEGER_LARGEST, whole_number
from integrations.exact import http
from integrations.exact.errors import (
    ExactError,
    Reauthenticate,
    Refused,
    TokenNotExpired,
    Transient,
)

# OAuth error codes with which Exact refuses a code or a refresh token for good.
REFUSED_GRANT_ERRORS = {"invalid_grant", "unauthorized_client", "invalid_request"}


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_in: int


def base_url(site: str) -> str:
    """The Exact site of the panel's configuration (nl or be), overridable by settings."""
    return (settings.EXACT_BASE_URL_BE if site == "be" else settings.EXACT_BASE_URL_NL).rstrip("/")


def authorization_url(*, site: str, state: str) -> str:
    """The URL of Exact's login and consent page for the chosen site."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (OAuth 2 authorization)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.EXACT_CLIENT_ID,
            "redirect_uri": settings.EXACT_REDIRECT_URI,
            "state": state,
        }
    )
    return f"{base_url(site)}/api/oauth2/auth?{query}"


def _token_error(*, status: int, error: str, description: str) -> ExactError:
    """The class of a refusal by the token endpoint, from its OAuth error and description."""
    if not (description or error):
        return Refused(
            Message(gettext_noop("Exact Online refused the token request.")), status=status
        )
    description = description or error
    lowered = description.lower()
    if "not expired" in lowered:
        # 400 "Rate limit exceeded: access_token not expired" (or the older 401 wording):
        # the stored access token still lives and must be used until it expires.
        return TokenNotExpired(description, status=status)
    if "refresh token" in lowered or error in REFUSED_GRANT_ERRORS:
        return Reauthenticate(description, status=status)
    return Refused(description, status=status)


def _token_call(*, site: str, form: dict[str, str]) -> TokenSet:
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (OAuth 2 token)
    response = http.send(
        "POST",
        f"{base_url(site)}/api/oauth2/token",
        data={
            **form,
            "client_id": settings.EXACT_CLIENT_ID,
            "client_secret": settings.EXACT_CLIENT_SECRET,
        },
    )
    if response.status_code == 429 or response.status_code >= 500:
        raise http.error_from_response(response)
    body = http.json_read(response)
    if not isinstance(body, dict):
        body = {}
    if response.status_code >= 400:
        raise _token_error(
            status=response.status_code,
            error=str(body.get("error") or ""),
            description=str(body.get("error_description") or ""),
        )
    # Exact sends expires_in as a string ("600"); a number no clock can add is none.
    expires_in = whole_number(str(body.get("expires_in") or "600"), largest=INTEGER_LARGEST)
    if not body.get("access_token") or expires_in is None:
        raise Transient(
            Message(gettext_noop("Exact Online's token service sent no access token; try again.")),
            status=response.status_code,
        )
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_in=expires_in,
    )


def code_exchange(*, site: str, code: str) -> TokenSet:
    """Trade the code from the callback for the first token pair (valid once, 3 minutes)."""
    return _token_call(
        site=site,
        form={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.EXACT_REDIRECT_URI,
        },
    )


def token_refresh(*, site: str, refresh_token: str) -> TokenSet:
    """Trade the refresh token for a new pair; the old refresh token dies with it."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (OAuth 2 refresh)
    return _token_call(
        site=site, form={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )
