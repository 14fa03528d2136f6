"""The sales entry an invoice would become, built from what Exact holds but not sent."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Company, CostCenter, Debtor, GLAccount, Invoice, Person, VatRate
from exports.builders import ExportProblem, invoice_codes_resolve, sales_entry_build
from exports.lookups import lookups_read, read_retried
from integrations.exact import api
from integrations.exact.entities import (
    ACCOUNT_STATUS_CUSTOMER,
    ENTRY_TYPE_CREDIT_NOTE,
    Account,
    NewSalesEntry,
    Project,
)
from integrations.models import ExactLink

# A preview reads the journal, the GL accounts, the VAT codes and the relation from Exact: opened
# again (or reloaded) within this time it shows what was read, without spending Exact's calls.
PREVIEW_CACHE_SECONDS = 60
# coachlink's own tables a preview reads besides the invoice and the link: a change to any of
# them (post_save, post_delete) gives every preview a new cache key, so it shows at once.
PREVIEW_SOURCES = (GLAccount, VatRate, CostCenter, Debtor, Company, Person)
PREVIEW_SOURCES_KEY = "exports:preview:sources"


@dataclass(frozen=True)
class PreviewLine:
    gl_code: str
    gl_name: str
    description: str
    amount: Decimal
    vat_code: str
    vat_name: str
    cost_centre: str
    cost_centre_name: str
    project: str
    # None on entries sent before coachlink booked the VAT with each line.
    vat_amount: Decimal | None = None


class EntryTotals:
    """The totals of an entry's lines; the VAT only when every line says its VAT."""

    lines: tuple[PreviewLine, ...]

    @property
    def total_excl_vat(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def total_vat(self) -> Decimal | None:
        if any(line.vat_amount is None for line in self.lines):
            return None
        return sum((line.vat_amount for line in self.lines), Decimal(0))

    @property
    def total_incl_vat(self) -> Decimal | None:
        vat = self.total_vat
        return None if vat is None else self.total_excl_vat + vat


@dataclass(frozen=True)
class Preview(EntryTotals):
    """The sales entry as Exact Online will show it, and the body behind it."""

    entry: NewSalesEntry
    customer_code: str
    customer_name: str
    customer_is_new: bool
    lines: tuple[PreviewLine, ...]
    payload: dict


def sales_entry_preview(*, invoice: Invoice, link: ExactLink) -> Preview:
    """The body ``invoice`` would be posted with; a relation or project the export would create
    shows a placeholder where its guid goes.

    Raises ExportProblem (or ExactError) when it could not be sent as it is.
    """
    codes = invoice_codes_resolve(invoice=invoice, link=link)
    lookups = lookups_read(link=link, invoice_ids=[invoice.pk])
    code = codes.relation_checked()
    lookups.accounts.update(read_retried(api.accounts_by_codes, link, codes=[code]))
    customer_is_new = code not in lookups.accounts
    if customer_is_new:
        lookups.accounts[code] = Account(
            id=str(_("(new account %(code)s)") % {"code": code}),
            code=code,
            status=ACCOUNT_STATUS_CUSTOMER,
            is_supplier=False,
        )
    if project_code := codes.project_checked():
        lookups.projects.update(read_retried(api.projects, link, codes=[project_code]))
        new_project = str(_("(new project %(code)s)") % {"code": project_code})
        lookups.projects.setdefault(project_code, Project(id=new_project, code=project_code))
    entry = sales_entry_build(
        invoice=invoice, link=link, lookups=lookups, export_date=timezone.localdate(), codes=codes
    )
    gl_by_id = {account.id: account for account in lookups.gl_accounts.values()}
    projects_by_id = {project.id: project.code for project in lookups.projects.values()}
    lines = []
    for line in entry.lines:
        gl = gl_by_id.get(line.gl_account_id)
        vat = lookups.vat_codes.get(line.vat_code.strip())
        centre = lookups.cost_centres.get(line.cost_centre.strip()) if line.cost_centre else None
        lines.append(
            PreviewLine(
                gl_code=gl.code if gl else line.gl_account_id,
                gl_name=gl.description if gl else "",
                description=line.description,
                amount=line.amount,
                vat_code=line.vat_code,
                vat_name=vat.description if vat else "",
                cost_centre=line.cost_centre,
                cost_centre_name=centre.description if centre else "",
                project=projects_by_id.get(line.project_id, line.project_id),
                vat_amount=line.vat_amount,
            )
        )
    return Preview(
        entry=entry,
        customer_code=code,
        customer_name=invoice.debtor.name,
        customer_is_new=customer_is_new,
        lines=tuple(lines),
        payload=entry.as_payload(),
    )


@dataclass(frozen=True)
class SentEntry(EntryTotals):
    """A sent sales entry as readable as its preview, from the body kept on the record."""

    journal: str
    credit_note: bool
    entry_date: dt.date | None
    your_ref: str
    invoice_number: str
    description: str
    lines: tuple[PreviewLine, ...]


def sent_entry_read(*, invoice: Invoice, payload: dict) -> SentEntry:
    """``payload`` with codes and names for Exact's ids: its lines are the invoice's lines, in
    order (exports.builders builds one entry line per invoice line), so their GL accounts, VAT
    rates and cost centres are read from coachlink's own tables."""
    invoice_lines = list(invoice.lines.select_related("gl_account", "vat_rate", "cost_center"))
    lines = []
    for index, sent in enumerate(payload.get("SalesEntryLines", [])):
        source = invoice_lines[index] if index < len(invoice_lines) else None
        centre = source.cost_center if source is not None else None
        lines.append(
            PreviewLine(
                gl_code=source.gl_account.code if source else str(sent.get("GLAccount", "")),
                gl_name=source.gl_account.name if source else "",
                description=str(sent.get("Description", "")),
                amount=Decimal(str(sent.get("AmountFC", 0))),
                vat_code=str(sent.get("VATCode", "")),
                vat_name=source.vat_rate.description if source else "",
                cost_centre=str(sent.get("CostCenter", "")),
                cost_centre_name=centre.name if centre and sent.get("CostCenter") else "",
                project=str(sent.get("Project", "")),
                vat_amount=(
                    Decimal(str(sent["VATAmountFC"]))
                    if sent.get("VATAmountFC") is not None
                    else None
                ),
            )
        )
    try:
        entry_date = dt.date.fromisoformat(str(payload.get("EntryDate", "")))
    except ValueError:
        entry_date = None
    return SentEntry(
        journal=str(payload.get("Journal", "")),
        credit_note=payload.get("Type") == ENTRY_TYPE_CREDIT_NOTE,
        entry_date=entry_date,
        your_ref=str(payload.get("YourRef", "")),
        invoice_number=str(payload.get("InvoiceNumber", "")),
        description=str(payload.get("Description", "")),
        lines=tuple(lines),
    )


@dataclass(frozen=True)
class PreviewRead:
    """A preview as read from Exact at a moment, or why the invoice could not go."""

    read_at: dt.datetime
    preview: Preview | None = None
    problem_kind: str = ""
    problem_message: str = ""
    refused_by: str = ""


def sales_entry_preview_read(*, invoice: Invoice, link: ExactLink) -> PreviewRead:
    """The preview of ``invoice``, read from Exact at most once per PREVIEW_CACHE_SECONDS.

    A passing failure of Exact (ExactError) is raised and not kept: the next look asks again.
    A change to the link's panel, or to one of PREVIEW_SOURCES, makes a new preview at once.
    """
    sources = cache.get_or_set(PREVIEW_SOURCES_KEY, secrets.token_hex, timeout=None)
    key = f"exports:preview:{link.pk}:{link.updated_at.timestamp()}:{sources}:{invoice.pk}"
    preview = cache.get(key)
    if preview is None:
        try:
            preview = PreviewRead(
                read_at=timezone.now(), preview=sales_entry_preview(invoice=invoice, link=link)
            )
        except ExportProblem as problem:
            preview = PreviewRead(
                read_at=timezone.now(),
                problem_kind=problem.kind,
                problem_message=problem.message,
                refused_by=problem.refused_by,
            )
        cache.set(key, preview, PREVIEW_CACHE_SECONDS)
    return preview


def preview_sources_changed(**kwargs) -> None:
    """A row of PREVIEW_SOURCES was saved or deleted: no preview read before is shown again.

    A fresh random value rather than a counter: a value the cache lost and made again is never
    one an older preview was kept under.
    """
    cache.set(PREVIEW_SOURCES_KEY, secrets.token_hex(), timeout=None)
