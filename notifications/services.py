"""Telling the people who run the export what needs them: at most one mail of a kind a day.

Who: every active user with an e-mail address who may run the export (Export now, Retry:
the permission ``exports.change_exportrecord``), and every superuser.
"""

from __future__ import annotations

import datetime as dt
import logging
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from integrations.models import ExactLink
from integrations.selectors import link_get
from integrations.signals import Stopped
from notifications.mails import notice_message_build
from notifications.models import NoticeKind, Notification

logger = logging.getLogger(__name__)

# Export now and Retry in exports.views require it: the people who can act on a notice.
EXPORT_PERMISSION = ("exports", "change_exportrecord")
# What a mail server's failure raises; the task tries again on it.
SEND_ERRORS = (SMTPException, OSError)
# A day's notice claimed and still unsent after this was lost with its worker (a mail takes
# seconds to hand over, and a refused one frees its claim): it is sent again.
CLAIM_LOST_AFTER = dt.timedelta(minutes=10)


def notice_recipients() -> list[str]:
    """The addresses of the active users who may run the export, superusers included."""
    app_label, codename = EXPORT_PERMISSION
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permission)
            | Q(groups__permissions__in=permission)
        )
    )
    return sorted(set(users.values_list("email", flat=True)))


def notice_queued_mark(*, kind: str) -> str:
    """The cache key that says today's notice of ``kind`` is queued (notifications.receivers)."""
    return f"notice-queued:{kind}:{timezone.localdate().isoformat()}"


def _claim_lost() -> Q:
    """A notice a worker claimed and never sent, to someone it should have."""
    return Q(sent_at__isnull=True, created_at__lt=timezone.now() - CLAIM_LOST_AFTER) & ~Q(
        recipients=[]
    )


def _claims_lost() -> QuerySet[Notification]:
    return Notification.objects.filter(_claim_lost(), day=timezone.localdate())


def notice_given_today(*, kind: str) -> bool:
    """Sent today, or being sent; a claim lost with its worker does not count. One query: it
    is asked on every refusal."""
    today = Notification.objects.filter(kind=kind, day=timezone.localdate())
    return today.exclude(_claim_lost()).exists()


def notices_lost_kinds() -> list[tuple[str, str]]:
    """(kind, what stopped) of today's notices lost with their worker, to be sent again."""
    return list(_claims_lost().values_list("kind", "stopped"))


def notice_send(*, kind: str, stopped: str = "") -> Notification | None:
    """Send today's notice of ``kind`` unless another worker already did; the Notification,
    or None when it was given already or there is nothing (left) to say.

    The day's row is created first and the mail sent after its commit, so of several workers
    exactly one sends. A mail the server did not take removes the row again (the day's notice
    was not given) and raises, so the task tries again; with nobody to tell, the row is kept
    and that is logged once.
    """
    with translation.override(settings.LANGUAGE_CODE):
        message = notice_message_build(kind=kind, link=link_get(), stopped=stopped)
    if message is None:
        return None
    recipients = notice_recipients()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind, day=timezone.localdate(), recipients=recipients, stopped=stopped
            )
    except IntegrityError:
        notification = _claim_lost_take(kind=kind, recipients=recipients)
        if notification is None:
            return None
    if not recipients:
        logger.warning(
            "Notice %r not sent: no active user with an e-mail address may run the export",
            kind,
        )
        return notification
    message.to = recipients
    try:
        message.send()
    except SEND_ERRORS:
        notification.delete()
        logger.exception("Notice %r could not be sent to %s people", kind, len(recipients))
        raise
    notification.sent_at = timezone.now()
    notification.save(update_fields=["sent_at"])
    logger.info("Notice %r sent to %s people", kind, len(recipients))
    return notification


def _claim_lost_take(*, kind: str, recipients: list[str]) -> Notification | None:
    """Today's notice of ``kind`` when its claim was lost and this caller took it over (one
    caller of several does); else None: it was sent, or is being sent."""
    lost = _claims_lost().filter(kind=kind)
    if not lost.update(created_at=timezone.now(), recipients=recipients):
        return None
    logger.warning("Notice %r was claimed but not sent; sending it now", kind)
    return Notification.objects.get(kind=kind, day=timezone.localdate())


def refresh_token_expiry_check(*, link: ExactLink) -> Notification | None:
    """Warn settings.EXACT_REFRESH_WARNING_DAYS ahead that Exact's refresh token expires
    unused; once it has expired, that the link needs authenticating again."""
    expires_at = link.refresh_token_expires_at
    if expires_at is None:
        return None
    left = expires_at - timezone.now()
    if left <= dt.timedelta(0):
        # Nothing may meet the refusal yet (a paused link calls nobody): say it now.
        return notice_send(kind=NoticeKind.REAUTHENTICATE, stopped=Stopped.REFRESH_TOKEN_EXPIRED)
    if left > dt.timedelta(days=settings.EXACT_REFRESH_WARNING_DAYS):
        return None
    return notice_send(kind=NoticeKind.TOKEN_EXPIRING)
