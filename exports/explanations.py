"""What Exact's messages (and our own refusals before a POST) mean, and how a user fixes them.

The table follows the "Messages users see" of exact-online-api.md. Exact answers in the user's
language, so each entry is recognised by its Dutch and its English wording.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Explanation:
    kind: str
    patterns: tuple[str, ...]
    meaning: str | Promise
    fix: str | Promise


EXPLANATIONS: tuple[Explanation, ...] = (
    Explanation(
        "payment_condition",
        ("Verplicht: Betalingsconditie", "Mandatory: Payment condition"),
        _("The administration has no default sales payment condition."),
        _("Set a default sales payment condition in Exact Online (settings, financial)."),
    ),
    Explanation(
        "journal",
        (
            "Verplicht: Dagboek",
            "Ongeldige referentie: Journals",
            "Mandatory: Journal",
            "Invalid reference: Journals",
        ),
        _("The sales journal is missing in Exact Online or its number is wrong."),
        _(
            "Create the sales journal in Exact Online, "
            "or fix the journal number on the Financial panel."
        ),
    ),
    Explanation(
        "vat_inclusive",
        ("Invoer 17", "Input 17"),
        _(
            "The VAT code is set to 'Inclusive' in Exact Online; "
            "invoice lines are sent excluding VAT."
        ),
        _("Make the VAT code 'Exclusive' in Exact Online."),
    ),
    Explanation(
        "customer_type",
        ("Ongeldig: Klant (Type)", "Invalid: Customer (Type)"),
        _(
            "The relation number belongs to a supplier or a prospect in Exact Online, "
            "not to a customer."
        ),
        _(
            "Give the debtor numbers a prefix or a number range that cannot occur in Exact Online, "
            "or make the relation a customer in Exact Online."
        ),
    ),
    Explanation(
        "debtor_gl_account_unknown",
        ("Grootboekrekening debiteuren", "Receivables G/L account"),
        _("The debtor GL account of the Financial panel does not exist in Exact Online."),
        _("Fix the debtor GL account number on the Financial panel (default 1300)."),
    ),
    Explanation(
        "gl_account_type",
        ("Ongeldig: Grootboekrekeningtype", "Invalid: G/L account type"),
        _("The GL account of an invoice line is not a revenue account in Exact Online."),
        _("Map the line to a revenue GL account."),
    ),
    Explanation(
        "vat_code_unknown",
        ("Ongeldige referentie: Btw-code", "Invalid reference: VAT code"),
        _("The VAT code of an invoice line does not exist in Exact Online."),
        _("Add the VAT code in Exact Online, or fix the VAT rate's Exact code in coachlink."),
    ),
    Explanation(
        "period_unknown",
        ("Onbekend: Boekjaar", "Unknown: Financial year"),
        _("Exact Online has no financial period for the booking date."),
        _("Create the financial year in Exact Online."),
    ),
    Explanation(
        "period_closed",
        ("Periode is afgesloten", "Period is closed"),
        _("The financial period of the booking date is closed in Exact Online."),
        _("Reopen the period in Exact Online, or book in an open period."),
    ),
    Explanation(
        "entry_number_taken",
        ("In gebruik: Boekstuknummer", "In use: Entry number"),
        _("The entry number is already taken in Exact Online."),
        _("Set an invoice number prefix on the Financial panel so numbers cannot collide."),
    ),
    Explanation(
        "reauthenticate",
        ("Old refresh token used", "refresh token expired"),
        _("The link's token chain is broken or was unused for 30 days."),
        _("Authenticate again on the Exact Online configure screen."),
    ),
    Explanation(
        "internal_error",
        ("Er is een interne fout opgetreden", "An internal error occurred"),
        _("Exact Online had an internal failure."),
        _("Nothing to fix: the export is tried again automatically."),
    ),
    Explanation(
        "transient",
        (),
        _("Exact Online did not answer, or answered with a passing failure."),
        _("Nothing to fix: the export is tried again automatically."),
    ),
    Explanation(
        "budget",
        (),
        _(
            "Today's Exact Online calls for the division are used up, or the share bulk exports "
            "may use of them: the rest is kept for realtime exports and payment status."
        ),
        _("Nothing to fix: the invoice waits and is exported after the daily budget resets."),
    ),
    # Refusals of our own, found before anything is sent.
    Explanation(
        "debtor_number_missing",
        (),
        _("None of the debtor number options gives a number for this debtor."),
        _(
            "Fill in the field the debtor number options point at (the external debtor number, "
            "or the extern id with the right ExternSource), or add an option on the Debtor panel."
        ),
    ),
    Explanation(
        "debtor_number_invalid",
        (),
        _("The debtor number is not a number of at most 18 digits, which Exact Online needs."),
        _("Correct the debtor's number, or shorten the prefix on the Debtor panel."),
    ),
    Explanation(
        "booking_date_missing",
        (),
        _("Neither booking-date option gives a date for this invoice."),
        _("Choose a second booking-date option that always has a date, such as the invoice date."),
    ),
    Explanation(
        "gl_account_unknown",
        (
            "Ongeldige referentie: Grootboekrekening",
            "Geblokkeerd: Grootboekrekening",
            "Invalid reference: G/L account",
            "Blocked: G/L account",
        ),
        _("A GL account of this invoice does not exist in Exact Online (or is blocked there)."),
        _("Create the GL account in Exact Online, or map the line to an existing revenue account."),
    ),
    Explanation(
        "cost_center_unknown",
        ("Ongeldige referentie: Kostenplaats", "Invalid reference: Cost center"),
        _("A cost centre of this invoice does not exist in Exact Online."),
        _("Create the cost centre in Exact Online, or fix the cost centre code in coachlink."),
    ),
    Explanation(
        "invoice_pdf",
        (),
        _("The invoice PDF could not be made, so nothing was sent to Exact Online."),
        _(
            "Open the invoice's PDF to see what stops it, correct the invoice data, "
            "then export the invoice again."
        ),
    ),
    Explanation(
        "project_code_missing",
        (),
        _("The chosen project code source gives no code for this invoice."),
        _("Fill in the field the project code comes from (for example the reference number)."),
    ),
)

GENERIC = Explanation(
    "",
    (),
    _("Exact Online refused the invoice."),
    _("Read Exact's message, correct the data or the mapping, then export the invoice again."),
)

_BY_KIND = {explanation.kind: explanation for explanation in EXPLANATIONS}


def explanation_get(kind: str) -> Explanation:
    return _BY_KIND.get(kind, GENERIC)


def explanation_find(message: str) -> Explanation:
    """The explanation of the first known message in Exact's text (several may be joined)."""
    lowered = message.lower()
    for explanation in EXPLANATIONS:
        if any(pattern.lower() in lowered for pattern in explanation.patterns):
            return explanation
    return GENERIC
