import pytest
from django.db import connection
from django.urls import reverse

from integrations.models import Activation, AuditAction, AuditEntry, ExactLink
from testkit.factories import ExactLinkFactory, UserFactory
from tests.integrations.panel_data import valid_panels

pytestmark = pytest.mark.django_db

PAGES = [
    ("get", "integrations:index"),
    ("get", "integrations:exact_configure"),
    ("post", "integrations:exact_configure"),
    ("post", "integrations:exact_authenticate"),
    ("get", "integrations:exact_callback"),
    ("post", "integrations:exact_test_connection"),
    ("get", "integrations:exact_enable"),
    ("post", "integrations:exact_pause"),
    ("post", "integrations:exact_delete"),
]


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login(client, method, name):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_a_user_without_staff_and_permission_gets_403(client, method, name):
    client.force_login(UserFactory(is_staff=True))
    assert getattr(client, method)(reverse(name)).status_code == 403
    client.force_login(UserFactory(is_staff=False, is_superuser=True))
    assert getattr(client, method)(reverse(name)).status_code == 403


def test_the_index_shows_the_exact_card_with_configure(manager_client):
    page = manager_client.get(reverse("integrations:index")).content.decode()
    assert "Accounting" in page and "Exact Online" in page and "Configure" in page
    assert "Not configured" in page


def test_saving_the_panels_stores_them_and_logs_who_did(manager_client, manager):
    data = valid_panels(**{"oauth-name": "Exact boekhouding", "debtor-debtor_prefix": "9"})
    response = manager_client.post(reverse("integrations:exact_configure"), data)
    assert response.status_code == 302
    link = ExactLink.objects.get()
    assert (link.name, link.division, link.debtor_prefix) == ("Exact boekhouding", "7095", "9")
    assert link.state == "configured"
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action) == (manager, AuditAction.SAVED)
    page = manager_client.get(reverse("integrations:exact_configure")).content.decode()
    assert "Saved the settings" in page and manager.username in page


def test_bad_input_saves_nothing_and_says_why_in_dutch(manager_client):
    ExactLinkFactory(name="Before")
    data = valid_panels(**{"oauth-name": "After", "general-division": "abc"})
    response = manager_client.post(
        reverse("integrations:exact_configure"), data, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    assert "alleen cijfers" in response.content.decode()
    assert ExactLink.objects.get().name == "Before"
    assert not AuditEntry.objects.exists()


def test_the_authenticate_button_is_red_without_a_token(manager_client):
    ExactLinkFactory()
    page = manager_client.get(reverse("integrations:exact_configure")).content.decode()
    assert 'btn btn-danger" data-testid="authenticate"' in page


def test_the_button_is_green_with_the_timestamp_when_a_token_is_stored(manager_client):
    link = ExactLinkFactory()
    link.tokens_set(access_token="a" * 40, refresh_token="r" * 40, expires_in=600)
    link.authenticated_at = link.token_expires_at
    link.save()
    page = manager_client.get(reverse("integrations:exact_configure")).content.decode()
    assert 'btn btn-success" data-testid="authenticate"' in page
    assert "Valid token information available" in page
    assert "a" * 40 not in page and "r" * 40 not in page


def test_enable_is_refused_with_the_reason_while_not_authenticated(manager_client):
    ExactLinkFactory()
    response = manager_client.post(reverse("integrations:exact_enable"), follow=True)
    assert "Authenticate with Exact Online first" in response.content.decode()
    assert ExactLink.objects.get().activation == Activation.OFF


def test_enable_gives_the_reason_before_the_confirm_step(manager_client):
    ExactLinkFactory()
    response = manager_client.get(reverse("integrations:exact_enable"), follow=True)
    assert "Authenticate with Exact Online first" in response.content.decode()
    assert "Confirm" not in response.content.decode()


def test_enable_asks_to_confirm_first(manager_client):
    link = ExactLinkFactory()
    link.tokens_set(access_token="a", refresh_token="r", expires_in=600)
    link.save()
    page = manager_client.get(reverse("integrations:exact_enable")).content.decode()
    assert "Confirm" in page
    assert ExactLink.objects.get().activation == Activation.OFF
    manager_client.post(reverse("integrations:exact_enable"))
    assert ExactLink.objects.get().activation == Activation.ENABLED
    manager_client.post(reverse("integrations:exact_pause"))
    assert ExactLink.objects.get().state == "paused"


def test_delete_forgets_the_link_and_its_tokens_but_keeps_the_audit_log(manager_client):
    link = ExactLinkFactory()
    link.tokens_set(access_token="a", refresh_token="r", expires_in=600)
    link.save()
    manager_client.post(reverse("integrations:exact_configure"), valid_panels())
    assert (
        "Confirm delete"
        in manager_client.get(reverse("integrations:exact_delete")).content.decode()
    )
    manager_client.post(reverse("integrations:exact_delete"))
    assert not ExactLink.objects.exists()
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["saved", "deleted"]


def test_every_post_needs_the_csrf_token(client, manager):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(reverse("integrations:exact_configure"), valid_panels())
    assert response.status_code == 403
    assert not ExactLink.objects.exists()


def test_the_tokens_are_not_stored_in_plain_text():
    link = ExactLinkFactory()
    link.tokens_set(access_token="ACCESS-SECRET", refresh_token="REFRESH-SECRET", expires_in=600)
    link.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token_encrypted, refresh_token_encrypted FROM integrations_exactlink"
        )
        raw = " ".join(cursor.fetchone())
    assert "ACCESS-SECRET" not in raw and "REFRESH-SECRET" not in raw
    fresh = ExactLink.objects.get()
    assert (fresh.access_token, fresh.refresh_token) == ("ACCESS-SECRET", "REFRESH-SECRET")


