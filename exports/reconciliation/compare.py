"""The comparison itself: coachlink's final invoices against Exact's booked entries.

Pure functions over small typed records, no database and no Exact: the run module builds the
records, this module decides what agrees and what does not.

An entry in Exact is recognised by its reference: YourRef, which coachlink fills with the
invoice number prefix and the five-digit invoice number (or, when YourRef is empty, Exact's
InvoiceNumber). Its amounts come from its journal lines: the line on the debtor GL account is
the total incl. VAT, the VAT is what its revenue lines carry, and the revenue lines give the
amount excl. VAT per GL account and the VAT per VAT code (revenue is credit, so their signs are
turned).

Exact computes VAT per line, coachlink per VAT rate over the invoice (as the invoice shows it):
the two may round a cent apart on a VAT code. That cent (VAT_ROUNDING) is no difference; more
than a cent, another VAT code, or any cent excl. VAT is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from coachlink.numbers import whole_number
from exports.models import DifferenceKind
from integrations.exact.entities import TransactionLine

ZERO = Decimal("0.00")
VAT_ROUNDING = Decimal("0.01")
Period = tuple[int, int]


@dataclass(frozen=True)
class Amounts:
    excl: Decimal = ZERO
    vat: Decimal = ZERO
    total: Decimal = ZERO

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.excl + other.excl, self.vat + other.vat, self.total + other.total)


@dataclass(frozen=True)
class Booking:
    """One entry as Exact holds it, summed from its journal lines."""

    entry_id: str
    entry_number: int
    reference: str
    journal: str
    period: Period
    date: dt.date | None
    account_code: str
    amounts: Amounts
    gl_amounts: tuple[tuple[str, Decimal], ...]
    vat_amounts: tuple[tuple[str, Decimal], ...]


class InvoiceState:
    EXPORTED = "exported"
    # Sent, outcome not settled yet: the export looks it up by YourRef before sending again.
    SENDING = "sending"
    NOT_EXPORTED = "not_exported"
    EXCLUDED = "excluded"


@dataclass(frozen=True)
class Expected:
    """A final invoice as coachlink expects it in Exact."""

    invoice_id: int
    record_id: int | None
    reference: str
    state: str
    entry_id: str
    period: Period
    date: dt.date | None
    account_code: str
    amounts: Amounts
    gl_amounts: tuple[tuple[str, Decimal], ...]
    # VAT per VAT code, of the codes its lines use.
    vat_amounts: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class Mismatch:
    field: str
    coachlink: str
    exact: str


@dataclass(frozen=True)
class Finding:
    """A difference: what kind, for which reference, and the two sides."""

    kind: str
    reference: str
    period: Period
    expected: Expected | None = None
    bookings: tuple[Booking, ...] = ()
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def exact_amounts(self) -> Amounts | None:
        if not self.bookings:
            return None
        total = Amounts()
        for booking in self.bookings:
            total += booking.amounts
        return total

    @property
    def fingerprint(self) -> str:
        """Equal while the difference stays the same: a handled mark follows it to later runs."""
        parts = [self.kind, self.reference]
        if self.expected is not None:
            parts += [self.expected.entry_id, _amounts_text(self.expected.amounts)]
        for booking in sorted(self.bookings, key=lambda b: b.entry_id):
            parts += [
                booking.entry_id,
                _amounts_text(booking.amounts),
                booking.account_code,
                _period_text(booking.period),
                _gl_text(booking.gl_amounts),
            ]
        parts += [f"{m.field}={m.coachlink}>{m.exact}" for m in self.mismatches]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class MonthTotals:
    period: Period
    coachlink: Amounts = Amounts()
    exact: Amounts = Amounts()
    invoices: int = 0
    entries: int = 0
    # Exact's VAT less coachlink's on the invoices that agree: their rounding, not a difference.
    vat_rounding: Decimal = ZERO

    @property
    def difference(self) -> Amounts:
        return Amounts(
            self.exact.excl - self.coachlink.excl,
            self.exact.vat - self.coachlink.vat,
            self.exact.total - self.coachlink.total,
        )

    @property
    def agrees(self) -> bool:
        return self.difference == Amounts(ZERO, self.vat_rounding, self.vat_rounding)


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    agreed: int = 0
    months: dict[Period, MonthTotals] = field(default_factory=dict)


def _amounts_text(amounts: Amounts) -> str:
    return f"{amounts.excl}/{amounts.vat}/{amounts.total}"


def _period_text(period: Period) -> str:
    return f"{period[0]}/{period[1]:02d}"


def _gl_text(gl_amounts: tuple[tuple[str, Decimal], ...]) -> str:
    return "; ".join(f"{code}: {amount}" for code, amount in gl_amounts)


def _is_vat_line(line: TransactionLine) -> bool:
    # The VAT line carries the VAT as its amount and the base it was computed on; a revenue
    # line's base is its own amount.
    return line.vat_amount == 0 and line.vat_base != 0 and line.vat_base != line.amount


def booking_reference(line: TransactionLine) -> str:
    if line.your_ref:
        return line.your_ref
    return str(line.invoice_number) if line.invoice_number else ""


def bookings_from_lines(lines: Iterable[TransactionLine], *, debtor_gl: str) -> list[Booking]:
    """One booking per entry, its amounts summed from its lines."""
    by_entry: dict[str, list[TransactionLine]] = defaultdict(list)
    for line in lines:
        by_entry[line.entry_id].append(line)
    bookings = []
    for entry_id, entry_lines in by_entry.items():
        head = min(entry_lines, key=lambda line: line.line_number)
        total = sum((ln.amount for ln in entry_lines if ln.gl_account_code == debtor_gl), ZERO)
        others = [ln for ln in entry_lines if ln.gl_account_code != debtor_gl]
        vat = -sum((ln.vat_amount for ln in others), ZERO)
        gl_amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
        vat_amounts: dict[str, Decimal] = {}
        for line in others:
            if not _is_vat_line(line):
                gl_amounts[line.gl_account_code] -= line.amount
                code = line.vat_code.strip()
                vat_amounts[code] = vat_amounts.get(code, ZERO) - line.vat_amount
        debtor_lines = [ln for ln in entry_lines if ln.gl_account_code == debtor_gl] or [head]
        bookings.append(
            Booking(
                entry_id=entry_id,
                entry_number=head.entry_number,
                reference=booking_reference(head),
                journal=head.journal,
                period=(head.year, head.period),
                date=head.date,
                account_code=debtor_lines[0].account_code,
                amounts=Amounts(total - vat, vat, total),
                gl_amounts=tuple(sorted((c, a) for c, a in gl_amounts.items() if a != 0)),
                vat_amounts=tuple(sorted(vat_amounts.items())),
            )
        )
    return bookings


def _code(value: str) -> str:
    """Relation numbers compare as numbers: Exact keeps no leading zeros."""
    text = value.strip()
    number = whole_number(text)
    return str(number) if number is not None else text


def mismatches_find(expected: Expected, booking: Booking) -> tuple[Mismatch, ...]:
    """Where an entry in Exact differs from the invoice coachlink exported."""
    found = []
    ours, theirs = expected.amounts, booking.amounts
    excl_differs = ours.excl != theirs.excl
    vat_differs = vat_amounts_differ(expected.vat_amounts, booking.vat_amounts)
    if excl_differs:
        found.append(Mismatch("excl", str(ours.excl), str(theirs.excl)))
    if vat_differs and ours.vat != theirs.vat:
        found.append(Mismatch("vat", str(ours.vat), str(theirs.vat)))
    if (excl_differs or vat_differs) and ours.total != theirs.total:
        found.append(Mismatch("total", str(ours.total), str(theirs.total)))
    codes = [code for code, _ in expected.vat_amounts], [code for code, _ in booking.vat_amounts]
    if codes[0] != codes[1]:
        found.append(Mismatch("vat_code", ", ".join(codes[0]), ", ".join(codes[1])))
    if _code(expected.account_code) != _code(booking.account_code):
        found.append(Mismatch("customer", expected.account_code, booking.account_code))
    if expected.period != booking.period:
        found.append(
            Mismatch("period", _period_text(expected.period), _period_text(booking.period))
        )
    if expected.date and booking.date and expected.date != booking.date:
        found.append(Mismatch("date", expected.date.isoformat(), booking.date.isoformat()))
    if expected.gl_amounts != booking.gl_amounts:
        found.append(
            Mismatch("gl_account", _gl_text(expected.gl_amounts), _gl_text(booking.gl_amounts))
        )
    return tuple(found)


def vat_amounts_differ(
    ours: tuple[tuple[str, Decimal], ...], theirs: tuple[tuple[str, Decimal], ...]
) -> bool:
    """Other VAT codes, or a code's VAT more than VAT_ROUNDING apart."""
    if [code for code, _ in ours] != [code for code, _ in theirs]:
        return True
    return any(abs(a - b) > VAT_ROUNDING for (_, a), (_, b) in zip(ours, theirs, strict=True))


