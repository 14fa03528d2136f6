"""What each kind of difference means and what to do about it, in the user's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from exports.models import DifferenceKind


@dataclass(frozen=True)
class KindHelp:
    meaning: Promise
    fix: Promise
    # Re-exporting puts the invoice in Exact again; only where it is missing there.
    can_reexport: bool = False


KIND_HELP = {
    DifferenceKind.MISSING: KindHelp(
        _(
            "coachlink exported this invoice, but Exact Online has no entry with its reference: "
            "it was deleted there."
        ),
        _(
            "Re-export it, or mark it as handled when the deletion was intended (for instance "
            "because the invoice was credited)."
        ),
        can_reexport=True,
    ),
    DifferenceKind.REVERSED: KindHelp(
        _("The entry was reversed in Exact Online: with its reversal it adds up to nothing."),
        _(
            "If the invoice was cancelled, make a credit invoice in coachlink and mark this as "
            "handled; if it still stands, have the reversal undone in Exact Online."
        ),
    ),
    DifferenceKind.CHANGED: KindHelp(
        _(
            "The entry in Exact Online differs from what coachlink exported: someone changed "
            "it there."
        ),
        _(
            "Find out who changed it and why. Correct the entry in Exact Online, or credit the "
            "invoice in coachlink and make a new one; then mark this as handled with a note."
        ),
    ),
    DifferenceKind.DUPLICATE: KindHelp(
        _(
            "Exact Online holds more than one entry with this reference: the invoice is booked "
            "twice, for instance by hand as well."
        ),
        _("Delete or reverse the extra entry in Exact Online, then reconcile again."),
    ),
    DifferenceKind.UNKNOWN: KindHelp(
        _(
            "An entry in the sales journal carries coachlink's invoice number prefix, but "
            "coachlink has no invoice with this number."
        ),
        _(
            "Find out who booked it. Give it a number outside coachlink's range in Exact "
            "Online, or mark it as handled with a note."
        ),
    ),
    DifferenceKind.NOT_EXPORTED: KindHelp(
        _("The invoice is final in coachlink and not excluded, but it is not in Exact Online."),
        _(
            "Export it, or see in the export log why its export failed; exclude it if it must "
            "never go to Exact Online."
        ),
        can_reexport=True,
    ),
    DifferenceKind.IN_EXACT_NOT_EXPORTED: KindHelp(
        _(
            "Exact Online holds an entry with this invoice's reference although coachlink did "
            "not export it: exporting it would book it twice."
        ),
        _(
            "If the entry in Exact Online is right, exclude the invoice in coachlink; if not, "
            "delete the entry in Exact Online and export the invoice."
        ),
    ),
}

MISMATCH_LABELS = {
    "excl": _("amount excl. VAT"),
    "vat": _("VAT"),
    "total": _("amount incl. VAT"),
    "customer": _("customer"),
    "period": _("period"),
    "date": _("date"),
    "gl_account": _("GL accounts"),
    "vat_code": _("VAT codes"),
}
