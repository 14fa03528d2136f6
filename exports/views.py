"""The export log, a record's detail, the sales-entry preview and bulk progress."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from billing.models import Invoice
from coachlink.pagination import seek_page
from exports.explanations import explanation_find, explanation_get
from exports.forms import ExcludeExistingForm, ExportLogFilterForm
from exports.models import ExportBatch, ExportRecord
from exports.payments import (
    invoice_payment_status_fetch,
    payment_registration_allowed,
    payment_status_sync,
)
from exports.preview import sales_entry_preview_read, sent_entry_read
from exports.queue import export_record_retry, exports_start_bulk
from exports.records import invoices_exclude_existing
from exports.selectors import (
    RECORD_SORT_KEY,
    export_batches_recent,
    export_record_progress,
    export_records_filter,
    export_state_counts,
    exports_per_day,
)
from exports.templatetags.exports import LIVE_POLL_SECONDS, invoice_export_context
from integrations.exact.errors import ExactError
from integrations.selectors import link_exports_allowed, link_get

RECORDS_PER_PAGE = 25
VIEW = "exports.view_exportrecord"
CHANGE = "exports.change_exportrecord"


@permission_required(VIEW, raise_exception=True)
def export_log(request: HttpRequest) -> HttpResponse:
    form = ExportLogFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Said above the list (includes/filter_errors.html), which shows nothing meanwhile.
        records = ExportRecord.objects.none()
    else:
        filters = form.cleaned_data if form.is_bound else {}
        records = export_records_filter(state=filters.get("state", ""), query=filters.get("q", ""))
    page = seek_page(records, keys=RECORD_SORT_KEY, size=RECORDS_PER_PAGE, params=request.GET)
    link = link_get()
    return render(
        request,
        "exports/log.html",
        {
            "form": form,
            "page": page,
            "counts": export_state_counts(),
            "days": exports_per_day(),
            "batches": export_batches_recent(),
            "link": link,
            "exports_allowed": link_exports_allowed(link=link),
            "exclude_form": ExcludeExistingForm(),
            "payments_allowed": payment_registration_allowed(link=link),
            "live_seconds": LIVE_POLL_SECONDS,
        },
    )


def _record_context(record_pk: int) -> dict:
    """What the record page shows below its breadcrumb; the page and its refreshing fragment
    render it from here, in a constant number of queries and without calling Exact."""
    record = get_object_or_404(
        ExportRecord.objects.select_related(
            "invoice__debtor__company", "invoice__debtor__person", "payment"
        ),
        pk=record_pk,
    )
    progress = export_record_progress(record=record, link=link_get())
    return {
        "record": record,
        "progress": progress,
        "live_url": reverse("exports:record_live", args=[record.pk]) if progress else "",
        "live_seconds": LIVE_POLL_SECONDS,
        "sent": sent_entry_read(invoice=record.invoice, payload=record.payload)
        if record.payload
        else None,
        "payload": json.dumps(record.payload, indent=2) if record.payload else "",
        "response": json.dumps(record.response, indent=2) if record.response else "",
    }


@permission_required(VIEW, raise_exception=True)
def export_record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "exports/record_detail.html", _record_context(pk))


@require_GET
@permission_required(VIEW, raise_exception=True)
def export_record_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The record page's export part as it is now, for the page to refresh itself with."""
    return render(request, "exports/_record.html", _record_context(pk))


