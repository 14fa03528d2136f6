"""The pages a person uses: divisions, entries with PDFs, and registering payments."""

import re

import pytest
import requests

from tests.sandbox.conftest import sales_entry_payload


@pytest.fixture
def booked(sandbox, nl_api):
    entry = nl_api.post(
        "salesentry/SalesEntries", sales_entry_payload(nl_api, YourRef="F-9")
    ).json()["d"]
    receivable = nl_api.one(
        "cashflow/Receivables", f"TransactionEntryID eq guid'{entry['EntryID']}'"
    )
    return entry, receivable


def _pay(sandbox, receivable, **form):
    return sandbox.ui_post(f"/divisions/7095/receivables/{receivable['ID']}/pay/", form)


def _receivable(nl_api, receivable):
    return nl_api.get(f"cashflow/Receivables?$filter=ID eq guid'{receivable['ID']}'").json()["d"][
        "results"
    ][0]


def _outstanding(nl_api):
    return nl_api.get("read/financial/ReceivablesList").json()["d"]["results"]


def test_the_root_page_lists_sites_and_divisions(sandbox):
    page = requests.get(sandbox.url + "/", timeout=30)
    assert page.status_code == 200
    for text in ("Opleidingen Zuid BV", "Vorming Vlaanderen BVBA", "coachlink-demo-be", "/nl"):
        assert text in page.text


def test_the_division_pages_show_accounts_entries_and_receivables(sandbox, booked):
    entries = requests.get(f"{sandbox.url}/divisions/7095/", timeout=30).text
    assert "F-9" in entries and "Omzet opleidingen" in entries
    assert (
        "Bakker Opleidingen 1"
        in requests.get(f"{sandbox.url}/divisions/7095/accounts/", timeout=30).text
    )
    assert "121,00" in requests.get(f"{sandbox.url}/divisions/7095/receivables/", timeout=30).text


def test_a_full_payment_matches_the_receivable(sandbox, nl_api, booked):
    _, receivable = booked
    assert _pay(sandbox, receivable, kind="full").status_code == 302
    after = _receivable(nl_api, receivable)
    assert (after["Status"], after["IsFullyPaid"]) == (50, True)
    assert after["LastPaymentDate"].startswith("/Date(")
    assert _outstanding(nl_api) == []


def test_a_partial_payment_leaves_the_rest_outstanding(sandbox, nl_api, booked):
    _, receivable = booked
    _pay(sandbox, receivable, kind="partial", amount="21.00")
    after = _receivable(nl_api, receivable)
    assert (after["Status"], after["IsFullyPaid"]) == (20, False)
    assert [row["Amount"] for row in _outstanding(nl_api)] == [100.0]


def test_a_partial_payment_with_the_rest_written_off_counts_as_paid(sandbox, nl_api, booked):
    _, receivable = booked
    _pay(sandbox, receivable, kind="write_off", amount="120")
    after = _receivable(nl_api, receivable)
    assert (after["Status"], after["IsFullyPaid"]) == (50, True)
    assert _outstanding(nl_api) == []
    stored = sandbox.state()["divisions"]["7095"]["receivables"][0]
    assert (stored["PaidAmountDC"], stored["WrittenOffAmountDC"]) == (120.0, 1.0)


def test_undo_match_makes_the_receivable_open_again(sandbox, nl_api, booked):
    _, receivable = booked
    _pay(sandbox, receivable, kind="full")
    assert (
        sandbox.ui_post(f"/divisions/7095/receivables/{receivable['ID']}/undo/", {}).status_code
        == 302
    )
    after = _receivable(nl_api, receivable)
    assert (after["Status"], after["IsFullyPaid"]) == (20, False)
    assert [row["Amount"] for row in _outstanding(nl_api)] == [121.0]


def test_a_payment_above_the_open_amount_is_refused(sandbox, nl_api, booked):
    _, receivable = booked
    answer = _pay(sandbox, receivable, kind="partial", amount="500")
    assert re.search(r"error=Ongeldig", requests.utils.unquote(answer.headers["Location"]))
    assert _receivable(nl_api, receivable)["Status"] == 20


def test_payments_move_the_modified_stamp_for_callers_polling_changes(sandbox, nl_api, booked):
    _, receivable = booked
    sandbox.advance_clock(300)
    _pay(sandbox, receivable, kind="full")
    after = _receivable(nl_api, receivable)
    assert after["Modified"] > receivable["Modified"]


def test_opening_a_division_makes_it_the_current_division(sandbox, nl_api):
    requests.get(f"{sandbox.url}/divisions/7096/", timeout=30)
    assert nl_api.me().json()["d"]["results"][0]["CurrentDivision"] == 7096
