"""A server says when its mails cannot reach anyone, without refusing to start."""

from coachlink.checks import mail_settings_check, startup_check


def ids(settings) -> list[str]:
    return [message.id for message in mail_settings_check(None)]


def test_a_server_without_a_mail_server_or_address_warns_and_starts(settings):
    settings.DEBUG, settings.EMAIL_URL_SET, settings.SITE_URL = False, False, ""
    assert ids(settings) == ["coachlink.W001", "coachlink.W002"]
    startup_check()


def test_a_server_with_both_is_quiet(settings):
    settings.DEBUG, settings.EMAIL_URL_SET = False, True
    settings.SITE_URL = "https://coachlink.example.nl"
    assert ids(settings) == []


def test_the_demo_needs_neither(settings):
    settings.DEBUG, settings.EMAIL_URL_SET, settings.SITE_URL = True, False, ""
    assert ids(settings) == []
