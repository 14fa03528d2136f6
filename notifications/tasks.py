"""Celery tasks: load the link, call the services. The logic lives in notifications.services."""

from celery import shared_task
from django.core.cache import cache

from integrations.selectors import link_get
from notifications.services import (
    SEND_ERRORS,
    notice_queued_mark,
    notice_send,
    notices_lost_kinds,
    refresh_token_expiry_check,
)

# A mail server that is down is tried again with growing pauses, for about an hour.
RETRY_POLICY = {
    "autoretry_for": SEND_ERRORS,
    "retry_backoff": 60,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(bind=True, **RETRY_POLICY)
def notice_send_task(self, kind: str, stopped: str = "") -> None:
    try:
        notice_send(kind=kind, stopped=stopped)
    except SEND_ERRORS:
        # While this task tries again, no other of its kind is queued; when it gives up, the
        # next refusal queues a new one.
        if self.request.retries >= self.max_retries:
            cache.delete(notice_queued_mark(kind=kind))
        raise
    # Sent, given already or nothing to say: the next refusal may queue again.
    cache.delete(notice_queued_mark(kind=kind))


@shared_task(**RETRY_POLICY)
def refresh_token_expiry_check_task() -> None:
    """Celery beat runs this daily (settings.CELERY_BEAT_SCHEDULE)."""
    link = link_get()
    if link is not None:
        refresh_token_expiry_check(link=link)


@shared_task
def notices_lost_resend_task() -> None:
    """Celery beat runs this every few minutes: a day's notice whose worker stopped between
    claiming and sending it is sent after all."""
    for kind, stopped in notices_lost_kinds():
        notice_send_task.delay(kind, stopped)
