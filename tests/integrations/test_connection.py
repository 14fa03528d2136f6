import pytest
from django.urls import reverse
from django.utils import translation

from billing.models import CostCenter, GLAccount, VatRate
from integrations import services
from integrations.models import ExactLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def mappings(db):
    GLAccount.objects.create(code="8000", name="Omzet opleidingen")
    GLAccount.objects.create(code="8010", name="Omzet workshops")
    VatRate.objects.create(exact_code="1", percentage=21, description="Hoog")
    VatRate.objects.create(exact_code="2", percentage=9, description="Laag")
    CostCenter.objects.create(code="100", name="Opleidingen")


def failures(lines) -> dict[str, str]:
    return {line.label: line.fix for line in lines if not line.ok}


def test_every_check_is_green_against_the_seeded_sandbox(
    authenticated_link, mappings, manager, sandbox
):
    authenticated_link.send_cost_center = True
    authenticated_link.save()
    sandbox.reset_counters()
    lines = services.link_test_connection(link=authenticated_link, user=manager)
    assert failures(lines) == {}
    labels = [line.label for line in lines]
    assert "VAT code 1 exists and is Exclusive" in labels
    assert "Cost centre 100 exists" in labels
    assert "GL account 8010 exists and is a revenue account" in labels
    # Each of Exact's lists is read once, however many codes are checked.
    assert all(count == 1 for count in sandbox.counters()["by_endpoint"].values())


def test_wrong_mappings_show_red_lines_with_the_fix(authenticated_link, mappings, manager):
    VatRate.objects.create(exact_code="4", percentage=21, description="Inclusief")
    VatRate.objects.create(exact_code="7", percentage=6, description="Onbekend")
    GLAccount.objects.create(code="4000", name="Kosten")
    GLAccount.objects.create(code="8888", name="Bestaat niet")
    CostCenter.objects.create(code="999", name="Bestaat niet")
    ExactLink.objects.filter(pk=authenticated_link.pk).update(
        journal="10", debtor_gl_account="1399", send_cost_center=True
    )
    authenticated_link.refresh_from_db()
    found = failures(services.link_test_connection(link=authenticated_link, user=manager))
    assert found["VAT code 4 exists and is Exclusive"] == (
        "VAT code 4 is Inclusive in Exact: make it Exclusive."
    )
    assert "does not exist" in found["VAT code 7 exists and is Exclusive"]
    assert "not a revenue account" in found["GL account 4000 exists and is a revenue account"]
    assert "does not exist" in found["GL account 8888 exists and is a revenue account"]
    assert "not a sales journal" in found["Sales journal 10 exists"]
    assert "1399 does not exist" in found["Debtor GL account 1399 exists"]
    assert "does not exist" in found["Cost centre 999 exists"]


def test_the_fixes_are_in_dutch_for_a_dutch_user(authenticated_link, mappings, manager):
    VatRate.objects.create(exact_code="4", percentage=21, description="Inclusief")
    with translation.override("nl"):
        found = failures(services.link_test_connection(link=authenticated_link, user=manager))
    assert found["Btw-code 4 bestaat en is Exclusief"] == (
        "Btw-code 4 is Inclusief in Exact: maak hem Exclusief."
    )


def test_without_a_token_the_first_line_asks_to_authenticate(mappings, manager, exact_settings):
    link = ExactLink.objects.create(division="7095")
    lines = services.link_test_connection(link=link, user=manager)
    assert len(lines) == 1 and not lines[0].ok
    assert "Click Authenticate" in lines[0].fix


def test_the_checklist_is_shown_on_the_screen(manager_client, authenticated_link, mappings):
    response = manager_client.post(reverse("integrations:exact_test_connection"), follow=True)
    page = response.content.decode()
    assert "Test connection: every check passed." in page
    assert 'data-ok="false"' not in page and 'data-ok="true"' in page
    assert "Tested the connection" in page
