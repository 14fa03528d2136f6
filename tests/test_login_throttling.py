"""Login throttling: wrong passwords in a row lock that username from that address for a while."""

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pw-fin-123"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def user():
    return get_user_model().objects.create_user(
        "fin", password=PASSWORD, is_staff=True, is_superuser=True
    )


def log_in(client, password, *, username="fin", url=None, language="en", address="10.0.0.7"):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE=language,
        REMOTE_ADDR=address,
    )


def test_wrong_passwords_in_a_row_lock_the_login_even_for_the_right_password(client, user):
    answers = [log_in(client, f"wrong-{n}").status_code for n in range(LIMIT - 1)]
    assert answers == [200] * (LIMIT - 1)  # the form again, with its error

    last_wrong = log_in(client, "wrong-last")
    right = log_in(client, PASSWORD, language="nl")

    assert last_wrong.status_code == 429
    assert right.status_code == 429
    page = right.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in page
    assert f"{settings.AXES_COOLOFF_TIME.seconds // 60} minuten" in page
    assert "_auth_user_id" not in client.session


def test_the_lock_message_is_clear_in_english(client, user):
    for n in range(LIMIT):
        log_in(client, f"wrong-{n}")

    page = log_in(client, PASSWORD).content.decode()

    assert "Login blocked for now" in page
    assert f"a wrong password {LIMIT} times in a row" in page
    assert "Ask an administrator to unlock your account" in page


def test_the_admin_login_is_throttled_too(client, user):
    url = reverse("admin:login")
    for n in range(LIMIT):
        log_in(client, f"wrong-{n}", url=url)

    response = log_in(client, PASSWORD, url=url)

    assert response.status_code == 429
    assert "Login blocked for now" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_password_resets_the_count(client, user):
    for _ in range(3):
        for n in range(LIMIT - 1):
            log_in(client, f"wrong-{n}")
        assert log_in(client, PASSWORD).status_code == 302
        client.logout()


def test_the_lock_holds_one_username_from_one_address(client, user):
    get_user_model().objects.create_user("other", password=PASSWORD)
    for n in range(LIMIT):
        log_in(client, f"wrong-{n}")

    assert log_in(client, PASSWORD, username="other").status_code == 302
    client.logout()
    assert log_in(client, PASSWORD, address="10.0.0.8").status_code == 302


def test_an_administrator_unlocks_a_user_with_axes_reset_username(client, user):
    for n in range(LIMIT):
        log_in(client, f"wrong-{n}")
    assert log_in(client, PASSWORD).status_code == 429

    call_command("axes_reset_username", "fin", stdout=io.StringIO())

    assert log_in(client, PASSWORD).status_code == 302


def test_the_admin_lists_the_attempts_to_unlock_from(admin_client, client, user):
    for n in range(LIMIT):
        log_in(client, f"wrong-{n}")

    page = admin_client.get(reverse("admin:axes_accessattempt_changelist"))

    assert page.status_code == 200
    assert "fin" in page.content.decode()
