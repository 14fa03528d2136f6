"""Pure builders: what coachlink sends to Exact Online for a debtor and for an invoice.

Nothing here talks to Exact or writes to the database; the lookups (what Exact holds: journals,
GL accounts, VAT codes, cost centres, projects, accounts) are read once per run
(exports.lookups, exports.accounts) and passed in; Exact's rules come from
integrations.exact.rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop

from billing.models import Debtor, Invoice, InvoiceLine
from coachlink.messages import Message, choice_value
from integrations.exact import rules
from integrations.exact.entities import (
    Account,
    AccountFields,
    CostCentre,
    GLAccount,
    Journal,
    NewSalesEntry,
    Project,
    SalesEntryLine,
    VatCode,
)
from integrations.exact.errors import ExactError
from integrations.exact.rules import Breach
from integrations.models import (
    BookingDateSource,
    DebtorNumberSource,
    ExactLink,
    ProjectCodeSource,
)


class ExportProblem(Exception):
    """A reason an invoice cannot go to Exact, found before (or instead of) sending it.

    ``kind`` names the explanation in exports.explanations; ``message`` is Exact's words when
    Exact said no (``error`` then holds its answer), else ours, which ``said`` keeps as a
    Message so the record shows it in the reader's language.
    """

    def __init__(
        self, kind: str, message: str | Message, *, error: ExactError | None = None
    ) -> None:
        self.said = message if isinstance(message, Message) else None
        self.message = str(message)
        super().__init__(self.message)
        self.kind = kind
        self.error = error

    @property
    def stored(self) -> Message | str:
        """What the record keeps: coachlink's Message, or Exact's words."""
        return self.said if self.said is not None else self.message

    @property
    def refused_by(self) -> str:
        return "exact" if self.error is not None else "coachlink"

    @classmethod
    def of(cls, breach: Breach) -> ExportProblem:
        return cls(breach.kind, breach.message)


@dataclass
class ExactLookups:
    """What one run needs to know of the administration, keyed by (trimmed) code."""

    journals: dict[str, Journal] = field(default_factory=dict)
    gl_accounts: dict[str, GLAccount] = field(default_factory=dict)
    vat_codes: dict[str, VatCode] = field(default_factory=dict)
    cost_centres: dict[str, CostCentre] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)


def _relation_code(value: str) -> str:
    code = rules.relation_code(value)
    if code is None:
        raise ExportProblem.of(rules.relation_code_breach(value))
    return code


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
                return _relation_code(link.debtor_prefix + f"{debtor.debtor_number:05d}")
            return _relation_code(str(debtor.debtor_number))
        if option == DebtorNumberSource.DEBTOR_NUMBER_EXTERNAL and debtor.debtor_number_external:
            return _relation_code(debtor.debtor_number_external)
        if option == DebtorNumberSource.COMPANY_PERSON_EXTERN_ID:
            holder = debtor.company if debtor.company_id else debtor.person
            if (
                holder is not None
                and holder.extern_id.strip()
                and holder.extern_source == link.extern_source
            ):
                return _relation_code(holder.extern_id)
    raise ExportProblem(
        "debtor_number_missing",
        Message(
            gettext_noop("No debtor number option gives a relation number for debtor %(debtor)s."),
            debtor=debtor.name,
        ),
    )


@dataclass(frozen=True)
class InvoiceCodes:
    """An invoice's relation number and project code in Exact, resolved once per run.

    A code that cannot be resolved holds the reason instead, raised when the invoice is sent.
    """

    relation: str = ""
    project: str = ""
    relation_problem: ExportProblem | None = None
    project_problem: ExportProblem | None = None

    def relation_checked(self) -> str:
        if self.relation_problem is not None:
            raise self.relation_problem
        return self.relation

    def project_checked(self) -> str:
        """The project code; empty when the panel sends no project."""
        if self.project_problem is not None:
            raise self.project_problem
        return self.project


def invoice_codes_resolve(*, invoice: Invoice, link: ExactLink) -> InvoiceCodes:
    """The relation number and project code of ``invoice``, or why each cannot be had."""
    relation, relation_problem, project, project_problem = "", None, "", None
    try:
        relation = debtor_number_resolve(debtor=invoice.debtor, link=link)
    except ExportProblem as problem:
        relation_problem = problem
    try:
        project = project_code_resolve(invoice=invoice, link=link)
    except ExportProblem as problem:
        project_problem = problem
    return InvoiceCodes(relation, project, relation_problem, project_problem)


def account_fields_build(*, debtor: Debtor, gl_receivable_id: str) -> AccountFields:
    """What the customer account of ``debtor`` holds in Exact."""
    return AccountFields(
        name=debtor.name,
        address_lines=(debtor.address_line_1, debtor.address_line_2, debtor.address_line_3),
        postcode=debtor.postcode,
        city=debtor.city,
        country=debtor.country_code,
        email=debtor.email,
        vat_number=debtor.vat_number,
        chamber_of_commerce=debtor.chamber_of_commerce,
        gl_receivable_id=gl_receivable_id,
    )


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
        Message(
            gettext_noop("Invoice %(number)s has no date for the booking-date options."),
            number=invoice.number_display,
        ),
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
            Message(
                gettext_noop("Invoice %(number)s has no %(source)s for its project code."),
                number=invoice.number_display,
                source=choice_value(ProjectCodeSource(source)),
            ),
        )
    return code


def _checked(breach: rules.Breach | None) -> None:
    if breach is not None:
        raise ExportProblem.of(breach)


def customer_check(*, code: str, lookups: ExactLookups) -> Account:
    """The customer account with ``code``; a supplier or prospect is refused, never used."""
    _checked(rules.customer_breach(code=code, accounts=lookups.accounts))
    return lookups.accounts[code]


def _entry_line(
    *, line: InvoiceLine, link: ExactLink, lookups: ExactLookups, project_id: str, vat: Decimal
):
    gl_code, vat_code = line.gl_account.code, line.vat_rate.exact_code
    _checked(rules.revenue_gl_account_breach(code=gl_code, gl_accounts=lookups.gl_accounts))
    _checked(rules.vat_code_breach(code=vat_code, vat_codes=lookups.vat_codes))
    cost_centre = ""
    if link.send_cost_center and line.cost_center_id:
        cost_centre = line.cost_center.code
        _checked(rules.cost_centre_breach(code=cost_centre, cost_centres=lookups.cost_centres))
    return SalesEntryLine(
        gl_account_id=lookups.gl_accounts[gl_code.strip()].id,
        amount=line.amount,
        vat_code=vat_code.strip(),
        description=line.description,
        quantity=line.quantity,
        cost_centre=cost_centre.strip(),
        project_id=project_id,
        vat_amount=vat,
    )


def sales_entry_build(
    *,
    invoice: Invoice,
    link: ExactLink,
    lookups: ExactLookups,
    export_date: dt.date,
    codes: InvoiceCodes | None = None,
) -> NewSalesEntry:
    """The sales entry (or credit note) for a final invoice; lines are excluding VAT.

    ``codes`` are the invoice's codes as the run resolved them; resolved here when not given.
    """
    codes = codes or invoice_codes_resolve(invoice=invoice, link=link)
    _checked(rules.journal_breach(code=link.journal, journals=lookups.journals))
    customer = customer_check(code=codes.relation_checked(), lookups=lookups)
    booking_date = booking_date_resolve(invoice=invoice, link=link, export_date=export_date)
    reference = invoice_reference(invoice=invoice, link=link)
    project_code = codes.project_checked()
    project = lookups.projects.get(project_code) if project_code else None
    vats = invoice.line_vats
    return NewSalesEntry(
        journal=link.journal.strip(),
        customer_id=customer.id,
        credit_note=link.negative_as_credit_note and invoice.is_credit,
        entry_date=booking_date,
        your_ref=reference,
        invoice_number=int(reference),
        # The same in every language the worker may run in: the reference and the debtor.
        description=f"{reference} {invoice.debtor.name}",
        lines=tuple(
            _entry_line(
                line=line,
                link=link,
                lookups=lookups,
                project_id=project.id if project else "",
                vat=vats[line.pk],
            )
            for line in invoice.lines.all()
        ),
    )
