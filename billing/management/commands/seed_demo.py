"""Demo data for a believable Dutch training company; running it again changes nothing.

Every record is found by a natural key (a code, a name, an invoice reference) before it is
made, and the data comes from a seeded random generator, so each run wants the same rows.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from billing.models import (
    Company,
    CostCenter,
    Course,
    CourseDefinition,
    Debtor,
    GLAccount,
    Invoice,
    InvoiceLine,
    Parameters,
    Person,
    Request,
    VatRate,
)
from billing.services import invoice_finalise

COMPANY = {
    "company_name": "Opleidingen Zuid BV",
    "company_address": "Kennedyplein 12\n5611 ZS  Eindhoven\nNederland",
    "company_vat_number": "NL859012345B01",
    "company_chamber_of_commerce": "17123456",
    "company_iban": "NL91 ABNA 0417 1643 00",
}

VAT_RATES = [
    ("1", Decimal("21.00"), "BTW hoog 21%"),
    ("2", Decimal("9.00"), "BTW laag 9%"),
    ("0", Decimal("0.00"), "BTW vrijgesteld 0%"),
]

GL_ACCOUNTS = [
    ("8000", "Omzet trainingen"),
    ("8010", "Omzet incompany trainingen"),
    ("8020", "Omzet lesmateriaal"),
    ("8030", "Omzet examens"),
    ("8040", "Omzet catering en arrangementen"),
    ("8050", "Omzet e-learning"),
    ("8090", "Overige omzet"),
]

COST_CENTERS = [("100", "Open inschrijving"), ("200", "Incompany"), ("300", "E-learning")]

# (code, name, days, price per participant)
COURSE_DEFINITIONS = [
    ("PM-BAS", "Projectmanagement basis", 3, Decimal("1195.00")),
    ("PRINCE2-F", "PRINCE2 Foundation", 3, Decimal("1450.00")),
    ("AGILE-SM", "Scrum Master", 2, Decimal("995.00")),
    ("LEID-COA", "Coachend leidinggeven", 2, Decimal("875.00")),
    ("COMM-GES", "Effectief communiceren en gesprekstechnieken", 1, Decimal("425.00")),
    ("EXCEL-GV", "Excel voor gevorderden", 1, Decimal("345.00")),
    ("TIMEMGT", "Timemanagement en persoonlijke effectiviteit", 1, Decimal("395.00")),
    ("BHV-BAS", "BHV basisopleiding", 2, Decimal("310.00")),
    ("AVG-PRA", "AVG in de praktijk", 1, Decimal("450.00")),
    ("VERK-ADV", "Adviserend verkopen", 2, Decimal("790.00")),
]

# (name, extern id from Exact, address, postcode, city, VAT number, chamber of commerce)
COMPANIES = [
    ("Bakkerij Van Dam BV", "", "Markt 4", "5211 JX", "'s-Hertogenbosch", "NL001234567B01"),
    ("Installatiebedrijf De Groot", "a1f0c3e2-0001", "Industrieweg 18", "4817 BK", "Breda", ""),
    ("Zorggroep Brabant-Zuid", "", "Zorgpad 2", "5623 EJ", "Eindhoven", "NL812345678B01"),
    ("Gemeente Helmond", "", "Weg op den Heuvel 35", "5701 NM", "Helmond", ""),
    ("Transportbedrijf Jansen & Zn.", "a1f0c3e2-0002", "Havenweg 7", "5928 PA", "Venlo", ""),
    ("Woningcorporatie Thuis Limburg", "", "Stationsplein 9", "6221 BT", "Maastricht", ""),
    ("Accountantskantoor Peeters", "a1f0c3e2-0003", "Ginnekenweg 120", "4818 JK", "Breda", ""),
    ("TechniPlaat Tilburg BV", "", "Ringbaan-Oost 240", "5013 CD", "Tilburg", "NL823456789B01"),
    ("Hogeschool Zuid Facilitair", "", "Rachelsmolen 1", "5612 MA", "Eindhoven", ""),
    ("Logistiek Centrum Moerdijk", "a1f0c3e2-0004", "Middenweg 14", "4782 PM", "Moerdijk", ""),
    ("Hotel De Gouden Leeuw", "", "Vrijthof 22", "6211 LE", "Maastricht", "NL834567890B01"),
    ("ICT Partners Roosendaal", "", "Bovendonk 3", "4707 ZH", "Roosendaal", ""),
    ("Bouwbedrijf Verhoeven", "a1f0c3e2-0005", "Kanaaldijk 51", "5683 CR", "Best", ""),
    ("Apotheek Het Kruispunt", "", "Dorpsstraat 66", "5241 EC", "Rosmalen", ""),
    ("Stichting Kinderopvang Meierij", "", "Schijndelseweg 8", "5491 TA", "Sint-Oedenrode", ""),
    ("Autobedrijf Smits Weert", "", "Ringbaan-Noord 101", "6002 AB", "Weert", ""),
]

# (first name, last name, extern id, address, postcode, city)
PERSONS = [
    ("Sanne", "de Vries", "", "Lindenlaan 12", "5615 BE", "Eindhoven"),
    ("Daan", "van den Berg", "p-3001", "Beukenstraat 3", "5037 KL", "Tilburg"),
    ("Fleur", "Bakker", "", "Kerkstraat 41", "4811 CV", "Breda"),
    ("Bram", "Janssen", "", "Hoogstraat 7", "6211 BS", "Maastricht"),
    ("Lotte", "van Leeuwen", "p-3002", "Molenweg 20", "5701 RG", "Helmond"),
    ("Thijs", "Hendriks", "", "Parklaan 88", "5223 AB", "'s-Hertogenbosch"),
    ("Emma", "Willems", "", "Rijksweg 150", "6271 AE", "Gulpen"),
    ("Joris", "van der Heijden", "", "Kastanjelaan 5", "5581 GA", "Waalre"),
    ("Noor", "Claessens", "p-3003", "Grote Markt 1", "6041 CL", "Roermond"),
]

INVOICE_COUNT = 80
FIRST_INVOICE_DATE = datetime.date(2026, 1, 12)
DRAFT_EVERY = 10  # one in ten invoices is still a draft
CREDIT_EVERY = 11  # one in eleven corrects an earlier invoice with a negative amount


@dataclass
class LineSpec:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_code: str
    gl_code: str
    cost_center_code: str | None


@dataclass
class InvoiceSpec:
    reference: str
    date: datetime.date
    debtor_index: int
    course_code: str
    request_number: str
    final: bool
    lines: list[LineSpec] = field(default_factory=list)


class Command(BaseCommand):
    help = "Fill the database with demo data for Opleidingen Zuid BV (safe to run repeatedly)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            self.parameters_seed()
            self.lookups_seed()
            debtors = self.debtors_seed()
            courses = self.courses_seed()
            created = self.invoices_seed(debtors=debtors, courses=courses)
        self.stdout.write(
            f"Demo data ready: {Debtor.objects.count()} debtors, {Course.objects.count()} courses, "
            f"{Invoice.objects.count()} invoices ({created} new)."
        )

    def parameters_seed(self) -> None:
        parameters = Parameters.load()
        blank = {name: value for name, value in COMPANY.items() if not getattr(parameters, name)}
        if blank:
            Parameters.objects.filter(pk=parameters.pk).update(**blank)

    def lookups_seed(self) -> None:
        for code, percentage, description in VAT_RATES:
            VatRate.objects.get_or_create(
                exact_code=code, defaults={"percentage": percentage, "description": description}
            )
        for code, name in GL_ACCOUNTS:
            GLAccount.objects.get_or_create(code=code, defaults={"name": name})
        for code, name in COST_CENTERS:
            CostCenter.objects.get_or_create(code=code, defaults={"name": name})

    def debtors_seed(self) -> list[Debtor]:
        debtors = []
        for index, (name, extern_id, address, postcode, city, vat) in enumerate(COMPANIES):
            company, _created = Company.objects.get_or_create(
                name=name,
                defaults={
                    "extern_id": extern_id,
                    "extern_source": "ExactOnline" if extern_id else "",
                },
            )
            debtor, _created = Debtor.objects.get_or_create(
                company=company,
                defaults={
                    "address_line_1": address,
                    "address_line_2": "t.a.v. crediteurenadministratie" if index % 3 == 0 else "",
                    "postcode": postcode,
                    "city": city,
                    "email": "facturen@" + slug(name) + ".nl",
                    "vat_number": vat,
                    "chamber_of_commerce": f"{17200000 + index * 7919}",
                    "debtor_number_external": f"EXT-{4100 + index}" if index % 4 == 1 else "",
                },
            )
            debtors.append(debtor)
        for index, (first, last, extern_id, address, postcode, city) in enumerate(PERSONS):
            person, _created = Person.objects.get_or_create(
                first_name=first,
                last_name=last,
                defaults={
                    "extern_id": extern_id,
                    "extern_source": "ExactOnline" if extern_id else "",
                },
            )
            debtor, _created = Debtor.objects.get_or_create(
                person=person,
                defaults={
                    "address_line_1": address,
                    "postcode": postcode,
                    "city": city,
                    "email": f"{slug(first)}.{slug(last)}@example.nl",
                    "debtor_number_external": f"P-{900 + index}" if index % 3 == 2 else "",
                },
            )
            debtors.append(debtor)
        return debtors

    def courses_seed(self) -> dict[str, tuple[Course, Decimal]]:
        courses = {}
        for index, (code, name, days, price) in enumerate(COURSE_DEFINITIONS):
            definition, _created = CourseDefinition.objects.get_or_create(
                code=code, defaults={"name": name}
            )
            start = datetime.date(2026, 1, 19) + datetime.timedelta(weeks=4 * index)
            course, _created = Course.objects.get_or_create(
                code=f"{code}-2026-01",
                defaults={
                    "definition": definition,
                    "start_date": start,
                    "end_date": start + datetime.timedelta(days=days - 1),
                },
            )
            courses[course.code] = (course, price)
        return courses

    def invoices_seed(self, *, debtors: list[Debtor], courses: dict) -> int:
        created = 0
        for spec in invoice_specs(debtor_count=len(debtors), courses=courses):
            request, _ = Request.objects.get_or_create(
                request_number=spec.request_number,
                defaults={"reference_number": f"PO-{spec.request_number[-4:]}"},
            )
            invoice, is_new = Invoice.objects.get_or_create(
                invoice_reference_number=spec.reference,
                defaults={
                    "date": spec.date,
                    "debtor": debtors[spec.debtor_index],
                    "course": courses[spec.course_code][0],
                    "request": request,
                },
            )
            if is_new:
                created += 1
                for line in spec.lines:
                    InvoiceLine.objects.create(
                        invoice=invoice,
                        description=line.description,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        vat_rate=VatRate.objects.get(exact_code=line.vat_code),
                        gl_account=GLAccount.objects.get(code=line.gl_code),
                        cost_center=(
                            CostCenter.objects.get(code=line.cost_center_code)
                            if line.cost_center_code
                            else None
                        ),
                    )
            if spec.final and not invoice.is_final:
                invoice_finalise(invoice=invoice)
        return created


def invoice_specs(*, debtor_count: int, courses: dict) -> list[InvoiceSpec]:
    """The 80 demo invoices, in date order so that invoice numbers follow the dates."""
    rng = random.Random(2026)
    course_codes = sorted(courses)
    specs: list[InvoiceSpec] = []
    for index in range(INVOICE_COUNT):
        number = index + 1
        course_code = course_codes[index % len(course_codes)]
        course, price = courses[course_code]
        spec = InvoiceSpec(
            reference=f"OZ26-{number:04d}",
            date=FIRST_INVOICE_DATE + datetime.timedelta(days=index * 4),
            debtor_index=rng.randrange(debtor_count),
            course_code=course_code,
            request_number=f"AV26{number:04d}",
            final=number % DRAFT_EVERY != 0,
        )
        name = course.definition.name
        if number % CREDIT_EVERY == 0:
            participants = Decimal(rng.randint(1, 2))
            spec.lines.append(
                LineSpec(f"Creditering annulering {name}", participants, -price, "1", "8000", "100")
            )
            spec.lines.append(
                LineSpec(
                    "Creditering lesmateriaal", participants, Decimal("-49.50"), "2", "8020", "100"
                )
            )
        else:
            participants = Decimal(rng.randint(1, 12))
            incompany = participants >= 8
            spec.lines.append(
                LineSpec(
                    f"{'Incompany' if incompany else 'Deelname'} {name}",
                    participants,
                    price,
                    "1",
                    "8010" if incompany else "8000",
                    "200" if incompany else "100",
                )
            )
            spec.lines.append(
                LineSpec("Lesmateriaal (boek)", participants, Decimal("49.50"), "2", "8020", "100")
            )
            if rng.random() < 0.4:
                spec.lines.append(
                    LineSpec(
                        "Examen (vrijgesteld)", participants, Decimal("187.00"), "0", "8030", None
                    )
                )
            if rng.random() < 0.5:
                spec.lines.append(
                    LineSpec(
                        "Lunch en arrangement", participants, Decimal("32.75"), "2", "8040", "100"
                    )
                )
            if rng.random() < 0.2:
                spec.lines.append(
                    LineSpec(
                        "Toegang e-learning (12 maanden)",
                        participants,
                        Decimal("79.00"),
                        "1",
                        "8050",
                        "300",
                    )
                )
            if rng.random() < 0.1:
                spec.lines.append(
                    LineSpec(
                        "Reiskosten trainer", Decimal("1"), Decimal("86.40"), "1", "8090", None
                    )
                )
        specs.append(spec)
    return specs


def slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
