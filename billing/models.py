"""The Coachview-side source data: who is invoiced, for what, and how invoices are numbered."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round to whole cents the way invoices are rounded: half up, away from zero."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def number_display(number: int | None) -> str:
    """Debtor and invoice numbers are shown zero-padded to five digits: 00001."""
    return "" if number is None else f"{number:05d}"


class ExternIdentity(models.Model):
    """The id a record has in another system (the accounting package it came from)."""

    extern_id = models.CharField(_("extern id"), max_length=64, blank=True)
    extern_source = models.CharField(
        _("extern source"),
        max_length=64,
        blank=True,
        help_text=_("The system the extern id belongs to, for example ExactOnline."),
    )

    class Meta:
        abstract = True


class Company(ExternIdentity):
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(ExternIdentity):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(
        _("last name"), max_length=100, help_text=_("Including any prefix, such as “van der”.")
    )
    # The whole name as people search for it ("Jan de Vries"), kept by the database: on
    # PostgreSQL one trigram index on it finds any part of either name or both together.
    search_name = models.GeneratedField(
        expression=Concat("first_name", Value(" "), "last_name"),
        output_field=models.CharField(max_length=201),
        db_persist=True,
        verbose_name=_("full name"),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Parameters(models.Model):
    """The one row of numbering and company settings; its row lock serialises numbering."""

    SINGLETON_PK = 1
    COUNTER_FIELDS = ("last_debtor_number", "last_invoice_number")
    start_number_validators = [
        MinValueValidator(1, message=_("A start number must be a positive whole number."))
    ]

    first_debtor_number = models.PositiveIntegerField(
        _("first debtor number"), default=1, validators=start_number_validators
    )
    first_invoice_number = models.PositiveIntegerField(
        _("first invoice number"), default=1, validators=start_number_validators
    )
    # The counters only ever grow, so a number is never handed out twice, even when the
    # start number is lowered or an invoice is deleted afterwards.
    last_debtor_number = models.PositiveIntegerField(
        _("last debtor number issued"), default=0, editable=False
    )
    last_invoice_number = models.PositiveIntegerField(
        _("last invoice number issued"), default=0, editable=False
    )
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    company_address = models.TextField(
        _("company address"), blank=True, help_text=_("One address line per line.")
    )
    company_vat_number = models.CharField(_("VAT number"), max_length=30, blank=True)
    company_chamber_of_commerce = models.CharField(
        _("chamber of commerce number"), max_length=30, blank=True
    )
    company_iban = models.CharField(_("IBAN"), max_length=34, blank=True)

    class Meta:
        verbose_name = _("parameters")
        verbose_name_plural = _("parameters")

    def __str__(self) -> str:
        return str(_("Parameters"))

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK
        # The counters move only through number_take: a copy loaded before someone finalised
        # an invoice (an open admin form) must not turn them back when it is saved.
        # A forced insert (get_or_create's) that meets a row another process just made must
        # fail as a duplicate, which get_or_create answers by reading that row.
        if (
            kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
            and type(self).objects.filter(pk=self.pk).exists()
        ):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.COUNTER_FIELDS
            ]
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "Parameters":
        parameters, _created = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return parameters

    @classmethod
    def number_take(cls, *, counter: str) -> int:
        """Hand out the next debtor or invoice number; ``counter`` is "debtor" or "invoice".

        The parameters row stays locked until the caller's transaction ends, so concurrent
        callers on PostgreSQL queue up and a rolled-back caller leaves no gap.
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("number_take must run inside transaction.atomic().")
        cls.load()
        parameters = cls.objects.select_for_update().get(pk=cls.SINGLETON_PK)
        last_field, first_field = f"last_{counter}_number", f"first_{counter}_number"
        number = max(getattr(parameters, last_field) + 1, getattr(parameters, first_field))
        cls.objects.filter(pk=cls.SINGLETON_PK).update(**{last_field: number})
        return number


