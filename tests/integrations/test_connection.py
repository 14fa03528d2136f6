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
    assert "VAT code 1 exists, is Exclusive and has the same rate" in labels
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
    assert found["VAT code 4 exists, is Exclusive and has the same rate"] == (
        "VAT code 4 is Inclusive in Exact: make it Exclusive."
    )
    assert "does not exist" in found["VAT code 7 exists, is Exclusive and has the same rate"]
    assert "not a revenue account" in found["GL account 4000 exists and is a revenue account"]
    assert "does not exist" in found["GL account 8888 exists and is a revenue account"]
    assert "not a sales journal" in found["Sales journal 10 exists"]
    assert (
        "1399 does not exist" in found["Debtor GL account 1399 exists and is a receivables account"]
    )
    assert "does not exist" in found["Cost centre 999 exists"]


def test_the_fixes_are_in_dutch_for_a_dutch_user(authenticated_link, mappings, manager):
    VatRate.objects.create(exact_code="4", percentage=21, description="Inclusief")
    with translation.override("nl"):
        found = failures(services.link_test_connection(link=authenticated_link, user=manager))
    assert found["Btw-code 4 bestaat, is Exclusief en heeft hetzelfde tarief"] == (
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
    assert "some mappings may book on the wrong account" in page
    assert 'data-level="error"' not in page and 'data-level="ok"' in page
    assert 'data-level="warning"' in page
    assert "Tested the connection" in page


def warnings(lines) -> dict[str, str]:
    return {line.label: line.fix for line in lines if line.level == services.CheckLevel.WARNING}


def test_a_gl_account_named_otherwise_in_exact_is_a_warning_with_both_names(
    authenticated_link, manager
):
    GLAccount.objects.create(code="8020", name="Omzet lesmateriaal")
    GLAccount.objects.create(code="8050", name="  omzet  LESMATERIAAL ")
    lines = services.link_test_connection(link=authenticated_link, user=manager)
    assert failures(lines) == {}
    assert warnings(lines) == {
        "GL account 8020 has the same name in Exact Online": (
            "GL account 8020 is “Omzet lesmateriaal” in coachlink but “Omzet e-learning” in "
            "Exact Online: lines on it are booked on “Omzet e-learning”. If that is right, take "
            "over Exact's name (Take over from Exact); if not, map those lines to the right "
            "account in coachlink."
        )
    }
    with translation.override("nl"):
        lines = services.link_test_connection(link=authenticated_link, user=manager)
    (fix,) = warnings(lines).values()
    assert fix.startswith("Grootboekrekening 8020 heet “Omzet lesmateriaal” in coachlink")


def test_a_vat_rate_that_differs_from_exact_is_an_error_with_both_rates(
    authenticated_link, manager
):
    VatRate.objects.create(exact_code="2", percentage="10.5", description="Laag")
    found = failures(services.link_test_connection(link=authenticated_link, user=manager))
    assert found["VAT code 2 exists, is Exclusive and has the same rate"].startswith(
        "VAT code 2 is 10.50% in coachlink but 9% in Exact Online"
    )


def test_a_debtor_gl_account_that_is_not_receivables_is_refused(authenticated_link, manager):
    ExactLink.objects.filter(pk=authenticated_link.pk).update(debtor_gl_account="8000")
    authenticated_link.refresh_from_db()
    found = failures(services.link_test_connection(link=authenticated_link, user=manager))
    assert (
        "(“Omzet opleidingen”) is not of type Accounts receivable"
        in found["Debtor GL account 8000 exists and is a receivables account"]
    )


def test_a_division_without_consent_says_what_is_wrong_and_how_to_fix_it(
    authenticated_link, manager
):
    ExactLink.objects.filter(pk=authenticated_link.pk).update(division="7096")
    authenticated_link.refresh_from_db()
    lines = services.link_test_connection(link=authenticated_link, user=manager)
    assert [line.level for line in lines] == ["ok", "error"]
    assert "did not give coachlink access to it" in lines[1].fix
    assert "tick that administration on Exact's consent page" in lines[1].fix
