"""Every notice reads wholly in the site's language: English or Dutch."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from exports.models import ExportState
from exports.run import invoice_export
from integrations.models import REFRESH_TOKEN_LIFETIME
from integrations.signals import Stopped
from notifications.mails import notice_message_build
from notifications.models import NoticeKind
from notifications.services import notice_send
from testkit.factories import DebtorFactory, final_invoice_create

KINDS = [
    (NoticeKind.EXPORTS_REFUSED, ""),
    (NoticeKind.REAUTHENTICATE, Stopped.EXPORT),
    (NoticeKind.TOKEN_EXPIRING, ""),
]


@pytest.fixture
def something_to_say(exact_link, sandbox, mail_settings):
    """A refused invoice and a refresh token three days from expiring."""
    exact_link.debtor_number_option_1 = "DebtorNumberExternal"
    exact_link.refresh_token_issued_at = (
        timezone.now() - REFRESH_TOKEN_LIFETIME + dt.timedelta(days=3)
    )
    exact_link.save()
    invoice = final_invoice_create(debtor=DebtorFactory(debtor_number_external="800001"))
    assert invoice_export(invoice=invoice).state == ExportState.FAILED
    return exact_link


def mail_in(language, *, kind, stopped, link):
    with translation.override(language):
        message = notice_message_build(kind=kind, link=link, stopped=stopped)
    return message.subject, message.body, message.alternatives[0][0]


def sentences(text: str) -> set[str]:
    """coachlink's own lines of a mail, without the short ones (a number, a separator)."""
    return {line.strip() for line in text.splitlines() if len(line.strip()) > 20}


@pytest.mark.parametrize(("kind", "stopped"), KINDS)
def test_no_english_is_left_in_a_dutch_mail(something_to_say, kind, stopped):
    english = mail_in("en", kind=kind, stopped=stopped, link=something_to_say)
    dutch = mail_in("nl", kind=kind, stopped=stopped, link=something_to_say)
    assert english[0] != dutch[0]
    for english_part, dutch_part in zip(english[1:], dutch[1:], strict=True):
        left = sentences(english_part) & sentences(dutch_part)
        # What both share is data: the debtor's name, a link.
        assert all("http" in line or line.startswith("<") for line in left), left
    assert 'lang="nl"' in dutch[2] and 'lang="en"' in english[2]


def test_the_mails_go_in_the_site_language(something_to_say, people, mailoutbox, settings):
    settings.LANGUAGE_CODE = "nl"
    notice_send(kind=NoticeKind.EXPORTS_REFUSED)
    notice_send(kind=NoticeKind.TOKEN_EXPIRING)
    notice_send(kind=NoticeKind.REAUTHENTICATE, stopped=Stopped.PAYMENT_SYNC)
    refused, expiring, reauthenticate = mailoutbox
    assert "1 factuur is niet naar Exact Online geëxporteerd" in refused.subject
    assert "Geweigerd door: coachlink, vóór het versturen" in refused.body
    assert "Zo los je het op:" in refused.body
    assert "De relatie" in refused.body or "relatienummer" in refused.body
    assert "de toegang tot Exact Online verloopt op" in expiring.subject
    assert "Klik op het configuratiescherm op Test verbinding" in expiring.body
    assert "Het ophalen van betalingen uit Exact Online is gestopt." in reauthenticate.body
    assert "moet opnieuw worden geauthenticeerd" in reauthenticate.subject
