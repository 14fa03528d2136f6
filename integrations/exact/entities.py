"""What coachlink reads from and sends to Exact Online, as small typed records.

Codes are kept trimmed (Exact pads some: VAT codes to 3, relation codes to 18 characters).
Only this package turns them into Exact's field names (``as_payload``) or reads them from
Exact's answers (integrations.exact.api).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

ACCOUNT_STATUS_CUSTOMER = "C"
ENTRY_TYPE_SALES = 20
ENTRY_TYPE_CREDIT_NOTE = 21
DOCUMENT_TYPE_SALES_INVOICE = 10
PROJECT_TYPE_FIXED_PRICE = 2
RECEIVABLE_STATUS_MATCHED = 50


@dataclass(frozen=True)
class Division:
    code: str
    description: str = ""


@dataclass(frozen=True)
class Journal:
    code: str
    type: int


@dataclass(frozen=True)
class GLAccount:
    id: str
    code: str
    type: int
    is_blocked: bool
    description: str = ""


@dataclass(frozen=True)
class VatCode:
    code: str
    type: str
    is_blocked: bool = False
    description: str = ""
    # A percentage (21.00), not Exact's fraction (0.21); None when Exact did not say.
    percentage: Decimal | None = None


@dataclass(frozen=True)
class CostCentre:
    code: str
    description: str = ""
    active: bool = True


@dataclass(frozen=True)
class Project:
    id: str
    code: str


@dataclass(frozen=True)
class Account:
    """A relation in Exact (crm/Accounts): a customer, a supplier or a prospect."""

    id: str
    code: str
    status: str
    is_supplier: bool

    @property
    def is_customer(self) -> bool:
        return self.status == ACCOUNT_STATUS_CUSTOMER and not self.is_supplier


@dataclass(frozen=True)
class AccountFields:
    """What coachlink writes on a customer account: the debtor's name, address and numbers."""

    name: str
    address_lines: tuple[str, str, str]
    postcode: str
    city: str
    country: str
    email: str
    vat_number: str
    chamber_of_commerce: str
    gl_receivable_id: str

    def as_payload(self, *, code: str | None = None) -> dict:
        """The crm/Accounts body; without ``code`` for an update, since Exact refuses a Code
        it already holds ("Gegeven bestaat reeds")."""
        payload = {
            "Name": self.name[:100],
            "Status": ACCOUNT_STATUS_CUSTOMER,
            "AddressLine1": self.address_lines[0],
            "AddressLine2": self.address_lines[1],
            "AddressLine3": self.address_lines[2],
            "Postcode": self.postcode,
            "City": self.city,
            "Country": self.country,
            "Email": self.email,
            "VATNumber": self.vat_number,
            "ChamberOfCommerce": self.chamber_of_commerce,
            "GLAR": self.gl_receivable_id,
        }
        if code is not None:
            payload = {"Code": code, **payload}
        return payload


@dataclass(frozen=True)
class SalesEntryLine:
    gl_account_id: str
    amount: Decimal
    vat_code: str
    description: str
    quantity: Decimal
    cost_centre: str = ""
    project_id: str = ""
    # The line's VAT as the invoice has it; without it Exact computes VAT per line, which can
    # differ a cent from the invoice's VAT per rate and leave a cent open on the receivable.
    vat_amount: Decimal | None = None

    def as_payload(self) -> dict:
        payload = {
            "GLAccount": self.gl_account_id,
            "AmountFC": float(self.amount),
            "VATCode": self.vat_code,
            "Description": self.description[:100],
            "Quantity": float(self.quantity),
        }
        if self.vat_amount is not None:
            payload["VATAmountFC"] = float(self.vat_amount)
        if self.cost_centre:
            payload["CostCenter"] = self.cost_centre
        if self.project_id:
            payload["Project"] = self.project_id
        return payload


@dataclass(frozen=True)
class NewSalesEntry:
    """A sales entry (or credit note) as coachlink books it; amounts exclude VAT."""

    journal: str
    customer_id: str
    credit_note: bool
    entry_date: dt.date
    your_ref: str
    invoice_number: int
    description: str
    lines: tuple[SalesEntryLine, ...]
    document_id: str = ""

    def as_payload(self) -> dict:
        """The salesentry/SalesEntries body."""
        payload = {
            "Journal": self.journal,
            "Customer": self.customer_id,
            "Type": ENTRY_TYPE_CREDIT_NOTE if self.credit_note else ENTRY_TYPE_SALES,
            "EntryDate": self.entry_date.isoformat(),
            "ReportingYear": self.entry_date.year,
            "ReportingPeriod": self.entry_date.month,
            "YourRef": self.your_ref,
            "InvoiceNumber": self.invoice_number,
            "Description": self.description[:100],
            "SalesEntryLines": [line.as_payload() for line in self.lines],
        }
        if self.document_id:
            payload["Document"] = self.document_id
        return payload


@dataclass(frozen=True)
class SalesEntry:
    """A sales entry Exact booked."""

    entry_id: str
    entry_number: int | None
    your_ref: str
    journal: str

    def as_record(self) -> dict:
        """What the export record keeps of Exact's answer, for the record's page."""
        return {
            "EntryID": self.entry_id,
            "EntryNumber": self.entry_number,
            "YourRef": self.your_ref,
            "Journal": self.journal,
        }


@dataclass(frozen=True)
class Receivable:
    """One receivable row of a sales entry (an invoice has one per payment term)."""

    id: str
    entry_id: str
    your_ref: str
    invoice_number: str
    amount: Decimal
    status: int
    is_fully_paid: bool
    # Dutch wall-clock time without a zone, as Exact keeps it.
    last_payment: dt.datetime | None = None

    @property
    def is_settled(self) -> bool:
        """Matched in full, or with the difference written off."""
        return self.status == RECEIVABLE_STATUS_MATCHED or self.is_fully_paid

    @property
    def is_matched(self) -> bool:
        return self.status == RECEIVABLE_STATUS_MATCHED


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
