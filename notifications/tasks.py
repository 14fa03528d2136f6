"""Celery tasks: load the link, call the services. The logic lives in notifications.services."""

from celery import shared_task

from integrations.selectors import link_get
from notifications.services import SEND_ERRORS, notice_send, refresh_token_expiry_check

# A mail server that is down is tried again with growing pauses, for about an hour.
RETRY_POLICY = {
    "autoretry_for": SEND_ERRORS,
    "retry_backoff": 60,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY_POLICY)
def notice_send_task(kind: str, stopped: str = "") -> None:
    notice_send(kind=kind, stopped=stopped)


@shared_task(**RETRY_POLICY)
def refresh_token_expiry_check_task() -> None:
    """Celery beat runs this daily (settings.CELERY_BEAT_SCHEDULE)."""
    link = link_get()
    if link is not None:
        refresh_token_expiry_check(link=link)
