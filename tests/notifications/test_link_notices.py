"""The link needs a person: authenticating again, or before its access expires unused."""

import datetime as dt

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from billing.models import Parameters
from coachlink.celery import app as celery_app
from exports.models import ExportState
from exports.payments import payment_status_sync
from exports.run import invoice_export
from integrations.exact.errors import Reauthenticate
from integrations.models import REFRESH_TOKEN_LIFETIME
from integrations.services import link_test_connection
from notifications.models import NoticeKind, Notification
from notifications.services import refresh_token_expiry_check
from notifications.tasks import refresh_token_expiry_check_task
from testkit.factories import LinkManagerFactory, final_invoice_create
from tests.notifications.conftest import SITE, a_day_passes

CONFIGURE = f"{SITE}/integrations/exact/"
THIRTY_ONE_DAYS = 31 * 24 * 3600


def no_secrets(mail, link):
    text = mail.body + mail.alternatives[0][0]
    for secret in (link.access_token, link.refresh_token):
        assert secret and secret not in text


def test_a_refresh_token_exact_refuses_mails_to_authenticate_again(
    exact_link, sandbox, people, worker, mailoutbox
):
    access_token, refresh_token = exact_link.access_token, exact_link.refresh_token
    invoice = final_invoice_create()
    # A month without a call: Exact refuses the refresh token when the export needs it.
    sandbox.advance_clock(THIRTY_ONE_DAYS)
    with worker():
        record = invoice_export(invoice=invoice)
    assert record.state != ExportState.FAILED
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == people
    assert "the link with Exact Online needs authenticating again" in mail.subject
    assert "Exact Online refused to renew coachlink's access" in mail.body
    assert "click Authenticate" in mail.body and CONFIGURE in mail.body
    assert CONFIGURE in mail.alternatives[0][0]
    for secret in (access_token, refresh_token):
        assert secret not in mail.body + mail.alternatives[0][0]

    with worker():
        invoice_export(invoice=final_invoice_create())
    assert len(mailoutbox) == 1, "the same day, once"


@pytest.fixture
def broken_link(exact_link):
    exact_link.token_chain_broken = True
    exact_link.save()
    return exact_link


def test_an_export_without_a_token_says_the_export_stopped(
    broken_link, sandbox, people, worker, mailoutbox
):
    invoice = final_invoice_create()
    with worker():
        invoice_export(invoice=invoice)
    assert "Exporting invoices to Exact Online stopped." in mailoutbox[0].body


def test_a_payment_sync_without_a_token_says_reading_payments_stopped(
    exact_link, sandbox, people, worker, mailoutbox
):
    exact_link.payment_registration = True
    exact_link.save()
    assert invoice_export(invoice=final_invoice_create()).state == ExportState.EXPORTED
    exact_link.token_chain_broken = True
    exact_link.save()
    with worker(), pytest.raises(Reauthenticate):
        payment_status_sync(link=exact_link)
    assert "Reading payments from Exact Online stopped." in mailoutbox[0].body


def test_test_connection_without_a_token_says_so(broken_link, sandbox, people, worker, mailoutbox):
    with worker():
        link_test_connection(link=broken_link, user=LinkManagerFactory())
    assert "Test connection could not reach Exact Online." in mailoutbox[0].body


def issued(link, *, expires_in: dt.timedelta):
    link.refresh_token_issued_at = timezone.now() - REFRESH_TOKEN_LIFETIME + expires_in
    link.save()


def test_the_expiry_warning_comes_at_the_lead_time_and_not_before(
    authenticated_link, people, mail_settings, mailoutbox
):
    mail_settings.EXACT_REFRESH_WARNING_DAYS = 5
    issued(authenticated_link, expires_in=dt.timedelta(days=5, hours=1))
    assert refresh_token_expiry_check(link=authenticated_link) is None
    assert mailoutbox == []

    issued(authenticated_link, expires_in=dt.timedelta(days=5))
    assert refresh_token_expiry_check(link=authenticated_link).kind == NoticeKind.TOKEN_EXPIRING
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == people
    expires = timezone.localtime(authenticated_link.refresh_token_expires_at)
    day = f"{expires.day} {expires:%B %Y}"
    assert f"access to Exact Online expires on {day}" in mail.subject
    assert f"expires on {day} {expires:%H:%M}" in mail.body
    assert "click Test connection" in mail.body and "Authenticate" in mail.body
    assert CONFIGURE in mail.body
    no_secrets(mail, authenticated_link)

    assert refresh_token_expiry_check(link=authenticated_link) is None
    assert len(mailoutbox) == 1, "the same day, once"

    a_day_passes()
    assert refresh_token_expiry_check(link=authenticated_link) is not None
    assert len(mailoutbox) == 2, "and again the next day"


