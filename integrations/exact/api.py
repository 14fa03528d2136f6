"""Every operation coachlink performs on Exact Online, one typed function each.

The only module that knows Exact's endpoint paths, its field names and the shape of its answers.
Functions take a link and typed values and return the records of integrations.exact.entities;
failures raise the classes of integrations.exact.errors.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_noop

from coachlink.messages import Message
from integrations.exact import client
from integrations.exact.entities import (
    ACCOUNT_STATUS_CUSTOMER,
    DOCUMENT_TYPE_SALES_INVOICE,
    PROJECT_TYPE_FIXED_PRICE,
    Account,
    AccountFields,
    CostCentre,
    Division,
    GLAccount,
    Journal,
    NewSalesEntry,
    Project,
    Receivable,
    SalesEntry,
    TransactionLine,
    VatCode,
)
from integrations.exact.errors import Transient
from integrations.models import ExactLink

# Codes per `trim(Code) eq '..' or ...` filter: the answer fits one page of 60 rows and the
# URL stays far below Exact's 6,000 characters.
CODES_PER_FILTER = 50
TRANSACTION_LINE_FIELDS = (
    "EntryID,EntryNumber,InvoiceNumber,YourRef,JournalCode,Type,LineNumber,FinancialYear,"
    "FinancialPeriod,Date,AccountCode,GLAccountCode,AmountDC,AmountVATFC,AmountVATBaseFC,VATCode"
)
# `EntryID eq guid'...'` conditions per call: the URL, percent-encoded, stays well within
# Exact's 6,000 characters.
ENTRY_IDS_PER_CALL = 70
RECEIVABLE_FIELDS = (
    "ID,TransactionEntryID,YourRef,InvoiceNumber,AmountDC,Status,IsFullyPaid,LastPaymentDate"
)
# Exact keeps and filters dates in Dutch local time without a zone.
EXACT_ZONE = ZoneInfo("Europe/Amsterdam")
EXACT_DATE = re.compile(r"/Date\((-?\d+)\)/")
CENTS = Decimal("0.01")


@contextmanager
def _reading() -> Iterator[None]:
    """Where Exact's rows become typed records: a row of the wrong shape (a missing ID, a type
    that is not a number) is an answer coachlink cannot read, and Exact's fault."""
    try:
        yield
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise Transient(
            Message(
                gettext_noop("Exact Online sent a record coachlink cannot read (%(problem)s)."),
                problem=f"{type(exc).__name__}: {exc}"[:200],
            )
        ) from exc


def _id(row: dict, name: str = "ID") -> str:
    value = row[name]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is {value!r}")
    return value


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _code(row: dict) -> str:
    return str(row.get("Code") or "").strip()


def _rows_by_codes(
    link: ExactLink, path: str, *, codes: Iterable[str] | None, select: str
) -> list[dict]:
    """The rows whose Code is one of ``codes``, in as few calls as the URL allows; every row
    of the list when ``codes`` is None."""
    if codes is None:
        return client.rows(link, path, params={"$select": select})
    wanted = sorted({code.strip() for code in codes})
    found: list[dict] = []
    for start in range(0, len(wanted), CODES_PER_FILTER):
        part = wanted[start : start + CODES_PER_FILTER]
        condition = " or ".join(f"trim(Code) eq {_quoted(code)}" for code in part)
        found += client.rows(link, path, params={"$filter": condition, "$select": select})
    return found


def _exact_local(value: dt.datetime | dt.date) -> dt.datetime:
    """A moment as Exact writes it: Dutch wall-clock time without a zone."""
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if timezone.is_naive(value):
        return value.replace(microsecond=0)
    return timezone.localtime(value, EXACT_ZONE).replace(tzinfo=None, microsecond=0)


def _datetime_literal(value: dt.datetime | dt.date) -> str:
    return f"datetime'{_exact_local(value).isoformat()}'"


def _moment(value: str | None) -> dt.datetime | None:
    """``/Date(ms)/`` as Exact sends it (milliseconds of Dutch wall-clock time), made aware."""
    match = EXACT_DATE.match(value or "")
    if not match:
        return None
    local = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(match.group(1)))
    return local.replace(tzinfo=EXACT_ZONE)


def _amount(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENTS)


def _percentage(value) -> Decimal | None:
    """Exact keeps a VAT percentage as a fraction (0.21 for 21 %)."""
    if value is None or value == "":
        return None
    return (Decimal(str(value)) * 100).quantize(CENTS)


