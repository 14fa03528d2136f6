"""What a bookkeeper does to booked sales entries in Exact: edit, reverse, delete, book by hand.

These are the changes a reconciliation must find afterwards. Booking by hand goes through the
same rules as the API (``bookkeeping.sales_entry_create``); an edit changes what Exact's screen
lets a person change (amount, customer, GL account, period) and recomputes the VAT, the totals
and the receivable as Exact does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from exact_sandbox import models as m
from exact_sandbox.bookkeeping import ExactRuleError, _cents, sales_entry_create, sales_entry_delete
from exact_sandbox.clock import now
from exact_sandbox.seed import account_code


@dataclass(frozen=True)
class EntryEdit:
    """What a person changed on an entry's screen; None leaves a field as it is."""

    amount: Decimal | None = None
    customer_code: str | None = None
    gl_code: str | None = None
    year: int | None = None
    period: int | None = None


def _decimal(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise ExactRuleError([f"Ongeldig: {field}"]) from None


def _int(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ExactRuleError([f"Ongeldig: {field}"]) from None


def entry_edit_from(data: dict) -> EntryEdit:
    """An edit from a form or a JSON body: amount, customer_code, gl_code, year, period."""
    return EntryEdit(
        amount=_decimal(data.get("amount"), "Bedrag"),
        customer_code=str(data.get("customer_code") or "").strip() or None,
        gl_code=str(data.get("gl_code") or "").strip() or None,
        year=_int(data.get("year"), "Boekjaar"),
        period=_int(data.get("period"), "Periode"),
    )


def _customer(division: int, code: str) -> m.Account:
    customer = m.Account.objects.filter(division=division, code=account_code(code)).first()
    if customer is None:
        raise ExactRuleError(["Ongeldige referentie: Klant"])
    if customer.status != "C":
        raise ExactRuleError(["Ongeldig: Klant (Type)"])
    return customer


def _revenue_gl(division: int, code: str) -> m.GLAccount:
    gl = m.GLAccount.objects.filter(division=division, code=code).first()
    if gl is None:
        raise ExactRuleError(["Ongeldige referentie: Grootboekrekening"])
    if gl.type != 110:
        raise ExactRuleError(["Ongeldig: Grootboekrekeningtype"])
    return gl


def _open_period(division: int, year: int, period: int) -> m.FinancialPeriod:
    found = m.FinancialPeriod.objects.filter(division=division, year=year, period=period).first()
    if found is None:
        raise ExactRuleError(["Onbekend: Boekjaar (Periode - datumtabel)"])
    if found.closed:
        raise ExactRuleError(["Periode is afgesloten"])
    return found


def _totals_apply(entry: m.SalesEntry, lines: list[m.SalesEntryLine], stamp: datetime) -> None:
    vat = sum((line.vat_amount_fc for line in lines), Decimal(0))
    total = sum((line.amount_fc for line in lines), Decimal(0)) + vat
    entry.amount_dc, entry.vat_amount_dc, entry.modified = total, vat, stamp
    entry.save()
    receivables = list(entry.receivables.all())
    if len(receivables) == 1 and not (receivables[0].paid_dc or receivables[0].written_off_dc):
        receivables[0].amount_dc, receivables[0].modified = total, stamp
        receivables[0].save()


@transaction.atomic
def entry_edit(*, entry: m.SalesEntry, edit: EntryEdit) -> m.SalesEntry:
    """Change an entry as a person can on Exact's screen; the first line carries an amount."""
    division = entry.division
    if entry.receivables.exclude(paid_dc=0, written_off_dc=0).exists():
        raise ExactRuleError(["Wijzigen niet toegestaan: Boeking is (deels) afgeletterd"])
    current = m.FinancialPeriod.objects.filter(
        division=division, year=entry.reporting_year, period=entry.reporting_period
    ).first()
    if current is not None and current.closed:
        raise ExactRuleError(["Periode is afgesloten"])
    lines = list(entry.lines.select_related("gl_account"))
    if edit.customer_code is not None:
        entry.customer = _customer(division, edit.customer_code)
    if edit.gl_code is not None:
        gl = _revenue_gl(division, edit.gl_code)
        for line in lines:
            line.gl_account = gl
            line.save()
    if edit.amount is not None and lines:
        line = lines[0]
        sign = -1 if entry.type == 21 and edit.amount > 0 else 1
        vat = m.VATCode.objects.filter(division=division, code=line.vat_code).first()
        percentage = vat.percentage if vat else Decimal(0)
        line.amount_fc = _cents(sign * edit.amount)
        line.vat_amount_fc = _cents(line.amount_fc * percentage)
        line.save()
    if edit.year is not None or edit.period is not None:
        year = edit.year if edit.year is not None else entry.reporting_year
        period = edit.period if edit.period is not None else entry.reporting_period
        target = _open_period(division, year, period)
        entry.reporting_year, entry.reporting_period = year, period
        if not target.start <= entry.entry_date.date() <= target.end:
            entry.entry_date = datetime.combine(target.start, datetime.min.time())
    _totals_apply(entry, lines, now())
    return entry


def _entry_payload(entry: m.SalesEntry, *, sign: int, description: str) -> dict:
    return {
        "Journal": entry.journal,
        "Customer": str(entry.customer_id),
        "Type": entry.type,
        "EntryDate": entry.entry_date.isoformat(),
        "ReportingYear": entry.reporting_year,
        "ReportingPeriod": entry.reporting_period,
        "YourRef": entry.your_ref,
        "Description": description,
        "PaymentCondition": entry.payment_condition,
        "SalesEntryLines": [
            {
                "GLAccount": str(line.gl_account_id),
                "AmountFC": str(sign * line.amount_fc),
                "VATCode": line.vat_code,
                "VATAmountFC": str(sign * line.vat_amount_fc),
                "CostCenter": line.cost_center,
                "Project": str(line.project) if line.project else None,
                "Description": line.description,
                "Quantity": str(line.quantity),
            }
            for line in entry.lines.all()
        ],
    }


@transaction.atomic
def entry_reverse(*, entry: m.SalesEntry) -> m.SalesEntry:
    """Book the entry's mirror image in the same period, as Exact's "Terugboeken" does.

    The original stays; with its reversal it adds up to nothing.
    """
    payload = _entry_payload(entry, sign=-1, description=f"Storno {entry.entry_number}")
    # The reversal of a credit note is a sales entry and the other way round, so the amounts
    # keep the sign they were given.
    payload["Type"] = 20
    return sales_entry_create(division=entry.division, data=payload)


@transaction.atomic
def entry_delete(*, entry: m.SalesEntry) -> None:
    sales_entry_delete(entry=entry)


@transaction.atomic
def entry_duplicate(*, entry: m.SalesEntry) -> m.SalesEntry:
    """Book the same invoice again by hand: same customer, reference and lines, a new number."""
    return sales_entry_create(
        division=entry.division,
        data=_entry_payload(entry, sign=1, description=entry.description),
    )


@transaction.atomic
def entry_book(*, division: int, data: dict) -> m.SalesEntry:
    """Book a new sales entry by hand: one line, the fields of Exact's entry screen.

    ``data``: journal, customer_code, your_ref, invoice_number (becomes the entry number when
    free), date (ISO), gl_code, vat_code, amount (excl. VAT), description.
    """
    customer = _customer(division, str(data.get("customer_code") or "").strip())
    gl = _revenue_gl(division, str(data.get("gl_code") or "").strip())
    amount = _decimal(data.get("amount"), "Bedrag")
    if amount is None:
        raise ExactRuleError(["Verplicht: Bedrag"])
    number = _int(data.get("invoice_number"), "Factuurnummer")
    entry_date = str(data.get("date") or "").strip() or now().date().isoformat()
    payload = {
        "Journal": str(data.get("journal") or "70").strip(),
        "Customer": str(customer.id),
        "EntryDate": entry_date,
        "YourRef": str(data.get("your_ref") or "").strip(),
        "Description": str(data.get("description") or "").strip(),
        "SalesEntryLines": [
            {
                "GLAccount": str(gl.id),
                "AmountFC": str(amount),
                "VATCode": str(data.get("vat_code") or "1").strip(),
                "Description": str(data.get("description") or "").strip(),
            }
        ],
    }
    if number:
        payload["InvoiceNumber"] = number
    return sales_entry_create(division=division, data=payload)


def entries_bulk_book(*, division: int, entries: list[dict]) -> list[m.SalesEntry]:
    """Store many entries at once, as coachlink's exports would have booked them (benchmarks).

    Each: EntryNumber, YourRef, AccountCode, Date (ISO), Type, Lines [{GLAccountCode,
    AmountFC, VATCode}]. The rules were checked by the exports this stands in for: here only
    the references are resolved, and VAT, totals and receivables computed as on a POST.
    """
    accounts = {a.code.strip(): a for a in m.Account.objects.filter(division=division)}
    gls = {g.code: g for g in m.GLAccount.objects.filter(division=division)}
    vats = {v.code: v.percentage for v in m.VATCode.objects.filter(division=division)}
    condition = m.Division.objects.get(code=division).default_payment_condition or "30"
    stamp = now()
    built: list[tuple[m.SalesEntry, list[m.SalesEntryLine]]] = []
    for data in entries:
        entry_date = datetime.fromisoformat(str(data["Date"]))
        lines = []
        for number, line in enumerate(data["Lines"], start=1):
            amount = _cents(Decimal(str(line["AmountFC"])))
            code = str(line.get("VATCode") or "0").strip()
            lines.append(
                m.SalesEntryLine(
                    line_number=number,
                    gl_account=gls[str(line["GLAccountCode"])],
                    amount_fc=amount,
                    vat_code=code,
                    vat_amount_fc=_cents(amount * vats[code]),
                    description=str(line.get("Description") or ""),
                )
            )
        vat = sum((line.vat_amount_fc for line in lines), Decimal(0))
        total = sum((line.amount_fc for line in lines), Decimal(0)) + vat
        entry = m.SalesEntry(
            division=division,
            entry_number=int(data["EntryNumber"]),
            journal=str(data.get("Journal") or "70"),
            customer=accounts[str(data["AccountCode"]).strip()],
            entry_date=entry_date,
            due_date=entry_date + timedelta(days=30),
            your_ref=str(data.get("YourRef") or ""),
            description=str(data.get("Description") or ""),
            reporting_year=entry_date.year,
            reporting_period=entry_date.month,
            type=int(data.get("Type") or 20),
            payment_condition=condition,
            amount_dc=total,
            vat_amount_dc=vat,
            created=stamp,
            modified=stamp,
        )
        built.append((entry, lines))
    with transaction.atomic():
        m.SalesEntry.objects.bulk_create([entry for entry, _ in built], batch_size=500)
        for entry, lines in built:
            for line in lines:
                line.entry = entry
        m.SalesEntryLine.objects.bulk_create(
            [line for _, lines in built for line in lines], batch_size=1000
        )
        m.Receivable.objects.bulk_create(
            [
                m.Receivable(
                    division=division,
                    entry=entry,
                    amount_dc=entry.amount_dc,
                    created=stamp,
                    modified=stamp,
                )
                for entry, _ in built
            ],
            batch_size=1000,
        )
    return [entry for entry, _ in built]
