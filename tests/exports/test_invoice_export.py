"""Exporting invoices to the sandbox over real HTTP: every panel option, as Exact receives it."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from exports import builders
from exports.models import ExportState
from exports.records import export_record_requeue
from exports.run import invoice_export, invoices_export_bulk
from integrations.exact import api
from testkit.factories import (
    CompanyFactory,
    CostCenterFactory,
    CourseFactory,
    DebtorFactory,
    PersonFactory,
    final_invoice_create,
)
from tests.exports.conftest import division_state

pytestmark = pytest.mark.django_db


def entries(sandbox) -> dict:
    return {entry["YourRef"]: entry for entry in division_state(sandbox)["sales_entries"]}


def account(sandbox, code: str) -> dict:
    accounts = division_state(sandbox)["accounts"]
    return next(row for row in accounts if row["Code"].strip() == code)


def entry_lines(entry: dict) -> list[dict]:
    lines = entry["SalesEntryLines"]
    return lines["results"] if isinstance(lines, dict) else lines


def exported(invoice):
    record = invoice_export(invoice=invoice)
    assert record.state == ExportState.EXPORTED, record.error_message
    return record


def post_count(sandbox, endpoint: str) -> int:
    return sandbox.counters()["by_method_endpoint"].get(f"POST {endpoint}", 0)


class TestDebtorPanel:
    def test_it_creates_a_missing_customer_with_the_debtor_data(self, exact_link, sandbox):
        debtor = DebtorFactory(vat_number="NL001234567B01", chamber_of_commerce="12345678")
        invoice = final_invoice_create(debtor=debtor, lines=2, unit_price=Decimal("250.00"))
        record = exported(invoice)
        entry = entries(sandbox)[f"{invoice.number:05d}"]
        created = account(sandbox, str(debtor.debtor_number))
        assert entry["EntryID"] == record.entry_id
        assert entry["Customer"] == created["ID"]
        assert created["Status"] == "C"
        assert created["Name"] == debtor.name
        assert created["VATNumber"] == "NL001234567B01"
        assert created["ChamberOfCommerce"] == "12345678"
        assert created["Email"] == debtor.email
        assert (created["AddressLine1"], created["City"]) == (debtor.address_line_1, "Eindhoven")
        assert created["GLAR"] == api.gl_accounts(exact_link, codes=["1300"])["1300"].id

    @pytest.mark.parametrize("overwrite", [False, True])
    def test_it_overwrites_an_existing_customer_only_when_the_panel_says_so(
        self, exact_link, sandbox, overwrite
    ):
        exact_link.debtor_number_option_1 = "DebtorNumberExternal"
        exact_link.overwrite_existing = overwrite
        exact_link.save()
        before = account(sandbox, "900001")
        debtor = DebtorFactory(debtor_number_external="900001")
        exported(final_invoice_create(debtor=debtor))
        after = account(sandbox, "900001")
        assert after["ID"] == before["ID"]
        assert after["Name"] == (debtor.name if overwrite else before["Name"])
        assert after["Code"] == before["Code"]

    def test_it_prefixes_the_internal_debtor_number(self, exact_link, sandbox):
        exact_link.debtor_prefix = "7"
        exact_link.save()
        invoice = final_invoice_create()
        exported(invoice)
        code = f"7{invoice.debtor.debtor_number:05d}"
        assert entries(sandbox)[f"{invoice.number:05d}"]["Customer"] == account(sandbox, code)["ID"]

    def test_it_falls_back_to_the_extern_id_with_the_extern_source(self, exact_link, sandbox):
        exact_link.debtor_number_option_1 = "DebtorNumberExternal"
        exact_link.debtor_number_option_2 = "CompanyPersonExternID"
        exact_link.extern_source = "ExactOnline"
        exact_link.debtor_prefix = "7"
        exact_link.save()
        person = PersonFactory(extern_id="900002", extern_source="ExactOnline")
        invoice = final_invoice_create(debtor=DebtorFactory(company=None, person=person))
        exported(invoice)
        entry = entries(sandbox)[f"{invoice.number:05d}"]
        assert entry["Customer"] == account(sandbox, "900002")["ID"]

    def test_it_falls_back_to_the_internal_number_when_there_is_no_external_one(
        self, exact_link, sandbox
    ):
        exact_link.debtor_number_option_1 = "CompanyPersonExternID"
        exact_link.debtor_number_option_2 = "DebtorNumberExternal"
        exact_link.debtor_number_option_3 = "DebtorNumber"
        exact_link.extern_source = "ExactOnline"
        exact_link.save()
        debtor = DebtorFactory(company=CompanyFactory(extern_id="", extern_source="ExactOnline"))
        invoice = final_invoice_create(debtor=debtor)
        exported(invoice)
        code = str(debtor.debtor_number)
        assert entries(sandbox)[f"{invoice.number:05d}"]["Customer"] == account(sandbox, code)["ID"]

    @pytest.mark.parametrize("code", ["800001", "800002"])
    def test_it_never_books_on_a_supplier_or_prospect_and_says_why(self, exact_link, sandbox, code):
        exact_link.debtor_number_option_1 = "DebtorNumberExternal"
        exact_link.overwrite_existing = True
        exact_link.save()
        before = account(sandbox, code)
        invoice = final_invoice_create(debtor=DebtorFactory(debtor_number_external=code))
        record = invoice_export(invoice=invoice)
        assert record.state == ExportState.FAILED
        assert record.error_kind == "customer_type"
        assert "supplier or a prospect" in record.error_meaning
        assert "prefix" in record.error_fix
        assert entries(sandbox) == {}
        assert account(sandbox, code) == before
        assert post_count(sandbox, "salesentry/SalesEntries") == 0


class TestFinancialPanel:
    def test_it_books_in_the_period_of_booking_date_option_one(self, exact_link, sandbox):
        exact_link.booking_date_option_1 = "order_end_date"
        exact_link.save()
        course = CourseFactory(start_date=dt.date(2026, 4, 28), end_date=dt.date(2026, 5, 2))
        invoice = final_invoice_create(course=course)
        exported(invoice)
        entry = entries(sandbox)[f"{invoice.number:05d}"]
        assert (entry["ReportingYear"], entry["ReportingPeriod"]) == (2026, 5)

    def test_it_falls_back_to_booking_date_option_two(self, exact_link, sandbox):
        exact_link.booking_date_option_1 = "order_start_date"
        exact_link.booking_date_option_2 = "invoice_date"
        exact_link.save()
        invoice = final_invoice_create(course=None, date=dt.date(2026, 7, 14))
        exported(invoice)
        entry = entries(sandbox)[f"{invoice.number:05d}"]
        assert (entry["ReportingYear"], entry["ReportingPeriod"]) == (2026, 7)

    @pytest.mark.parametrize(("credit_notes", "entry_type"), [(False, 20), (True, 21)])
    def test_it_books_a_negative_invoice_as_the_panel_says(
        self, exact_link, sandbox, credit_notes, entry_type
    ):
        exact_link.negative_as_credit_note = credit_notes
        exact_link.save()
        invoice = final_invoice_create(unit_price=Decimal("-100.00"))
        exported(invoice)
        entry = entries(sandbox)[f"{invoice.number:05d}"]
        assert entry["Type"] == entry_type
        assert entry["AmountDC"] == -121.0

    def test_it_refuses_a_journal_that_is_not_a_sales_journal_before_sending(
        self, exact_link, sandbox
    ):
        exact_link.journal = "10"
        exact_link.save()
        record = invoice_export(invoice=final_invoice_create())
        assert record.state == ExportState.FAILED
        assert record.error_kind == "journal"
        assert post_count(sandbox, "salesentry/SalesEntries") == 0

    def test_it_refuses_a_debtor_gl_account_exact_does_not_have(self, exact_link, sandbox):
        exact_link.debtor_gl_account = "1399"
        exact_link.save()
        record = invoice_export(invoice=final_invoice_create())
        assert record.state == ExportState.FAILED
        assert record.error_kind == "debtor_gl_account_unknown"
        assert post_count(sandbox, "crm/Accounts") == 0

    def test_it_uses_the_panels_debtor_gl_account_for_new_customers(self, exact_link, sandbox):
        exact_link.debtor_gl_account = "1300"
        exact_link.save()
        invoice = final_invoice_create()
        exported(invoice)
        gl = api.gl_accounts(exact_link, codes=["1300"])["1300"]
        assert account(sandbox, str(invoice.debtor.debtor_number))["GLAR"] == gl.id

    @pytest.mark.parametrize("send_pdf", [False, True])
    def test_it_attaches_the_invoice_pdf_only_when_the_panel_says_so(
        self, exact_link, sandbox, send_pdf
    ):
        exact_link.send_pdf = send_pdf
        exact_link.save()
        invoice = final_invoice_create()
        record = exported(invoice)
        state = division_state(sandbox)
        entry = entries(sandbox)[f"{invoice.number:05d}"]
        if not send_pdf:
            assert entry["Document"] is None
            assert state["documents"] == []
            return
        document = next(d for d in state["documents"] if d["ID"] == entry["Document"])
        assert record.document_id == document["ID"]
        assert document["Type"] == 10
        assert [a["FileName"] for a in document["Attachments"]] == [f"{invoice.number:05d}.pdf"]

    @pytest.mark.parametrize(("send", "expected"), [(False, None), (True, "100")])
    def test_it_sends_the_cost_centre_only_when_the_panel_says_so(
        self, exact_link, sandbox, send, expected
    ):
        exact_link.send_cost_center = send
        exact_link.save()
        CostCenterFactory(code="100")
        invoice = final_invoice_create()
        exported(invoice)
        lines = entry_lines(entries(sandbox)[f"{invoice.number:05d}"])
        assert [line["CostCenter"] for line in lines] == [expected]

    def test_it_puts_the_invoice_number_prefix_in_your_ref_and_invoice_number(
        self, exact_link, sandbox
    ):
        exact_link.invoice_number_prefix = "2026"
        exact_link.save()
        invoice = final_invoice_create()
        exported(invoice)
        entry = entries(sandbox)[f"2026{invoice.number:05d}"]
        assert entry["InvoiceNumber"] == int(f"2026{invoice.number:05d}")

    def test_it_books_lines_on_the_project_of_the_chosen_source(self, exact_link, sandbox):
        exact_link.project_code_source = "course_code"
        exact_link.save()
        invoice = final_invoice_create(course=CourseFactory(code="P-2026-01"))
        exported(invoice)
        project = api.projects(exact_link, codes=["P-2026-01"])["P-2026-01"]
        lines = entry_lines(entries(sandbox)[f"{invoice.number:05d}"])
        assert [line["Project"] for line in lines] == [project.id]

    def test_it_creates_a_project_exact_does_not_have_yet(self, exact_link, sandbox):
        exact_link.project_code_source = "request_reference"
        exact_link.save()
        invoice = final_invoice_create()
        exported(invoice)
        code = invoice.request.reference_number
        project = api.projects(exact_link, codes=[code])[code]
        lines = entry_lines(entries(sandbox)[f"{invoice.number:05d}"])
        assert [line["Project"] for line in lines] == [project.id]


class TestRefusalsAndFixes:
    def test_it_shows_exacts_words_meaning_and_fix_and_exports_after_the_fix(
        self, exact_link, sandbox
    ):
        sandbox.set_division(7095, default_payment_condition="")
        invoice = final_invoice_create()
        record = invoice_export(invoice=invoice)
        assert record.state == ExportState.FAILED
        assert record.error_message == "Verplicht: Betalingsconditie"
        assert record.error_kind == "payment_condition"
        assert "payment condition" in record.error_fix
        sandbox.set_division(7095, default_payment_condition="30")
        export_record_requeue(record=record)
        assert exported(invoice).attempts == 2
        assert list(entries(sandbox)) == [f"{invoice.number:05d}"]


def test_a_bulk_export_sends_every_pending_invoice_once(exact_link, sandbox):
    invoices = [final_invoice_create() for _ in range(5)]
    batch = invoices_export_bulk(link=exact_link)
    assert (batch.total, batch.exported, batch.failed, batch.skipped) == (5, 5, 0, 0)
    assert sorted(entries(sandbox)) == sorted(f"{i.number:05d}" for i in invoices)
    assert invoices_export_bulk(link=exact_link).total == 0


def test_a_realtime_export_after_the_first_costs_one_call(exact_link, sandbox):
    debtor = DebtorFactory()
    exported(final_invoice_create(debtor=debtor))
    sandbox.reset_counters()
    exported(final_invoice_create(debtor=debtor))
    counters = sandbox.counters()
    assert counters["by_method_endpoint"] == {"POST salesentry/SalesEntries": 1}


def test_a_retry_forgets_what_realtime_exports_remembered_of_exact(exact_link, sandbox):
    exported(final_invoice_create())
    record = invoice_export(invoice=final_invoice_create())
    export_record_requeue(record=record)
    sandbox.reset_counters()
    exported(record.invoice)
    assert sandbox.counters()["by_method_endpoint"].get("GET financial/Journals") == 1


def test_a_run_resolves_each_invoices_codes_once(exact_link, sandbox, monkeypatch):
    exact_link.project_code_source = "course_code"
    exact_link.send_pdf = True
    exact_link.save()
    invoices = [final_invoice_create() for _ in range(3)]
    resolved = Counter()

    def counted(resolve):
        def spy(**kwargs):
            resolved[resolve.__name__] += 1
            return resolve(**kwargs)

        return spy

    for name in ("debtor_number_resolve", "project_code_resolve"):
        monkeypatch.setattr(builders, name, counted(getattr(builders, name)))
    batch = invoices_export_bulk(link=exact_link)
    assert batch.exported == 3
    assert sorted(entries(sandbox)) == sorted(f"{i.number:05d}" for i in invoices)
    assert resolved == {"debtor_number_resolve": 3, "project_code_resolve": 3}


class TestVat:
    def test_the_entry_books_the_invoice_vat_to_the_cent_where_vat_per_line_would_differ(
        self, exact_link, sandbox
    ):
        # 21% of 12.50 is 2.625: per line 2.63 twice makes 5.26, the invoice has 5.25 over 25.00.
        invoice = final_invoice_create(lines=2, unit_price=Decimal("12.50"))
        assert invoice.total_vat == Decimal("5.25")
        exported(invoice)
        lines = entry_lines(entries(sandbox)[f"{invoice.number:05d}"])
        booked_vat = sum(Decimal(str(line["VATAmountFC"])) for line in lines)
        booked_amount = sum(Decimal(str(line["AmountFC"])) for line in lines)
        assert booked_vat == Decimal("5.25")
        assert booked_amount + booked_vat == invoice.total_incl_vat == Decimal("30.25")