# The administration and its settings


def current_division(link: ExactLink, *, access_token: str = "") -> str:
    """The division the user last opened in Exact (current/Me's CurrentDivision)."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SystemSystemMe
    found = client.rows(
        link, "current/Me", params={"$select": "CurrentDivision"}, access_token=access_token
    )
    return str(found[0].get("CurrentDivision") or "") if found else ""


def divisions(link: ExactLink, *, access_token: str = "", via: str = "") -> list[Division]:
    """The divisions the consenting user gave coachlink (with a new token: ``access_token``).

    Exact answers the list only through a division the app may use, ``via`` (default: the
    link's); through any other it answers 403."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SystemSystemDivisions
    found = client.rows(
        link,
        "system/Divisions",
        params={"$select": "Code,Description"},
        access_token=access_token,
        division=via,
    )
    with _reading():
        return [
            Division(code=_code(row), description=str(row.get("Description") or ""))
            for row in found
        ]


def journals(link: ExactLink, *, codes: Iterable[str] | None = None) -> dict[str, Journal]:
    """Journals by code: those of ``codes``, or all."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=FinancialJournals
    found = _rows_by_codes(link, "financial/Journals", codes=codes, select="Code,Type")
    with _reading():
        return {
            _code(row): Journal(code=_code(row), type=int(row.get("Type") or 0)) for row in found
        }


def gl_accounts(link: ExactLink, *, codes: Iterable[str] | None = None) -> dict[str, GLAccount]:
    """GL accounts by code: those of ``codes``, or all."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=FinancialGLAccounts
    found = _rows_by_codes(
        link, "financial/GLAccounts", codes=codes, select="ID,Code,Description,Type,IsBlocked"
    )
    with _reading():
        return {
            _code(row): GLAccount(
                id=_id(row),
                code=_code(row),
                type=int(row.get("Type") or 0),
                is_blocked=bool(row.get("IsBlocked")),
                description=str(row.get("Description") or ""),
            )
            for row in found
        }


def vat_codes(link: ExactLink, *, codes: Iterable[str] | None = None) -> dict[str, VatCode]:
    """VAT codes by code: those of ``codes``, or all."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=VATVATCodes
    found = _rows_by_codes(
        link, "vat/VATCodes", codes=codes, select="Code,Description,Type,Percentage,IsBlocked"
    )
    with _reading():
        return {
            _code(row): VatCode(
                code=_code(row),
                type=str(row.get("Type") or ""),
                is_blocked=bool(row.get("IsBlocked")),
                description=str(row.get("Description") or ""),
                percentage=_percentage(row.get("Percentage")),
            )
            for row in found
        }


def cost_centres(link: ExactLink, *, codes: Iterable[str] | None = None) -> dict[str, CostCentre]:
    """Cost centres by code: those of ``codes``, or all."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=HRMCostcenters
    found = _rows_by_codes(link, "hrm/Costcenters", codes=codes, select="Code,Description,Active")
    return {
        _code(row): CostCentre(
            code=_code(row),
            description=str(row.get("Description") or ""),
            active=row.get("Active") is not False,
        )
        for row in found
    }


def projects(link: ExactLink, *, codes: Iterable[str]) -> dict[str, Project]:
    """Projects by code, of those in ``codes`` that exist."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=ProjectProjects
    found = _rows_by_codes(link, "project/Projects", codes=codes, select="ID,Code")
    with _reading():
        return {_code(row): Project(id=_id(row), code=_code(row)) for row in found}


def project_create(link: ExactLink, *, code: str) -> Project:
    """A fixed-price project named after its code."""
    created = client.create(
        link,
        "project/Projects",
        payload={"Code": code, "Description": code[:100], "Type": PROJECT_TYPE_FIXED_PRICE},
    )
    with _reading():
        return Project(id=_id(created), code=code)


# Relations


def _account(row: dict) -> Account:
    return Account(
        id=_id(row),
        code=_code(row),
        status=str(row.get("Status") or "").strip(),
        is_supplier=bool(row.get("IsSupplier")),
    )


def accounts_by_codes(link: ExactLink, *, codes: Iterable[str]) -> dict[str, Account]:
    """Existing relations by relation number (Code)."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=CRMAccounts
    found = _rows_by_codes(link, "crm/Accounts", codes=codes, select="ID,Code,Status,IsSupplier")
    with _reading():
        return {_code(row): _account(row) for row in found}


def account_create(link: ExactLink, *, code: str, fields: AccountFields) -> Account:
    """A new customer account with relation number ``code``."""
    created = client.create(link, "crm/Accounts", payload=fields.as_payload(code=code))
    with _reading():
        return Account(
            id=_id(created), code=code, status=ACCOUNT_STATUS_CUSTOMER, is_supplier=False
        )


def account_update(link: ExactLink, *, account_id: str, fields: AccountFields) -> None:
    """Overwrite an existing account's name, address and numbers (its Code stays)."""
    client.update(link, f"crm/Accounts(guid'{account_id}')", payload=fields.as_payload())


# Sales entries and their PDF


def _sales_entry(row: dict) -> SalesEntry:
    number = row.get("EntryNumber")
    return SalesEntry(
        entry_id=_id(row, "EntryID"),
        entry_number=int(number) if number is not None else None,
        your_ref=str(row.get("YourRef") or ""),
        journal=str(row.get("Journal") or "").strip(),
    )


def sales_entry_create(link: ExactLink, *, entry: NewSalesEntry) -> SalesEntry:
    """Book ``entry``. Exact has no duplicate check on YourRef: see sales_entry_by_your_ref."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SalesEntrySalesEntries
    created = client.create(link, "salesentry/SalesEntries", payload=entry.as_payload())
    with _reading():
        return _sales_entry(created)


def sales_entry_by_your_ref(link: ExactLink, *, your_ref: str) -> SalesEntry | None:
    """The sales entry booked with ``your_ref``, if any: how a repeated POST is made safe."""
    found = client.rows(
        link,
        "salesentry/SalesEntries",
        params={
            "$filter": f"YourRef eq {_quoted(your_ref)}",
            "$select": "EntryID,EntryNumber,YourRef,Journal",
        },
    )
    with _reading():
        return _sales_entry(found[0]) if found else None


def document_create(link: ExactLink, *, subject: str, account_id: str) -> str:
    """A sales-invoice document for the account; returns its ID."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=DocumentsDocuments
    created = client.create(
        link,
        "documents/Documents",
        payload={
            "Subject": subject[:100],
            "Type": DOCUMENT_TYPE_SALES_INVOICE,
            "Account": account_id,
        },
    )
    with _reading():
        return _id(created)


def document_find(link: ExactLink, *, subject: str, account_id: str) -> str | None:
    """The ID of the account's sales-invoice document named ``subject``, if Exact holds one:
    how a document whose answer was lost is found instead of made twice."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=DocumentsDocuments
    found = client.rows(
        link,
        "documents/Documents",
        params={
            "$filter": (
                f"Subject eq {_quoted(subject[:100])} and Account eq guid'{account_id}'"
                f" and Type eq {DOCUMENT_TYPE_SALES_INVOICE}"
            ),
            "$select": "ID",
        },
    )
    with _reading():
        return _id(found[0]) if found else None


def document_attachment_count(link: ExactLink, *, document_id: str) -> int:
    """How many files the document holds (0: an attachment never arrived)."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=DocumentsDocumentAttachments
    found = client.rows(
        link,
        "documents/DocumentAttachments",
        params={"$filter": f"Document eq guid'{document_id}'", "$select": "ID"},
    )
    return len(found)


def document_attach(link: ExactLink, *, document_id: str, file_name: str, content: bytes) -> None:
    """Attach a file (the invoice PDF) to a document."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=DocumentsDocumentAttachments
    client.create(
        link,
        "documents/DocumentAttachments",
        payload={
            "Document": document_id,
            "FileName": file_name,
            "Attachment": base64.b64encode(content).decode(),
        },
    )


# Receivables: what is paid


def _receivable(row: dict) -> Receivable:
    return Receivable(
        id=str(row.get("ID") or "").lower(),
        entry_id=str(row.get("TransactionEntryID") or "").lower(),
        your_ref=str(row.get("YourRef") or ""),
        invoice_number=str(row.get("InvoiceNumber") or ""),
        amount=_amount(row.get("AmountDC")),
        status=int(row.get("Status") or 0),
        is_fully_paid=bool(row.get("IsFullyPaid")),
        last_payment=_moment(row.get("LastPaymentDate")),
    )


def _receivables(link: ExactLink, *, condition: str) -> list[Receivable]:
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=BulkCashflowReceivables
    params = {"$select": RECEIVABLE_FIELDS}
    if condition:
        params["$filter"] = condition
    found = client.rows(link, "bulk/Cashflow/Receivables", params=params)
    with _reading():
        return [_receivable(row) for row in found]


def receivables_changed_since(link: ExactLink, *, since: dt.datetime) -> list[Receivable]:
    """Receivable rows changed at or after ``since``, 1,000 a page."""
    return _receivables(link, condition=f"Modified ge {_datetime_literal(since)}")


def receivables_of_invoices_from(link: ExactLink, *, date: dt.date | None) -> list[Receivable]:
    """Receivable rows of invoices dated ``date`` or later (all when None), 1,000 a page."""
    return _receivables(link, condition=f"InvoiceDate ge {_datetime_literal(date)}" if date else "")


def receivables_of_entry(link: ExactLink, *, entry_id: str) -> list[Receivable]:
    """The receivable rows of one sales entry, asked for now."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=CashflowReceivables
    found = client.rows(
        link,
        "cashflow/Receivables",
        params={
            "$select": RECEIVABLE_FIELDS,
            "$filter": f"TransactionEntryID eq guid'{entry_id}'",
        },
    )
    with _reading():
        return [_receivable(row) for row in found]


def receivables_open(link: ExactLink) -> dict[str, Decimal]:
    """What is still open of each outstanding receivable.

    ReceivablesList has no Modified field (its reference lists none), so it cannot be narrowed
    to what changed: it lists the outstanding items only, 1,000 a page.
    """
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=ReadFinancialReceivablesList
    found = client.rows(link, "read/financial/ReceivablesList", params={"$select": "Id,Amount"})
    with _reading():
        return {_id(row, "Id").lower(): _amount(row.get("Amount")) for row in found}


# Journal lines: what is booked


def _transaction_line(row: dict) -> TransactionLine:
    moment = _moment(row.get("Date"))
    return TransactionLine(
        entry_id=_id(row, "EntryID").lower(),
        entry_number=int(row.get("EntryNumber") or 0),
        invoice_number=int(row.get("InvoiceNumber") or 0),
        your_ref=str(row.get("YourRef") or "").strip(),
        journal=str(row.get("JournalCode") or "").strip(),
        type=int(row.get("Type") or 0),
        line_number=int(row.get("LineNumber") or 0),
        year=int(row.get("FinancialYear") or 0),
        period=int(row.get("FinancialPeriod") or 0),
        date=moment.date() if moment else None,
        account_code=str(row.get("AccountCode") or "").strip(),
        gl_account_code=str(row.get("GLAccountCode") or "").strip(),
        amount=_amount(row.get("AmountDC")),
        vat_amount=_amount(row.get("AmountVATFC")),
        vat_base=_amount(row.get("AmountVATBaseFC")),
        vat_code=str(row.get("VATCode") or "").strip(),
    )


def _transaction_lines(link: ExactLink, *, condition: str) -> list[TransactionLine]:
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=BulkFinancialTransactionLines
    found = client.rows(
        link,
        "bulk/Financial/TransactionLines",
        params={"$select": TRANSACTION_LINE_FIELDS, "$filter": condition},
    )
    with _reading():
        return [_transaction_line(row) for row in found]


def transaction_lines(
    link: ExactLink, *, journal: str, year: int, period: int | None = None
) -> list[TransactionLine]:
    """Every line booked in ``journal`` in a financial year or one of its periods, 1,000 a
    call."""
    conditions = [f"JournalCode eq {_quoted(journal.strip())}", f"FinancialYear eq {int(year)}"]
    if period is not None:
        conditions.append(f"FinancialPeriod eq {int(period)}")
    return _transaction_lines(link, condition=" and ".join(conditions))


def transaction_lines_of_entries(
    link: ExactLink, *, entry_ids: Iterable[str], max_calls: int
) -> list[TransactionLine]:
    """The lines of the given entries wherever they are booked, in at most ``max_calls`` calls
    (entries beyond what those calls can ask about are not looked for)."""
    wanted = sorted({entry_id.lower() for entry_id in entry_ids})[: ENTRY_IDS_PER_CALL * max_calls]
    found: list[TransactionLine] = []
    for start in range(0, len(wanted), ENTRY_IDS_PER_CALL):
        part = wanted[start : start + ENTRY_IDS_PER_CALL]
        condition = " or ".join(f"EntryID eq guid'{entry_id}'" for entry_id in part)
        found += _transaction_lines(link, condition=condition)
    return found
