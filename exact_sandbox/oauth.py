"""OAuth 2 as Exact runs it: consent page, authorization codes, rotating refresh tokens."""

import base64
import binascii
import hashlib
import re
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from exact_sandbox import models as m
from exact_sandbox.clock import now
from exact_sandbox.limits import token_call_spend
from exact_sandbox.responses import exact_error
from exact_sandbox.seed import password_hash

CODE_LIFETIME = timedelta(minutes=3)
ACCESS_LIFETIME = timedelta(seconds=600)
REFRESH_NOT_BEFORE = timedelta(seconds=570)
REFRESH_UNUSED_LIFETIME = timedelta(days=30)
# Tests and local demos run the callback on a random loopback port, over http or https.
LOOPBACK_REDIRECT = re.compile(r"^https?://(127\.0\.0\.1|localhost):\d+/")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _redirect_allowed(app: m.ClientApp, redirect_uri: str) -> bool:
    return redirect_uri == app.redirect_uri or bool(LOOPBACK_REDIRECT.match(redirect_uri))


def _redirect(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    separator = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(redirect_uri + separator + urlencode(params))


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest, site: str) -> HttpResponse:
    params = request.GET if request.method == "GET" else request.POST
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    state = params.get("state", "")
    app = m.ClientApp.objects.filter(site=site, client_id=client_id).first()
    if app is None:
        return render(
            request,
            "exact_sandbox/oauth_error.html",
            {"message": f"Client with identifier {client_id} not found"},
            status=400,
        )
    if not _redirect_allowed(app, redirect_uri):
        return render(
            request,
            "exact_sandbox/oauth_error.html",
            {"message": f"The redirect URI {redirect_uri} is not registered for this app."},
            status=400,
        )
    if params.get("response_type", "code") != "code":
        return _redirect(redirect_uri, error="unsupported_response_type", state=state)

    divisions = m.Division.objects.filter(site=site).select_related("user")
    context = {
        "app": app,
        "site": site,
        "divisions": divisions,
        "params": {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
        },
    }
    if request.method == "GET":
        return render(request, "exact_sandbox/consent.html", context)
    if "deny" in request.POST:
        return _redirect(redirect_uri, error="access_denied", state=state)

    user = m.SandboxUser.objects.filter(
        site=site, username=request.POST.get("username", "")
    ).first()
    if user is None or user.password_hash != password_hash(request.POST.get("password", "")):
        context["error"] = "Gebruikersnaam of wachtwoord is onjuist."
        context["username"] = request.POST.get("username", "")
        return render(request, "exact_sandbox/consent.html", context, status=200)
    own = list(user.divisions.values_list("code", flat=True))
    ticked = [
        int(code)
        for code in request.POST.getlist("division")
        if code.isascii() and code.isdigit() and len(code) <= 9
    ]
    # Nothing ticked means everything the user has, like Exact's default consent.
    chosen = [code for code in ticked if code in own] if ticked else own
    if not chosen:
        context["error"] = "Kies minstens één administratie van deze gebruiker."
        context["username"] = user.username
        return render(request, "exact_sandbox/consent.html", context, status=200)

    grant = m.Grant.objects.create(app=app, user=user, divisions=chosen, created=now())
    code = secrets.token_urlsafe(32)
    m.AuthorizationCode.objects.create(
        code_hash=token_hash(code), grant=grant, redirect_uri=redirect_uri, created=now()
    )
    return _redirect(redirect_uri, code=code, state=state)


def _oauth_error(status: int, error: str, description: str) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    client_id = request.POST.get("client_id", "")
    secret = request.POST.get("client_secret", "")
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        basic_id, _, basic_secret = decoded.partition(":")
        client_id, secret = client_id or basic_id, secret or basic_secret
    return client_id, secret


