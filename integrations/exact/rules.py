"""Exact Online's rules for what coachlink books, checked before anything is sent.

One place for both users of the rules: Test connection (integrations.services) shows each
breach's ``fix`` on its checklist; the export (exports.builders) refuses the invoice with the
breach's ``kind`` (the explanation in exports.explanations) and ``message``.
Each check takes what was read from Exact (integrations.exact.api), keyed by trimmed code, and
returns None when the rule holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coachlink.messages import Message, number_value
from coachlink.numbers import whole_number
from integrations.exact.entities import Account, CostCentre, GLAccount, Journal, VatCode

JOURNAL_TYPE_SALES = 20
GL_ACCOUNT_TYPE_RECEIVABLE = 20
GL_ACCOUNT_TYPE_REVENUE = 110
VAT_TYPE_EXCLUSIVE = "E"
# Exact numbers its journals from 1 to 999 (three digits) and its GL accounts with at most nine
# digits (Exact's connectivity manual: journal N3, account A9; Exact Online's own chart of
# accounts and journals are numbered). Anything else can never match a code in Exact.
JOURNAL_CODE = re.compile(r"[0-9]{1,3}")
GL_ACCOUNT_CODE = re.compile(r"[0-9]{1,9}")
# Exact's account Code is a string of at most 18 characters, numeric for relation numbers.
RELATION_CODE_LENGTH = 18
# A sales entry's InvoiceNumber is an Int32.
INVOICE_NUMBER_MAX = 2147483647


@dataclass(frozen=True)
class Breach:
    """A rule of Exact's that a mapping or an invoice does not meet: ``message`` says which
    (kept with an export record, so it is said in the reader's language), ``fix`` what to do."""

    kind: str
    message: Message
    fix: str = ""

    def __post_init__(self) -> None:
        if not self.fix:
            object.__setattr__(self, "fix", str(self.message))


def division_breach(*, code: str, consented: list[str]) -> Breach | None:
    """The division must be one the Exact user gave coachlink on the consent page (when Exact
    listed them: ``consented`` is empty when it did not)."""
    if not consented or code in consented:
        return None
    return Breach(
        "division",
        Message(
            gettext_noop(
                "The Exact Online user did not give coachlink access to division %(division)s."
            ),
            division=code,
        ),
        _(
            "The Exact Online user did not give coachlink access to division %(division)s. "
            "Click Authenticate, tick that administration on Exact's consent page and save "
            "again; or choose one of the administrations listed in panel General."
        )
        % {"division": code},
    )


def journal_breach(*, code: str, journals: dict[str, Journal]) -> Breach | None:
    """The journal must exist and be a sales journal."""
    journal = journals.get(code.strip())
    if journal is None:
        return Breach(
            "journal",
            Message(gettext_noop("Journal %(code)s does not exist in Exact Online."), code=code),
            _(
                "Journal %(code)s does not exist in Exact Online: create the sales journal "
                "there, or fix the journal number in panel Financial."
            )
            % {"code": code},
        )
    if journal.type != JOURNAL_TYPE_SALES:
        return Breach(
            "journal",
            Message(
                gettext_noop("Journal %(code)s is not a sales journal in Exact Online."), code=code
            ),
            _(
                "Journal %(code)s is not a sales journal in Exact Online: choose a sales "
                "journal in panel Financial."
            )
            % {"code": code},
        )
    return None


def debtor_gl_account_breach(*, code: str, gl_accounts: dict[str, GLAccount]) -> Breach | None:
    """The debtor GL account of the panel must exist and be an accounts receivable account."""
    account = gl_accounts.get(code.strip())
    if account is None:
        return Breach(
            "debtor_gl_account_unknown",
            Message(
                gettext_noop("Debtor GL account %(code)s does not exist in Exact Online."),
                code=code,
            ),
            _(
                "GL account %(code)s does not exist in Exact Online: fix the debtor GL "
                "account in panel Financial."
            )
            % {"code": code},
        )
    if account.type != GL_ACCOUNT_TYPE_RECEIVABLE:
        return Breach(
            "debtor_gl_account_unknown",
            Message(
                gettext_noop(
                    "GL account %(code)s is not an accounts receivable account in Exact Online."
                ),
                code=code,
            ),
            _(
                "GL account %(code)s (“%(name)s”) is not of type Accounts receivable in Exact "
                "Online: fill in the debtors account (usually 1300) in panel Financial."
            )
            % {"code": code, "name": account.description},
        )
    return None


def same_name(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def gl_account_name_warning(
    *, code: str, name: str, gl_accounts: dict[str, GLAccount]
) -> Breach | None:
    """coachlink's GL account should be the account of that code in Exact: when the names
    differ, revenue lands on an account the user did not mean."""
    account = gl_accounts.get(code.strip())
    if account is None or same_name(name, account.description):
        return None
    return Breach(
        "gl_account_name",
        Message(
            gettext_noop(
                "GL account %(code)s is “%(ours)s” in coachlink but “%(theirs)s” in Exact Online: "
                "lines on it are booked on “%(theirs)s”. If that is right, take over Exact's name "
                "(Take over from Exact); if not, map those lines to the right account in coachlink."
            ),
            code=code,
            ours=name,
            theirs=account.description,
        ),
    )


def revenue_gl_account_breach(*, code: str, gl_accounts: dict[str, GLAccount]) -> Breach | None:
    """An invoice line's GL account must exist, be a revenue account and not be blocked."""
    account = gl_accounts.get(code.strip())
    if account is None:
        return Breach(
            "gl_account_unknown",
            Message(
                gettext_noop("GL account %(code)s does not exist in Exact Online or is blocked."),
                code=code,
            ),
            _(
                "GL account %(code)s does not exist in Exact Online: create it there, or map "
                "another account in coachlink."
            )
            % {"code": code},
        )
    if account.type != GL_ACCOUNT_TYPE_REVENUE:
        return Breach(
            "gl_account_type",
            Message(
                gettext_noop("GL account %(code)s is not a revenue account in Exact Online."),
                code=code,
            ),
            _(
                "GL account %(code)s is not a revenue account in Exact Online: map a revenue "
                "account."
            )
            % {"code": code},
        )
    if account.is_blocked:
        return Breach(
            "gl_account_unknown",
            Message(
                gettext_noop("GL account %(code)s does not exist in Exact Online or is blocked."),
                code=code,
            ),
            _("GL account %(code)s is blocked in Exact Online: unblock it.") % {"code": code},
        )
    return None


def vat_code_breach(*, code: str, vat_codes: dict[str, VatCode]) -> Breach | None:
    """A VAT code must exist, be Exclusive (lines are sent excluding VAT) and not be blocked."""
    vat_code = vat_codes.get(code.strip())
    if vat_code is None:
        return Breach(
            "vat_code_unknown",
            Message(gettext_noop("VAT code %(code)s does not exist in Exact Online."), code=code),
            _(
                "VAT code %(code)s does not exist in Exact Online: add it there, or fix the "
                "mapping in coachlink."
            )
            % {"code": code},
        )
    if vat_code.type != VAT_TYPE_EXCLUSIVE:
        return Breach(
            "vat_inclusive",
            Message(gettext_noop("VAT code %(code)s is not Exclusive in Exact Online."), code=code),
            _("VAT code %(code)s is Inclusive in Exact: make it Exclusive.") % {"code": code},
        )
    if vat_code.is_blocked:
        return Breach(
            "vat_code_unknown",
            Message(
                gettext_noop("VAT code %(code)s is blocked in Exact Online: unblock it."), code=code
            ),
        )
    return None


def vat_rate_breach(
    *, code: str, percentage: Decimal, vat_codes: dict[str, VatCode]
) -> Breach | None:
    """coachlink's VAT rate must be the percentage of that VAT code in Exact, or Exact books
    another VAT amount than the invoice shows."""
    vat_code = vat_codes.get(code.strip())
    if vat_code is None or vat_code.percentage is None or vat_code.percentage == percentage:
        return None
    return Breach(
        "vat_rate",
        Message(
            gettext_noop(
                "VAT code %(code)s is %(ours)s%% in coachlink but %(theirs)s%% in Exact Online: "
                "Exact would book another VAT amount than the invoice shows. Fix the rate in "
                "coachlink or in Exact Online."
            ),
            code=code,
            ours=percentage_value(percentage),
            theirs=percentage_value(vat_code.percentage),
        ),
    )


def _percentage_decimals(percentage: Decimal) -> int:
    return 2 if percentage % 1 else 0


def percentage_text(percentage: Decimal) -> str:
    """21 or 10,5 (in Dutch): a rate as people write it, without trailing zeros."""
    return formats.number_format(percentage, decimal_pos=_percentage_decimals(percentage))


def percentage_value(percentage: Decimal) -> dict:
    """A rate as percentage_text writes it, in the language of whoever reads the message."""
    return number_value(percentage, decimals=_percentage_decimals(percentage))


def cost_centre_breach(*, code: str, cost_centres: dict[str, CostCentre]) -> Breach | None:
    """A cost centre sent with a line must exist."""
    if code.strip() in cost_centres:
        return None
    return Breach(
        "cost_center_unknown",
        Message(gettext_noop("Cost centre %(code)s does not exist in Exact Online."), code=code),
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
            Message(gettext_noop("Relation %(code)s does not exist in Exact Online."), code=code),
        )
    if not account.is_customer:
        return Breach(
            "customer_type",
            Message(
                gettext_noop(
                    "Relation %(code)s is a supplier or prospect in Exact Online, not a customer "
                    "(Ongeldig: Klant (Type))."
                ),
                code=code,
            ),
        )
    return None


def journal_code_breach(value: str) -> Breach | None:
    """A journal code Exact can have: a number from 1 to 999."""
    if JOURNAL_CODE.fullmatch(value.strip()) and int(value) > 0:
        return None
    return Breach(
        "journal",
        Message(
            gettext_noop(
                "“%(code)s” cannot be a journal in Exact Online: a journal code is a number from 1 "
                "to 999, for example 70."
            ),
            code=value,
        ),
    )


def gl_account_code_breach(value: str) -> Breach | None:
    """A GL account code Exact can have: at most nine digits."""
    if GL_ACCOUNT_CODE.fullmatch(value.strip()):
        return None
    return Breach(
        "gl_account_unknown",
        Message(
            gettext_noop(
                "“%(code)s” cannot be a GL account in Exact Online: a GL account code has digits "
                "only, at most 9, for example 1300."
            ),
            code=value,
        ),
    )


def relation_code(value: str) -> str | None:
    """``value`` as Exact's relation number (digits, at most 18 without leading zeros, which
    Exact drops: "00025" is relation 25), or None when it cannot be one."""
    code = value.strip()
    number = whole_number(code)
    if number is None or len(str(number)) > RELATION_CODE_LENGTH:
        return None
    return str(number)


def relation_code_breach(value: str) -> Breach:
    """What is wrong with a value relation_code() refused."""
    return Breach(
        "debtor_number_invalid",
        Message(
            gettext_noop("Debtor number “%(code)s” cannot be an Exact Online relation number."),
            code=value,
        ),
    )
