"""Financial transaction lines: the journal lines Exact keeps for every booked sales entry.

Exact answers them on ``financialtransaction/TransactionLines``, ``bulk/Financial/
TransactionLines`` (1,000 a page, ``$select`` mandatory) and ``sync/Financial/TransactionLines``
(1,000 a page, ordered and paged by ``Timestamp``, a row version that grows with every change).
Field names follow Exact's reference
(https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=FinancialTransactionTransactionLines
and ...?name=SyncFinancialTransactionLines; the generated models in picqer/exact-php-client
``src/Picqer/Financials/Exact/TransactionLine.php`` and Pi-Systems/exact-online
``src/Entity/Sync/Financial/TransactionLines.php`` list the same fields).

A sales entry becomes, as in Exact's ledger: line 0 on the debtor GL account (the receivable,
debit, incl. VAT), one line per entry line on its revenue GL account (credit, excl. VAT, carrying
its VAT in ``AmountVATFC``) and one line per VAT code on the VAT account (credit, the VAT, its
base in ``AmountVATBaseFC``). Debit is positive, credit negative.

The lines are derived from the stored entries, never stored twice; the rows of a division are
kept while its entries do not change, so paging through 1,000 rows at a time stays cheap.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max

from exact_sandbox import models as m

Row = dict[str, Any]
LINE_NAMESPACE = uuid.UUID("6c8e1f5a-2b7d-4f0e-9a43-0d5c1b7e9f21")
# Exact books VAT on the VAT code's "to pay" account; the seeded codes share this one.
VAT_GL_CODE = "1500"
VAT_GL_DESCRIPTION = "Te betalen btw"
VAT_GL_ID = uuid.uuid5(LINE_NAMESPACE, f"gl:{VAT_GL_CODE}")
STATUS_OPEN = 20
JOURNAL_DESCRIPTION = "Verkoopboek"


def _line_id(entry_id: uuid.UUID, kind: str, number: int) -> uuid.UUID:
    return uuid.uuid5(LINE_NAMESPACE, f"{entry_id}:{kind}:{number}")


def _timestamp(entry: m.SalesEntry, line_number: int) -> int:
    """A row version: later changes give higher values, and every line of an entry its own."""
    micros = int(entry.modified.timestamp() * 1_000_000)
    return micros * 1000 + line_number


def _base(entry: m.SalesEntry) -> Row:
    customer = entry.customer
    return {
        "EntryID": entry.id,
        "EntryNumber": entry.entry_number,
        "InvoiceNumber": entry.entry_number,
        "YourRef": entry.your_ref,
        "JournalCode": entry.journal,
        "JournalDescription": JOURNAL_DESCRIPTION,
        "Type": entry.type,
        "Date": entry.entry_date,
        "DueDate": entry.due_date,
        "FinancialYear": entry.reporting_year,
        "FinancialPeriod": entry.reporting_period,
        "Account": customer.id,
        "AccountCode": customer.code,
        "AccountName": customer.name,
        "Currency": "EUR",
        "ExchangeRate": 1.0,
        "Document": entry.document_id,
        "Status": STATUS_OPEN if entry.status == STATUS_OPEN else entry.status,
        "Division": entry.division,
        "Created": entry.created,
        "Modified": entry.modified,
    }


def _line(
    base: Row,
    *,
    entry: m.SalesEntry,
    line_id: uuid.UUID,
    number: int,
    gl_id: Any,
    gl_code: str,
    gl_description: str,
    amount: Decimal,
    vat_code: str = "",
    vat_amount: Decimal = Decimal(0),
    vat_base: Decimal = Decimal(0),
    vat_percentage: Decimal = Decimal(0),
    description: str = "",
    cost_center: str = "",
    project: Any = None,
    quantity: Decimal | None = None,
) -> Row:
    return {
        **base,
        "ID": line_id,
        "LineNumber": number,
        "Timestamp": _timestamp(entry, number),
        "GLAccount": gl_id,
        "GLAccountCode": gl_code,
        "GLAccountDescription": gl_description,
        "AmountDC": amount,
        "AmountFC": amount,
        "AmountVATBaseFC": vat_base,
        "AmountVATFC": vat_amount,
        "VATCode": vat_code.ljust(3) if vat_code else None,
        "VATPercentage": vat_percentage,
        "Description": description,
        "CostCenter": cost_center or None,
        "Project": project,
        "Quantity": quantity,
    }


def entry_lines(
    entry: m.SalesEntry,
    *,
    debtor_gl: m.GLAccount | None,
    vat_percentages: dict[str, Decimal],
) -> list[Row]:
    """The ledger lines of one sales entry (its lines and customer already loaded)."""
    base = _base(entry)
    lines = list(entry.lines.all())
    rows = [
        _line(
            base,
            entry=entry,
            line_id=_line_id(entry.id, "debtor", 0),
            number=0,
            gl_id=debtor_gl.id if debtor_gl else None,
            gl_code=debtor_gl.code if debtor_gl else "",
            gl_description=debtor_gl.description if debtor_gl else "",
            amount=entry.amount_dc,
            description=entry.description,
        )
    ]
    vat_by_code: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        rows.append(
            _line(
                base,
                entry=entry,
                line_id=_line_id(entry.id, "line", line.line_number),
                number=line.line_number,
                gl_id=line.gl_account_id,
                gl_code=line.gl_account.code,
                gl_description=line.gl_account.description,
                amount=-line.amount_fc,
                vat_code=line.vat_code,
                vat_amount=-line.vat_amount_fc,
                vat_base=-line.amount_fc,
                vat_percentage=vat_percentages.get(line.vat_code, Decimal(0)),
                description=line.description,
                cost_center=line.cost_center,
                project=line.project,
                quantity=line.quantity,
            )
        )
        totals = vat_by_code[line.vat_code]
        totals[0] += line.amount_fc
        totals[1] += line.vat_amount_fc
    number = len(lines)
    for code, (vat_base, vat) in sorted(vat_by_code.items()):
        if vat == 0:
            continue
        number += 1
        rows.append(
            _line(
                base,
                entry=entry,
                line_id=_line_id(entry.id, "vat", number),
                number=number,
                gl_id=VAT_GL_ID,
                gl_code=VAT_GL_CODE,
                gl_description=VAT_GL_DESCRIPTION,
                amount=-vat,
                vat_code=code,
                vat_base=-vat_base,
                vat_percentage=vat_percentages.get(code, Decimal(0)),
                description=f"Btw {code}",
            )
        )
    return rows


_cache: dict[int, tuple[tuple, list[Row]]] = {}
_cache_lock = threading.Lock()


def _version(division: int) -> tuple:
    entries = m.SalesEntry.objects.filter(division=division)
    found = entries.aggregate(count=Count("id"), modified=Max("modified"), last=Max("entry_number"))
    lines = m.SalesEntryLine.objects.filter(entry__division=division).count()
    return (found["count"], found["modified"], found["last"], lines)


def division_lines(division: int) -> list[Row]:
    """Every transaction line of the division's sales entries, rebuilt only after a change."""
    version = _version(division)
    with _cache_lock:
        cached = _cache.get(division)
        if cached and cached[0] == version:
            return cached[1]
    debtor_gl = m.GLAccount.objects.filter(division=division, type=20).order_by("code").first()
    vat_percentages = {
        vat.code: vat.percentage for vat in m.VATCode.objects.filter(division=division)
    }
    entries = (
        m.SalesEntry.objects.filter(division=division)
        .select_related("customer")
        .prefetch_related("lines__gl_account")
    )
    rows = [
        row
        for entry in entries.iterator(chunk_size=2000)
        for row in entry_lines(entry, debtor_gl=debtor_gl, vat_percentages=vat_percentages)
    ]
    with _cache_lock:
        _cache[division] = (version, rows)
    return rows


def sample_row() -> Row:
    """One row with every field, to list the fields the endpoints know."""
    entry = m.SalesEntry(customer=m.Account(), modified=datetime(2000, 1, 1))
    return _line(
        _base(entry),
        entry=entry,
        line_id=uuid.uuid4(),
        number=0,
        gl_id=None,
        gl_code="",
        gl_description="",
        amount=Decimal(0),
    )
