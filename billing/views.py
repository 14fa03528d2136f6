import logging

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from billing.forms import InvoiceFilterForm
from billing.models import Invoice
from billing.pdf import InvoicePdfError
from billing.selectors import INVOICE_SORT_KEY, invoices_filter
from billing.services import invoice_finalise, invoice_finalise_check, invoice_pdf_render
from coachlink.pagination import seek_page

INVOICES_PER_PAGE = 50
VIEW = "billing.view_invoice"
CHANGE = "billing.change_invoice"

logger = logging.getLogger(__name__)


@permission_required("billing.view_invoice", raise_exception=True)
def invoice_list(request: HttpRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Said above the list (includes/filter_errors.html), which shows nothing meanwhile.
        invoices = Invoice.objects.none()
    else:
        filters = form.cleaned_data if form.is_bound else {}
        invoices = invoices_filter(query=filters.get("q", ""), status=filters.get("status", ""))
    page = seek_page(invoices, keys=INVOICE_SORT_KEY, size=INVOICES_PER_PAGE, params=request.GET)
    return render(request, "billing/invoice_list.html", {"form": form, "page": page})


def _invoice_get(pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related(
            "debtor__company", "debtor__person", "course__definition", "request", "finalised_by"
        ).prefetch_related("lines__vat_rate", "lines__gl_account", "lines__cost_center"),
        pk=pk,
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice_get(pk)
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "can_finalise": not invoice.is_final and request.user.has_perm(CHANGE),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(CHANGE, raise_exception=True)
def invoice_finalise_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm, with what finalising means; POST numbers the invoice."""
    invoice = _invoice_get(pk)
    if invoice.is_final:
        messages.info(request, _("%(invoice)s is already final.") % {"invoice": invoice})
        return redirect("billing:invoice_detail", pk=invoice.pk)
    if request.method == "GET":
        try:
            invoice_finalise_check(invoice=invoice)
            problems = []
        except ValidationError as error:
            problems = error.messages
        return render(
            request, "billing/invoice_finalise.html", {"invoice": invoice, "problems": problems}
        )
    try:
        invoice_finalise(invoice=invoice, user=request.user)
    except ValidationError as error:
        messages.error(
            request,
            _("%(invoice)s was not finalised: %(reason)s")
            % {"invoice": invoice, "reason": " ".join(error.messages)},
        )
    else:
        messages.success(
            request,
            _("%(invoice)s is final and can no longer be changed.") % {"invoice": invoice},
        )
    return redirect("billing:invoice_detail", pk=invoice.pk)


@permission_required(VIEW, raise_exception=True)
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    name = invoice.number_display or _("draft-%(id)s") % {"id": invoice.pk}
    filename = f"{_('invoice')}-{name}.pdf"
    try:
        content = invoice_pdf_render(invoice=invoice)
    except InvoicePdfError as error:
        logger.exception("invoice %s: the PDF could not be made", invoice.pk)
        return render(
            request,
            "billing/invoice_pdf_error.html",
            {"invoice": invoice, "reason": str(error)},
            status=422,
        )
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
