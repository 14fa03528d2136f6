"""Today's Exact Online calls for the link's division, as Exact's last answer reported them."""

from django import template

from integrations.exact.client import budget_today
from integrations.models import ExactLink

register = template.Library()


@register.inclusion_tag("integrations/_exact_budget.html")
def exact_budget(link: ExactLink | None) -> dict:
    if link is None or not link.pk or not link.division:
        return {"budget": None}
    return {"budget": budget_today(link=link), "division": link.division}
