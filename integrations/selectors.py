"""Reading the link: the one way to get it, and whether exports may run."""

from __future__ import annotations

from integrations.models import ExactLink, LinkState


def link_get() -> ExactLink | None:
    """The installation's Exact link, if one is saved."""
    return ExactLink.objects.first()


def link_exports_allowed(*, link: ExactLink | None) -> bool:
    """Whether coachlink may call Exact for this link: only while it is enabled; paused,
    invoices wait as PENDING and nothing is read."""
    return link is not None and link.state == LinkState.ENABLED
