"""The Content Security Policy, with the Exact sites of the current settings as form targets."""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def exact_origins() -> list[str]:
    origins = []
    for url in (settings.EXACT_BASE_URL_NL, settings.EXACT_BASE_URL_BE):
        parts = urlsplit(url)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware. Authenticate is a form whose answer redirects the browser to
    Exact's login page, and browsers hold such a redirect to form-action."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        parts.update = {**(parts.update or {}), "form-action": exact_origins()}
        return parts
