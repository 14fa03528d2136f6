"""Exact's business rules with Exact's own Dutch messages, word for word."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.sandbox.conftest import exact_message, sales_entry_payload

INVOER_17 = (
    "Invoer 17: Het bedrag van de BTW regel met BTW code 4 komt niet overeen met het BTW-bedrag "
    "dat uit het BTW-percentage volgt."
)


def _gl(api, code):
    return api.one("financial/GLAccounts", f"Code eq '{code}'")["ID"]


def _account(api, code):
    return api.one("crm/Accounts", f"trim(Code) eq '{code}'")["ID"]


def _post_entry(api, **overrides):
    return api.post("salesentry/SalesEntries", sales_entry_payload(api, **overrides))


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"Journal": ""}, 400, "Verplicht: Dagboek"),
        ({"Journal": "99"}, 500, "Ongeldige referentie: Journals"),
        ({"Journal": "10"}, 500, "Ongeldige referentie: Journals"),
        ({"line": {"VATCode": "7  "}}, 500, "Ongeldige referentie: Btw-code"),
        ({"line": {"VATCode": "4  "}}, 400, INVOER_17),
        (
            {"ReportingYear": 2031, "ReportingPeriod": 1},
            400,
            "Onbekend: Boekjaar (Periode - datumtabel)",
        ),
        ({"EntryDate": "2032-02-01"}, 400, "Onbekend: Boekjaar (Periode - datumtabel)"),
        ({"EntryDate": "2024-03-01"}, 400, "Periode is afgesloten"),
        ({"line": {"CostCenter": "999"}}, 500, "Ongeldige referentie: Kostenplaats"),
        ({"PaymentCondition": "99"}, 500, "Ongeldige referentie: Betalingsconditie"),
    ],
)
def test_a_sales_entry_breaking_a_rule_gets_exacts_message(nl_api, overrides, status, message):
    answer = _post_entry(nl_api, **overrides)
    assert answer.status_code == status
    assert exact_message(answer) == message


@pytest.mark.parametrize("code", ["800001", "800002"])
def test_a_supplier_or_prospect_cannot_be_invoiced(nl_api, code):
    answer = _post_entry(nl_api, Customer=_account(nl_api, code))
    assert answer.status_code == 400
    assert exact_message(answer) == "Ongeldig: Klant (Type)"


def test_a_line_on_a_cost_account_is_refused(nl_api):
    answer = _post_entry(nl_api, line={"GLAccount": _gl(nl_api, "4000")})
    assert exact_message(answer) == "Ongeldig: Grootboekrekeningtype"


def test_several_messages_come_in_one_value_separated_by_cr_lf(nl_api):
    answer = _post_entry(nl_api, Journal="", line={"GLAccount": _gl(nl_api, "4000")})
    assert exact_message(answer) == "Verplicht: Dagboek\r\nOngeldig: Grootboekrekeningtype"


def test_without_a_default_payment_condition_the_entry_is_refused(sandbox, nl_api):
    sandbox.set_division(7095, default_payment_condition="")
    answer = _post_entry(nl_api)
    assert answer.status_code == 400
    assert exact_message(answer) == "Verplicht: Betalingsconditie"


def test_a_period_closed_later_refuses_entries(sandbox, nl_api):
    sandbox.set_division(7095, close_periods=[[2026, 5]])
    assert exact_message(_post_entry(nl_api, EntryDate="2026-05-20")) == "Periode is afgesloten"


def test_a_refused_entry_stores_nothing(sandbox, nl_api):
    _post_entry(nl_api, Journal="99")
    division = sandbox.state()["divisions"]["7095"]
    assert division["sales_entries"] == [] and division["receivables"] == []


def test_entry_numbers_count_up_per_journal_and_a_taken_number_is_refused(nl_api):
    first = _post_entry(nl_api).json()["d"]["EntryNumber"]
    second = _post_entry(nl_api).json()["d"]["EntryNumber"]
    assert second == first + 1
    taken = _post_entry(nl_api, InvoiceNumber=first)
    assert exact_message(taken) == "In gebruik: Boekstuknummer"


def test_every_sales_entry_gets_a_receivable(nl_api):
    entry = _post_entry(
        nl_api, YourRef="F2026-0042", line={"AmountFC": 200, "VATCode": "2  "}
    ).json()["d"]
    assert (entry["AmountDC"], entry["VATAmountDC"], entry["Status"]) == (218.0, 18.0, 20)
    receivable = nl_api.one(
        "cashflow/Receivables", f"TransactionEntryID eq guid'{entry['EntryID']}'"
    )
    assert receivable["AmountDC"] == 218.0
    assert receivable["Status"] == 20
    assert receivable["IsFullyPaid"] is False
    assert receivable["YourRef"] == "F2026-0042"
    assert receivable["InvoiceNumber"] == entry["EntryNumber"] == receivable["EntryNumber"]
    assert receivable["Account"] == entry["Customer"]
    listed = nl_api.one("read/financial/ReceivablesList", "YourRef eq 'F2026-0042'")
    assert listed["Amount"] == 218.0


def test_a_credit_note_is_type_21_with_negative_amounts(nl_api):
    entry = _post_entry(nl_api, Type=21, line={"AmountFC": 50}).json()["d"]
    assert entry["Type"] == 21
    assert entry["AmountDC"] == -60.5
    receivable = nl_api.one(
        "cashflow/Receivables", f"TransactionEntryID eq guid'{entry['EntryID']}'"
    )
    assert receivable["AmountDC"] == -60.5


def test_a_sales_entry_put_cannot_carry_lines(nl_api):
    entry = _post_entry(nl_api).json()["d"]
    path = f"salesentry/SalesEntries(guid'{entry['EntryID']}')"
    assert nl_api.put(path, {"SalesEntryLines": []}).status_code == 400
    assert nl_api.put(path, {"Description": "Nieuwe omschrijving"}).status_code == 204


def test_an_account_code_is_stored_right_aligned_in_18_characters(nl_api):
    account = nl_api.post("crm/Accounts", {"Name": "Klant 25", "Code": "25"}).json()["d"]
    assert account["Code"] == " " * 16 + "25"
    assert account["Status"] == "C"


def test_an_account_without_a_code_gets_the_highest_plus_one(nl_api):
    account = nl_api.post("crm/Accounts", {"Name": "Klant zonder code"}).json()["d"]
    assert account["Code"] == "900066".rjust(18)


def test_a_duplicate_account_code_is_a_500_gegeven_bestaat_reeds(nl_api):
    assert nl_api.post("crm/Accounts", {"Name": "Eerste", "Code": "25"}).status_code == 201
    duplicate = nl_api.post("crm/Accounts", {"Name": "Tweede", "Code": "25"})
    assert duplicate.status_code == 500
    assert exact_message(duplicate) == "Gegeven bestaat reeds"
    other = nl_api.post("crm/Accounts", {"Name": "Derde", "Code": "26"}).json()["d"]
    put = nl_api.put(f"crm/Accounts(guid'{other['ID']}')", {"Code": "25"})
    assert put.status_code == 500
    assert exact_message(put) == "Gegeven bestaat reeds"


def test_an_account_needs_a_name(nl_api):
    answer = nl_api.post("crm/Accounts", {"Code": "31"})
    assert answer.status_code == 400
    assert exact_message(answer) == "Verplicht: Naam"


def test_a_project_can_be_created_once_per_code(nl_api):
    created = nl_api.post("project/Projects", {"Code": "P-NEW", "Description": "Nieuw", "Type": 2})
    assert created.status_code == 201
    assert created.json()["d"]["Type"] == 2
    duplicate = nl_api.post(
        "project/Projects", {"Code": "P-NEW", "Description": "Nog eens", "Type": 2}
    )
    assert duplicate.status_code == 500
    assert exact_message(duplicate) == "Gegeven bestaat reeds"
    assert exact_message(nl_api.post("project/Projects", {"Code": "P-X"})) == (
        "Verplicht: Omschrijving\r\nVerplicht: Type"
    )


def test_a_cost_center_can_be_created_once_per_code(nl_api):
    created = nl_api.post("hrm/Costcenters", {"Code": "400", "Description": "Webinars"})
    assert created.status_code == 201
    duplicate = nl_api.post("hrm/Costcenters", {"Code": "400", "Description": "Webinars"})
    assert exact_message(duplicate) == "Gegeven bestaat reeds"


def test_parallel_posts_get_distinct_entry_numbers(nl_api):
    payload = sales_entry_payload(nl_api)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: nl_api.post("salesentry/SalesEntries", payload), range(8))
        )
    numbers = {answer.json()["d"]["EntryNumber"] for answer in answers}
    assert len(numbers) == 8
