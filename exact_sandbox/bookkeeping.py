"""Exact's business rules for the records coachlink writes, with Exact's own Dutch messages."""

import base64
import binascii
import uuid
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Max

from exact_sandbox import models as m
from exact_sandbox import transactions
from exact_sandbox.clock import now
from exact_sandbox.odata import ODataError, parse_datetime
from exact_sandbox.reference import DELETED_ACCOUNTS, DELETED_TRANSACTION_LINES
from exact_sandbox.seed import account_code

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ACCOUNT_FIELDS = {
    "Name": "name",
    "Email": "email",
    "VATNumber": "vat_number",
    "ChamberOfCommerce": "chamber_of_commerce",
    "AddressLine1": "address_line1",
    "AddressLine2": "address_line2",
    "AddressLine3": "address_line3",
    "Postcode": "postcode",
    "City": "city",
    "Country": "country",
}
ACCOUNT_STATUSES = {"A", "S", "P", "C"}


class ExactRuleError(Exception):
    """A refusal Exact words in Dutch; several messages are joined by CR LF, as Exact does."""

    def __init__(self, messages: list[str], status: int = 400) -> None:
        self.messages = list(dict.fromkeys(messages))
        # Exact answers a broken reference or a duplicate with 500, plain validation with 400.
        if any(
            text.startswith("Ongeldige referentie") or text == "Gegeven bestaat reeds"
            for text in self.messages
        ):
            status = 500
        self.status = status
        super().__init__("\r\n".join(self.messages))


