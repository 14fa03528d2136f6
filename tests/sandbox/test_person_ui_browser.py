"""A person registers a payment in the sandbox's web UI with a real browser."""

import pytest

from tests.sandbox.conftest import sales_entry_payload

pytestmark = pytest.mark.browser


@pytest.fixture
def page(chromium):
    page = chromium.new_page()
    yield page
    page.close()


def test_a_person_writes_off_the_rest_and_the_receivable_is_matched(sandbox, nl_api, page):
    nl_api.post("salesentry/SalesEntries", sales_entry_payload(nl_api, YourRef="F-UI"))
    page.goto(f"{sandbox.url}/divisions/7095/receivables/")
    page.select_option("select[name=kind]", "write_off")
    page.fill("input[name=amount]", "120.50")
    page.click("button[type=submit]:has-text('Register')")
    page.wait_for_selector("text=Matched (50)")
    assert page.locator("text=Undo match").count() == 1
    receivable = nl_api.one("cashflow/Receivables", "YourRef eq 'F-UI'")
    assert (receivable["Status"], receivable["IsFullyPaid"]) == (50, True)
