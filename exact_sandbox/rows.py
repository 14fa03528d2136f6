"""Stored records as rows keyed by Exact's field names (reference.py lists which Exact shows)."""

import contextlib
from typing import Any

from exact_sandbox import models as m
from exact_sandbox.odata import ODataError, parse_datetime
from exact_sandbox.reference import ACCOUNT

Row = dict[str, Any]
ENTRY_TYPES = {20: "Verkoopboeking", 21: "Verkoopcreditnota"}
ENTRY_STATUSES = {20: "Open", 50: "Verwerkt"}
JOURNAL_DESCRIPTIONS = {"70": "Verkoopboek"}


def vat_code(code: str) -> str:
    """Exact pads VAT codes to three characters."""
    return code.ljust(3)


def timestamp(stamp, salt: int) -> int:
    """A sync row version: rises with every change (microseconds), unique per record."""
    return (int(stamp.timestamp() * 1_000_000) * 1000 + salt % 1000) if stamp else 0


def division_row(division: m.Division) -> Row:
    return {
        "Code": division.code,
        "Description": division.description,
        "Status": 0,
        "BlockingStatus": 0,
        "Country": division.site.upper(),
        "Currency": "EUR",
        "CustomerName": division.description,
        "HID": division.code,
        "Main": False,
    }


def _extra(a: m.Account) -> Row:
    """The writable fields kept as sent, dates turned back into dates."""
    kept = dict(a.extra or {})
    for name, value in kept.items():
        spec = ACCOUNT.fields.get(name)
        if spec is not None and spec.type == "Edm.DateTime" and isinstance(value, str) and value:
            with contextlib.suppress(ODataError):
                kept[name] = parse_datetime(value)
    return kept


def account_row(a: m.Account) -> Row:
    return {
        **_extra(a),
        "ID": a.id,
        "Code": a.code,
        "Name": a.name,
        "Status": a.status,
        "IsSupplier": a.is_supplier,
        "IsSales": a.status == "C",
        "Blocked": False,
        "Type": "A",
        "Email": a.email,
        "VATNumber": a.vat_number,
        "ChamberOfCommerce": a.chamber_of_commerce,
        "AddressLine1": a.address_line1,
        "AddressLine2": a.address_line2,
        "AddressLine3": a.address_line3,
        "Postcode": a.postcode,
        "City": a.city,
        "Country": a.country,
        "GLAR": a.glar,
        "Division": a.division,
        "Created": a.created,
        "Modified": a.modified,
        "Timestamp": timestamp(a.modified, a.id.int) if a.modified else 0,
    }


def sales_entry_line_row(line: m.SalesEntryLine) -> Row:
    entry = line.entry
    return {
        "ID": line.id,
        "EntryID": line.entry_id,
        "LineNumber": line.line_number,
        "GLAccount": line.gl_account_id,
        "GLAccountCode": line.gl_account.code,
        "GLAccountDescription": line.gl_account.description,
        "AmountFC": line.amount_fc,
        "AmountDC": line.amount_fc,
        "VATCode": vat_code(line.vat_code),
        "VATAmountFC": line.vat_amount_fc,
        "VATAmountDC": line.vat_amount_fc,
        "VATBaseAmountFC": line.amount_fc,
        "VATBaseAmountDC": line.amount_fc,
        "CostCenter": line.cost_center or None,
        "Project": line.project,
        "Description": line.description,
        "Quantity": line.quantity,
        "Type": entry.type,
        "Division": entry.division,
    }


def sales_entry_row(e: m.SalesEntry) -> Row:
    return {
        "EntryID": e.id,
        "EntryNumber": e.entry_number,
        "InvoiceNumber": e.entry_number,
        "Journal": e.journal,
        "JournalDescription": JOURNAL_DESCRIPTIONS.get(e.journal, ""),
        "Customer": e.customer_id,
        "CustomerName": e.customer.name,
        "EntryDate": e.entry_date,
        "DueDate": e.due_date,
        "YourRef": e.your_ref,
        "Description": e.description,
        "ReportingYear": e.reporting_year,
        "ReportingPeriod": e.reporting_period,
        "Document": e.document_id,
        "Type": e.type,
        "TypeDescription": ENTRY_TYPES.get(e.type, ""),
        "PaymentCondition": e.payment_condition,
        "AmountDC": e.amount_dc,
        "AmountFC": e.amount_dc,
        "VATAmountDC": e.vat_amount_dc,
        "VATAmountFC": e.vat_amount_dc,
        "Currency": "EUR",
        "Reversal": False,
        "Status": e.status,
        "StatusDescription": ENTRY_STATUSES.get(e.status, ""),
        "Division": e.division,
        "Created": e.created,
        "Modified": e.modified,
    }


