from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def euro(amount: Decimal) -> str:
    """An amount in euros in the active language: € 1.234,56 in Dutch, € 1,234.56 in English."""
    return "€\xa0" + formats.number_format(
        amount, decimal_pos=2, use_l10n=True, force_grouping=True
    )
