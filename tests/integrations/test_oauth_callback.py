import pytest
from django.urls import reverse

from exact_sandbox.process import consent_answer
from integrations.models import AuditAction, AuditEntry, ExactLink
from testkit.factories import ExactLinkFactory

pytestmark = pytest.mark.django_db

CALLBACK = reverse("integrations:exact_callback")


def authorize(client) -> str:
    response = client.post(reverse("integrations:exact_authenticate"))
    assert response.status_code == 302
    return response["Location"]


def page_after(client, query: dict, language="en") -> str:
    response = client.get(CALLBACK, query, HTTP_ACCEPT_LANGUAGE=language, follow=True)
    return response.content.decode()


def test_it_authenticates_and_turns_the_button_green(manager_client, exact_settings):
    ExactLinkFactory(division="7095")
    page = page_after(manager_client, consent_answer(authorize(manager_client)))
    assert "The link is authenticated with Exact Online." in page
    assert "Valid token information available" in page
    link = ExactLink.objects.get()
    assert link.is_authenticated and link.access_token
    assert AuditEntry.objects.filter(action=AuditAction.AUTHENTICATED).exists()


def test_it_handles_access_denied(manager_client, exact_settings):
    ExactLinkFactory(division="7095")
    query = consent_answer(authorize(manager_client), allow=False)
    assert query["error"] == "access_denied"
    for language, text in [("en", "Access was refused"), ("nl", "toegang is geweigerd")]:
        query_again = consent_answer(authorize(manager_client), allow=False)
        assert text in page_after(manager_client, query_again, language)
    assert not ExactLink.objects.get().is_authenticated


def test_it_handles_wrong_state(manager_client, exact_settings):
    ExactLinkFactory(division="7095")
    query = consent_answer(authorize(manager_client))
    query["state"] = "forged"
    assert "does not belong to this session" in page_after(manager_client, query)
    assert not ExactLink.objects.get().is_authenticated


def test_it_handles_missing_state(manager_client, exact_settings):
    ExactLinkFactory(division="7095")
    query = consent_answer(authorize(manager_client))
    del query["state"]
    assert "hoort niet bij deze sessie" in page_after(manager_client, query, "nl")


def test_the_state_is_used_once(manager_client, exact_settings):
    ExactLinkFactory(division="7095")
    query = consent_answer(authorize(manager_client))
    page_after(manager_client, query)
    assert "does not belong to this session" in page_after(manager_client, query)


def test_it_handles_a_reused_code(manager_client, exact_settings):
    ExactLinkFactory(division="7095")
    query = consent_answer(authorize(manager_client))
    page_after(manager_client, query)
    state = authorize(manager_client).split("state=")[1].split("&")[0]
    page = page_after(manager_client, {**query, "state": state})
    assert "expired or was already used" in page


def test_it_handles_an_expired_code(manager_client, exact_settings, sandbox):
    ExactLinkFactory(division="7095")
    query = consent_answer(authorize(manager_client))
    sandbox.advance_clock(181)
    assert "verlopen of al gebruikt" in page_after(manager_client, query, "nl")
    assert not ExactLink.objects.get().is_authenticated


def test_it_stores_the_administrations_the_user_consented_to(manager_client, exact_settings):
    ExactLinkFactory(division="")
    answer = consent_answer(authorize(manager_client), divisions=(7095, 7096))
    page = page_after(manager_client, answer)
    link = ExactLink.objects.get()
    assert link.is_authenticated
    assert link.consented_divisions == [
        {"code": "7095", "description": "Opleidingen Zuid BV"},
        {"code": "7096", "description": "Opleidingen Zuid BV (test)"},
    ]
    assert "Choose the administration (division) in panel General and save." in page
    assert '<option value="7096">7096 Opleidingen Zuid BV (test)</option>' in page


def test_a_division_the_user_did_not_allow_is_named_with_the_fix(manager_client, exact_settings):
    ExactLinkFactory(division="7096")
    page = page_after(manager_client, consent_answer(authorize(manager_client), divisions=(7095,)))
    assert "did not give coachlink access to division 7096" in page
    assert "tick that administration on Exact&#x27;s consent page" in page
    link = ExactLink.objects.get()
    assert link.consented_division_codes == ["7095"]
    enable = manager_client.get(reverse("integrations:exact_enable"), follow=True)
    assert "did not give coachlink access to division 7096" in enable.content.decode()
    assert ExactLink.objects.get().activation == "off"


def test_without_a_listable_administration_the_division_is_typed(manager_client, exact_settings):
    # Exact lists the administrations only through the one the user last opened (7095 for
    # the sandbox's demo user); with only 7096 ticked and no division yet, it lists none.
    ExactLinkFactory(division="")
    page = page_after(manager_client, consent_answer(authorize(manager_client), divisions=(7096,)))
    link = ExactLink.objects.get()
    assert link.is_authenticated and link.consented_divisions == []
    assert "Type the division code in panel General" in page
    assert 'name="general-division"' in page and 'type="text"' in page


def test_neither_the_secret_nor_the_tokens_are_logged(manager_client, exact_settings, caplog):
    ExactLinkFactory(division="7095")
    with caplog.at_level("DEBUG"):
        page_after(manager_client, consent_answer(authorize(manager_client)))
    link = ExactLink.objects.get()
    logged = caplog.text
    assert link.is_authenticated
    for secret in ("sandbox-secret-nl", link.access_token, link.refresh_token):
        assert secret not in logged


def test_a_forged_answer_writes_nothing_and_keeps_the_pending_authentication(
    manager_client, exact_settings
):
    ExactLinkFactory(division="7095")
    real = consent_answer(authorize(manager_client))

    forged = page_after(manager_client, {"code": "attacker-code", "state": "forged"})

    assert "does not belong to this session" in forged
    assert not AuditEntry.objects.exists()
    page = page_after(manager_client, real)
    assert "The link is authenticated with Exact Online." in page
    assert ExactLink.objects.get().is_authenticated


def test_an_answer_the_session_never_asked_for_writes_nothing(manager_client, exact_settings):
    ExactLinkFactory(division="7095")

    for query in ({"code": "c", "state": "s"}, {"error": "access_denied", "state": "s"}, {}):
        assert "does not belong to this session" in page_after(manager_client, query)

    assert not AuditEntry.objects.exists()
    assert not ExactLink.objects.get().is_authenticated


def test_a_state_in_any_script_is_refused_without_an_error(manager_client, exact_settings):
    ExactLinkFactory(division="7095")
    authorize(manager_client)

    response = manager_client.get(CALLBACK, {"state": "øł😀"})

    assert response.status_code == 302
    assert not AuditEntry.objects.exists()
