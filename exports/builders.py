"""Pure builders: what coachlink sends to Exact Online for a debtor and for an invoice.

Nothing here talks to Exact or writes to the database; the lookups (what Exact holds: journals,
GL accounts, VAT codes, cost centres, projects, accounts) are read once per batch by the
services and passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from billing.models import Debtor, Invoice
from integrations.models import (
    BookingDateSource,
    DebtorNumberSource,
    ExactLink,
    ProjectCodeSource,
)

# Exact's account Code is a string of at most 18 characters, numeric for relation numbers.
ACCOUNT_CODE_LENGTH = 18
SALES_JOURNAL_TYPE = 20
REVENUE_GL_TYPE = 110
ENTRY_TYPE_SALES = 20
ENTRY_TYPE_CREDIT_NOTE = 21


class ExportProblem(Exception):
    """A reason an invoice cannot go to Exact, found before (or instead of) sending it.

    ``kind`` names the explanation in exports.explanations; ``message`` is Exact's words when
    Exact said no, else ours.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class ExactAccount:
    id: str
    code: str
    status: str
    is_supplier: bool

    @property
    def is_customer(self) -> bool:
        return self.status == "C" and not self.is_supplier


@dataclass(frozen=True)
class ExactGLAccount:
    id: str
    code: str
    type: int
    is_blocked: bool


@dataclass
class ExactLookups:
    """What one batch needs to know of the administration, keyed by (trimmed) code."""

    journals: dict[str, int] = field(default_factory=dict)
    gl_accounts: dict[str, ExactGLAccount] = field(default_factory=dict)
    vat_codes: dict[str, str] = field(default_factory=dict)
    cost_centers: set[str] = field(default_factory=set)
    projects: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, ExactAccount] = field(default_factory=dict)


def _numeric_code(value: str) -> str:
    code = value.strip()
    if not code.isdigit() or len(code.lstrip("0") or "0") > ACCOUNT_CODE_LENGTH:
        raise ExportProblem(
            "debtor_number_invalid",
            _("Debtor number “%(code)s” cannot be an Exact Online relation number.")
            % {"code": value},
        )
    # Exact keeps numeric codes without leading zeros: "00025" is relation 25.
    return str(int(code))


def debtor_number_resolve(*, debtor: Debtor, link: ExactLink) -> str:
    """The relation number of ``debtor`` in Exact: the first debtor-number option that gives one.

    The prefix goes only in front of coachlink's own DebtorNumber (as its five-digit display),
    because external numbers already are Exact's numbers.
    """
    options = [
        link.debtor_number_option_1,
        link.debtor_number_option_2,
        link.debtor_number_option_3,
    ]
    for option in filter(None, options):
        if option == DebtorNumberSource.DEBTOR_NUMBER and debtor.debtor_number is not None:
            if link.debtor_prefix:
                return _numeric_code(link.debtor_prefix + f"{debtor.debtor_number:05d}")
            return _numeric_code(str(debtor.debtor_number))
        if option == DebtorNumberSource.DEBTOR_NUMBER_EXTERNAL and debtor.debtor_number_external:
            return _numeric_code(debtor.debtor_number_external)
        if option == DebtorNumberSource.COMPANY_PERSON_EXTERN_ID:
            holder = debtor.company if debtor.company_id else debtor.person
            if (
                holder is not None
                and holder.extern_id.strip()
                and holder.extern_source == link.extern_source
            ):
                return _numeric_code(holder.extern_id)
    raise ExportProblem(
        "debtor_number_missing",
        _("No debtor number option gives a relation number for debtor %(debtor)s.")
        % {"debtor": debtor.name},
    )


def account_payload_build(*, debtor: Debtor, code: str | None, debtor_gl_account_id: str) -> dict:
    """The crm/Accounts body for ``debtor``; without ``code`` for a PUT, since Exact refuses a
    Code it already holds ("Gegeven bestaat reeds")."""
    lines = [debtor.address_line_1, debtor.address_line_2, debtor.address_line_3]
    payload = {
        "Name": debtor.name[:100],
        "Status": "C",
        "AddressLine1": lines[0],
        "AddressLine2": lines[1],
        "AddressLine3": lines[2],
        "Postcode": debtor.postcode,
        "City": debtor.city,
        "Country": debtor.country_code,
        "Email": debtor.email,
        "VATNumber": debtor.vat_number,
        "ChamberOfCommerce": debtor.chamber_of_commerce,
        "GLAR": debtor_gl_account_id,
    }
    if code is not None:
        payload = {"Code": code, **payload}
    return payload


def invoice_reference(*, invoice: Invoice, link: ExactLink) -> str:
    """YourRef and InvoiceNumber: the invoice number prefix and the five-digit number."""
    return f"{link.invoice_number_prefix}{invoice.number:05d}"


def booking_date_resolve(*, invoice: Invoice, link: ExactLink, export_date: dt.date) -> dt.date:
    """The date the entry is booked on: option 1, else option 2, else a refusal."""
    dates = {
        BookingDateSource.INVOICE_DATE: invoice.date,
        BookingDateSource.ORDER_START_DATE: invoice.order_start_date,
        BookingDateSource.ORDER_END_DATE: invoice.order_end_date,
        BookingDateSource.EXPORT_DATE: export_date,
    }
    for option in (link.booking_date_option_1, link.booking_date_option_2):
        if option and dates.get(option):
            return dates[option]
    raise ExportProblem(
        "booking_date_missing",
        _("Invoice %(number)s has no date for the booking-date options.")
        % {"number": invoice.number_display},
    )