def _original(expected: Expected, bookings: list[Booking]) -> Booking:
    for booking in bookings:
        if expected.entry_id and booking.entry_id == expected.entry_id:
            return booking
    return min(bookings, key=lambda booking: booking.entry_number)


def _invoice_findings(
    expected: Expected,
    bookings: list[Booking],
    *,
    elsewhere: dict[str, Booking],
) -> list[Finding]:
    """What is wrong with one invoice of the period; empty when it agrees."""
    here = expected.period
    if not bookings:
        moved = elsewhere.get(expected.entry_id) if expected.entry_id else None
        if moved is not None:
            mismatches = mismatches_find(expected, moved)
            return [
                Finding(
                    DifferenceKind.CHANGED, expected.reference, here, expected, (moved,), mismatches
                )
            ]
        if expected.state in (InvoiceState.EXPORTED, InvoiceState.SENDING):
            return [Finding(DifferenceKind.MISSING, expected.reference, here, expected)]
        return [Finding(DifferenceKind.NOT_EXPORTED, expected.reference, here, expected)]
    found = tuple(sorted(bookings, key=lambda booking: booking.entry_number))
    if expected.state == InvoiceState.NOT_EXPORTED:
        return [
            Finding(DifferenceKind.IN_EXACT_NOT_EXPORTED, expected.reference, here, expected, found)
        ]
    total = sum((booking.amounts.total for booking in found), ZERO)
    if len(found) > 1 and total == 0 and expected.amounts.total != 0:
        return [Finding(DifferenceKind.REVERSED, expected.reference, here, expected, found)]
    findings = []
    if len(found) > 1:
        findings.append(
            Finding(DifferenceKind.DUPLICATE, expected.reference, here, expected, found)
        )
    original = _original(expected, list(found))
    mismatches = mismatches_find(expected, original)
    if mismatches:
        findings.append(
            Finding(
                DifferenceKind.CHANGED, expected.reference, here, expected, (original,), mismatches
            )
        )
    return findings


