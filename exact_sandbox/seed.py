"""The seeded sites, users, apps and divisions (see README.md for the full list)."""

import calendar
import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction

from exact_sandbox import models as m
from exact_sandbox.clock import now

DIVISIONS = [
    # (site, username, full name, division code, description)
    ("nl", "demo", "Demo Gebruiker", 7095, "Opleidingen Zuid BV"),
    ("nl", "demo", "Demo Gebruiker", 7096, "Opleidingen Zuid BV (test)"),
    ("be", "demo-be", "Demo Gebruiker België", 8101, "Vorming Vlaanderen BVBA"),
]
APPS = [
    ("nl", "coachlink-demo-nl", "sandbox-secret-nl"),
    ("be", "coachlink-demo-be", "sandbox-secret-be"),
]
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/integrations/exact/callback/"
PASSWORD = "demo"

GL_ACCOUNTS = [
    ("1300", "Debiteuren", 20, "B", False),
    ("4000", "Inkoopkosten", 121, "W", False),
    ("8000", "Omzet opleidingen", 110, "W", False),
    ("8010", "Omzet incompany trainingen", 110, "W", False),
    ("8020", "Omzet e-learning", 110, "W", False),
    ("8030", "Omzet coaching", 110, "W", False),
    ("8040", "Omzet examens", 110, "W", False),
    ("8050", "Omzet lesmateriaal", 110, "W", False),
    ("8090", "Omzet overig", 110, "W", False),
    ("8098", "Omzet oud (geblokkeerd)", 110, "W", True),
    ("8099", "Omzet diversen", 110, "W", False),
]
VAT_CODES = [
    ("1", "BTW 21% excl.", "E", Decimal("0.21")),
    ("2", "BTW 9% excl.", "E", Decimal("0.09")),
    ("0", "BTW 0%", "E", Decimal("0")),
    ("4", "BTW 21% incl.", "I", Decimal("0.21")),
]
COST_CENTERS = [("100", "Open inschrijving"), ("200", "Incompany"), ("300", "E-learning")]
PROJECTS = [("P-2026-01", "Leiderschapstraject"), ("P-2026-02", "Veiligheidstrainingen")]
YEARS = range(2024, 2028)
CLOSED_YEARS = {2024}
CUSTOMER_NAMES = [
    "Aalders",
    "Bakker",
    "Claessens",
    "De Vries",
    "Everts",
    "Franssen",
    "Gerritsen",
    "Hendriks",
    "Jansen",
    "Kuipers",
    "Lammers",
    "Mulder",
    "Nijssen",
]
SEEDED_CUSTOMERS = 65


def password_hash(password: str) -> str:
    # A plain digest: the sandbox's demo passwords are public, and reseeding must stay fast.
    return hashlib.sha256(f"exact-sandbox:{password}".encode()).hexdigest()


def account_code(code: str) -> str:
    """Exact keeps account codes right-aligned in 18 characters."""
    return code.strip().rjust(18)


def sandbox_wipe() -> None:
    with connection.cursor() as cursor:
        for model in apps.get_app_config("exact_sandbox").get_models():
            if model is not m.Clock:
                cursor.execute(f'DELETE FROM "{model._meta.db_table}"')


@transaction.atomic
def sandbox_seed() -> None:
    """Wipe the bookkeeping, users and tokens and put the seeded state back (the clock stays)."""
    sandbox_wipe()
    stamp = now()
    users: dict[tuple[str, str], m.SandboxUser] = {}
    for site, username, full_name, code, _ in DIVISIONS:
        if (site, username) not in users:
            users[(site, username)] = m.SandboxUser.objects.create(
                site=site,
                username=username,
                password_hash=password_hash(PASSWORD),
                full_name=full_name,
                email=f"{username}@sandbox.invalid",
                current_division=code,
            )
    for site, client_id, secret in APPS:
        m.ClientApp.objects.create(
            site=site,
            client_id=client_id,
            secret=secret,
            name=f"coachlink demo ({site.upper()})",
            redirect_uri=DEFAULT_REDIRECT_URI,
        )
    for site, username, _, code, description in DIVISIONS:
        m.Division.objects.create(
            code=code,
            site=site,
            description=description,
            user=users[(site, username)],
            default_payment_condition="30",
        )
        division_seed(division=code, stamp=stamp)


def division_seed(*, division: int, stamp) -> None:
    gl = [
        m.GLAccount(
            division=division,
            code=code,
            description=text,
            type=kind,
            balance_type=balance,
            is_blocked=blocked,
            modified=stamp,
        )
        for code, text, kind, balance, blocked in GL_ACCOUNTS
    ]
    m.GLAccount.objects.bulk_create(gl)
    m.Journal.objects.bulk_create(
        [
            m.Journal(
                division=division, code="70", description="Verkoopboek", type=20, modified=stamp
            ),
            m.Journal(division=division, code="10", description="Kas", type=10, modified=stamp),
        ]
    )
    m.VATCode.objects.bulk_create(
        m.VATCode(
            division=division,
            code=code,
            description=text,
            type=kind,
            percentage=pct,
            modified=stamp,
        )
        for code, text, kind, pct in VAT_CODES
    )
    m.CostCenter.objects.bulk_create(
        m.CostCenter(division=division, code=code, description=text, modified=stamp)
        for code, text in COST_CENTERS
    )
    m.PaymentCondition.objects.bulk_create(
        [
            m.PaymentCondition(division=division, code="30", description="30 dagen", days=30),
            m.PaymentCondition(division=division, code="14", description="14 dagen", days=14),
        ]
    )
    m.FinancialPeriod.objects.bulk_create(
        m.FinancialPeriod(
            division=division,
            year=year,
            period=month,
            start=date(year, month, 1),
            end=date(year, month, calendar.monthrange(year, month)[1]),
            closed=year in CLOSED_YEARS,
        )
        for year in YEARS
        for month in range(1, 13)
    )
    receivables_gl = gl[0].id
    accounts = [
        m.Account(
            division=division,
            code=account_code(str(900000 + n)),
            name=f"{CUSTOMER_NAMES[n % len(CUSTOMER_NAMES)]} Opleidingen {n}",
            status="C",
            city="Eindhoven",
            country="NL" if division < 8000 else "BE",
            glar=receivables_gl,
            created=stamp,
            modified=stamp,
        )
        for n in range(1, SEEDED_CUSTOMERS + 1)
    ]
    accounts += [
        m.Account(
            division=division,
            code=account_code("800001"),
            name="Papier & Pen Leveranciers",
            status="A",
            is_supplier=True,
            glar=receivables_gl,
            created=stamp,
            modified=stamp,
        ),
        m.Account(
            division=division,
            code=account_code("800002"),
            name="Prospect Nog Geen Klant",
            status="P",
            glar=receivables_gl,
            created=stamp,
            modified=stamp,
        ),
    ]
    # Exact's Timestamp is a row version, unique in the division: rows seeded at one moment get
    # one microsecond each, so their Timestamps (exact_sandbox.rows.timestamp) never tie and
    # paging by "Timestamp gt" loses none at a page's edge.
    for offset, account in enumerate(accounts):
        account.modified = stamp + timedelta(microseconds=offset)
    m.Account.objects.bulk_create(accounts)
    m.Project.objects.bulk_create(
        m.Project(
            division=division,
            code=code,
            description=text,
            account=accounts[n].id,
            modified=stamp,
        )
        for n, (code, text) in enumerate(PROJECTS)
    )