def project_code_resolve(*, invoice: Invoice, link: ExactLink) -> str:
    """The project code from the chosen source; empty when the panel sends no project."""
    source = link.project_code_source
    if not source:
        return ""
    request, course = invoice.request, invoice.course
    codes = {
        ProjectCodeSource.REQUEST_NUMBER: request.request_number if request else "",
        ProjectCodeSource.REQUEST_REFERENCE: request.reference_number if request else "",
        ProjectCodeSource.INVOICE_REFERENCE: invoice.invoice_reference_number,
        ProjectCodeSource.COURSE_CODE: course.code if course else "",
        ProjectCodeSource.COURSE_DEFINITION_CODE: course.definition.code if course else "",
    }
    code = (codes.get(source) or "").strip()
    if not code:
        raise ExportProblem(
            "project_code_missing",
            _("Invoice %(number)s has no %(source)s for its project code.")
            % {"number": invoice.number_display, "source": ProjectCodeSource(source).label},
        )
    return code


def _journal_check(*, link: ExactLink, lookups: ExactLookups) -> None:
    journal_type = lookups.journals.get(link.journal.strip())
    if journal_type != SALES_JOURNAL_TYPE:
        message = (
            _("Journal %(code)s does not exist in Exact Online.")
            if journal_type is None
            else _("Journal %(code)s is not a sales journal in Exact Online.")
        )
        raise ExportProblem("journal", message % {"code": link.journal})


def _gl_account_id(*, code: str, lookups: ExactLookups) -> str:
    account = lookups.gl_accounts.get(code.strip())
    if account is None or account.is_blocked:
        raise ExportProblem(
            "gl_account_unknown",
            _("GL account %(code)s does not exist in Exact Online or is blocked.") % {"code": code},
        )
    if account.type != REVENUE_GL_TYPE:
        raise ExportProblem(
            "gl_account_type",
            _("GL account %(code)s is not a revenue account in Exact Online.") % {"code": code},
        )
    return account.id


def _vat_code(*, code: str, lookups: ExactLookups) -> str:
    vat_type = lookups.vat_codes.get(code.strip())
    if vat_type is None:
        raise ExportProblem(
            "vat_code_unknown",
            _("VAT code %(code)s does not exist in Exact Online.") % {"code": code},
        )
    if vat_type != "E":
        raise ExportProblem(
            "vat_inclusive",
            _("VAT code %(code)s is not Exclusive in Exact Online.") % {"code": code},
        )
    return code.strip()


def customer_check(*, code: str, lookups: ExactLookups) -> ExactAccount:
    """The customer account with ``code``; a supplier or prospect is refused, never used."""
    account = lookups.accounts.get(code)
    if account is None:
        raise ExportProblem(
            "customer_type",
            _("Relation %(code)s does not exist in Exact Online.") % {"code": code},
        )
    if not account.is_customer:
        raise ExportProblem(
            "customer_type",
            _(
                "Relation %(code)s is a supplier or prospect in Exact Online, not a customer "
                "(Ongeldig: Klant (Type))."
            )
            % {"code": code},
        )
    return account


def sales_entry_build(
    *, invoice: Invoice, link: ExactLink, lookups: ExactLookups, export_date: dt.date
) -> dict:
    """The salesentry/SalesEntries body for a final invoice; lines are excluding VAT."""
    _journal_check(link=link, lookups=lookups)
    customer = customer_check(
        code=debtor_number_resolve(debtor=invoice.debtor, link=link), lookups=lookups
    )
    booking_date = booking_date_resolve(invoice=invoice, link=link, export_date=export_date)
    reference = invoice_reference(invoice=invoice, link=link)
    project_code = project_code_resolve(invoice=invoice, link=link)
    project_id = lookups.projects.get(project_code) if project_code else None

    lines = []
    for line in invoice.lines.all():
        entry_line = {
            "GLAccount": _gl_account_id(code=line.gl_account.code, lookups=lookups),
            "AmountFC": float(line.amount),
            "VATCode": _vat_code(code=line.vat_rate.exact_code, lookups=lookups),
            "Description": line.description[:100],
            "Quantity": float(line.quantity),
        }
        if link.send_cost_center and line.cost_center_id:
            if line.cost_center.code not in lookups.cost_centers:
                raise ExportProblem(
                    "cost_center_unknown",
                    _("Cost centre %(code)s does not exist in Exact Online.")
                    % {"code": line.cost_center.code},
                )
            entry_line["CostCenter"] = line.cost_center.code
        if project_id:
            entry_line["Project"] = project_id
        lines.append(entry_line)

    credit = link.negative_as_credit_note and invoice.is_credit
    return {
        "Journal": link.journal.strip(),
        "Customer": customer.id,
        "Type": ENTRY_TYPE_CREDIT_NOTE if credit else ENTRY_TYPE_SALES,
        "EntryDate": booking_date.isoformat(),
        "ReportingYear": booking_date.year,
        "ReportingPeriod": booking_date.month,
        "YourRef": reference,
        "InvoiceNumber": int(reference),
        # The same in every language the worker may run in: the reference and the debtor.
        "Description": f"{reference} {invoice.debtor.name}"[:100],
        "SalesEntryLines": lines,
    }
