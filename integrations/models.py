"""The Exact Online link (one per installation) and its audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integrations.exact import tokens


class Site(models.TextChoices):
    NETHERLANDS = "nl", _("The Netherlands")
    BELGIUM = "be", _("Belgium")


class Country(models.TextChoices):
    NETHERLANDS = "NL", _("The Netherlands")
    BELGIUM = "BE", _("Belgium")


class DebtorNumberSource(models.TextChoices):
    DEBTOR_NUMBER = "DebtorNumber", _("DebtorNumber")
    DEBTOR_NUMBER_EXTERNAL = "DebtorNumberExternal", _("DebtorNumberExternal")
    COMPANY_PERSON_EXTERN_ID = "CompanyPersonExternID", _("CompanyPersonExternID")


class BookingDateSource(models.TextChoices):
    INVOICE_DATE = "invoice_date", _("Invoice date")
    ORDER_START_DATE = "order_start_date", _("Invoice order start date")
    ORDER_END_DATE = "order_end_date", _("Invoice order end date")
    EXPORT_DATE = "export_date", _("Export date")


class ExportMoment(models.TextChoices):
    REALTIME = "realtime", _("Realtime")
    NIGHTLY = "nightly", _("Nightly bulk")


class Repetition(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ProjectCodeSource(models.TextChoices):
    REQUEST_NUMBER = "request_number", _("Request number")
    REQUEST_REFERENCE = "request_reference", _("Reference number of the request")
    INVOICE_REFERENCE = "invoice_reference", _("Invoice reference number")
    COURSE_CODE = "course_code", _("Course code")
    COURSE_DEFINITION_CODE = "course_definition_code", _("Course definition code")


class Activation(models.TextChoices):
    OFF = "off", _("Off")
    ENABLED = "enabled", _("Enabled")
    PAUSED = "paused", _("Paused")


class LinkState(models.TextChoices):
    NOT_CONFIGURED = "not_configured", _("Not configured")
    CONFIGURED = "configured", _("Configured")
    ENABLED = "enabled", _("Enabled")
    PAUSED = "paused", _("Paused")


# Enabling after a pause longer than this asks, as the first enabling does, what happens with
# the final invoices that waited: the bookkeeper may have booked some of them by hand meanwhile.
LONG_PAUSE = dt.timedelta(days=1)

# A token with less than this left is treated as expired, so a call never starts with a token
# that dies on the way. Exact refuses a refresh before 570 of the 600 seconds, so the margin
# stays inside those last 30 seconds.
TOKEN_MARGIN = dt.timedelta(seconds=25)
# Exact answered "access_token not expired": it allows a refresh at most 30 seconds later.
TOKEN_REFRESH_REFUSED_FOR = dt.timedelta(seconds=30)
# Exact lets a refresh token expire 30 days after it was issued unless it is used (each use
# issues the next one), and the chain can then only be restored by a new consent.
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=30)


class ExactLink(models.Model):
    """The one Exact Online administration this installation books into."""

    # Exact Online allows one administration per link and coachlink has one link: the unique
    # constant makes the database refuse a second row even when two requests race.
    installation = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)

    # OAuth panel
    name = models.CharField(_("name"), max_length=100, default="Exact Online")
    site = models.CharField(
        _("configuration"), max_length=2, choices=Site.choices, default=Site.NETHERLANDS
    )

    # General panel
    division = models.CharField(_("division code"), max_length=20, blank=True)
    country = models.CharField(
        _("country"), max_length=2, choices=Country.choices, default=Country.NETHERLANDS
    )

    # Debtor panel
    overwrite_existing = models.BooleanField(_("overwrite existing relations"), default=False)
    debtor_number_option_1 = models.CharField(
        _("debtor number option 1"),
        max_length=32,
        choices=DebtorNumberSource.choices,
        default=DebtorNumberSource.DEBTOR_NUMBER,
    )
    debtor_number_option_2 = models.CharField(
        _("debtor number option 2"), max_length=32, choices=DebtorNumberSource.choices, blank=True
    )
    debtor_number_option_3 = models.CharField(
        _("debtor number option 3"), max_length=32, choices=DebtorNumberSource.choices, blank=True
    )
    extern_source = models.CharField(_("ExternSource"), max_length=100, blank=True)
    debtor_prefix = models.CharField(_("prefix"), max_length=20, blank=True)

    # Financial panel
    booking_date_option_1 = models.CharField(
        _("booking date option 1"),
        max_length=32,
        choices=BookingDateSource.choices,
        default=BookingDateSource.INVOICE_DATE,
    )
    booking_date_option_2 = models.CharField(
        _("booking date option 2"), max_length=32, choices=BookingDateSource.choices, blank=True
    )
    negative_as_credit_note = models.BooleanField(
        _("book negative invoices as credit notes"), default=False
    )
    journal = models.CharField(_("sales journal"), max_length=20, default="70")
    debtor_gl_account = models.CharField(
        _("debtor general ledger account"), max_length=20, default="1300"
    )
    send_pdf = models.BooleanField(_("send the invoice as PDF"), default=False)
    export_moment = models.CharField(
        _("export moment"),
        max_length=16,
        choices=ExportMoment.choices,
        default=ExportMoment.REALTIME,
    )
    nightly_time = models.TimeField(_("time of the nightly export"), null=True, blank=True)
    nightly_repetition = models.CharField(
        _("repetition"), max_length=16, choices=Repetition.choices, blank=True
    )
    send_cost_center = models.BooleanField(_("send cost centre"), default=False)
    invoice_number_prefix = models.CharField(_("invoice number prefix"), max_length=20, blank=True)
    project_code_source = models.CharField(
        _("project code"), max_length=32, choices=ProjectCodeSource.choices, blank=True
    )

    # Payment registration panel
    payment_registration = models.BooleanField(_("payment registration"), default=False)
    payment_interval_minutes = models.PositiveIntegerField(_("check every (minutes)"), default=15)
    payment_from_date = models.DateField(_("from invoice date"), null=True, blank=True)

    # Reconciliation panel
    reconciliation_weekly = models.BooleanField(_("reconcile every week"), default=False)

    activation = models.CharField(
        _("activation"), max_length=16, choices=Activation.choices, default=Activation.OFF
    )

    # Tokens, encrypted with the keys of settings.EXACT_TOKEN_KEYS (see integrations.exact.tokens).
    access_token_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when Exact refuses the refresh token: only a new consent can repair the chain, so
    # nothing may call the token endpoint again until the user authenticates.
    token_chain_broken = models.BooleanField(default=False, editable=False)
    # When Exact issued the stored refresh token: unused, it expires REFRESH_TOKEN_LIFETIME later.
    refresh_token_issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    authenticated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the link was paused: after a long pause, enabling asks what to do with what waited.
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The administrations the Exact user gave coachlink at the last consent, as
    # [{"code": "7095", "description": "..."}]; empty when Exact did not list them.
    consented_divisions = models.JSONField(default=list, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Exact Online link")
        verbose_name_plural = _("Exact Online links")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and ExactLink.objects.exists():
            raise ValidationError(_("Exact Online allows one administration per link."))
        super().save(*args, **kwargs)

    def validate_unique(self, exclude=None) -> None:
        super().validate_unique(exclude=exclude)
        if ExactLink.objects.exclude(pk=self.pk).exists():
            raise ValidationError(_("Exact Online allows one administration per link."))

    @property
    def access_token(self) -> str:
        return tokens.token_decrypt(self.access_token_encrypted)

    @property
    def refresh_token(self) -> str:
        return tokens.token_decrypt(self.refresh_token_encrypted)

    def tokens_set(self, *, access_token: str, refresh_token: str, expires_in: int) -> None:
        """Store a fresh token pair (encrypted); the caller saves."""
        self.access_token_encrypted = tokens.token_encrypt(access_token)
        self.refresh_token_encrypted = tokens.token_encrypt(refresh_token)
        now = timezone.now()
        self.token_expires_at = now + dt.timedelta(seconds=expires_in)
        self.refresh_token_issued_at = now
        self.token_chain_broken = False

    @property
    def is_authenticated(self) -> bool:
        """A refresh token we may still use: the button is green."""
        return bool(self.refresh_token_encrypted) and not self.token_chain_broken

    @property
    def refresh_token_expires_at(self) -> dt.datetime | None:
        """When the stored refresh token expires if nothing uses it before; None without one."""
        if not self.is_authenticated or self.refresh_token_issued_at is None:
            return None
        return self.refresh_token_issued_at + REFRESH_TOKEN_LIFETIME

    @property
    def access_token_fresh(self) -> bool:
        return (
            bool(self.access_token_encrypted)
            and self.token_expires_at is not None
            and self.token_expires_at - TOKEN_MARGIN > timezone.now()
        )

    @property
    def enabling_asks_for_backlog(self) -> bool:
        """Whether enabling now must ask what happens with the invoices not yet in Exact: on
        the first enabling and after a long pause; after a short pause they are simply sent."""
        if self.activation == Activation.PAUSED and self.paused_at is not None:
            return timezone.now() - self.paused_at > LONG_PAUSE
        return self.activation != Activation.ENABLED

    @property
    def consented_division_codes(self) -> list[str]:
        return [division["code"] for division in self.consented_divisions]

    def division_description(self, code: str | None = None) -> str:
        """The name Exact gave the division ``code`` (default: the link's), if it was listed."""
        code = self.division if code is None else code
        for division in self.consented_divisions:
            if division["code"] == code:
                return division["description"]
        return ""

    @property
    def state(self) -> str:
        if not self.pk or not self.division:
            return LinkState.NOT_CONFIGURED
        if self.activation == Activation.ENABLED:
            return LinkState.ENABLED
        if self.activation == Activation.PAUSED:
            return LinkState.PAUSED
        return LinkState.CONFIGURED

    @property
    def state_label(self) -> str:
        return LinkState(self.state).label


class AuditAction(models.TextChoices):
    SAVED = "saved", _("Saved the settings")
    ENABLED = "enabled", _("Enabled the link")
    PAUSED = "paused", _("Paused the link")
    DELETED = "deleted", _("Deleted the link")
    AUTHENTICATED = "authenticated", _("Authenticated with Exact Online")
    AUTHENTICATION_FAILED = "authentication_failed", _("Authentication failed")
    TESTED = "tested", _("Tested the connection")
    TAKEN_OVER = "taken_over", _("Took over GL accounts, VAT codes and cost centres from Exact")
    TOKEN_CHAIN_BROKEN = "token_chain_broken", _("Exact refused the token: authenticate again")


AUDIT_APPEND_ONLY = _("The audit log is kept as written: its entries cannot be changed or deleted.")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(AUDIT_APPEND_ONLY)

    def delete(self):
        raise PermissionDenied(AUDIT_APPEND_ONLY)


# A field whose name says it holds a secret is logged as changed, never with its value.
AUDIT_SECRET_WORDS = ("secret", "token", "password", "key")
AUDIT_MASK = "••••••"


def audit_value(name: str, value) -> str | bool | int | None:
    """A panel value as the audit log stores it: JSON, language-neutral, secrets masked."""
    if value is None or value == "":
        return None
    if any(word in name.lower() for word in AUDIT_SECRET_WORDS):
        return AUDIT_MASK
    if isinstance(value, bool | int):
        return value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class AuditChange:
    """One changed field, in the reader's language: 'Sales journal: 70 → 71'."""

    label: str
    old: str
    new: str


def _audit_display(field: models.Field | None, value) -> str:
    if value is None:
        return gettext("(empty)")
    if value == AUDIT_MASK:
        return AUDIT_MASK
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return str(value)


class AuditEntry(models.Model):
    """Who did what to the link, and when. Kept when the link is deleted; never changed."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=32, choices=AuditAction.choices)
    detail = models.TextField(_("detail"), blank=True)
    # [{"field": "journal", "old": "70", "new": "71"}, ...]: shown in the reader's language.
    changes = models.JSONField(_("changes"), default=list, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        at = formats.date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")
        return f"{at} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionDenied(AUDIT_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(AUDIT_APPEND_ONLY)

    @property
    def change_lines(self) -> list[AuditChange]:
        lines = []
        for change in self.changes:
            try:
                field = ExactLink._meta.get_field(change["field"])
                label = capfirst(field.verbose_name)
            except FieldDoesNotExist:
                field, label = None, change["field"]
            lines.append(
                AuditChange(
                    label=str(label),
                    old=_audit_display(field, change["old"]),
                    new=_audit_display(field, change["new"]),
                )
            )
        return lines
