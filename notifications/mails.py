"""What each notice says: a subject, plain text and an HTML alternative, in one language.

Built inside ``translation.override`` by the caller. Nothing secret goes in: no token, no
code, no key; only what a user sees on the screens, with absolute links to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import Parameters
from exports.models import ExportRecord, ExportState
from integrations.models import ExactLink
from integrations.signals import Stopped
from notifications.models import NoticeKind

# A mail lists this many refused invoices, newest first; the export log has all of them.
REFUSALS_LISTED = 20


@dataclass(frozen=True)
class Refusal:
    """One refused invoice as the mail shows it."""

    number: str
    debtor: str
    by: str
    exact_said: str
    meaning: str
    fix: str


def site_url(path: str) -> str:
    """An absolute link to a screen of coachlink (settings.SITE_URL)."""
    return settings.SITE_URL + path


def site_name() -> str:
    """Whose coachlink speaks: the company's name, or else the site's host."""
    return Parameters.load().company_name or urlsplit(settings.SITE_URL).hostname or "coachlink"


def _moment(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'H:i')}"


def _refusal(record: ExportRecord) -> Refusal:
    by_exact = record.refused_by == "exact"
    return Refusal(
        number=record.invoice.number_display,
        debtor=record.invoice.debtor.name,
        by=_("Exact Online") if by_exact else _("coachlink, before sending"),
        # Exact's own words, in the language it answered in; coachlink's own refusals are
        # told by their meaning, in the mail's language.
        exact_said=record.error_message if by_exact else "",
        meaning=str(record.error_meaning),
        fix=str(record.error_fix),
    )


def _exports_refused(link: ExactLink | None, stopped: str, site: str) -> tuple[str, dict] | None:
    refused = ExportRecord.objects.filter(state=ExportState.FAILED)
    count = refused.count()
    if not count:
        # Retried (or excluded) before the mail went: nothing is wrong any more.
        return None
    records = refused.select_related(
        "invoice__debtor__company", "invoice__debtor__person"
    ).order_by("-updated_at")
    subject = ngettext(
        "%(site)s: %(count)s invoice was not exported to Exact Online",
        "%(site)s: %(count)s invoices were not exported to Exact Online",
        count,
    ) % {"site": site, "count": count}
    return subject, {
        "count": count,
        "refusals": [_refusal(record) for record in records[:REFUSALS_LISTED]],
        "more": max(0, count - REFUSALS_LISTED),
        "url": site_url(reverse("exports:log") + f"?state={ExportState.FAILED}"),
    }


def _reauthenticate(link: ExactLink | None, stopped: str, site: str) -> tuple[str, dict] | None:
    if link is None:
        return None
    subject = _("%(site)s: the link with Exact Online needs authenticating again") % {"site": site}
    return subject, {
        "stopped": Stopped(stopped).label if stopped in Stopped.values else "",
        "link_name": link.name,
        "url": site_url(reverse("integrations:exact_configure")),
    }


def _token_expiring(link: ExactLink | None, stopped: str, site: str) -> tuple[str, dict] | None:
    expires_at = link.refresh_token_expires_at if link is not None else None
    if expires_at is None:
        return None
    local = timezone.localtime(expires_at)
    subject = _("%(site)s: access to Exact Online expires on %(date)s") % {
        "site": site,
        "date": formats.date_format(local, "DATE_FORMAT"),
    }
    return subject, {
        "expires_at": _moment(expires_at),
        "link_name": link.name,
        "url": site_url(reverse("integrations:exact_configure")),
    }


_CONTENT = {
    NoticeKind.EXPORTS_REFUSED: _exports_refused,
    NoticeKind.REAUTHENTICATE: _reauthenticate,
    NoticeKind.TOKEN_EXPIRING: _token_expiring,
}


def notice_message_build(
    *, kind: str, link: ExactLink | None, stopped: str = ""
) -> EmailMultiAlternatives | None:
    """The mail of ``kind`` in the active language, without recipients; None when there is
    nothing (left) to say."""
    site = site_name()
    content = _CONTENT[NoticeKind(kind)](link, stopped, site)
    if content is None:
        return None
    subject, context = content
    # One line whatever the names in it hold: a line break in a header is refused by the mail.
    subject = " ".join(subject.split())
    context = {**context, "subject": subject, "site": site}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notifications/mail/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    message.attach_alternative(
        render_to_string(f"notifications/mail/{kind}.html", context), "text/html"
    )
    return message
