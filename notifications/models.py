"""The e-mails sent to the people who run the export: at most one of each kind a day."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    EXPORTS_REFUSED = "exports_refused", _("Invoices refused")
    REAUTHENTICATE = "reauthenticate", _("Authenticate again")
    TOKEN_EXPIRING = "token_expiring", _("Access to Exact Online expires soon")


class Notification(models.Model):
    """The day's notice of one kind. The row is written before the mail is sent: the unique
    (kind, day) lets one worker of several send it; a mail that could not be sent removes its
    row again, so the retry or the next event of that day sends it. A row left unsent by a
    worker that stopped between the two is taken over (notifications.services)."""

    kind = models.CharField(_("kind"), max_length=32, choices=NoticeKind.choices)
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The addresses it went to; empty when nobody could be told (logged once that day).
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    # What stopped, for a notice to authenticate again: the mail says it, also when resent.
    stopped = models.CharField(_("what stopped"), max_length=32, blank=True)

    class Meta:
        ordering = ["-day", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "day"], name="notification_once_a_day")
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"
