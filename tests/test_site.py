"""The site around the apps: login everywhere, the layout, English and Dutch."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse


@pytest.fixture
def staff_user(db):
    user = get_user_model().objects.create_user("fin", password="pw-fin-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    return user


def test_it_asks_for_a_login_before_any_page(client, db):
    response = client.get("/invoices/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_speaks_dutch_to_a_dutch_browser(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 200
    assert "Inloggen bij coachlink" in response.content.decode()


def test_a_user_who_logs_in_lands_on_the_invoices(client, staff_user):
    response = client.post(reverse("login"), {"username": "fin", "password": "pw-fin-123"})

    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200


def test_a_wrong_password_is_refused_in_the_users_language(client, staff_user):
    response = client.post(
        reverse("login"),
        {"username": "fin", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert response.status_code == 200
    assert "Voer een juiste" in response.content.decode()


def test_the_language_switch_turns_the_navigation_dutch(client, staff_user):
    client.force_login(staff_user)

    response = client.post(
        reverse("set_language"), {"language": "nl", "next": "/invoices/"}, follow=True
    )

    page = response.content.decode()
    assert 'lang="nl"' in page
    assert "Facturen" in page
    assert "Uitloggen" in page


def test_logging_out_takes_a_post_and_ends_the_session(client, staff_user):
    client.force_login(staff_user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get("/invoices/").status_code == 302


def test_a_user_without_the_permission_does_not_see_the_invoices(client, db):
    user = get_user_model().objects.create_user("guest", password="pw-guest-123")
    client.force_login(user)

    assert client.get(reverse("billing:invoice_list")).status_code == 403
