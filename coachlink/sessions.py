"""The session idle timeout: a session ends SESSION_COOKIE_AGE seconds after its last request.

Django counts a session's age from its last save. Saving on every request would cost a database
write per page; renewing at most once a minute costs one write a minute and keeps the timeout
to within a minute.
"""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

RENEWED_AT = "_idle_renewed_at"
RENEW_AFTER_SECONDS = 60


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(RENEWED_AT, 0) >= RENEW_AFTER_SECONDS:
                request.session[RENEWED_AT] = now
        return self.get_response(request)


@receiver(user_logged_in)
def session_renewed_at_login(sender, request, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_AT] = int(time.time())
