"""factory_boy factories for every app: billing's data, users and the Exact link."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Permission, User

from billing import models
from billing.services import invoice_finalise
from integrations.models import Activation, ExactLink


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Company

    name = factory.Sequence(lambda n: f"Bedrijf {n} BV")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    first_name = factory.Sequence(lambda n: f"Anne{n}")
    last_name = "de Vries"


class DebtorFactory(factory.django.DjangoModelFactory):
    """A company debtor; pass ``company=None, person=PersonFactory()`` for a person."""

    class Meta:
        model = models.Debtor

    company = factory.SubFactory(CompanyFactory)
    person = None
    address_line_1 = factory.Sequence(lambda n: f"Stationsstraat {n + 1}")
    postcode = "5611 AB"
    city = "Eindhoven"
    country_code = "NL"
    email = factory.Sequence(lambda n: f"debiteur{n}@example.nl")


class VatRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.VatRate
        django_get_or_create = ("exact_code",)

    exact_code = "1"
    percentage = Decimal("21.00")
    description = "BTW hoog 21%"


class GLAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GLAccount
        django_get_or_create = ("code",)

    code = "8000"
    name = "Omzet trainingen"


class CostCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CostCenter
        django_get_or_create = ("code",)

    code = "100"
    name = "Trainingen"


class CourseDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CourseDefinition

    code = factory.Sequence(lambda n: f"DEF{n:03d}")
    name = factory.Sequence(lambda n: f"Training {n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Course

    code = factory.Sequence(lambda n: f"C26-{n:03d}")
    definition = factory.SubFactory(CourseDefinitionFactory)
    start_date = datetime.date(2026, 3, 2)
    end_date = datetime.date(2026, 3, 4)


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Request

    request_number = factory.Sequence(lambda n: f"AV{n + 1:05d}")
    reference_number = factory.Sequence(lambda n: f"PO-{n + 1:04d}")


class InvoiceFactory(factory.django.DjangoModelFactory):
    """A draft invoice without lines."""

    class Meta:
        model = models.Invoice

    date = datetime.date(2026, 3, 5)
    debtor = factory.SubFactory(DebtorFactory)
    course = factory.SubFactory(CourseFactory)
    request = factory.SubFactory(RequestFactory)
    invoice_reference_number = factory.Sequence(lambda n: f"REF-{n + 1:04d}")


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    description = factory.Sequence(lambda n: f"Cursusdag {n + 1}")
    quantity = Decimal("1")
    unit_price = Decimal("100.00")
    vat_rate = factory.SubFactory(VatRateFactory)
    gl_account = factory.SubFactory(GLAccountFactory)
    cost_center = factory.SubFactory(CostCenterFactory)


def final_invoice_create(
    *, lines: int = 1, unit_price: Decimal = Decimal("100.00"), **invoice_fields
) -> models.Invoice:
    """A final invoice with ``lines`` lines of ``unit_price``, numbered by the real service."""
    invoice = InvoiceFactory(**invoice_fields)
    InvoiceLineFactory.create_batch(lines, invoice=invoice, unit_price=unit_price)
    return invoice_finalise(invoice=invoice)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-password")


class LinkManagerFactory(UserFactory):
    """Staff allowed to configure the link."""

    is_staff = True

    @factory.post_generation
    def permission(self, create, extracted, **kwargs):
        self.user_permissions.add(Permission.objects.get(codename="change_exactlink"))


class ExactLinkFactory(factory.django.DjangoModelFactory):
    """The installation's link to the sandbox's Netherlands division 7095, saved as the panels
    would, without tokens; not enabled unless ``enabled=True``."""

    class Meta:
        model = ExactLink
        django_get_or_create = ("installation",)

    installation = 1
    division = "7095"

    class Params:
        enabled = factory.Trait(activation=Activation.ENABLED)
