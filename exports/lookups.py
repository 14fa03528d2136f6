"""What one export run needs to know of Exact's administration, read once per run.

The journal, GL accounts, VAT codes and cost centres the run's invoices use (Exact's rules are
checked against them by the builders). A realtime run starts from what recent runs confirmed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from billing.models import GLAccount, InvoiceLine, VatRate
from exports.builders import ExactLookups
from integrations.exact import api, oauth
from integrations.exact.errors import BudgetSpent, Transient
from integrations.models import ExactLink

# A realtime export (one invoice) would read the same journal, GL accounts, VAT codes and
# accounts every time; what Exact confirmed is remembered this long. Batches read afresh and a
# retry forgets it, so a mapping fixed in Exact is seen at once.
LOOKUPS_CACHE_SECONDS = 600
# A read changes nothing in Exact, so a passing failure of one is retried on the spot, briefly;
# a write is never repeated blindly (see the settlement by YourRef).
READ_ATTEMPTS = 3
READ_PAUSE_SECONDS = 0.2

Found = TypeVar("Found")


def read_retried(read: Callable[..., Found], link: ExactLink, **kwargs) -> Found:
    """``read(link, **kwargs)``, tried again briefly after a passing failure."""
    attempt = 1
    while True:
        try:
            return read(link, **kwargs)
        except BudgetSpent:
            raise  # nothing changes before the day's reset
        except Transient:
            if attempt >= READ_ATTEMPTS:
                raise
            time.sleep(READ_PAUSE_SECONDS * attempt * (1 + random.random()))
            attempt += 1


def _codes(values) -> set[str]:
    return {code.strip() for code in values}


def lookups_read(
    *, link: ExactLink, invoice_ids: list[int], known: ExactLookups | None = None
) -> ExactLookups:
    """The journal, GL accounts, VAT codes and cost centres the invoices use, as Exact has them.

    Only what ``known`` does not hold yet is asked for.
    """
    lookups = known or ExactLookups()
    lines = InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
    gl_codes = _codes(
        GLAccount.objects.filter(invoiceline__in=lines).values_list("code", flat=True)
    ) | {link.debtor_gl_account.strip()}
    vat_codes = _codes(
        VatRate.objects.filter(invoiceline__in=lines).values_list("exact_code", flat=True)
    )
    if link.journal.strip() not in lookups.journals:
        lookups.journals.update(read_retried(api.journals, link, codes=[link.journal]))
    if missing := gl_codes - set(lookups.gl_accounts):
        lookups.gl_accounts.update(read_retried(api.gl_accounts, link, codes=missing))
    if missing := vat_codes - set(lookups.vat_codes):
        lookups.vat_codes.update(read_retried(api.vat_codes, link, codes=missing))
    if link.send_cost_center:
        cost_centres = _codes(
            lines.exclude(cost_center=None).values_list("cost_center__code", flat=True)
        )
        if missing := cost_centres - set(lookups.cost_centres):
            lookups.cost_centres.update(read_retried(api.cost_centres, link, codes=missing))
    return lookups


def _cache_key(link: ExactLink) -> str:
    return f"exports:lookups:{oauth.base_url(link.site)}:{link.division}"


def lookups_remembered(*, link: ExactLink) -> ExactLookups | None:
    """What recent runs confirmed of Exact, if anything."""
    return cache.get(_cache_key(link))


def lookups_remember(*, link: ExactLink, lookups: ExactLookups) -> None:
    cache.set(_cache_key(link), lookups, LOOKUPS_CACHE_SECONDS)


def lookups_forget(*, link: ExactLink) -> None:
    """Drop what realtime exports remember of Exact (after the user fixed something there)."""
    cache.delete(_cache_key(link))
