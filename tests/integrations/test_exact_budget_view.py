"""The configure screen and the export log show today's Exact calls and the minute's, as Exact's
headers said them, in English and Dutch."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from integrations.exact import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def spent_three(authenticated_link, sandbox, settings):
    settings.EXACT_REALTIME_RESERVE = 0.5
    sandbox.set_limits(daily=6, minutely=50)
    for _ in range(3):
        api.journals(authenticated_link)
    return authenticated_link


def test_the_configure_screen_shows_todays_and_the_minutes_calls(manager_client, spent_three):
    page = manager_client.get(reverse("integrations:exact_configure")).content.decode()
    assert "Today: 3 used, 3 left of 6 (resets at " in page
    assert "This minute: 3 used, 47 left of 50." in page
    assert "Bulk exports are waiting for tomorrow" in page
    dutch = manager_client.get(
        reverse("integrations:exact_configure"), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Vandaag: 3 gebruikt, 3 over van 6 (opnieuw om " in dutch
    assert "Deze minuut: 3 gebruikt, 47 over van 50." in dutch
    assert "Bulkexports wachten op het budget van morgen" in dutch


def test_the_export_log_shows_them_too(spent_three):
    user = User.objects.create_user("clerk", password="secret-clerk")
    user.user_permissions.set(Permission.objects.filter(codename="view_exportrecord"))
    client = Client()
    client.force_login(user)
    page = client.get(reverse("exports:log")).content.decode()
    assert "Today: 3 used, 3 left of 6" in page
    assert "Bulk exports are waiting" in page


def test_before_any_call_the_screen_says_so(manager_client, authenticated_link):
    page = manager_client.get(reverse("integrations:exact_configure")).content.decode()
    assert "Today: no call yet since the last reset; 5000 allowed." in page
    assert "This minute: no call yet." in page
    assert "Bulk exports are waiting" not in page
