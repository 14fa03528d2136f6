"""Calls per endpoint and per status, readable by tests and benchmarks."""


def test_counters_tally_calls_per_endpoint_and_status(sandbox, nl_api):
    sandbox.reset_counters()
    nl_api.get("financial/Journals")
    nl_api.get("financial/Journals")
    nl_api.post("crm/Accounts", {"Code": "1"})
    counters = sandbox.counters()
    assert counters["by_endpoint"] == {"financial/Journals": 2, "crm/Accounts": 1}
    assert counters["by_status"] == {"200": 2, "400": 1}
    assert counters["by_endpoint_status"]["crm/Accounts"] == {"400": 1}
    assert counters["by_method_endpoint"]["POST crm/Accounts"] == 1
    assert counters["total"] == 3


def test_counters_reset_to_zero(sandbox, nl_api):
    nl_api.get("financial/Journals")
    assert sandbox.reset_counters()["total"] == 0
    assert sandbox.counters()["by_endpoint"] == {}


def test_token_calls_are_counted_too(sandbox):
    sandbox.tokens("nl")
    counters = sandbox.counters()
    assert counters["by_endpoint_status"]["oauth2/token"] == {"200": 1}
    # The consent page is opened (200), then submitted (302), as in a browser.
    assert counters["by_endpoint_status"]["oauth2/auth"] == {"200": 1, "302": 1}
