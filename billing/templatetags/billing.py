from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html

from billing.models import Invoice

register = template.Library()


@register.filter
def euro(amount: Decimal) -> str:
    """An amount in euros in the active language: € 1.234,56 in Dutch, € 1,234.56 in English."""
    return "€\xa0" + formats.number_format(
        amount, decimal_pos=2, use_l10n=True, force_grouping=True
    )


# A key no page has: reversed in its place, it marks where a row's own key goes.
_PK_MARK = 987654321987654321


@register.simple_tag(takes_context=True)
def row_url(context, name: str, pk: int) -> str:
    """{% url name pk %} for the rows of a list: the URL is reversed once a rendering, and
    each row fills in its own key."""
    around = context.render_context.setdefault("row_url", {})
    if name not in around:
        around[name] = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    before, after = around[name]
    return f"{before}{pk}{after}"


@register.simple_tag
def invoice_status_badge(invoice: Invoice) -> str:
    """Draft or final as a badge; final in green."""
    return format_html(
        '<span class="badge {}">{}</span>',
        "text-bg-success" if invoice.is_final else "text-bg-secondary",
        Invoice.Status(invoice.status).label,
    )