class Debtor(models.Model):
    debtor_number = models.PositiveIntegerField(
        _("debtor number"), unique=True, editable=False, null=True
    )
    debtor_number_external = models.CharField(
        _("external debtor number"), max_length=30, blank=True
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="debtors",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="debtors",
    )
    address_line_1 = models.CharField(_("invoice address line 1"), max_length=200, blank=True)
    address_line_2 = models.CharField(_("invoice address line 2"), max_length=200, blank=True)
    address_line_3 = models.CharField(_("invoice address line 3"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country_code = models.CharField(
        _("country code"),
        max_length=2,
        default="NL",
        validators=[
            RegexValidator(
                r"^[A-Z]{2}$", _("Enter a two-letter ISO country code in capitals, such as NL.")
            )
        ],
    )
    email = models.EmailField(_("email"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=30, blank=True)
    chamber_of_commerce = models.CharField(
        _("chamber of commerce number"), max_length=30, blank=True
    )

    class Meta:
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        ordering = ["debtor_number"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(company__isnull=False, person__isnull=True)
                    | Q(company__isnull=True, person__isnull=False)
                ),
                name="debtor_company_xor_person",
                violation_error_message=_("A debtor belongs to either a company or a person."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.debtor_number_display} {self.name}".strip()

    def save(self, *args, **kwargs) -> None:
        if self.debtor_number is None:
            with transaction.atomic():
                self.debtor_number = Parameters.number_take(counter="debtor")
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if bool(self.company_id) == bool(self.person_id):
            message = _("Choose a company or a person for this debtor, not both and not neither.")
            raise ValidationError({"company": message, "person": message})

    @property
    def name(self) -> str:
        if self.company_id:
            return self.company.name
        if self.person_id:
            return self.person.full_name
        return ""

    @property
    def debtor_number_display(self) -> str:
        return number_display(self.debtor_number)

    @property
    def address_lines(self) -> list[str]:
        postcode_city = f"{self.postcode}  {self.city}".strip()
        lines = [self.address_line_1, self.address_line_2, self.address_line_3, postcode_city]
        if self.country_code and self.country_code != "NL":
            lines.append(self.country_code)
        return [line for line in lines if line]


class CourseDefinition(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("course definition")
        verbose_name_plural = _("course definitions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Course(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    definition = models.ForeignKey(
        CourseDefinition,
        verbose_name=_("course definition"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["start_date", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.definition.name}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class Request(models.Model):
    request_number = models.CharField(_("request number"), max_length=30, unique=True)
    reference_number = models.CharField(_("reference number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["request_number"]

    def __str__(self) -> str:
        return self.request_number


class VatRate(models.Model):
    exact_code = models.CharField(
        _("Exact VAT code"),
        max_length=3,
        unique=True,
        help_text=_("The VAT code as it is known in Exact Online, for example 1."),
    )
    percentage = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2)
    description = models.CharField(_("description"), max_length=100)

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["-percentage", "exact_code"]

    def __str__(self) -> str:
        return self.description


class GLAccount(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("GL account")
        verbose_name_plural = _("GL accounts")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CostCenter(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class InvoiceTotals:
    excl_vat: Decimal
    incl_vat: Decimal


@dataclass(frozen=True)
class VatAmount:
    """The VAT on all lines of one rate: the figure the PDF prints under "VAT per rate"."""

    vat_rate: VatRate
    base: Decimal
    vat: Decimal


FINAL_INVOICE_LOCKED = _(
    "This invoice is final and can no longer be changed. Make a credit invoice instead."
)


LIST_ORDER = (F("date").desc(), Coalesce("number", 0).desc(), F("id").desc())


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    date = models.DateField(_("invoice date"), default=timezone.localdate)
    debtor = models.ForeignKey(
        Debtor, verbose_name=_("debtor"), on_delete=models.PROTECT, related_name="invoices"
    )
    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    request = models.ForeignKey(
        Request,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    invoice_reference_number = models.CharField(
        _("invoice reference number"), max_length=60, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    number = models.PositiveIntegerField(
        _("invoice number"), unique=True, null=True, blank=True, editable=False
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True, editable=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-date", "-number", "-pk"]
        # The invoice list pages through these in its order (billing.selectors.INVOICE_SORT_KEY):
        # all invoices, one status, one debtor's.
        indexes = [
            models.Index(*LIST_ORDER, name="invoice_list_order"),
            models.Index(F("status"), *LIST_ORDER, name="invoice_status_list_order"),
            models.Index(F("debtor"), *LIST_ORDER, name="invoice_debtor_list_order"),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return str(_("Draft invoice %(id)s") % {"id": self.pk})
        return str(_("Invoice %(number)s") % {"number": self.number_display})

    def save(self, *args, **kwargs) -> None:
        if self.stored_as_final():
            raise ValidationError(FINAL_INVOICE_LOCKED)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # The admin's "View on site" leads to coachlink's own invoice page.
        return reverse("billing:invoice_detail", args=[self.pk])

    def clean(self) -> None:
        if self.stored_as_final():
            raise ValidationError(FINAL_INVOICE_LOCKED)

    def delete(self, *args, **kwargs):
        if self.stored_as_final():
            raise ValidationError(FINAL_INVOICE_LOCKED)
        return super().delete(*args, **kwargs)

    def stored_as_final(self) -> bool:
        return (
            self.pk is not None
            and Invoice.objects.filter(pk=self.pk, status=self.Status.FINAL).exists()
        )

    @property
    def number_display(self) -> str:
        return number_display(self.number)

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    @property
    def order_start_date(self):
        return self.course.start_date if self.course_id else None

    @property
    def order_end_date(self):
        return self.course.end_date if self.course_id else None

    @property
    def vat_amounts(self) -> list[VatAmount]:
        """VAT per rate over the rounded line amounts, highest rate first."""
        return self._vat_amounts(self.lines.all())

    @staticmethod
    def _vat_amounts(lines: Iterable["InvoiceLine"]) -> list[VatAmount]:
        bases: dict[int, tuple[VatRate, Decimal]] = {}
        for line in lines:
            if line.vat_rate_id is None:
                continue
            rate, base = bases.get(line.vat_rate_id, (line.vat_rate, Decimal("0.00")))
            bases[line.vat_rate_id] = (rate, base + line.amount)
        amounts = [
            VatAmount(vat_rate=rate, base=base, vat=money(base * rate.percentage / 100))
            for rate, base in bases.values()
        ]
        return sorted(amounts, key=lambda a: (-a.vat_rate.percentage, a.vat_rate.exact_code))

    @property
    def line_vats(self) -> dict[int, Decimal]:
        """Each line's share of its rate's VAT, by line id, adding up per rate to the cent to
        ``vat_amounts``: rounded per line, the rate's rounding difference on its largest line.

        Booked with the lines, it makes the entry in the ledger equal the printed invoice.
        """
        shares: dict[int, Decimal] = {}
        largest: dict[int, InvoiceLine] = {}
        booked: dict[int, Decimal] = {}
        for line in self.lines.all():
            if line.vat_rate_id is None:
                continue
            shares[line.pk] = money(line.amount * line.vat_rate.percentage / 100)
            booked[line.vat_rate_id] = booked.get(line.vat_rate_id, Decimal(0)) + shares[line.pk]
            top = largest.get(line.vat_rate_id)
            if top is None or abs(line.amount) > abs(top.amount):
                largest[line.vat_rate_id] = line
        for amount in self.vat_amounts:
            rate = amount.vat_rate.pk
            shares[largest[rate].pk] += amount.vat - booked[rate]
        return shares

    @property
    def total_excl_vat(self) -> Decimal:
        return self.totals.excl_vat

    @property
    def total_vat(self) -> Decimal:
        return sum((amount.vat for amount in self.vat_amounts), Decimal("0.00"))

    @property
    def total_incl_vat(self) -> Decimal:
        return self.totals.incl_vat

    @property
    def totals(self) -> InvoiceTotals:
        """Both totals from one look at the lines: for a list that shows both."""
        lines = self.lines.all()
        excl_vat = sum((line.amount for line in lines), Decimal("0.00"))
        vat = sum((amount.vat for amount in self._vat_amounts(lines)), Decimal("0.00"))
        return InvoiceTotals(excl_vat=excl_vat, incl_vat=excl_vat + vat)

    @property
    def is_credit(self) -> bool:
        return self.total_incl_vat < 0


LINE_NEEDS_VAT_RATE = _("Choose a VAT rate for this line.")
LINE_NEEDS_GL_ACCOUNT = _("Choose a GL account for this line.")


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    # Nullable in the database so a draft can hold an incomplete line (from an import, say);
    # forms require both, and finalising refuses a line without them.
    vat_rate = models.ForeignKey(
        VatRate,
        verbose_name=_("VAT rate"),
        on_delete=models.PROTECT,
        null=True,
        error_messages={"blank": LINE_NEEDS_VAT_RATE},
    )
    gl_account = models.ForeignKey(
        GLAccount,
        verbose_name=_("GL account"),
        on_delete=models.PROTECT,
        null=True,
        error_messages={"blank": LINE_NEEDS_GL_ACCOUNT},
    )
    cost_center = models.ForeignKey(
        CostCenter,
        verbose_name=_("cost centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description

    def save(self, *args, **kwargs) -> None:
        if self.invoice_is_final():
            raise ValidationError(FINAL_INVOICE_LOCKED)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.invoice_id and self.invoice_is_final():
            raise ValidationError(FINAL_INVOICE_LOCKED)

    def delete(self, *args, **kwargs):
        if self.invoice_is_final():
            raise ValidationError(FINAL_INVOICE_LOCKED)
        return super().delete(*args, **kwargs)

    @property
    def amount(self) -> Decimal:
        return money(Decimal(self.quantity) * Decimal(self.unit_price))

    def invoice_is_final(self) -> bool:
        return Invoice.objects.filter(pk=self.invoice_id, status=Invoice.Status.FINAL).exists()
