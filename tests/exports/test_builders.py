"""The pure builders: relation numbers, account bodies and sales-entry bodies."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from billing.models import Invoice
from exports.builders import (
    ExactLookups,
    ExportProblem,
    account_fields_build,
    debtor_number_resolve,
    sales_entry_build,
)
from exports.explanations import explanation_find, explanation_get
from integrations.exact.entities import Account, CostCentre, GLAccount, Journal, Project, VatCode
from integrations.models import ExactLink
from testkit.factories import (
    CompanyFactory,
    CostCenterFactory,
    DebtorFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
EXPORT_DATE = dt.date(2026, 11, 20)


def link_make(**fields) -> ExactLink:
    return ExactLink(division="7095", **fields)


def lookups_make(**overrides) -> ExactLookups:
    lookups = ExactLookups(
        journals={"70": Journal("70", 20), "10": Journal("10", 12)},
        gl_accounts={
            "8000": GLAccount(id="gl-8000", code="8000", type=110, is_blocked=False),
            "4000": GLAccount(id="gl-4000", code="4000", type=121, is_blocked=False),
            "1300": GLAccount(id="gl-1300", code="1300", type=20, is_blocked=False),
        },
        vat_codes={"1": VatCode("1", "E"), "4": VatCode("4", "I")},
        cost_centres={"100": CostCentre("100")},
    )
    for name, value in overrides.items():
        setattr(lookups, name, value)
    return lookups


def final_invoice(*, number: int = 7, lines: int = 1, unit_price=Decimal("100.00"), **fields):
    invoice = InvoiceFactory(**fields)
    InvoiceLineFactory.create_batch(lines, invoice=invoice, unit_price=unit_price)
    # The builders need only a number and the final state; numbering is billing's business.
    Invoice.objects.filter(pk=invoice.pk).update(number=number, status=Invoice.Status.FINAL)
    return Invoice.objects.get(pk=invoice.pk)


def customer_for(invoice: Invoice, link: ExactLink, lookups: ExactLookups) -> None:
    code = debtor_number_resolve(debtor=invoice.debtor, link=link)
    lookups.accounts[code] = Account(id="acc-1", code=code, status="C", is_supplier=False)


class TestDebtorNumberResolve:
    def test_it_uses_the_internal_debtor_number_by_default(self):
        debtor = DebtorFactory()
        assert debtor_number_resolve(debtor=debtor, link=link_make()) == str(debtor.debtor_number)

    def test_it_puts_the_prefix_before_the_five_digit_internal_number(self):
        debtor = DebtorFactory()
        code = debtor_number_resolve(debtor=debtor, link=link_make(debtor_prefix="9"))
        assert code == f"9{debtor.debtor_number:05d}"

    def test_it_never_puts_the_prefix_before_an_external_number(self):
        debtor = DebtorFactory(debtor_number_external="4711")
        link = link_make(debtor_number_option_1="DebtorNumberExternal", debtor_prefix="9")
        assert debtor_number_resolve(debtor=debtor, link=link) == "4711"

    def test_it_falls_back_to_option_two_when_option_one_gives_nothing(self):
        debtor = DebtorFactory(debtor_number_external="")
        link = link_make(
            debtor_number_option_1="DebtorNumberExternal", debtor_number_option_2="DebtorNumber"
        )
        assert debtor_number_resolve(debtor=debtor, link=link) == str(debtor.debtor_number)

    def test_it_falls_back_to_option_three_with_the_extern_id_of_the_right_source(self):
        company = CompanyFactory(extern_id="  00025 ", extern_source="ExactOnline")
        debtor = DebtorFactory(company=company, debtor_number_external="")
        link = link_make(
            debtor_number_option_1="DebtorNumberExternal",
            debtor_number_option_2="DebtorNumberExternal",
            debtor_number_option_3="CompanyPersonExternID",
            extern_source="ExactOnline",
        )
        assert debtor_number_resolve(debtor=debtor, link=link) == "25"

    def test_it_reads_the_extern_id_of_a_person_debtor(self):
        person = PersonFactory(extern_id="313", extern_source="ExactOnline")
        debtor = DebtorFactory(company=None, person=person)
        link = link_make(
            debtor_number_option_1="CompanyPersonExternID", extern_source="ExactOnline"
        )
        assert debtor_number_resolve(debtor=debtor, link=link) == "313"

    def test_it_ignores_an_extern_id_of_another_source(self):
        company = CompanyFactory(extern_id="25", extern_source="AFAS")
        debtor = DebtorFactory(company=company)
        link = link_make(
            debtor_number_option_1="CompanyPersonExternID", extern_source="ExactOnline"
        )
        with pytest.raises(ExportProblem) as raised:
            debtor_number_resolve(debtor=debtor, link=link)
        assert raised.value.kind == "debtor_number_missing"

    @pytest.mark.parametrize("external", ["AB-12", "1234567890123456789"])
    def test_it_refuses_a_number_exact_cannot_hold(self, external):
        debtor = DebtorFactory(debtor_number_external=external)
        link = link_make(debtor_number_option_1="DebtorNumberExternal")
        with pytest.raises(ExportProblem) as raised:
            debtor_number_resolve(debtor=debtor, link=link)
        assert raised.value.kind == "debtor_number_invalid"


class TestAccountPayloadBuild:
    def test_it_creates_a_customer_with_the_debtor_data_and_the_receivables_account(self):
        debtor = DebtorFactory(vat_number="NL001234567B01", chamber_of_commerce="12345678")
        fields = account_fields_build(debtor=debtor, gl_receivable_id="gl-1300")
        payload = fields.as_payload(code="25")
        assert payload["Code"] == "25"
        assert payload["Status"] == "C"
        assert payload["Name"] == debtor.name
        assert payload["GLAR"] == "gl-1300"
        assert payload["VATNumber"] == "NL001234567B01"
        assert payload["ChamberOfCommerce"] == "12345678"
        assert payload["Email"] == debtor.email
        assert payload["City"] == "Eindhoven"

    def test_it_leaves_the_code_out_of_an_overwrite(self):
        payload = account_fields_build(
            debtor=DebtorFactory(), gl_receivable_id="gl-1300"
        ).as_payload()
        assert "Code" not in payload


class TestSalesEntryBuild:
    def test_it_books_the_invoice_in_the_journal_for_the_customer_excluding_vat(self):
        link = link_make(invoice_number_prefix="2018")
        invoice = final_invoice(number=42, lines=2, unit_price=Decimal("150.00"))
        lookups = lookups_make()
        customer_for(invoice, link, lookups)
        entry = sales_entry_build(
            invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE
        ).as_payload()
        assert entry["Journal"] == "70"
        assert entry["Customer"] == "acc-1"
        assert entry["Type"] == 20
        assert entry["YourRef"] == "201800042"
        assert entry["InvoiceNumber"] == 201800042
        assert entry["Description"] == f"201800042 {invoice.debtor.name}"
        assert entry["EntryDate"] == "2026-03-05"
        assert (entry["ReportingYear"], entry["ReportingPeriod"]) == (2026, 3)
        assert [line["AmountFC"] for line in entry["SalesEntryLines"]] == [150.0, 150.0]
        assert {line["GLAccount"] for line in entry["SalesEntryLines"]} == {"gl-8000"}
        assert {line["VATCode"] for line in entry["SalesEntryLines"]} == {"1"}
        assert all("CostCenter" not in line for line in entry["SalesEntryLines"])
        assert all("Project" not in line for line in entry["SalesEntryLines"])

    def test_it_takes_the_booking_date_from_option_one(self):
        link = link_make(booking_date_option_1="order_end_date")
        invoice = final_invoice()
        lookups = lookups_make()
        customer_for(invoice, link, lookups)
        entry = sales_entry_build(
            invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE
        ).as_payload()
        assert entry["EntryDate"] == invoice.course.end_date.isoformat()

    def test_it_falls_back_to_booking_date_option_two(self):
        link = link_make(
            booking_date_option_1="order_start_date", booking_date_option_2="export_date"
        )
        invoice = final_invoice(course=None)
        lookups = lookups_make()
        customer_for(invoice, link, lookups)
        entry = sales_entry_build(
            invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE
        ).as_payload()
        assert entry["EntryDate"] == "2026-11-20"
        assert (entry["ReportingYear"], entry["ReportingPeriod"]) == (2026, 11)

    def test_it_refuses_an_invoice_without_any_booking_date(self):
        link = link_make(booking_date_option_1="order_start_date")
        invoice = final_invoice(course=None)
        lookups = lookups_make()
        customer_for(invoice, link, lookups)
        with pytest.raises(ExportProblem) as raised:
            sales_entry_build(invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE)
        assert raised.value.kind == "booking_date_missing"

    def test_it_sends_the_cost_centre_only_when_the_panel_says_so(self):
        invoice = final_invoice()
        lookups = lookups_make()
        for send, expected in [(False, None), (True, "100")]:
            link = link_make(send_cost_center=send)
            customer_for(invoice, link, lookups)
            entry = sales_entry_build(
                invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE
            ).as_payload()
            assert entry["SalesEntryLines"][0].get("CostCenter") == expected

    def test_it_refuses_a_cost_centre_exact_does_not_know(self):
        invoice = InvoiceFactory()
        InvoiceLineFactory(invoice=invoice, cost_center=CostCenterFactory(code="999"))
        Invoice.objects.filter(pk=invoice.pk).update(number=3, status=Invoice.Status.FINAL)
        invoice = Invoice.objects.get(pk=invoice.pk)
        link = link_make(send_cost_center=True)
        lookups = lookups_make()
        customer_for(invoice, link, lookups)
        with pytest.raises(ExportProblem) as raised:
            sales_entry_build(invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE)
        assert raised.value.kind == "cost_center_unknown"

    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("request_number", lambda i: i.request.request_number),
            ("request_reference", lambda i: i.request.reference_number),
            ("invoice_reference", lambda i: i.invoice_reference_number),
            ("course_code", lambda i: i.course.code),
            ("course_definition_code", lambda i: i.course.definition.code),
        ],
    )
    def test_it_takes_the_project_from_the_chosen_source(self, source, expected):
        invoice = final_invoice()
        link = link_make(project_code_source=source)
        lookups = lookups_make(
            projects={expected(invoice): Project(id="project-guid", code=expected(invoice))}
        )
        customer_for(invoice, link, lookups)
        entry = sales_entry_build(
            invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE
        ).as_payload()
        assert entry["SalesEntryLines"][0]["Project"] == "project-guid"

    def test_it_refuses_an_empty_project_code(self):
        invoice = final_invoice(invoice_reference_number="")
        link = link_make(project_code_source="invoice_reference")
        lookups = lookups_make()
        customer_for(invoice, link, lookups)
        with pytest.raises(ExportProblem) as raised:
            sales_entry_build(invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE)
        assert raised.value.kind == "project_code_missing"

    @pytest.mark.parametrize(("credit_notes", "expected_type"), [(False, 20), (True, 21)])
    def test_it_books_a_negative_invoice_as_the_panel_says(self, credit_notes, expected_type):
        invoice = final_invoice(unit_price=Decimal("-80.00"))
        link = link_make(negative_as_credit_note=credit_notes)
        lookups = lookups_make()
        customer_for(invoice, link, lookups)
        entry = sales_entry_build(
            invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE
        ).as_payload()
        assert entry["Type"] == expected_type
        assert entry["SalesEntryLines"][0]["AmountFC"] == -80.0

    def test_it_books_a_positive_invoice_as_a_sales_entry_even_with_credit_notes_on(self):
        invoice = final_invoice()
        link = link_make(negative_as_credit_note=True)
        lookups = lookups_make()
        customer_for(invoice, link, lookups)
        entry = sales_entry_build(
            invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE
        ).as_payload()
        assert entry["Type"] == 20

    @pytest.mark.parametrize(
        ("lookups_change", "kind"),
        [
            ({"journals": {"10": Journal("10", 12)}}, "journal"),
            ({"journals": {"70": Journal("70", 12)}}, "journal"),
            ({"vat_codes": {}}, "vat_code_unknown"),
            ({"vat_codes": {"1": VatCode("1", "I")}}, "vat_inclusive"),
            ({"vat_codes": {"1": VatCode("1", "E", is_blocked=True)}}, "vat_code_unknown"),
            ({"gl_accounts": {}}, "gl_account_unknown"),
            ({"gl_accounts": {"8000": GLAccount("g", "8000", 110, True)}}, "gl_account_unknown"),
            (
                {"gl_accounts": {"8000": GLAccount("g", "8000", 121, False)}},
                "gl_account_type",
            ),
        ],
    )
    def test_it_refuses_a_mapping_exact_would_refuse(self, lookups_change, kind):
        invoice = final_invoice()
        link = link_make()
        lookups = lookups_make(**lookups_change)
        customer_for(invoice, link, lookups)
        with pytest.raises(ExportProblem) as raised:
            sales_entry_build(invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE)
        assert raised.value.kind == kind
        assert explanation_get(kind).fix

    @pytest.mark.parametrize(("status", "is_supplier"), [("C", True), ("P", False), ("S", False)])
    def test_it_never_books_on_a_supplier_or_prospect(self, status, is_supplier):
        invoice = final_invoice()
        link = link_make()
        lookups = lookups_make()
        code = debtor_number_resolve(debtor=invoice.debtor, link=link)
        lookups.accounts[code] = Account("acc", code, status, is_supplier)
        with pytest.raises(ExportProblem) as raised:
            sales_entry_build(invoice=invoice, link=link, lookups=lookups, export_date=EXPORT_DATE)
        assert raised.value.kind == "customer_type"


class TestExplanations:
    @pytest.mark.parametrize(
        ("message", "kind"),
        [
            ("Verplicht: Betalingsconditie", "payment_condition"),
            ("Verplicht: Dagboek", "journal"),
            ("Ongeldige referentie: Journals", "journal"),
            ("Invoer 17: Het bedrag van de BTW regel met BTW code 4 komt niet", "vat_inclusive"),
            ("Ongeldig: Klant (Type)", "customer_type"),
            ("Ongeldig: Grootboekrekeningtype", "gl_account_type"),
            ("Ongeldige referentie: Btw-code", "vat_code_unknown"),
            ("Onbekend: Boekjaar (Periode - datumtabel)", "period_unknown"),
            ("Periode is afgesloten", "period_closed"),
            ("In gebruik: Boekstuknummer", "entry_number_taken"),
            ("Old refresh token used.", "reauthenticate"),
            ("Ongeldige referentie: Grootboekrekening debiteuren", "debtor_gl_account_unknown"),
            ("Invalid: Customer (Type)", "customer_type"),
            ("Verplicht: Omschrijving\r\nPeriode is afgesloten", "period_closed"),
            ("Iets onbekends", ""),
        ],
    )
    def test_it_explains_exacts_messages(self, message, kind):
        assert explanation_find(message).kind == kind

    def test_it_explains_in_dutch_too(self):
        with translation.override("nl"):
            explanation = explanation_get("vat_inclusive")
            assert str(explanation.fix) == "Zet de btw-code in Exact Online op 'Exclusief'."
            assert "Inclusief" in str(explanation.meaning)