def receivable_row(r: m.Receivable) -> Row:
    e = r.entry
    return {
        "ID": r.id,
        "Account": e.customer_id,
        "AccountCode": e.customer.code,
        "AccountName": e.customer.name,
        "AmountDC": r.amount_dc,
        "AmountFC": r.amount_dc,
        "TransactionAmountDC": e.amount_dc,
        "TransactionAmountFC": e.amount_dc,
        "Currency": "EUR",
        "Description": e.description,
        "DueDate": e.due_date,
        "EndDate": r.last_payment_date if r.is_fully_paid else None,
        "EntryDate": e.entry_date,
        "EntryID": r.id,
        "EntryNumber": e.entry_number,
        "InvoiceNumber": e.entry_number,
        "InvoiceDate": e.entry_date,
        "IsFullyPaid": r.is_fully_paid,
        "Journal": e.journal,
        "JournalDescription": JOURNAL_DESCRIPTIONS.get(e.journal, ""),
        "LastPaymentDate": r.last_payment_date,
        "PaymentCondition": e.payment_condition,
        "PaymentMethod": "B",
        "Source": 1,
        "Status": r.status,
        "TransactionDueDate": e.due_date,
        "TransactionEntryID": e.id,
        "TransactionIsReversal": False,
        "TransactionReportingPeriod": e.reporting_period,
        "TransactionReportingYear": e.reporting_year,
        "TransactionStatus": e.status,
        "TransactionType": e.type,
        "YourRef": e.your_ref,
        "Division": r.division,
        "Created": r.created,
        "Modified": r.modified,
        "Timestamp": timestamp(r.modified, r.id.int),
    }


def receivables_list_row(r: m.Receivable) -> Row:
    e = r.entry
    return {
        # HID is the key: a number per outstanding item (derived from the receivable's id).
        "HID": r.id.int >> 80,
        "Id": r.id,
        "AccountId": e.customer_id,
        "AccountCode": e.customer.code,
        "AccountName": e.customer.name,
        "Amount": r.open_dc,
        "AmountInTransit": 0,
        "CurrencyCode": "EUR",
        "Description": e.description,
        "DueDate": e.due_date,
        "EntryNumber": e.entry_number,
        "InvoiceDate": e.entry_date,
        "InvoiceNumber": e.entry_number,
        "JournalCode": e.journal,
        "JournalDescription": JOURNAL_DESCRIPTIONS.get(e.journal, ""),
        "YourRef": e.your_ref,
    }


def glaccount_row(g: m.GLAccount) -> Row:
    return {
        "ID": g.id,
        "Code": g.code,
        "Description": g.description,
        "Type": g.type,
        "BalanceType": g.balance_type,
        "BalanceSide": "D" if g.balance_type == "B" else "C",
        "IsBlocked": g.is_blocked,
        "Division": g.division,
        "Modified": g.modified,
    }


def journal_row(j: m.Journal) -> Row:
    return {
        "ID": j.id,
        "Code": j.code,
        "Description": j.description,
        "Type": j.type,
        "Currency": "EUR",
        "Division": j.division,
        "Modified": j.modified,
    }


def vatcode_row(v: m.VATCode) -> Row:
    return {
        "ID": v.id,
        "Code": vat_code(v.code),
        "Description": v.description,
        "Type": v.type,
        "Percentage": v.percentage,
        "IsBlocked": v.is_blocked,
        "VATTransactionType": "B",
        "Division": v.division,
        "Modified": v.modified,
    }


def costcenter_row(c: m.CostCenter) -> Row:
    return {
        "ID": c.id,
        "Code": c.code,
        "Description": c.description,
        "Active": c.active,
        "Division": c.division,
        "Modified": c.modified,
    }


def project_row(p: m.Project) -> Row:
    return {
        "ID": p.id,
        "Code": p.code,
        "Description": p.description,
        "Type": p.type,
        "Account": p.account,
        "Division": p.division,
        "Modified": p.modified,
    }


def document_row(d: m.Document) -> Row:
    return {
        "ID": d.id,
        "Subject": d.subject,
        "Type": d.type,
        "Account": d.account,
        "Division": d.division,
        "Created": d.created,
        "Modified": d.modified,
    }


def attachment_url(a: m.DocumentAttachment) -> str:
    """Exact's download link; appending &Download=1 gives the file itself."""
    return f"/docs/SysAttachment.aspx?ID={a.id}&_Division_={a.division}"


def document_attachment_row(a: m.DocumentAttachment) -> Row:
    return {
        "ID": a.id,
        "Document": a.document_id,
        "FileName": a.file_name,
        "FileSize": float(len(a.content)),
        "Url": attachment_url(a),
        "Attachment": None,
    }


def deleted_row(d: m.DeletedRecord) -> Row:
    return {
        "Timestamp": timestamp(d.deleted, d.id.int),
        "Division": d.division,
        "EntityKey": d.entity_key,
        "EntityType": d.entity_type,
        "ID": d.id,
    }
