import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

from billing.models import (
    Company,
    CostCenter,
    Course,
    CourseDefinition,
    Debtor,
    GLAccount,
    Invoice,
    InvoiceLine,
    Parameters,
    Person,
    Request,
    VatRate,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Company,
    Person,
    Debtor,
    CourseDefinition,
    Course,
    Request,
    Invoice,
    InvoiceLine,
    VatRate,
    GLAccount,
    CostCenter,
    Parameters,
]


def snapshot() -> dict:
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "invoices": list(
            Invoice.objects.order_by("invoice_reference_number").values_list(
                "invoice_reference_number", "number", "status", "debtor__debtor_number"
            )
        ),
        "debtors": list(Debtor.objects.values_list("debtor_number", "company_id", "person_id")),
        "counters": list(
            Parameters.objects.values_list("last_debtor_number", "last_invoice_number")
        ),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module; the data is rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        call_command("seed_demo", stdout=io.StringIO())
        first = snapshot()
        yield first
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def test_seed_demo_makes_a_believable_training_company(seeded):
    invoices = Invoice.objects.all()
    finals = [invoice for invoice in invoices if invoice.is_final]

    assert Parameters.load().company_name == "Opleidingen Zuid BV"
    assert seeded["counts"]["Debtor"] == 25
    assert Debtor.objects.filter(person__isnull=False).count() > 0
    assert Debtor.objects.exclude(debtor_number_external="").count() > 0
    assert Company.objects.filter(extern_source="ExactOnline").exclude(extern_id="").exists()
    assert Person.objects.filter(extern_source="ExactOnline").exclude(extern_id="").exists()
    assert seeded["counts"]["Course"] == 10
    assert seeded["counts"]["Invoice"] == 80
    assert sorted(VatRate.objects.values_list("exact_code", "percentage")) == [
        ("0", 0),
        ("1", 21),
        ("2", 9),
    ]
    assert set(GLAccount.objects.values_list("code", flat=True)) >= {"8000", "8090"}
    assert set(CostCenter.objects.values_list("code", flat=True)) == {"100", "200", "300"}
    assert 0 < invoices.filter(status=Invoice.Status.DRAFT).count() < 20
    assert any(invoice.is_credit for invoice in finals)
    # numbered through the service: gap-free from 1
    assert sorted(invoice.number for invoice in finals) == list(range(1, len(finals) + 1))


def test_seed_demo_run_twice_changes_nothing(seeded):
    call_command("seed_demo", stdout=io.StringIO())

    assert snapshot() == seeded


def test_demo_admin_prints_credentials_that_log_in(django_user_model):
    out = io.StringIO()

    call_command("demo_admin", stdout=out)
    call_command("demo_admin", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("Log in at http://127.0.0.1:8000/ with admin / ")
    first_password, second_password = (line.rsplit(" ", 1)[1] for line in lines)
    assert first_password != second_password
    user = authenticate(RequestFactory().post("/"), username="admin", password=second_password)
    assert user is not None and user.is_superuser
    assert django_user_model.objects.count() == 1
