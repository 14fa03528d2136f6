"""Writing to the billing data: finalising invoices and rendering their PDF."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from billing.models import Invoice, Parameters
from billing.pdf import InvoiceDocument, InvoicePdfError
from billing.signals import invoice_finalised
from coachlink.messages import Message


def invoice_finalise(*, invoice: Invoice, user: AbstractBaseUser | None = None) -> Invoice:
    """Give a draft invoice the next invoice number and make it final.

    The invoice row is locked first and the parameters row second (debtor numbering takes
    only the second), so two people finalising at once never deadlock and never share a number.
    """
    with transaction.atomic():
        # Lock the row and reload it, dropping any prefetched lines that predate the last edit.
        invoice.refresh_from_db(from_queryset=Invoice.objects.select_for_update())
        if invoice.is_final:
            raise ValidationError(_("This invoice is already final."))
        invoice_finalise_check(invoice=invoice)
        invoice.number = Parameters.number_take(counter="invoice")
        invoice.status = Invoice.Status.FINAL
        invoice.finalised_at = timezone.now()
        invoice.finalised_by = user if user is not None and user.is_authenticated else None
        invoice.save(update_fields=["number", "status", "finalised_at", "finalised_by"])
        invoice_finalised.send(sender=Invoice, invoice=invoice)
    return invoice


def invoice_finalise_check(*, invoice: Invoice) -> None:
    """Raise a ValidationError listing everything that keeps the invoice from being final."""
    lines = list(invoice.lines.all())
    if not lines:
        raise ValidationError(_("An invoice needs at least one line before it can be finalised."))
    problems = []
    for line in lines:
        if line.gl_account_id is None:
            problems.append(_("Line “%(line)s” has no GL account.") % {"line": line.description})
        if line.vat_rate_id is None:
            problems.append(_("Line “%(line)s” has no VAT rate.") % {"line": line.description})
    if problems:
        raise ValidationError(problems)


def invoice_pdf_render(*, invoice: Invoice) -> bytes:
    """The invoice as a PDF, in the active language.

    Raises InvoicePdfError, and nothing else, when the PDF cannot be made, so a caller (the
    download, the export to Exact) can render first and show the reason instead of failing half way.
    """
    invoice = (
        Invoice.objects.select_related(
            "debtor__company", "debtor__person", "course__definition", "request"
        )
        .prefetch_related("lines__vat_rate")
        .get(pk=invoice.pk)
    )
    parameters = Parameters.load()
    try:
        return InvoiceDocument(invoice=invoice, parameters=parameters).render()
    # The layout engine, its fonts and the shaper raise many kinds of error; all mean the same
    # thing to a caller, and the cause stays chained for the log.
    except Exception as error:
        raise InvoicePdfError(
            Message(
                gettext_noop("The PDF of invoice %(invoice)s could not be made: %(reason)s"),
                invoice=invoice.number_display or invoice.pk,
                reason=str(error),
            )
        ) from error