def test_the_subject_names_the_company(authenticated_link, people, mail_settings, mailoutbox):
    parameters = Parameters.load()
    parameters.company_name = "Opleidingen Noord BV"
    parameters.save()
    issued(authenticated_link, expires_in=dt.timedelta(days=2))
    refresh_token_expiry_check(link=authenticated_link)
    assert mailoutbox[0].subject.startswith("Opleidingen Noord BV: access to Exact Online expires")
    assert "Opleidingen Noord BV" in mailoutbox[0].alternatives[0][0]


def test_a_company_name_in_any_script_and_over_two_lines_makes_one_subject_line(
    authenticated_link, people, mail_settings, mailoutbox
):
    parameters = Parameters.load()
    parameters.company_name = "Ōpleidingen 北\nمركز التدريب 🎓"
    parameters.save()
    issued(authenticated_link, expires_in=dt.timedelta(days=2))
    refresh_token_expiry_check(link=authenticated_link)
    message = mailoutbox[0].message()  # what the mail server is given
    assert "Ōpleidingen 北 مركز التدريب 🎓: access to Exact Online expires" in str(
        mailoutbox[0].subject
    )
    assert "\n" not in mailoutbox[0].subject and message["Subject"]


def test_the_lead_time_is_a_setting(authenticated_link, people, mail_settings, mailoutbox):
    issued(authenticated_link, expires_in=dt.timedelta(days=6))
    refresh_token_expiry_check(link=authenticated_link)
    assert mailoutbox == []
    mail_settings.EXACT_REFRESH_WARNING_DAYS = 7
    refresh_token_expiry_check(link=authenticated_link)
    assert len(mailoutbox) == 1


def test_an_expired_refresh_token_mails_to_authenticate_again(
    authenticated_link, people, mail_settings, mailoutbox
):
    issued(authenticated_link, expires_in=-dt.timedelta(hours=1))
    refresh_token_expiry_check_task.apply()
    assert Notification.objects.get().kind == NoticeKind.REAUTHENTICATE
    assert "not used for 30 days" in mailoutbox[0].body


def test_nothing_is_said_of_a_link_without_a_token(db, people, mail_settings, mailoutbox):
    from testkit.factories import ExactLinkFactory

    refresh_token_expiry_check(link=ExactLinkFactory())
    assert mailoutbox == []


def test_a_new_token_sets_the_date_it_expires_unused(exact_link, sandbox):
    before = exact_link.refresh_token_expires_at
    sandbox.advance_clock(600)
    exact_link.token_expires_at = timezone.now()
    exact_link.save()
    from integrations.exact.client import access_token_get

    access_token_get(link=exact_link)
    exact_link.refresh_from_db()
    assert exact_link.refresh_token_expires_at > before


@pytest.mark.django_db(transaction=True)
def test_the_daily_check_is_on_the_beat_schedule_once_beat_starts():
    # Beat's database scheduler writes the settings' entries when it starts (and closes the
    # connection it used, hence a test that commits).
    entry = celery_app.conf.beat_schedule["notifications: refresh token expiry"]
    assert entry["task"] == refresh_token_expiry_check_task.name
    assert entry["task"] in celery_app.tasks
    DatabaseScheduler(app=celery_app).setup_schedule()
    periodic = PeriodicTask.objects.get(name="notifications: refresh token expiry")
    assert periodic.enabled and periodic.crontab is not None
    assert (periodic.crontab.hour, periodic.crontab.minute) == ("7", "30")