def _guid(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value: Any, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_datetime(str(value))
    except ODataError as error:
        raise ExactRuleError([f"Ongeldig: {field}"]) from error


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Accounts


def _account_code_check(*, division: int, code: str, exclude: uuid.UUID | None = None) -> str:
    code = str(code).strip()
    if not code or len(code) > 18:
        raise ExactRuleError(["Ongeldig: Code"])
    padded = account_code(code)
    taken = m.Account.objects.filter(division=division, code=padded).exclude(pk=exclude)
    if taken.exists():
        raise ExactRuleError(["Gegeven bestaat reeds"], status=500)
    return padded


def _account_next_code(*, division: int) -> str:
    numbers = [
        int(code)
        for code in m.Account.objects.filter(division=division).values_list("code", flat=True)
        if code.strip().isascii() and code.strip().isdigit()
    ]
    return account_code(str(max(numbers, default=0) + 1))


def _account_apply(account: m.Account, data: dict) -> list[str]:
    errors = []
    for field, attribute in ACCOUNT_FIELDS.items():
        if field in data:
            setattr(account, attribute, str(data[field] or ""))
    if "Status" in data:
        status = str(data["Status"] or "").strip().upper()
        if status not in ACCOUNT_STATUSES:
            errors.append("Ongeldig: Status")
        account.status = status
    if "IsSupplier" in data:
        account.is_supplier = bool(data["IsSupplier"])
    if "GLAR" in data:
        glar = _guid(data["GLAR"])
        if not m.GLAccount.objects.filter(division=account.division, pk=glar).exists():
            errors.append("Ongeldige referentie: Grootboekrekening debiteuren")
        account.glar = glar
    errors += _account_references(account, data)
    if not account.name.strip():
        errors.append("Verplicht: Naam")
    return errors


# Account fields naming another record of the division, with Exact's refusal when it is missing.
ACCOUNT_REFERENCES = {
    "PaymentConditionSales": ("payment condition", "Ongeldige referentie: Betalingsconditie"),
    "PaymentConditionPurchase": ("payment condition", "Ongeldige referentie: Betalingsconditie"),
    "SalesVATCode": ("vat code", "Ongeldige referentie: Btw-code"),
    "PurchaseVATCode": ("vat code", "Ongeldige referentie: Btw-code"),
    "GLAccountSales": ("gl account", "Ongeldige referentie: Grootboekrekening"),
    "GLAccountPurchase": ("gl account", "Ongeldige referentie: Grootboekrekening"),
    "GLAP": ("gl account", "Ongeldige referentie: Grootboekrekening crediteuren"),
    "InvoiceAccount": ("account", "Ongeldige referentie: Relatie"),
    "Parent": ("account", "Ongeldige referentie: Relatie"),
    "Reseller": ("account", "Ongeldige referentie: Relatie"),
    "Accountant": ("account", "Ongeldige referentie: Relatie"),
}


def _reference_exists(kind: str, division: int, value: Any) -> bool:
    if kind == "payment condition":
        return m.PaymentCondition.objects.filter(
            division=division, code=str(value).strip()
        ).exists()
    if kind == "vat code":
        return m.VATCode.objects.filter(division=division, code=str(value).strip()).exists()
    model = m.GLAccount if kind == "gl account" else m.Account
    key = _guid(value)
    return key is not None and model.objects.filter(division=division, pk=key).exists()


def _account_references(account: m.Account, data: dict) -> list[str]:
    """Check the fields that point at other records; keep the writable ones not modelled."""
    errors = []
    modelled = {*ACCOUNT_FIELDS, "Code", "Status", "IsSupplier", "GLAR", "ID"}
    for field, value in data.items():
        if field in modelled or field == "__metadata":
            continue
        reference = ACCOUNT_REFERENCES.get(field)
        if reference and value not in (None, ""):
            kind, message = reference
            if not _reference_exists(kind, account.division, value):
                errors.append(message)
        account.extra = {**account.extra, field: value}
    return errors


def account_create(*, division: int, data: dict) -> m.Account:
    stamp = now()
    receivables_gl = m.GLAccount.objects.filter(division=division, type=20).first()
    account = m.Account(
        division=division,
        code="",
        name="",
        status="C",
        glar=receivables_gl.id if receivables_gl else None,
        created=stamp,
        modified=stamp,
    )
    errors = _account_apply(account, data)
    if errors:
        raise ExactRuleError(errors)
    if data.get("Code") not in (None, ""):
        account.code = _account_code_check(division=division, code=data["Code"])
    else:
        account.code = _account_next_code(division=division)
    account.save()
    return account


def account_update(*, account: m.Account, data: dict) -> m.Account:
    errors = _account_apply(account, data)
    if errors:
        raise ExactRuleError(errors)
    if "Code" in data:
        account.code = _account_code_check(
            division=account.division, code=data["Code"], exclude=account.pk
        )
    account.modified = now()
    account.save()
    return account


def account_delete(*, account: m.Account) -> None:
    if account.sales_entries.exists():
        raise ExactRuleError(["Verwijderen niet toegestaan: Relatie is in gebruik"])
    m.DeletedRecord.objects.create(
        division=account.division,
        entity_type=DELETED_ACCOUNTS,
        entity_key=account.id,
        deleted=now(),
    )
    account.delete()


# Sales entries


def _period_resolve(
    *, division: int, year: Any, period: Any, entry_date: datetime, errors: list[str]
) -> tuple[int, int]:
    periods = m.FinancialPeriod.objects.filter(division=division)
    if year not in (None, ""):
        found = periods.filter(year=int(year), period=int(period or entry_date.month)).first()
    else:
        found = periods.filter(start__lte=entry_date.date(), end__gte=entry_date.date()).first()
    if found is None:
        errors.append("Onbekend: Boekjaar (Periode - datumtabel)")
        return 0, 0
    if found.closed:
        errors.append("Periode is afgesloten")
    return found.year, found.period


def _lines_build(*, division: int, lines: Any, errors: list[str]) -> list[m.SalesEntryLine]:
    if isinstance(lines, dict):
        lines = lines.get("results", [])
    if not isinstance(lines, list) or not lines:
        errors.append("Verplicht: Boekingsregels")
        return []
    built = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            errors.append("Ongeldig: Boekingsregels")
            continue
        gl_id = _guid(line.get("GLAccount"))
        gl = m.GLAccount.objects.filter(division=division, pk=gl_id).first() if gl_id else None
        if line.get("GLAccount") in (None, ""):
            errors.append("Verplicht: Grootboekrekening")
        elif gl is None:
            errors.append("Ongeldige referentie: Grootboekrekening")
        elif gl.type != 110:
            errors.append("Ongeldig: Grootboekrekeningtype")
        elif gl.is_blocked:
            errors.append("Geblokkeerd: Grootboekrekening")
        amount = _decimal(line.get("AmountFC"))
        if amount is None:
            errors.append("Verplicht: Bedrag")
            amount = Decimal(0)
        vat_code = str(line.get("VATCode") or "0").strip()
        vat = m.VATCode.objects.filter(division=division, code=vat_code).first()
        vat_amount = Decimal(0)
        if vat is None:
            errors.append("Ongeldige referentie: Btw-code")
        elif vat.type == "I":
            errors.append(
                f"Invoer 17: Het bedrag van de BTW regel met BTW code {vat_code} komt niet "
                "overeen met het BTW-bedrag dat uit het BTW-percentage volgt."
            )
        else:
            override = _decimal(line.get("VATAmountFC"))
            vat_amount = override if override is not None else _cents(amount * vat.percentage)
        cost_center = str(line.get("CostCenter") or "").strip()
        if (
            cost_center
            and not m.CostCenter.objects.filter(division=division, code=cost_center).exists()
        ):
            errors.append("Ongeldige referentie: Kostenplaats")
        project = _guid(line.get("Project"))
        if (
            line.get("Project")
            and not m.Project.objects.filter(division=division, pk=project).exists()
        ):
            errors.append("Ongeldige referentie: Project")
        built.append(
            m.SalesEntryLine(
                line_number=number,
                gl_account=gl,
                amount_fc=_cents(amount),
                vat_code=vat_code,
                vat_amount_fc=_cents(vat_amount),
                cost_center=cost_center,
                project=project,
                description=str(line.get("Description") or ""),
                quantity=_decimal(line.get("Quantity")) or Decimal(1),
            )
        )
    return built


def _entry_number(*, division: int, journal: str, year: int, suggested: Any, errors) -> int:
    entries = m.SalesEntry.objects.filter(division=division, journal=journal)
    if suggested not in (None, "", 0):
        number = int(suggested)
        if entries.filter(entry_number=number).exists():
            errors.append("In gebruik: Boekstuknummer")
        return number
    highest = entries.aggregate(highest=Max("entry_number"))["highest"]
    return highest + 1 if highest else int(f"{year % 100:02d}{journal}0001")


def sales_entry_create(*, division: int, data: dict) -> m.SalesEntry:
    errors: list[str] = []
    journal_code = str(data.get("Journal") or "").strip()
    if not journal_code:
        errors.append("Verplicht: Dagboek")
    elif not m.Journal.objects.filter(division=division, code=journal_code, type=20).exists():
        errors.append("Ongeldige referentie: Journals")

    customer = None
    if data.get("Customer") in (None, ""):
        errors.append("Verplicht: Klant")
    else:
        customer = m.Account.objects.filter(division=division, pk=_guid(data["Customer"])).first()
        if customer is None:
            errors.append("Ongeldige referentie: Klant")
        elif customer.status != "C":
            errors.append("Ongeldig: Klant (Type)")

    entry_type = int(data.get("Type") or 20)
    if entry_type not in (20, 21):
        errors.append("Ongeldig: Type")
    entry_date = _date(data.get("EntryDate"), "Boekdatum") or now().replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    year, period = _period_resolve(
        division=division,
        year=data.get("ReportingYear"),
        period=data.get("ReportingPeriod"),
        entry_date=entry_date,
        errors=errors,
    )

    division_row = m.Division.objects.get(code=division)
    condition_code = str(data.get("PaymentCondition") or "").strip()
    condition_code = condition_code or division_row.default_payment_condition
    condition = None
    if not condition_code:
        errors.append("Verplicht: Betalingsconditie")
    else:
        condition = m.PaymentCondition.objects.filter(
            division=division, code=condition_code
        ).first()
        if condition is None:
            errors.append("Ongeldige referentie: Betalingsconditie")

    document = None
    if data.get("Document"):
        document = m.Document.objects.filter(division=division, pk=_guid(data["Document"])).first()
        if document is None:
            errors.append("Ongeldige referentie: Document")

    lines = _lines_build(division=division, lines=data.get("SalesEntryLines"), errors=errors)
    number = _entry_number(
        division=division,
        journal=journal_code,
        year=entry_date.year,
        suggested=data.get("InvoiceNumber"),
        errors=errors,
    )
    if errors:
        raise ExactRuleError(errors)

    # A credit note lowers the receivable: Exact books type 21 with negative amounts.
    if entry_type == 21 and sum(line.amount_fc for line in lines) > 0:
        for line in lines:
            line.amount_fc, line.vat_amount_fc = -line.amount_fc, -line.vat_amount_fc

    stamp = now()
    vat_total = sum((line.vat_amount_fc for line in lines), Decimal(0))
    total = sum((line.amount_fc for line in lines), Decimal(0)) + vat_total
    due = _date(data.get("DueDate"), "Vervaldatum") or entry_date + timedelta(days=condition.days)
    entry = m.SalesEntry.objects.create(
        division=division,
        entry_number=number,
        journal=journal_code,
        customer=customer,
        entry_date=entry_date,
        due_date=due,
        your_ref=str(data.get("YourRef") or ""),
        description=str(data.get("Description") or ""),
        reporting_year=year,
        reporting_period=period,
        document=document,
        type=entry_type,
        payment_condition=condition_code,
        amount_dc=total,
        vat_amount_dc=vat_total,
        status=20,
        created=stamp,
        modified=stamp,
    )
    for line in lines:
        line.entry = entry
    m.SalesEntryLine.objects.bulk_create(lines)
    m.Receivable.objects.create(
        division=division, entry=entry, amount_dc=total, created=stamp, modified=stamp
    )
    return entry


def sales_entry_update(*, entry: m.SalesEntry, data: dict) -> m.SalesEntry:
    if "SalesEntryLines" in data:
        raise ExactRuleError(["Regels kunnen niet worden gewijzigd met PUT: SalesEntryLines"])
    if "YourRef" in data:
        entry.your_ref = str(data["YourRef"] or "")
    if "Description" in data:
        entry.description = str(data["Description"] or "")
    if "DueDate" in data:
        entry.due_date = _date(data["DueDate"], "Vervaldatum") or entry.due_date
    if "Document" in data:
        document = m.Document.objects.filter(
            division=entry.division, pk=_guid(data["Document"])
        ).first()
        if document is None and data["Document"]:
            raise ExactRuleError(["Ongeldige referentie: Document"])
        entry.document = document
    entry.modified = now()
    entry.save()
    entry.receivables.update(modified=entry.modified)
    return entry


def sales_entry_delete(*, entry: m.SalesEntry) -> None:
    if entry.receivables.exclude(paid_dc=0, written_off_dc=0).exists():
        raise ExactRuleError(["Verwijderen niet toegestaan: Boeking is (deels) afgeletterd"])
    division = entry.division
    debtor_gl = m.GLAccount.objects.filter(division=division, type=20).order_by("code").first()
    vat = {v.code: v.percentage for v in m.VATCode.objects.filter(division=division)}
    lines = transactions.entry_lines(entry, debtor_gl=debtor_gl, vat_percentages=vat)
    entry.delete()
    # The sync endpoints' clients learn of it from sync/Deleted, one row per transaction line.
    stamp = now()
    m.DeletedRecord.objects.bulk_create(
        m.DeletedRecord(
            division=division,
            entity_type=DELETED_TRANSACTION_LINES,
            entity_key=line["ID"],
            deleted=stamp,
        )
        for line in lines
    )


# Projects and cost centres


PROJECT_TYPES = {1, 2, 3, 4, 5}


def project_create(*, division: int, data: dict) -> m.Project:
    errors = []
    code = str(data.get("Code") or "").strip()
    description = str(data.get("Description") or "").strip()
    if not code:
        errors.append("Verplicht: Code")
    if not description:
        errors.append("Verplicht: Omschrijving")
    try:
        kind = int(data.get("Type") or 0)
    except (TypeError, ValueError):
        kind = -1
    if kind == 0:
        errors.append("Verplicht: Type")
    elif kind not in PROJECT_TYPES:
        errors.append("Ongeldig: Type")
    account = _guid(data.get("Account"))
    if data.get("Account") and not m.Account.objects.filter(division=division, pk=account).exists():
        errors.append("Ongeldige referentie: Relatie")
    if code and m.Project.objects.filter(division=division, code=code).exists():
        errors.append("Gegeven bestaat reeds")
    if errors:
        raise ExactRuleError(errors)
    return m.Project.objects.create(
        division=division,
        code=code,
        description=description,
        type=kind,
        account=account,
        modified=now(),
    )


def cost_center_create(*, division: int, data: dict) -> m.CostCenter:
    errors = []
    code = str(data.get("Code") or "").strip()
    description = str(data.get("Description") or "").strip()
    if not code:
        errors.append("Verplicht: Code")
    elif len(code) > 8:
        errors.append("Ongeldig: Code")
    if not description:
        errors.append("Verplicht: Omschrijving")
    if code and m.CostCenter.objects.filter(division=division, code=code).exists():
        errors.append("Gegeven bestaat reeds")
    if errors:
        raise ExactRuleError(errors)
    return m.CostCenter.objects.create(
        division=division, code=code, description=description, active=True, modified=now()
    )


# Documents


def document_create(*, division: int, data: dict) -> m.Document:
    errors = []
    subject = str(data.get("Subject") or "").strip()
    if not subject:
        errors.append("Verplicht: Onderwerp")
    try:
        kind = int(data.get("Type") or 0)
    except (TypeError, ValueError):
        kind = 0
    if not kind:
        errors.append("Verplicht: Soort")
    account = _guid(data.get("Account"))
    if data.get("Account") and not m.Account.objects.filter(division=division, pk=account).exists():
        errors.append("Ongeldige referentie: Relatie")
    if errors:
        raise ExactRuleError(errors)
    stamp = now()
    return m.Document.objects.create(
        division=division,
        subject=subject,
        type=kind,
        account=account,
        created=stamp,
        modified=stamp,
    )


def document_attachment_create(*, division: int, data: dict) -> m.DocumentAttachment:
    errors = []
    document = None
    if not data.get("Document"):
        errors.append("Verplicht: Document")
    else:
        document = m.Document.objects.filter(division=division, pk=_guid(data["Document"])).first()
        if document is None:
            errors.append("Ongeldige referentie: Document")
    file_name = str(data.get("FileName") or "").strip()
    if not file_name:
        errors.append("Verplicht: Bestandsnaam")
    content = b""
    if not data.get("Attachment"):
        errors.append("Verplicht: Bijlage")
    else:
        try:
            # Clients for the real Exact send MIME-style base64, with line breaks: Exact takes it.
            text = "".join(str(data["Attachment"]).split())
            content = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            errors.append("Ongeldig: Bijlage")
        if len(content) > MAX_ATTACHMENT_BYTES:
            errors.append("Ongeldig: Bijlage is groter dan 10 MB")
    if errors:
        raise ExactRuleError(errors)
    stamp = now()
    return m.DocumentAttachment.objects.create(
        division=division,
        document=document,
        file_name=file_name,
        content=content,
        created=stamp,
        modified=stamp,
    )


# Payments, registered by a person in the sandbox's web UI


def receivable_payment_register(
    *, receivable: m.Receivable, amount: Decimal | None, write_off_rest: bool
) -> m.Receivable:
    """Book a payment (all that is open when no amount is given); optionally write off the rest.

    With the rest written off Exact counts the receivable as matched, like a full payment.
    """
    outstanding = receivable.open_dc
    amount = outstanding if amount is None else _cents(amount)
    if outstanding == 0:
        raise ExactRuleError(["Ongeldig: Bedrag (er staat niets meer open)"])
    if amount == 0 or (amount > 0) != (outstanding > 0) or abs(amount) > abs(outstanding):
        raise ExactRuleError(["Ongeldig: Bedrag"])
    stamp = now()
    receivable.paid_dc += amount
    if write_off_rest:
        receivable.written_off_dc += outstanding - amount
    if receivable.open_dc == 0:
        receivable.status = m.ReceivableStatus.MATCHED
        receivable.is_fully_paid = True
    receivable.last_payment_date = stamp
    receivable.modified = stamp
    receivable.save()
    return receivable


def receivable_match_undo(*, receivable: m.Receivable) -> m.Receivable:
    receivable.paid_dc = Decimal(0)
    receivable.written_off_dc = Decimal(0)
    receivable.status = m.ReceivableStatus.OPEN
    receivable.is_fully_paid = False
    receivable.last_payment_date = None
    receivable.modified = now()
    receivable.save()
    return receivable


def receivable_split(*, receivable: m.Receivable, amounts: list[Decimal]) -> list[m.Receivable]:
    """Split an unpaid receivable into terms, as a payment condition with instalments does."""
    amounts = [_cents(Decimal(str(amount))) for amount in amounts]
    if receivable.paid_dc or receivable.written_off_dc:
        raise ExactRuleError(["Verwijderen niet toegestaan: Boeking is (deels) afgeletterd"])
    if len(amounts) < 2 or sum(amounts) != receivable.amount_dc:
        raise ExactRuleError(["Ongeldig: Bedrag"])
    stamp = now()
    receivable.amount_dc, receivable.modified = amounts[0], stamp
    receivable.save()
    terms = [
        m.Receivable.objects.create(
            division=receivable.division,
            entry=receivable.entry,
            amount_dc=amount,
            created=stamp,
            modified=stamp,
        )
        for amount in amounts[1:]
    ]
    return [receivable, *terms]
