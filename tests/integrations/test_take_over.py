"""Take over from Exact: Exact's GL accounts, VAT codes and cost centres beside coachlink's."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import CostCenter, GLAccount, VatRate
from integrations import takeover
from integrations.models import AuditAction, AuditEntry
from testkit.factories import ExactLinkFactory, VatRateFactory, final_invoice_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_tables(db):
    """coachlink's tables as the demo has them: some names differ from Exact's."""
    GLAccount.objects.create(code="8000", name="Omzet opleidingen")
    GLAccount.objects.create(code="8020", name="Omzet lesmateriaal")
    GLAccount.objects.create(code="8888", name="Alleen in coachlink")
    VatRate.objects.create(exact_code="1", percentage=Decimal("21.00"), description="BTW hoog")
    VatRate.objects.create(exact_code="2", percentage=Decimal("6.00"), description="BTW laag")
    CostCenter.objects.create(code="100", name="Open inschrijving")


def rows_by_key(comparison) -> dict:
    return {row.key: row for row in comparison.rows}


def test_it_sets_exacts_lists_beside_coachlinks(authenticated_link, demo_tables, sandbox):
    sandbox.reset_counters()
    rows = rows_by_key(takeover.takeover_compare(link=authenticated_link))
    assert not rows["gl:8000"].can_take_over
    assert rows["gl:8020"].name_differs
    assert (rows["gl:8020"].ours_name, rows["gl:8020"].exact_name) == (
        "Omzet lesmateriaal",
        "Omzet e-learning",
    )
    assert rows["gl:8030"].missing and rows["gl:8030"].can_take_over
    assert rows["gl:8888"].only_ours and not rows["gl:8888"].can_take_over
    # Exact's receivables (1300), cost (4000) and blocked (8098) accounts are not revenue to take.
    assert not {"gl:1300", "gl:4000", "gl:8098"} & set(rows)
    assert rows["vat:2"].rate_differs
    assert (rows["vat:2"].ours_rate, rows["vat:2"].exact_rate) == (Decimal("6.00"), Decimal("9.00"))
    assert rows["vat:0"].missing
    assert "vat:4" not in rows  # inclusive: never used by coachlink
    assert rows["cost_centre:300"].missing
    # One read of each list.
    assert sorted(sandbox.counters()["by_endpoint"]) == [
        "financial/GLAccounts",
        "hrm/Costcenters",
        "vat/VATCodes",
    ]


def test_a_rate_used_on_final_invoices_is_not_offered(authenticated_link, demo_tables):
    rate = VatRateFactory(exact_code="2")
    invoice = final_invoice_create()
    invoice.lines.update(vat_rate=rate)
    row = rows_by_key(takeover.takeover_compare(link=authenticated_link))["vat:2"]
    assert row.rate_differs and not row.can_take_over
    assert "Used on 1 final invoice(s)" in row.refusal


def test_it_copies_only_what_was_ticked_with_an_audit_entry(
    authenticated_link, demo_tables, manager
):
    changes = takeover.takeover_apply(
        link=authenticated_link,
        keys={"gl:8020", "gl:8030", "vat:2", "cost_centre:300", "gl:8888", "gl:8000"},
        user=manager,
    )
    assert changes == [
        "GL account 8020: “Omzet lesmateriaal” → “Omzet e-learning”",
        "GL account 8030: added “Omzet coaching”",
        "VAT code 2: “BTW laag (6%)” → “BTW 9% excl. (9%)”",
        "Cost centre 300: added “E-learning”",
    ]
    assert GLAccount.objects.get(code="8020").name == "Omzet e-learning"
    assert GLAccount.objects.get(code="8888").name == "Alleen in coachlink"
    assert VatRate.objects.get(exact_code="2").percentage == Decimal("9.00")
    assert not VatRate.objects.filter(exact_code="0").exists()
    entry = AuditEntry.objects.get(action=AuditAction.TAKEN_OVER)
    assert entry.user == manager and "8020" in entry.detail and "8030" in entry.detail


def test_the_page_shows_both_sides_and_the_post_copies(
    manager_client, authenticated_link, demo_tables
):
    page = manager_client.get(reverse("integrations:exact_take_over")).content.decode()
    assert "Omzet lesmateriaal" in page and "Omzet e-learning" in page
    assert 'value="gl:8020"' in page and 'value="gl:8000"' not in page
    assert "different name" in page and "different rate" in page and "missing in coachlink" in page
    response = manager_client.post(
        reverse("integrations:exact_take_over"), {"take": ["gl:8020"]}, follow=True
    )
    assert "Taken over from Exact Online: 1 change." in response.content.decode()
    assert GLAccount.objects.get(code="8020").name == "Omzet e-learning"


def test_nothing_ticked_changes_nothing(manager_client, authenticated_link, demo_tables):
    response = manager_client.post(reverse("integrations:exact_take_over"), follow=True)
    assert "Nothing was ticked, so nothing changed." in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.TAKEN_OVER).exists()


def test_without_authentication_the_page_says_what_to_do_first(manager_client):
    ExactLinkFactory()
    response = manager_client.get(reverse("integrations:exact_take_over"), follow=True)
    assert "Authenticate with Exact Online first." in response.content.decode()
