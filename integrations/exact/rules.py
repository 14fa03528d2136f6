"""Exact Online's rules for what coachlink books, checked before anything is sent.

One place for both users of the rules: Test connection (integrations.services) shows each
breach's ``fix`` on its checklist; the export (exports.builders) refuses the invoice with the
breach's ``kind`` (the explanation in exports.explanations) and ``message``.
Each check takes what was read from Exact (integrations.exact.api), keyed by trimmed code, and
returns None when the rule holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from integrations.exact.entities import Account, CostCentre, GLAccount, Journal, VatCode

JOURNAL_TYPE_SALES = 20
GL_ACCOUNT_TYPE_REVENUE = 110
VAT_TYPE_EXCLUSIVE = "E"
# Exact's account Code is a string of at most 18 characters, numeric for relation numbers.
RELATION_CODE_LENGTH = 18


@dataclass(frozen=True)
class Breach:
    """A rule of Exact's that a mapping or an invoice does not meet."""

    kind: str
    message: str
    fix: str = ""

    def __post_init__(self) -> None:
        if not self.fix:
            object.__setattr__(self, "fix", self.message)


def journal_breach(*, code: str, journals: dict[str, Journal]) -> Breach | None:
    """The journal must exist and be a sales journal."""
    journal = journals.get(code.strip())
    if journal is None:
        return Breach(
            "journal",
            _("Journal %(code)s does not exist in Exact Online.") % {"code": code},
            _(
                "Journal %(code)s does not exist in Exact Online: create the sales journal "
                "there, or fix the journal number in panel Financial."
            )
            % {"code": code},
        )
    if journal.type != JOURNAL_TYPE_SALES:
        return Breach(
            "journal",
            _("Journal %(code)s is not a sales journal in Exact Online.") % {"code": code},
            _(
                "Journal %(code)s is not a sales journal in Exact Online: choose a sales "
                "journal in panel Financial."
            )
            % {"code": code},
        )
    return None


def debtor_gl_account_breach(*, code: str, gl_accounts: dict[str, GLAccount]) -> Breach | None:
    """The debtor (receivables) GL account of the panel must exist."""
    if code.strip() in gl_accounts:
        return None
    return Breach(
        "debtor_gl_account_unknown",
        _("Debtor GL account %(code)s does not exist in Exact Online.") % {"code": code},
        _(
            "GL account %(code)s does not exist in Exact Online: fix the debtor GL "
            "account in panel Financial."
        )
        % {"code": code},
    )


def revenue_gl_account_breach(*, code: str, gl_accounts: dict[str, GLAccount]) -> Breach | None:
    """An invoice line's GL account must exist, be a revenue account and not be blocked."""
    account = gl_accounts.get(code.strip())
    if account is None:
        return Breach(
            "gl_account_unknown",
            _("GL account %(code)s does not exist in Exact Online or is blocked.") % {"code": code},
            _(
                "GL account %(code)s does not exist in Exact Online: create it there, or map "
                "another account in coachlink."
            )
            % {"code": code},
        )
    if account.type != GL_ACCOUNT_TYPE_REVENUE:
        return Breach(
            "gl_account_type",
            _("GL account %(code)s is not a revenue account in Exact Online.") % {"code": code},
            _(
                "GL account %(code)s is not a revenue account in Exact Online: map a revenue "
                "account."
            )
            % {"code": code},
        )
    if account.is_blocked:
        return Breach(
            "gl_account_unknown",
            _("GL account %(code)s does not exist in Exact Online or is blocked.") % {"code": code},
            _("GL account %(code)s is blocked in Exact Online: unblock it.") % {"code": code},
        )
    return None


def vat_code_breach(*, code: str, vat_codes: dict[str, VatCode]) -> Breach | None:
    """A VAT code must exist, be Exclusive (lines are sent excluding VAT) and not be blocked."""
    vat_code = vat_codes.get(code.strip())
    if vat_code is None:
        return Breach(
            "vat_code_unknown",
            _("VAT code %(code)s does not exist in Exact Online.") % {"code": code},
            _(
                "VAT code %(code)s does not exist in Exact Online: add it there, or fix the "
                "mapping in coachlink."
            )
            % {"code": code},
        )
    if vat_code.type != VAT_TYPE_EXCLUSIVE:
        return Breach(
            "vat_inclusive",
            _("VAT code %(code)s is not Exclusive in Exact Online.") % {"code": code},
            _("VAT code %(code)s is Inclusive in Exact: make it Exclusive.") % {"code": code},
        )
    if vat_code.is_blocked:
        return Breach(
            "vat_code_unknown",
            _("VAT code %(code)s is blocked in Exact Online: unblock it.") % {"code": code},
        )
    return None


def cost_centre_breach(*, code: str, cost_centres: dict[str, CostCentre]) -> Breach | None:
    """A cost centre sent with a line must exist."""
    if code.strip() in cost_centres:
        return None
    return Breach(
        "cost_center_unknown",
        _("Cost centre %(code)s does not exist in Exact Online.") % {"code": code},
        _(
            "Cost centre %(code)s does not exist in Exact Online: create it there, or "
            "fix the mapping in coachlink."
        )
        % {"code": code},
    )


def customer_breach(*, code: str, accounts: dict[str, Account]) -> Breach | None:
    """An entry is booked on a customer only; a supplier or prospect is refused, never used."""
    account = accounts.get(code)
    if account is None:
        return Breach(
            "customer_type",
            _("Relation %(code)s does not exist in Exact Online.") % {"code": code},
        )
    if not account.is_customer:
        return Breach(
            "customer_type",
            _(
                "Relation %(code)s is a supplier or prospect in Exact Online, not a customer "
                "(Ongeldig: Klant (Type))."
            )
            % {"code": code},
        )
    return None


def relation_code(value: str) -> str | None:
    """``value`` as Exact's relation number (digits, at most 18 without leading zeros, which
    Exact drops: "00025" is relation 25), or None when it cannot be one."""
    code = value.strip()
    if not code.isdigit() or len(code.lstrip("0") or "0") > RELATION_CODE_LENGTH:
        return None
    return str(int(code))


def relation_code_breach(value: str) -> Breach:
    """What is wrong with a value relation_code() refused."""
    return Breach(
        "debtor_number_invalid",
        _("Debtor number “%(code)s” cannot be an Exact Online relation number.") % {"code": value},
    )