def test_rotating_the_keys_reencrypts_the_tokens(settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EXACT_TOKEN_KEYS = [old]
    link = ExactLinkFactory()
    link.tokens_set(access_token="ACCESS", refresh_token="REFRESH", expires_in=600)
    link.save()
    settings.EXACT_TOKEN_KEYS = [new, old]
    call_command("exact_rotate_token_keys")
    settings.EXACT_TOKEN_KEYS = [new]
    assert ExactLink.objects.get().refresh_token == "REFRESH"


def test_changing_the_division_after_exports_asks_first_and_says_what_follows(manager_client):
    from exports.models import ExportRecord, ExportState
    from testkit.factories import final_invoice_create

    consented = [
        {"code": "7095", "description": "Opleidingen Zuid BV"},
        {"code": "7096", "description": "Opleidingen Zuid BV (test)"},
    ]
    ExactLinkFactory(division="7095", refresh_token_encrypted="x", consented_divisions=consented)
    for _ in range(2):
        ExportRecord.objects.update_or_create(
            invoice=final_invoice_create(), defaults={"state": ExportState.EXPORTED}
        )
    url = reverse("integrations:exact_configure")
    response = manager_client.post(url, valid_panels(**{"general-division": "7096"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Change the administration from 7095 to 7096?" in page
    assert "The 2 invoices already exported stay booked in 7095 Opleidingen Zuid BV" in page
    assert "booked in 7096 Opleidingen Zuid BV (test) from now on" in page
    assert ExactLink.objects.get().division == "7095"
    confirmed = valid_panels(**{"general-division": "7096", "confirm_division": "7096"})
    assert manager_client.post(url, confirmed).status_code == 302
    assert ExactLink.objects.get().division == "7096"


def test_changing_the_division_before_any_export_needs_no_confirmation(manager_client):
    ExactLinkFactory(division="7095")
    url = reverse("integrations:exact_configure")
    assert manager_client.post(url, valid_panels(**{"general-division": "7096"})).status_code == 302
    assert ExactLink.objects.get().division == "7096"