def reconcile(
    *,
    expected: Iterable[Expected],
    known: dict[str, Expected],
    bookings: Iterable[Booking],
    elsewhere: Iterable[Booking] = (),
    prefix: str,
    periods: Iterable[Period],
) -> Outcome:
    """Compare the invoices of the periods with the entries Exact has in them.

    ``expected``: coachlink's final invoices of the periods (excluded ones left out);
    ``known``: other invoices of coachlink by reference, for entries booked in these periods
    that coachlink expects elsewhere; ``bookings``: Exact's entries in the periods;
    ``elsewhere``: entries of exported invoices that were not in the periods, found by entry id.
    """
    outcome = Outcome(months={period: MonthTotals(period) for period in periods})
    by_reference: dict[str, list[Booking]] = defaultdict(list)
    bookings = list(bookings)
    for booking in bookings:
        by_reference[booking.reference].append(booking)
    moved = {booking.entry_id: booking for booking in elsewhere}
    for invoice in expected:
        month = outcome.months.setdefault(invoice.period, MonthTotals(invoice.period))
        month.coachlink += invoice.amounts
        month.invoices += 1
        found = by_reference.pop(invoice.reference, [])
        findings = _invoice_findings(invoice, found, elsewhere=moved)
        outcome.findings += findings
        outcome.agreed += not findings
        if not findings and found:
            month.vat_rounding += found[0].amounts.vat - invoice.amounts.vat
    counted = {b.entry_id for found in by_reference.values() for b in found}
    for booking in bookings:
        if booking.entry_id in counted and not _is_coachlinks(booking, known, prefix):
            continue
        month = outcome.months.setdefault(booking.period, MonthTotals(booking.period))
        month.exact += booking.amounts
        month.entries += 1
    for reference, found in sorted(by_reference.items()):
        found = sorted(found, key=lambda booking: booking.entry_number)
        invoice = known.get(reference)
        if invoice is None:
            outcome.findings += [
                Finding(DifferenceKind.UNKNOWN, reference, booking.period, None, (booking,))
                for booking in found
                if reference.startswith(prefix)
            ]
        elif invoice.state != InvoiceState.EXCLUDED and _reverses(found, invoice):
            # The reversal of an entry of an earlier period (which this run does not read).
            outcome.findings.append(
                Finding(DifferenceKind.REVERSED, reference, invoice.period, invoice, tuple(found))
            )
        elif invoice.state != InvoiceState.EXCLUDED:
            # Booked in these periods, expected in another: its own period's run reports it
            # missing unless it is found there by its entry id.
            outcome.findings += _invoice_findings(invoice, found, elsewhere={})
    return outcome


def _reverses(bookings: list[Booking], invoice: Expected) -> bool:
    """The bookings, none of them the entry coachlink exported, take the exported invoice's
    total back."""
    if invoice.state not in (InvoiceState.EXPORTED, InvoiceState.SENDING):
        return False
    total = sum((booking.amounts.total for booking in bookings), ZERO)
    others = all(booking.entry_id != invoice.entry_id for booking in bookings)
    return others and invoice.amounts.total != 0 and total == -invoice.amounts.total


def _is_coachlinks(booking: Booking, known: dict[str, Expected], prefix: str) -> bool:
    invoice = known.get(booking.reference)
    if invoice is not None:
        return invoice.state != InvoiceState.EXCLUDED
    return booking.reference.startswith(prefix)
