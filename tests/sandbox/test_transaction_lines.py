"""Transaction lines of booked sales entries, and a bookkeeper's corrections to those entries."""

import math

import requests

from tests.sandbox.conftest import sales_entry_payload

SELECT = (
    "EntryID,EntryNumber,InvoiceNumber,YourRef,JournalCode,Type,LineNumber,FinancialYear,"
    "FinancialPeriod,Date,AccountCode,GLAccountCode,AmountDC,AmountVATFC,AmountVATBaseFC,VATCode"
)


def _book(nl_api, **overrides) -> dict:
    answer = nl_api.post("salesentry/SalesEntries", sales_entry_payload(nl_api, **overrides))
    assert answer.status_code == 201, answer.text
    return answer.json()["d"]


def _lines(nl_api, filter_: str = "", endpoint: str = "bulk/Financial/TransactionLines") -> list:
    params = {"$select": SELECT}
    if filter_:
        params["$filter"] = filter_
    answer = nl_api.get(endpoint, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()["d"]["results"]


def _control(sandbox, path: str, payload: dict | None = None) -> dict:
    answer = requests.post(
        f"{sandbox.url}/_sandbox/{path}",
        json=payload or {},
        headers=sandbox.control_headers,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_entry_becomes_a_debtor_line_revenue_lines_and_a_vat_line(nl_api):
    entry = _book(nl_api)
    lines = _lines(nl_api, f"EntryID eq guid'{entry['EntryID']}'")
    by_number = {row["LineNumber"]: row for row in lines}
    assert set(by_number) == {0, 1, 2}
    debtor, revenue, vat = by_number[0], by_number[1], by_number[2]
    assert debtor["GLAccountCode"] == "1300" and debtor["AmountDC"] == 121.0
    assert revenue["GLAccountCode"] == "8000" and revenue["AmountDC"] == -100.0
    assert revenue["AmountVATFC"] == -21.0 and revenue["VATCode"] == "1  "
    assert vat["GLAccountCode"] == "1500" and vat["AmountDC"] == -21.0
    assert vat["AmountVATBaseFC"] == -100.0 and vat["AmountVATFC"] == 0
    assert sum(row["AmountDC"] for row in lines) == 0
    for row in lines:
        assert row["YourRef"] == "F2026-0001" and row["JournalCode"] == "70"
        assert (row["FinancialYear"], row["FinancialPeriod"], row["Type"]) == (2026, 5, 20)
        assert row["AccountCode"].strip() == "900001"
        assert row["EntryNumber"] == entry["EntryNumber"] == row["InvoiceNumber"]


def test_bulk_lines_need_select_and_come_1000_a_page(sandbox, nl_api):
    _book(nl_api)
    answer = nl_api.get("bulk/Financial/TransactionLines")
    assert answer.status_code == 400
    entries = [
        {
            "EntryNumber": 26700100 + n,
            "YourRef": f"{26700100 + n}",
            "AccountCode": "900002",
            "Date": "2026-03-10",
            "Lines": [{"GLAccountCode": "8000", "AmountFC": "50.00", "VATCode": "1"}],
        }
        for n in range(400)
    ]
    _control(sandbox, "divisions/7095/entries/bulk", {"entries": entries})
    sandbox.reset_counters()
    rows, url, calls = [], "bulk/Financial/TransactionLines", 0
    params = {"$select": "ID,EntryID", "$filter": "FinancialYear eq 2026 and FinancialPeriod eq 3"}
    while url:
        answer = nl_api.request("GET", url, params=params)
        body = answer.json()["d"]
        rows += body["results"]
        url, params, calls = body.get("__next"), None, calls + 1
    assert len(rows) == 1200 and len({row["ID"] for row in rows}) == 1200
    assert calls == math.ceil(1200 / 1000)
    assert sandbox.counters()["by_endpoint"]["bulk/Financial/TransactionLines"] == calls


def test_sync_lines_page_by_timestamp_and_return_only_what_changed(sandbox, nl_api):
    first = _book(nl_api)
    answer = nl_api.get(
        "sync/Financial/TransactionLines",
        **{"$filter": "Timestamp gt 1", "$select": "Timestamp,EntryID"},
    )
    rows = answer.json()["d"]["results"]
    assert len(rows) == 3
    highest = max(row["Timestamp"] for row in rows)
    sandbox.advance_clock(5)
    second = _book(nl_api, YourRef="F2026-0002")
    _control(sandbox, f"entries/{first['EntryID']}/edit", {"amount": "80.00"})
    answer = nl_api.get(
        "sync/Financial/TransactionLines",
        **{
            "$filter": f"Timestamp gt {highest}",
            "$select": "Timestamp,EntryID,AmountDC,LineNumber",
        },
    )
    changed = answer.json()["d"]["results"]
    assert {row["EntryID"] for row in changed} == {first["EntryID"], second["EntryID"]}
    assert [row["Timestamp"] for row in changed] == sorted(row["Timestamp"] for row in changed)
    debtor = next(r for r in changed if r["EntryID"] == first["EntryID"] and r["LineNumber"] == 0)
    assert debtor["AmountDC"] == 96.8


def test_an_edit_changes_amount_customer_gl_account_and_period(sandbox, nl_api):
    entry = _book(nl_api)
    _control(
        sandbox,
        f"entries/{entry['EntryID']}/edit",
        {"amount": "200", "customer_code": "900002", "gl_code": "8010", "year": 2026, "period": 6},
    )
    lines = _lines(nl_api, f"EntryID eq guid'{entry['EntryID']}'")
    by_number = {row["LineNumber"]: row for row in lines}
    assert by_number[0]["AmountDC"] == 242.0 and by_number[0]["AccountCode"].strip() == "900002"
    assert by_number[1]["GLAccountCode"] == "8010" and by_number[1]["AmountDC"] == -200.0
    assert {(row["FinancialYear"], row["FinancialPeriod"]) for row in lines} == {(2026, 6)}
    receivable = nl_api.one(
        "cashflow/Receivables", f"TransactionEntryID eq guid'{entry['EntryID']}'"
    )
    assert receivable["AmountDC"] == 242.0


def test_an_edit_into_a_closed_period_or_to_a_supplier_is_refused(sandbox, nl_api):
    entry = _book(nl_api)
    sandbox.set_division(7095, close_periods=[[2026, 7]])
    for change, message in [
        ({"period": 7}, "Periode is afgesloten"),
        ({"customer_code": "800001"}, "Ongeldig: Klant (Type)"),
        ({"gl_code": "1300"}, "Ongeldig: Grootboekrekeningtype"),
        ({"amount": "twelve"}, "Ongeldig: Bedrag"),
    ]:
        answer = requests.post(
            f"{sandbox.url}/_sandbox/entries/{entry['EntryID']}/edit",
            json=change,
            headers=sandbox.control_headers,
            timeout=30,
        )
        assert answer.status_code == 400 and message in answer.json()["error"]
    lines = _lines(nl_api, f"EntryID eq guid'{entry['EntryID']}'")
    assert {row["FinancialPeriod"] for row in lines} == {5}


def test_a_reversal_mirrors_the_entry_and_a_deletion_removes_its_lines(sandbox, nl_api):
    reversed_entry = _book(nl_api)
    deleted = _book(nl_api, YourRef="F2026-0002")
    reversal = _control(sandbox, f"entries/{reversed_entry['EntryID']}/reverse")["entry"]
    _control(sandbox, f"entries/{deleted['EntryID']}/delete")
    lines = _lines(nl_api)
    assert {row["EntryID"] for row in lines} == {reversed_entry["EntryID"], reversal["EntryID"]}
    assert sum(row["AmountDC"] for row in lines if row["LineNumber"] == 0) == 0
    assert {row["YourRef"] for row in lines} == {"F2026-0001"}


def test_booking_by_hand_and_booking_again(sandbox, nl_api):
    entry = _book(nl_api)
    again = _control(sandbox, f"entries/{entry['EntryID']}/duplicate")["entry"]
    by_hand = _control(
        sandbox,
        "divisions/7095/entries/book",
        {
            "customer_code": "900003",
            "invoice_number": "2600999",
            "date": "2026-05-20",
            "gl_code": "8020",
            "vat_code": "2",
            "amount": "50",
        },
    )["entry"]
    assert again["YourRef"] == entry["YourRef"] and again["EntryNumber"] != entry["EntryNumber"]
    assert again["AmountDC"] == entry["AmountDC"]
    assert by_hand["EntryNumber"] == 2600999 and by_hand["AmountDC"] == 54.5
    lines = _lines(nl_api, "YourRef eq 'F2026-0001'")
    assert len({row["EntryID"] for row in lines}) == 2


def test_the_person_ui_edits_reverses_deletes_and_books(sandbox, nl_api):
    entry = _book(nl_api)
    base = f"{sandbox.url}/divisions/7095"
    page = requests.get(f"{base}/", timeout=30)
    assert f"/entries/{entry['EntryID']}/edit/" in page.text
    assert requests.get(f"{base}/entries/{entry['EntryID']}/edit/", timeout=30).status_code == 200
    path = f"/divisions/7095/entries/{entry['EntryID']}"
    answer = sandbox.ui_post(f"{path}/edit/", {"amount": "150"})
    assert answer.status_code == 302 and "done=" in answer.headers["Location"]
    answer = sandbox.ui_post(f"{path}/edit/", {"period": "13"})
    assert "Onbekend: Boekjaar" in answer.text
    assert requests.get(f"{base}/entries/book/", timeout=30).status_code == 200
    answer = sandbox.ui_post(
        "/divisions/7095/entries/book/",
        {"customer_code": "900004", "gl_code": "8000", "vat_code": "1", "amount": "10"},
    )
    assert answer.status_code == 302, answer.text
    for action in ("duplicate", "reverse", "delete"):
        answer = sandbox.ui_post(f"{path}/{action}/", {})
        assert answer.status_code == 302 and "done=" in answer.headers["Location"], action
    entries = sandbox.state()["divisions"]["7095"]["sales_entries"]
    assert entry["EntryID"] not in {row["EntryID"] for row in entries}
    assert len(entries) == 3
