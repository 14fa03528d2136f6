"""The sandbox's state: Exact's sites, users, apps, tokens and the bookkeeping of each division."""

import uuid
from decimal import Decimal

from django.db import models


class SandboxModel(models.Model):
    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Site(models.TextChoices):
    NL = "nl", "Nederland"
    BE = "be", "België"


class Clock(SandboxModel):
    """One row: how far the sandbox clock runs ahead of real time (moved by /_sandbox/clock)."""

    offset_seconds = models.FloatField(default=0)


class SandboxUser(SandboxModel):
    site = models.CharField(max_length=2, choices=Site.choices)
    user_id = models.UUIDField(default=uuid.uuid4, unique=True)
    username = models.CharField(max_length=100)
    password_hash = models.CharField(max_length=128)
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    current_division = models.IntegerField()

    class Meta:
        unique_together = [("site", "username")]


class Division(SandboxModel):
    code = models.IntegerField(unique=True)
    site = models.CharField(max_length=2, choices=Site.choices)
    description = models.CharField(max_length=200)
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="divisions")
    default_payment_condition = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["code"]


class ClientApp(SandboxModel):
    site = models.CharField(max_length=2, choices=Site.choices)
    client_id = models.CharField(max_length=100)
    secret = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    redirect_uri = models.CharField(max_length=500)

    class Meta:
        unique_together = [("site", "client_id")]


class Grant(SandboxModel):
    """A user's consent for an app: the divisions it may use."""

    app = models.ForeignKey(ClientApp, on_delete=models.CASCADE)
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE)
    divisions = models.JSONField(default=list)
    created = models.DateTimeField()


class AuthorizationCode(SandboxModel):
    code_hash = models.CharField(max_length=64, unique=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE)
    redirect_uri = models.CharField(max_length=500)
    created = models.DateTimeField()
    used = models.BooleanField(default=False)


class AccessToken(SandboxModel):
    token_hash = models.CharField(max_length=64, unique=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE)
    expires = models.DateTimeField()


class RefreshToken(SandboxModel):
    token_hash = models.CharField(max_length=64, unique=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE)
    created = models.DateTimeField()
    used = models.DateTimeField(null=True)


class GLAccount(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=200)
    type = models.IntegerField()
    balance_type = models.CharField(max_length=1)
    is_blocked = models.BooleanField(default=False)
    modified = models.DateTimeField()


class Journal(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=200)
    type = models.IntegerField()
    modified = models.DateTimeField()


class VATCode(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    code = models.CharField(max_length=3)
    description = models.CharField(max_length=200)
    type = models.CharField(max_length=1)
    percentage = models.DecimalField(max_digits=5, decimal_places=4)
    is_blocked = models.BooleanField(default=False)
    modified = models.DateTimeField()


class CostCenter(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    code = models.CharField(max_length=8)
    description = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    modified = models.DateTimeField()


class Project(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    code = models.CharField(max_length=30)
    description = models.CharField(max_length=200)
    # Exact's types: 1 campaign, 2 fixed price, 3 time and material, 4 non-billable, 5 prepaid.
    type = models.IntegerField(default=2)
    account = models.UUIDField(null=True)
    modified = models.DateTimeField()


class FinancialPeriod(SandboxModel):
    division = models.IntegerField(db_index=True)
    year = models.IntegerField()
    period = models.IntegerField()
    start = models.DateField()
    end = models.DateField()
    closed = models.BooleanField(default=False)


class PaymentCondition(SandboxModel):
    division = models.IntegerField(db_index=True)
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=200)
    days = models.IntegerField()


class Account(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    code = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=1, default="C")
    is_supplier = models.BooleanField(default=False)
    email = models.CharField(max_length=200, blank=True)
    vat_number = models.CharField(max_length=50, blank=True)
    chamber_of_commerce = models.CharField(max_length=50, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    address_line3 = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)
    glar = models.UUIDField(null=True)
    # Writable reference fields the sandbox does not model otherwise, kept as they were sent.
    extra = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField()
    modified = models.DateTimeField()

    class Meta:
        ordering = ["code"]


class Document(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    subject = models.CharField(max_length=200)
    type = models.IntegerField()
    account = models.UUIDField(null=True)
    created = models.DateTimeField()
    modified = models.DateTimeField()


class DocumentAttachment(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    created = models.DateTimeField()
    modified = models.DateTimeField()


class SalesEntry(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    entry_number = models.IntegerField()
    journal = models.CharField(max_length=20)
    customer = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="sales_entries")
    entry_date = models.DateTimeField()
    due_date = models.DateTimeField()
    your_ref = models.CharField(max_length=100, blank=True)
    description = models.CharField(max_length=200, blank=True)
    reporting_year = models.IntegerField()
    reporting_period = models.IntegerField()
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True)
    type = models.IntegerField(default=20)
    payment_condition = models.CharField(max_length=20)
    amount_dc = models.DecimalField(max_digits=14, decimal_places=2)
    vat_amount_dc = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.IntegerField(default=20)
    created = models.DateTimeField()
    modified = models.DateTimeField()

    class Meta:
        ordering = ["entry_number"]


class SalesEntryLine(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    entry = models.ForeignKey(SalesEntry, on_delete=models.CASCADE, related_name="lines")
    line_number = models.IntegerField()
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT)
    amount_fc = models.DecimalField(max_digits=14, decimal_places=2)
    vat_code = models.CharField(max_length=3)
    vat_amount_fc = models.DecimalField(max_digits=14, decimal_places=2)
    cost_center = models.CharField(max_length=8, blank=True)
    project = models.UUIDField(null=True)
    description = models.CharField(max_length=200, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal(1))

    class Meta:
        ordering = ["line_number"]


class ReceivableStatus(models.IntegerChoices):
    OPEN = 20, "Open"
    SELECTED = 30, "Selected"
    PROCESSED = 40, "Processed"
    MATCHED = 50, "Matched"


class Receivable(SandboxModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    entry = models.ForeignKey(SalesEntry, on_delete=models.CASCADE, related_name="receivables")
    amount_dc = models.DecimalField(max_digits=14, decimal_places=2)
    paid_dc = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    written_off_dc = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    status = models.IntegerField(choices=ReceivableStatus.choices, default=ReceivableStatus.OPEN)
    is_fully_paid = models.BooleanField(default=False)
    last_payment_date = models.DateTimeField(null=True)
    created = models.DateTimeField()
    modified = models.DateTimeField()

    @property
    def open_dc(self) -> Decimal:
        return self.amount_dc - self.paid_dc - self.written_off_dc


class DeletedRecord(SandboxModel):
    """A deletion as sync/Deleted reports it (EntityType 1 transaction line, 2 account)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    division = models.IntegerField(db_index=True)
    entity_type = models.IntegerField()
    entity_key = models.UUIDField()
    deleted = models.DateTimeField()
