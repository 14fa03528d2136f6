"""Reading the journal lines of booked entries from Exact: what reconciliation compares with."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from integrations.exact import client
from integrations.models import ExactLink

# Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=BulkFinancialTransactionLines
BULK_LINES = "bulk/Financial/TransactionLines"
LINE_FIELDS = (
    "EntryID,EntryNumber,InvoiceNumber,YourRef,JournalCode,Type,LineNumber,FinancialYear,"
    "FinancialPeriod,Date,AccountCode,GLAccountCode,AmountDC,AmountVATFC,AmountVATBaseFC,VATCode"
)
# `EntryID eq guid'...'` conditions per call: the URL, percent-encoded, stays well within
# Exact's 6,000 characters.
ENTRY_IDS_PER_CALL = 70
EXACT_DATE = re.compile(r"/Date\((-?\d+)\)/")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class TransactionLine:
    """One journal line of a booked entry; amounts in euro, debit positive, credit negative."""

    entry_id: str
    entry_number: int
    invoice_number: int
    your_ref: str
    journal: str
    type: int
    line_number: int
    year: int
    period: int
    date: dt.date | None
    account_code: str
    gl_account_code: str
    amount: Decimal
    vat_amount: Decimal
    vat_base: Decimal
    vat_code: str


def _amount(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _date(value) -> dt.date | None:
    match = EXACT_DATE.match(str(value or ""))
    if not match:
        return None
    return (dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(match.group(1)))).date()


def _line(row: dict) -> TransactionLine:
    return TransactionLine(
        entry_id=str(row.get("EntryID") or "").lower(),
        entry_number=int(row.get("EntryNumber") or 0),
        invoice_number=int(row.get("InvoiceNumber") or 0),
        your_ref=str(row.get("YourRef") or "").strip(),
        journal=str(row.get("JournalCode") or "").strip(),
        type=int(row.get("Type") or 0),
        line_number=int(row.get("LineNumber") or 0),
        year=int(row.get("FinancialYear") or 0),
        period=int(row.get("FinancialPeriod") or 0),
        date=_date(row.get("Date")),
        # Exact right-aligns relation codes in 18 characters.
        account_code=str(row.get("AccountCode") or "").strip(),
        gl_account_code=str(row.get("GLAccountCode") or "").strip(),
        amount=_amount(row.get("AmountDC")),
        vat_amount=_amount(row.get("AmountVATFC")),
        vat_base=_amount(row.get("AmountVATBaseFC")),
        vat_code=str(row.get("VATCode") or "").strip(),
    )


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def transaction_lines(
    *, link: ExactLink, journal: str, year: int, period: int | None = None
) -> list[TransactionLine]:
    """Every line booked in ``journal`` in a financial year or one of its periods.

    One call per 1,000 lines.
    """
    conditions = [f"JournalCode eq {_quoted(journal.strip())}", f"FinancialYear eq {int(year)}"]
    if period is not None:
        conditions.append(f"FinancialPeriod eq {int(period)}")
    rows = client.get(
        link, BULK_LINES, params={"$select": LINE_FIELDS, "$filter": " and ".join(conditions)}
    )
    return [_line(row) for row in rows]


def transaction_lines_of_entries(
    *, link: ExactLink, entry_ids: Iterable[str], max_calls: int
) -> list[TransactionLine]:
    """The lines of the given entries wherever they are booked, in at most ``max_calls`` calls
    (entries beyond what those calls can ask about are not looked for)."""
    ids = sorted(set(entry_ids))[: ENTRY_IDS_PER_CALL * max_calls]
    lines: list[TransactionLine] = []
    for start in range(0, len(ids), ENTRY_IDS_PER_CALL):
        part = ids[start : start + ENTRY_IDS_PER_CALL]
        condition = " or ".join(f"EntryID eq guid'{entry_id}'" for entry_id in part)
        rows = client.get(link, BULK_LINES, params={"$select": LINE_FIELDS, "$filter": condition})
        lines += [_line(row) for row in rows]
    return lines
