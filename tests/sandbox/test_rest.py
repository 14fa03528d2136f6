"""The REST API speaks OData v2 as Exact does: paging, filters, selects, keys and error bodies."""

import base64

import pytest
import requests

from exact_sandbox.reference import ACCOUNT_FILTER_FIELDS
from tests.sandbox.conftest import exact_message, plain, sales_entry_payload


def _results(answer):
    assert answer.status_code == 200, answer.text
    return answer.json()["d"]["results"]


def test_accounts_come_in_pages_of_60_followed_by_skiptoken_links(nl_api):
    first = nl_api.get("crm/Accounts", **{"$filter": "Status eq 'C'", "$select": "ID,Code"})
    page = first.json()["d"]
    assert len(page["results"]) == 60
    assert "$skiptoken=guid'" in page["__next"]
    second = nl_api.get(page["__next"]).json()["d"]
    assert len(second["results"]) == 5
    assert "__next" not in second
    ids = {row["ID"] for row in page["results"] + second["results"]}
    assert len(ids) == 65


def test_crm_accounts_insists_on_a_filter(nl_api):
    answer = nl_api.get("crm/Accounts")
    assert answer.status_code == 400
    assert exact_message(answer) == (
        "This endpoint has mandatory filtering applied. A GET request for this endpoint must "
        "have a $filter parameter with one of the following fields in the url:"
        + ",".join(ACCOUNT_FILTER_FIELDS)
        + "."
    )
    other = nl_api.get("crm/Accounts", **{"$filter": "Website eq 'x'"})
    assert exact_message(other) == exact_message(answer)


@pytest.mark.parametrize(
    ("filter_", "codes"),
    [
        (
            "Type eq 110 and IsBlocked eq false",
            {"8000", "8010", "8020", "8030", "8040", "8050", "8090", "8099"},
        ),
        ("(Code eq '1300' or Code eq '4000') and Type ne 20", {"4000"}),
        ("Code ge '8090' and Code lt '8099'", {"8090", "8098"}),
        ("Code gt '8090' and Code le '8099'", {"8098", "8099"}),
        ("IsBlocked eq true", {"8098"}),
        ("Type eq 20 or (Type eq 121 and BalanceType eq 'W')", {"1300", "4000"}),
        ("trim(Description) eq 'Debiteuren'", {"1300"}),
        ("Modified gt datetime'2999-01-01T00:00:00'", set()),
    ],
)
def test_filters_combine_comparisons_functions_and_parentheses(nl_api, filter_, codes):
    rows = _results(nl_api.get("financial/GLAccounts", **{"$filter": filter_}))
    assert {row["Code"] for row in rows} == codes


def test_a_guid_filter_finds_one_record(nl_api):
    target = _results(nl_api.get("financial/GLAccounts", **{"$filter": "Code eq '8000'"}))[0]
    rows = _results(
        nl_api.get("financial/GLAccounts", **{"$filter": f"ID eq guid'{target['ID']}'"})
    )
    assert [row["Code"] for row in rows] == ["8000"]


def test_account_codes_filter_padded_or_trimmed(nl_api):
    padded = _results(nl_api.get("crm/Accounts", **{"$filter": "Code eq '            900007'"}))
    trimmed = _results(nl_api.get("crm/Accounts", **{"$filter": "trim(Code) eq '900007'"}))
    assert padded == trimmed and len(padded) == 1
    assert padded[0]["Code"] == "900007".rjust(18)


def test_select_returns_only_the_named_fields_and_top_limits_the_rows(nl_api):
    rows = _results(
        nl_api.get("financial/GLAccounts", **{"$select": "Code,Description", "$top": "2"})
    )
    assert len(rows) == 2
    assert all(set(row) == {"__metadata", "Code", "Description"} for row in rows)


def test_orderby_sorts_descending(nl_api):
    rows = _results(nl_api.get("financial/GLAccounts", **{"$orderby": "Code desc", "$top": "1"}))
    assert rows[0]["Code"] == "8099"