@require_GET
@permission_required("billing.view_invoice", raise_exception=True)
def invoice_export_fragment(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    """The invoice page's export panel as it is now; the same permission as that page."""
    invoice = get_object_or_404(
        Invoice.objects.select_related("export_record__payment"), pk=invoice_pk
    )
    return render(
        request,
        "exports/_invoice_export.html",
        invoice_export_context(invoice=invoice, user=request.user),
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def export_record_requeue_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Retry a failed export, or export an excluded or exported invoice again."""
    record = get_object_or_404(ExportRecord, pk=pk)
    outcome = export_record_retry(record=record)
    (messages.success if outcome.queued else messages.warning)(request, outcome.message)
    # The invoice page sends its own address, so the user stays where they clicked.
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("exports:record", pk=record.pk)


@permission_required(VIEW, raise_exception=True)
def sales_entry_preview_view(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    """The sales entry an invoice would become, read from Exact but not sent."""
    invoice = get_object_or_404(Invoice, pk=invoice_pk, status=Invoice.Status.FINAL)
    link = link_get()
    context = {"invoice": invoice, "link": link}
    if link is None or not link.is_authenticated:
        context["problem"] = _("The Exact Online link is not configured or not authenticated.")
    else:
        try:
            read = sales_entry_preview_read(invoice=invoice, link=link)
        except ExactError as error:
            context["problem"] = str(error)
            context["refused_by"] = "exact" if error.permanent else ""
            context["explanation"] = explanation_find(error.message)
        else:
            context["read_at"] = read.read_at
            if read.preview is not None:
                context["preview"] = read.preview
                context["entry"] = json.dumps(read.preview.payload, indent=2, ensure_ascii=False)
            else:
                context["problem"] = read.problem_message
                context["refused_by"] = read.refused_by
                context["explanation"] = explanation_get(read.problem_kind)
    return render(request, "exports/preview.html", context)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def export_now(request: HttpRequest) -> HttpResponse:
    """Export everything pending, now, as one batch whose progress the user can follow."""
    batch = exports_start_bulk(user=request.user)
    if batch is None:
        messages.error(request, _("Exports run only while the link is enabled."))
        return redirect("exports:log")
    return redirect("exports:batch", pk=batch.pk)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def exclude_existing(request: HttpRequest) -> HttpResponse:
    form = ExcludeExistingForm(request.POST)
    if form.is_valid():
        count = invoices_exclude_existing(up_to=form.cleaned_data["up_to"])
        messages.success(
            request, _("%(count)s invoices are excluded from the export.") % {"count": count}
        )
    else:
        messages.error(request, " ".join(form.errors["up_to"]))
    return redirect("exports:log")


@permission_required(VIEW, raise_exception=True)
def export_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ExportBatch.objects.select_related("started_by"), pk=pk)
    return render(
        request, "exports/batch.html", {"batch": batch, "live_seconds": LIVE_POLL_SECONDS}
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def export_batch_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's progress as it is now; with ?detailed=1 the counts the batch page lists."""
    batch = get_object_or_404(ExportBatch.objects.select_related("started_by"), pk=pk)
    return render(
        request,
        "exports/_batch_progress.html",
        {
            "batch": batch,
            "detailed": request.GET.get("detailed") == "1",
            "live_seconds": LIVE_POLL_SECONDS,
        },
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def payment_status_fetch_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask Exact now whether one exported invoice is paid."""
    record = get_object_or_404(ExportRecord, pk=pk)
    try:
        status = invoice_payment_status_fetch(record=record)
    except ExactError as error:
        messages.error(request, str(error))
        return redirect("exports:record", pk=record.pk)
    if status is None:
        messages.warning(
            request,
            _("No payment status: the invoice is not in Exact Online or the link is not enabled."),
        )
    else:
        messages.success(request, status.description)
    return redirect("exports:record", pk=record.pk)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def payment_status_sync_view(request: HttpRequest) -> HttpResponse:
    """Ask Exact now about every exported invoice not yet paid, as the schedule does."""
    link = link_get()
    if not payment_registration_allowed(link=link):
        messages.error(request, _("Payment registration is off or the link is not enabled."))
        return redirect("exports:log")
    try:
        run = payment_status_sync(link=link)
    except ExactError as error:
        messages.error(request, str(error))
        return redirect("exports:log")
    changed = run.changed if run else 0
    messages.success(
        request,
        ngettext(
            "Payment status fetched: %(count)s invoice changed.",
            "Payment status fetched: %(count)s invoices changed.",
            changed,
        )
        % {"count": changed},
    )
    return redirect("exports:log")
