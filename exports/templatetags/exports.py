"""What the exports add to billing's invoice pages, without billing knowing about Exact."""

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from billing.models import Invoice
from exports.models import ExportRecord, ExportState, PaymentState, PaymentStatus
from exports.selectors import export_record_progress
from integrations.models import ExportMoment
from integrations.selectors import link_exports_allowed, link_get

register = template.Library()


def _record(invoice: Invoice) -> ExportRecord | None:
    try:
        return invoice.export_record
    except ObjectDoesNotExist:
        return None


@register.simple_tag
def export_on_finalise() -> str:
    """What finalising sets off in Exact Online, said before the user confirms."""
    link = link_get()
    if not link_exports_allowed(link=link):
        return _(
            "The link with Exact Online is not enabled: the invoice waits as pending. "
            "Whoever enables the link chooses whether waiting invoices are sent or excluded."
        )
    if link.export_moment == ExportMoment.REALTIME:
        return _("The invoice and its debtor are sent to Exact Online right after finalising.")
    return _("The invoice goes to Exact Online with the next nightly bulk export.")


# The badge of an export state (or "waiting", for budget); any other state is a warning.
STATE_BADGE_CLASSES = {
    ExportState.EXPORTED: "text-bg-success",
    ExportState.FAILED: "text-bg-danger",
    ExportState.SENDING: "text-bg-info",
    ExportState.EXCLUDED: "text-bg-secondary",
}
PAYMENT_BADGE_CLASSES = {
    PaymentState.PAID: "text-bg-success",
    PaymentState.PARTLY_PAID: "text-bg-warning",
}


@register.simple_tag
def state_badge(state: str, label: str = "") -> str:
    """An export state as a coloured badge; without a label, the state's own name."""
    if not label:
        label = ExportState(state).label
    return format_html(
        '<span class="badge {}">{}</span>', STATE_BADGE_CLASSES.get(state, "text-bg-warning"), label
    )


@register.simple_tag
def payment_badge(payment: PaymentStatus | None) -> str:
    """What Exact Online last said about the payment, with the open amount as its title;
    nothing while it was not checked."""
    if not payment:
        return ""
    return format_html(
        '<span class="badge {}" title="{}">{}</span>',
        PAYMENT_BADGE_CLASSES.get(payment.state, "text-bg-light border"),
        payment.description,
        PaymentState(payment.state).label,
    )


# How often a page asks again about an export that is not settled; the script asks less often
# while nothing changes and not at all while the tab is hidden.
LIVE_POLL_SECONDS = 2


def invoice_export_context(*, invoice: Invoice, user: AbstractBaseUser) -> dict:
    """What the invoice page's export panel shows: the page and its refreshing fragment
    (exports.views.invoice_export_fragment) render it from the same context."""
    record = _record(invoice)
    link = link_get()
    allowed = link_exports_allowed(link=link)
    action = ""
    if record is not None and allowed and user.has_perm("exports.change_exportrecord"):
        if record.state == ExportState.FAILED:
            action = _("Retry the export")
        elif record.state == ExportState.EXPORTED:
            action = _("Export again")
        elif record.state == ExportState.EXCLUDED:
            action = _("Export after all")
        elif record.state == ExportState.PENDING and link.export_moment == ExportMoment.NIGHTLY:
            action = _("Export now")
    progress = export_record_progress(record=record, link=link) if invoice.is_final else None
    return {
        "invoice": invoice,
        "record": record,
        "link": link,
        "exports_allowed": allowed,
        "progress": progress,
        "live_url": reverse("exports:invoice_live", args=[invoice.pk]) if progress else "",
        "live_seconds": LIVE_POLL_SECONDS,
        "can_view": user.has_perm("exports.view_exportrecord"),
        "action": action,
        # Back to the invoice page after Retry, also from the fragment.
        "next": reverse("billing:invoice_detail", args=[invoice.pk]),
    }


@register.inclusion_tag("exports/_invoice_export.html", takes_context=True)
def invoice_export_panel(context, invoice: Invoice) -> dict:
    """The invoice's export and payment state, and the export button where one makes sense."""
    return {
        **invoice_export_context(invoice=invoice, user=context["request"].user),
        "csrf_token": context.get("csrf_token"),
    }