def test_an_unknown_property_is_a_400_with_exacts_error_body(nl_api):
    answer = nl_api.get("financial/GLAccounts", **{"$filter": "Colour eq 'red'"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == ""
    assert error["message"]["lang"] == "nl-NL"
    assert "Colour" in error["message"]["value"]


def test_a_record_is_addressed_by_guid_for_get_put_and_delete(nl_api):
    created = nl_api.post("crm/Accounts", {"Name": "Opleider Noord", "Code": "4711"})
    assert created.status_code == 201
    account = created.json()["d"]
    path = f"crm/Accounts(guid'{account['ID']}')"
    assert nl_api.get(path).json()["d"]["Name"] == "Opleider Noord"
    updated = nl_api.put(path, {"Name": "Opleider Noord BV", "City": "Groningen"})
    assert updated.status_code == 204 and updated.text == ""
    assert nl_api.get(path).json()["d"]["City"] == "Groningen"
    assert nl_api.delete(path).status_code == 204
    assert nl_api.get(path).status_code == 404


def test_endpoints_without_writes_refuse_them(nl_api):
    assert nl_api.post("financial/GLAccounts", {"Code": "8100"}).status_code == 405


def test_dates_come_back_as_exact_date_literals(nl_api):
    answer = nl_api.post(
        "salesentry/SalesEntries", sales_entry_payload(nl_api, EntryDate="2026-05-12")
    )
    assert answer.status_code == 201
    assert answer.json()["d"]["EntryDate"] == "/Date(1778544000000)/"


def test_sales_entries_filter_on_your_ref_and_modified(nl_api):
    entry = nl_api.post(
        "salesentry/SalesEntries", sales_entry_payload(nl_api, YourRef="F-77")
    ).json()["d"]
    rows = _results(nl_api.get("salesentry/SalesEntries", **{"$filter": "YourRef eq 'F-77'"}))
    assert [row["EntryID"] for row in rows] == [entry["EntryID"]]
    since = _results(
        nl_api.get(
            "cashflow/Receivables", **{"$filter": "Modified ge datetime'2000-01-01T00:00:00'"}
        )
    )
    assert [row["TransactionEntryID"] for row in since] == [entry["EntryID"]]


def test_sales_entry_lines_are_deferred_unless_expanded(nl_api):
    entry = nl_api.post("salesentry/SalesEntries", sales_entry_payload(nl_api)).json()["d"]
    deferred = entry["SalesEntryLines"]["__deferred"]["uri"]
    assert deferred.endswith(f"salesentry/SalesEntries(guid'{entry['EntryID']}')/SalesEntryLines")
    assert _results(nl_api.get(deferred))[0]["AmountFC"] == 100.0
    lines = _results(
        nl_api.get(
            "salesentry/SalesEntryLines", **{"$filter": f"EntryID eq guid'{entry['EntryID']}'"}
        )
    )
    assert lines[0]["VATCode"] == "1  "
    listed = _results(
        nl_api.get(
            "salesentry/SalesEntries",
            **{"$expand": "SalesEntryLines", "$select": "EntryID,SalesEntryLines/AmountFC"},
        )
    )
    assert [plain(line) for line in listed[0]["SalesEntryLines"]["results"]] == [
        {"AmountFC": 100.0}
    ]
    assert set(listed[0]) == {"__metadata", "EntryID", "SalesEntryLines"}


def test_bulk_and_outstanding_receivables_come_1000_a_page(sandbox, nl_api):
    sandbox.set_limits(minutely=1000)
    payload = sales_entry_payload(nl_api)
    for number in range(61):
        payload["YourRef"] = f"B-{number}"
        assert nl_api.post("salesentry/SalesEntries", payload).status_code == 201
    assert nl_api.get("bulk/Cashflow/Receivables").status_code == 400
    bulk = nl_api.get("bulk/Cashflow/Receivables", **{"$select": "ID,YourRef"}).json()["d"]
    assert len(bulk["results"]) == 61 and "__next" not in bulk
    regular = nl_api.get("cashflow/Receivables").json()["d"]
    assert len(regular["results"]) == 60 and "__next" in regular
    assert (
        nl_api.get("bulk/Cashflow/Receivables", **{"$select": "ID", "$skip": "5"}).status_code
        == 400
    )
    outstanding = nl_api.get("read/financial/ReceivablesList").json()["d"]
    assert len(outstanding["results"]) == 61 and "__next" not in outstanding


def test_current_me_names_the_current_division(nl_api):
    me = nl_api.me().json()["d"]["results"][0]
    assert me["CurrentDivision"] == 7095
    assert me["FullName"] == "Demo Gebruiker"


def test_divisions_lists_the_allowed_divisions(nl_api):
    rows = _results(nl_api.get("system/Divisions", **{"$select": "Code,Description"}))
    assert [plain(row) for row in rows] == [
        {"Code": 7095, "Description": "Opleidingen Zuid BV"},
        {"Code": 7096, "Description": "Opleidingen Zuid BV (test)"},
    ]


def test_seeded_reference_data_is_there(nl_api):
    vat = {row["Code"]: row["Type"] for row in _results(nl_api.get("vat/VATCodes"))}
    assert vat == {"1  ": "E", "2  ": "E", "0  ": "E", "4  ": "I"}
    journals = {row["Code"]: row["Type"] for row in _results(nl_api.get("financial/Journals"))}
    assert journals["70"] == 20 and journals["10"] != 20
    assert {row["Code"] for row in _results(nl_api.get("hrm/Costcenters"))} == {"100", "200", "300"}
    assert len(_results(nl_api.get("project/Projects"))) == 2


def test_a_pdf_travels_through_documents_and_attachments_to_the_sales_entry(sandbox, nl_api):
    customer = nl_api.one("crm/Accounts", "trim(Code) eq '900001'")
    document = nl_api.post(
        "documents/Documents", {"Subject": "Factuur F-1", "Type": 10, "Account": customer["ID"]}
    ).json()["d"]
    pdf = b"%PDF-1.4 sandbox test\n%%EOF"
    attachment = nl_api.post(
        "documents/DocumentAttachments",
        {
            "Document": document["ID"],
            "FileName": "F-1.pdf",
            "Attachment": base64.b64encode(pdf).decode(),
        },
    )
    assert attachment.status_code == 201
    entry = nl_api.post(
        "salesentry/SalesEntries", sales_entry_payload(nl_api, Document=document["ID"])
    )
    assert entry.json()["d"]["Document"] == document["ID"]
    download = requests.get(attachment.json()["d"]["Url"] + "&Download=1", timeout=30)
    assert download.content == pdf
    assert download.headers["Content-Type"] == "application/pdf"


def test_an_attachment_for_an_unknown_document_is_refused(nl_api):
    answer = nl_api.post(
        "documents/DocumentAttachments",
        {
            "Document": "00000000-0000-0000-0000-000000000001",
            "FileName": "x.pdf",
            "Attachment": "eA==",
        },
    )
    assert answer.status_code == 500
    assert exact_message(answer) == "Ongeldige referentie: Document"


def test_a_url_over_6000_characters_is_refused(nl_api):
    answer = nl_api.get("financial/GLAccounts", **{"$filter": "Code eq '" + "9" * 6000 + "'"})
    assert answer.status_code == 414


def test_an_attachment_of_several_megabytes_is_stored_whole(sandbox, nl_api):
    document = nl_api.post("documents/Documents", {"Subject": "Groot", "Type": 10}).json()["d"]
    pdf = b"%PDF-1.4\n" + b"x" * (4 * 1024 * 1024)
    answer = nl_api.post(
        "documents/DocumentAttachments",
        {
            "Document": document["ID"],
            "FileName": "groot.pdf",
            "Attachment": base64.b64encode(pdf).decode(),
        },
    )
    assert answer.status_code == 201
    assert answer.json()["d"]["FileSize"] == len(pdf)


def test_an_attachment_over_10_mb_is_refused(nl_api):
    document = nl_api.post("documents/Documents", {"Subject": "Te groot", "Type": 10}).json()["d"]
    blob = base64.b64encode(b"x" * (10 * 1024 * 1024 + 1)).decode()
    answer = nl_api.post(
        "documents/DocumentAttachments",
        {"Document": document["ID"], "FileName": "x.pdf", "Attachment": blob},
    )
    assert answer.status_code == 400
    assert exact_message(answer) == "Ongeldig: Bijlage is groter dan 10 MB"


def test_paging_carries_on_when_the_last_row_of_a_page_was_deleted(nl_api):
    page = nl_api.get("crm/Accounts", **{"$filter": "Status eq 'C'", "$select": "ID"}).json()["d"]
    last = page["results"][-1]["ID"]
    assert nl_api.delete(f"crm/Accounts(guid'{last}')").status_code == 204
    assert len(nl_api.get(page["__next"]).json()["d"]["results"]) == 5


def test_a_value_of_the_wrong_type_is_a_400(nl_api):
    answer = nl_api.post("salesentry/SalesEntries", sales_entry_payload(nl_api, Type="abc"))
    assert answer.status_code == 400
    assert exact_message(answer).startswith("Error processing request stream.")


@pytest.mark.parametrize("top", ["²", "١٢", "-1", "x"])
def test_a_paging_option_that_is_no_whole_number_is_a_400_not_a_crash(nl_api, top):
    answer = nl_api.get("financial/GLAccounts", **{"$select": "Code", "$top": top})
    assert answer.status_code == 400
    assert "it must be an integer" in answer.json()["error"]["message"]["value"]
