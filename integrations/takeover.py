"""Take over from Exact: Exact's revenue GL accounts, exclusive VAT codes and cost centres
side by side with coachlink's tables, and copying what the user ticks into coachlink.

coachlink's GL accounts, VAT rates and cost centres "must be taken over or adapted" to match
Exact's; this is the taking over. What is copied is read from Exact again when the user
confirms, never taken from the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from billing.models import CostCenter, GLAccount, Invoice, InvoiceLine, VatRate
from integrations.exact import api, rules
from integrations.models import AuditAction, AuditEntry, ExactLink

GL = "gl"
VAT = "vat"
COST_CENTRE = "cost_centre"


@dataclass(frozen=True)
class TakeoverRow:
    """One code as Exact and coachlink have it; ``None`` where one side lacks it."""

    kind: str
    code: str
    exact_name: str | None
    ours_name: str | None
    exact_rate: Decimal | None = None
    ours_rate: Decimal | None = None
    # Why the row cannot be taken over, when it differs but may not change.
    refusal: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"

    @property
    def missing(self) -> bool:
        return self.ours_name is None

    @property
    def only_ours(self) -> bool:
        return self.exact_name is None

    @property
    def name_differs(self) -> bool:
        return not (self.missing or self.only_ours) and not rules.same_name(
            self.ours_name, self.exact_name
        )

    @property
    def rate_differs(self) -> bool:
        return (
            self.kind == VAT
            and not (self.missing or self.only_ours)
            and (self.exact_rate != self.ours_rate)
        )

    @property
    def can_take_over(self) -> bool:
        return (
            not self.only_ours
            and not self.refusal
            and (self.missing or self.name_differs or self.rate_differs)
        )


@dataclass(frozen=True)
class Takeover:
    gl_accounts: list[TakeoverRow]
    vat_codes: list[TakeoverRow]
    cost_centres: list[TakeoverRow]

    @property
    def rows(self) -> list[TakeoverRow]:
        return self.gl_accounts + self.vat_codes + self.cost_centres

    @property
    def differences(self) -> int:
        return sum(row.can_take_over for row in self.rows)


def _code_order(code: str) -> tuple:
    return (len(code), code)


def _side_by_side(kind: str, exact: dict[str, tuple], ours: dict[str, tuple]) -> list[TakeoverRow]:
    rows = []
    for code in sorted(set(exact) | set(ours), key=_code_order):
        exact_name, exact_rate = exact.get(code, (None, None))
        ours_name, ours_rate = ours.get(code, (None, None))
        rows.append(TakeoverRow(kind, code, exact_name, ours_name, exact_rate, ours_rate))
    return rows


def _vat_rates_in_use() -> dict[str, int]:
    """Final invoices per VAT code: their VAT is computed from the rate, so it may not change."""
    counts = (
        InvoiceLine.objects.filter(invoice__status=Invoice.Status.FINAL, vat_rate__isnull=False)
        .values_list("vat_rate__exact_code")
        .annotate(invoices=Count("invoice", distinct=True))
    )
    return {code.strip(): invoices for code, invoices in counts}


def takeover_compare(*, link: ExactLink) -> Takeover:
    """Read Exact's revenue GL accounts, exclusive VAT codes and active cost centres and set
    them beside coachlink's. Raises ExactError when Exact cannot be read."""
    exact_gl = {
        account.code: (account.description, None)
        for account in api.gl_accounts(link).values()
        if account.type == rules.GL_ACCOUNT_TYPE_REVENUE and not account.is_blocked
    }
    ours_gl = {account.code.strip(): (account.name, None) for account in GLAccount.objects.all()}
    exact_vat = {
        vat.code: (vat.description, vat.percentage)
        for vat in api.vat_codes(link).values()
        if vat.type == rules.VAT_TYPE_EXCLUSIVE and not vat.is_blocked
    }
    ours_vat = {
        rate.exact_code.strip(): (rate.description, rate.percentage)
        for rate in VatRate.objects.all()
    }
    exact_cc = {
        centre.code: (centre.description, None)
        for centre in api.cost_centres(link).values()
        if centre.active
    }
    ours_cc = {centre.code.strip(): (centre.name, None) for centre in CostCenter.objects.all()}

    in_use = _vat_rates_in_use()
    vat_rows = []
    for row in _side_by_side(VAT, exact_vat, ours_vat):
        if row.rate_differs and in_use.get(row.code):
            refusal = _(
                "Used on %(count)d final invoice(s), whose VAT would change with the rate: add "
                "the new rate as another VAT code in Exact Online instead."
            ) % {"count": in_use[row.code]}
            row = TakeoverRow(**{**row.__dict__, "refusal": refusal})
        vat_rows.append(row)
    return Takeover(
        gl_accounts=_side_by_side(GL, exact_gl, ours_gl),
        vat_codes=vat_rows,
        cost_centres=_side_by_side(COST_CENTRE, exact_cc, ours_cc),
    )


def _rate_text(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rules.percentage_text(rate)}%"


def _copy(row: TakeoverRow) -> str:
    """Copy one row into coachlink's tables; what changed, for the audit log."""
    values = {"code": row.code, "new": row.exact_name}
    if row.kind == VAT:
        values["new"] = f"{row.exact_name} ({_rate_text(row.exact_rate)})"
        rate, created = VatRate.objects.get_or_create(
            exact_code=row.code,
            defaults={"percentage": row.exact_rate, "description": row.exact_name},
        )
        values["old"] = f"{rate.description} ({_rate_text(rate.percentage)})"
        if not created:
            rate.description, rate.percentage = row.exact_name, row.exact_rate
            rate.save(update_fields=["description", "percentage"])
        label = _("VAT code %(code)s")
    else:
        model = GLAccount if row.kind == GL else CostCenter
        record, created = model.objects.get_or_create(
            code=row.code, defaults={"name": row.exact_name}
        )
        values["old"] = record.name
        if not created:
            record.name = row.exact_name
            record.save(update_fields=["name"])
        label = _("GL account %(code)s") if row.kind == GL else _("Cost centre %(code)s")
    if created:
        return (label + ": " + _("added “%(new)s”")) % values
    return (label + ": “%(old)s” → “%(new)s”") % values


def takeover_apply(*, link: ExactLink, keys: set[str], user: AbstractBaseUser) -> list[str]:
    """Copy the ticked rows (``keys`` as TakeoverRow.key) from Exact, read again now, into
    coachlink's tables, in one transaction with one audit entry; returns what changed."""
    takeover = takeover_compare(link=link)
    chosen = [row for row in takeover.rows if row.key in keys and row.can_take_over]
    if not chosen:
        return []
    with transaction.atomic():
        changes = [_copy(row) for row in chosen]
        AuditEntry.objects.create(
            user=user, action=AuditAction.TAKEN_OVER, detail="\n".join(changes)
        )
    return changes
