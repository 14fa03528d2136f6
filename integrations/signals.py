"""Signals other apps listen to; the link knows nothing about who tells its users."""

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class Stopped(models.TextChoices):
    """What a link without a usable token stopped: the first thing its users are told."""

    EXPORT = "export", _("Exporting invoices to Exact Online stopped.")
    PAYMENT_SYNC = "payment_sync", _("Reading payments from Exact Online stopped.")
    TEST_CONNECTION = "test_connection", _("Test connection could not reach Exact Online.")
    TOKEN_REFRESH = (
        "token_refresh",
        _(
            "Exact Online refused to renew coachlink's access: its token was expired or "
            "already used."
        ),
    )
    REFRESH_TOKEN_EXPIRED = (
        "refresh_token_expired",
        _("coachlink's access to Exact Online expired because the link was not used for 30 days."),
    )


# Sent with ``link=<ExactLink>, stopped=<Stopped>`` when something met Reauthenticate: only a
# person logging in to Exact again repairs the link. A receiver that does outside work (a mail)
# must defer it with transaction.on_commit.
reauthentication_needed = Signal()
