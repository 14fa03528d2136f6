from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from billing.forms import InvoiceFilterForm
from billing.models import Invoice
from billing.services import invoice_pdf_render

INVOICES_PER_PAGE = 50


@permission_required("billing.view_invoice", raise_exception=True)
def invoice_list(request: HttpRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    invoices = (
        # The export record and its payment status are the exports' view of an invoice,
        # shown here so a user sees in one list what reached Exact and what is paid.
        Invoice.objects.select_related(
            "debtor__company", "debtor__person", "export_record__payment"
        )
        .prefetch_related("lines__vat_rate")
        .order_by("-date", "-number", "-pk")
    )
    if form.is_valid():
        invoices = invoice_list_filter(
            invoices, query=form.cleaned_data["q"], status=form.cleaned_data["status"]
        )
    page = Paginator(invoices, INVOICES_PER_PAGE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "billing/invoice_list.html",
        {"form": form, "page": page, "querystring": querystring.urlencode()},
    )


def invoice_list_filter(invoices: QuerySet[Invoice], *, query: str, status: str) -> QuerySet:
    if status:
        invoices = invoices.filter(status=status)
    query = query.strip()
    if query:
        matches = (
            Q(debtor__company__name__icontains=query)
            | Q(debtor__person__first_name__icontains=query)
            | Q(debtor__person__last_name__icontains=query)
        )
        # People type the number as printed ("00042"); it is stored as 42.
        if query.isdigit():
            matches |= Q(number=int(query))
        invoices = invoices.filter(matches)
    return invoices


@permission_required("billing.view_invoice", raise_exception=True)
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    name = invoice.number_display or _("draft-%(id)s") % {"id": invoice.pk}
    filename = f"{_('invoice')}-{name}.pdf"
    return HttpResponse(
        invoice_pdf_render(invoice=invoice),
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