def _tokens_issue(grant: m.Grant) -> JsonResponse:
    stamp = now()
    access, refresh = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
    m.AccessToken.objects.create(
        token_hash=token_hash(access), grant=grant, expires=stamp + ACCESS_LIFETIME
    )
    m.RefreshToken.objects.create(token_hash=token_hash(refresh), grant=grant, created=stamp)
    response = JsonResponse(
        {
            "access_token": access,
            "token_type": "bearer",
            # Exact sends the lifetime as a string.
            "expires_in": str(int(ACCESS_LIFETIME.total_seconds())),
            "refresh_token": refresh,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def token(request: HttpRequest, site: str) -> HttpResponse:
    client_id, secret = _client_credentials(request)
    app = m.ClientApp.objects.filter(site=site, client_id=client_id).first()
    if app is None:
        return _oauth_error(400, "invalid_client", f"Client with identifier {client_id} not found")
    if not secrets.compare_digest(app.secret, secret):
        return _oauth_error(400, "invalid_client", "Client authentication failed.")
    grant_type = request.POST.get("grant_type", "")
    if grant_type == "authorization_code":
        return _code_exchange(request, app)
    if grant_type == "refresh_token":
        return _refresh(request, app)
    return _oauth_error(400, "unsupported_grant_type", f"Grant type {grant_type} not supported.")


def _token_budget_refused(app: m.ClientApp, grant: m.Grant) -> JsonResponse | None:
    if token_call_spend(client_id=app.client_id, user_id=grant.user_id):
        return None
    return _oauth_error(
        400, "access_denied", "Rate limit exceeded: maximum of token requests per day reached"
    )


def _code_exchange(request: HttpRequest, app: m.ClientApp) -> HttpResponse:
    code = (
        m.AuthorizationCode.objects.filter(
            code_hash=token_hash(request.POST.get("code", "")), grant__app=app
        )
        .select_related("grant")
        .first()
    )
    if code is None:
        return _oauth_error(400, "invalid_grant", "The authorization code is invalid.")
    refused = _token_budget_refused(app, code.grant)
    if refused:
        return refused
    if code.used:
        return _oauth_error(400, "invalid_grant", "The authorization code has already been used.")
    if now() > code.created + CODE_LIFETIME:
        return _oauth_error(400, "invalid_grant", "The authorization code has expired.")
    if request.POST.get("redirect_uri", "") != code.redirect_uri:
        return _oauth_error(400, "invalid_grant", "The redirect URI does not match.")
    code.used = True
    code.save()
    return _tokens_issue(code.grant)


def _refresh(request: HttpRequest, app: m.ClientApp) -> HttpResponse:
    stored = (
        m.RefreshToken.objects.filter(
            token_hash=token_hash(request.POST.get("refresh_token", "")), grant__app=app
        )
        .select_related("grant")
        .first()
    )
    if stored is None:
        return _oauth_error(400, "invalid_grant", "The refresh token is invalid.")
    refused = _token_budget_refused(app, stored.grant)
    if refused:
        return refused
    if stored.used is not None:
        return _oauth_error(401, "unauthorized_client", "Old refresh token used.")
    expires = stored.created + REFRESH_UNUSED_LIFETIME
    stamp = now()
    if stamp > expires:
        return _oauth_error(
            400, "invalid_request", f"The refresh token expired at {expires:%m/%d/%Y %H:%M:%S}"
        )
    if stamp < stored.created + REFRESH_NOT_BEFORE:
        return _oauth_error(400, "access_denied", "Rate limit exceeded: access_token not expired")
    stored.used = stamp
    stored.save()
    return _tokens_issue(stored.grant)


def bearer_grant(request: HttpRequest, site: str) -> tuple[m.Grant | None, HttpResponse | None]:
    """The grant behind the call's Bearer token, or the 401 Exact answers."""
    header = request.headers.get("Authorization", "")
    grant = None
    if header.lower().startswith("bearer "):
        access = (
            m.AccessToken.objects.filter(token_hash=token_hash(header[7:].strip()))
            .select_related("grant__app", "grant__user")
            .first()
        )
        if access is not None and access.grant.app.site == site:
            grant = access.grant
            if now() < access.expires:
                return grant, None
    response = exact_error(401, "Unauthorized")
    response["WWW-Authenticate"] = 'Bearer realm="Exact Online"'
    return grant, response
