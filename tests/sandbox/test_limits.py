"""Exact's call budgets and error limit, counted on the sandbox clock."""

import requests

from exact_sandbox.process import sandbox_start, sandbox_stop
from tests.sandbox.conftest import exact_message

DAILY = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
MINUTELY = {
    "X-RateLimit-Minutely-Limit",
    "X-RateLimit-Minutely-Remaining",
    "X-RateLimit-Minutely-Reset",
}


def _rate_headers(answer):
    return {name for name in answer.headers if name.startswith("X-RateLimit")}


def _at_start_of_a_minute(sandbox):
    # Budgets run per calendar minute; start every test at second 0 so one minute holds it all.
    seconds = float(sandbox.advance_clock(0)["now"][17:])
    sandbox.advance_clock(60 - seconds + 0.01)


def test_every_answer_carries_all_six_rate_limit_headers(nl_api):
    answer = nl_api.get("financial/Journals")
    assert _rate_headers(answer) == DAILY | MINUTELY
    assert answer.headers["X-RateLimit-Limit"] == "5000"
    assert answer.headers["X-RateLimit-Remaining"] == "4999"
    assert answer.headers["X-RateLimit-Minutely-Limit"] == "60"
    assert int(answer.headers["X-RateLimit-Reset"]) > 1_700_000_000_000  # epoch milliseconds
    assert int(answer.headers["X-RateLimit-Minutely-Reset"]) % 60_000 == 0
    assert _rate_headers(nl_api.get("nope/Nothing")) == DAILY | MINUTELY


def test_the_minutely_budget_gives_429_until_the_next_calendar_minute(sandbox, nl_api):
    sandbox.set_limits(minutely=3)
    _at_start_of_a_minute(sandbox)
    for _ in range(2):
        assert nl_api.get("financial/Journals").status_code == 200
    last = nl_api.get("financial/Journals")
    assert last.status_code == 200 and last.headers["X-RateLimit-Minutely-Remaining"] == "0"
    assert _rate_headers(last) == DAILY | MINUTELY
    refused = nl_api.get("financial/Journals")
    assert refused.status_code == 429
    assert exact_message(refused) == "Too many requests"
    assert _rate_headers(refused) == MINUTELY
    sandbox.advance_clock(60)
    assert nl_api.get("financial/Journals").status_code == 200


def test_a_shortened_minute_resets_the_budget_after_its_own_length(sandbox, nl_api):
    sandbox.set_limits(minutely=2, minute_seconds=6)
    _at_start_of_a_minute(sandbox)
    for _ in range(2):
        answer = nl_api.get("financial/Journals")
        assert answer.status_code == 200
    assert int(answer.headers["X-RateLimit-Minutely-Reset"]) % 6_000 == 0
    assert nl_api.get("financial/Journals").status_code == 429
    sandbox.advance_clock(6)
    assert nl_api.get("financial/Journals").status_code == 200


def test_a_shortened_day_resets_the_daily_budget_after_its_own_length(sandbox, nl_api):
    sandbox.set_limits(daily=2, day_seconds=120)
    for _ in range(2):
        answer = nl_api.get("financial/Journals")
        assert answer.status_code == 200
    assert answer.headers["X-RateLimit-Remaining"] == "0"
    assert int(answer.headers["X-RateLimit-Reset"]) % 120_000 == 0
    refused = nl_api.get("financial/Journals")
    assert refused.status_code == 429 and refused.headers["X-RateLimit-Remaining"] == "0"
    sandbox.advance_clock(120)
    assert nl_api.get("financial/Journals").headers["X-RateLimit-Remaining"] == "1"


def test_the_minutely_budget_is_per_division(sandbox, nl_api):
    sandbox.set_limits(minutely=1)
    _at_start_of_a_minute(sandbox)
    assert nl_api.get("financial/Journals").status_code == 200
    assert nl_api.get("financial/Journals").status_code == 429
    nl_api.division = 7096
    assert nl_api.get("financial/Journals").status_code == 200


def test_the_daily_budget_gives_429_but_current_me_does_not_count(sandbox, nl_api):
    sandbox.set_limits(daily=2)
    _at_start_of_a_minute(sandbox)
    assert nl_api.get("financial/Journals").headers["X-RateLimit-Remaining"] == "1"
    me = nl_api.me()
    assert me.status_code == 200 and me.headers["X-RateLimit-Remaining"] == "1"
    assert nl_api.get("financial/Journals").status_code == 200
    refused = nl_api.get("financial/Journals")
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert nl_api.me().status_code == 200


def test_more_than_ten_errors_in_an_hour_block_the_endpoint_for_an_hour(sandbox, nl_api):
    _at_start_of_a_minute(sandbox)
    for _ in range(11):
        assert nl_api.get("financial/GLAccounts", **{"$filter": "Nope eq 1"}).status_code == 400
    blocked = nl_api.get("financial/GLAccounts")
    assert blocked.status_code == 429
    assert "blocked" in exact_message(blocked)
    assert nl_api.get("financial/Journals").status_code == 200
    sandbox.advance_clock(3601)
    nl_api.access_token = sandbox.tokens("nl")["access_token"]
    assert nl_api.get("financial/GLAccounts").status_code == 200


def test_ten_errors_in_an_hour_do_not_block(sandbox, nl_api):
    _at_start_of_a_minute(sandbox)
    for _ in range(10):
        nl_api.get("financial/GLAccounts", **{"$filter": "Nope eq 1"})
    assert nl_api.get("financial/GLAccounts").status_code == 200


def test_the_limits_can_be_configured_at_start_up(tmp_path):
    server = sandbox_start(tmp_path, "--minutely", "7", "--daily", "70")
    try:
        tokens = server.tokens("nl")
        answer = requests.get(
            f"{server.nl}/api/v1/7095/financial/Journals",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=30,
        )
        assert answer.headers["X-RateLimit-Minutely-Limit"] == "7"
        assert answer.headers["X-RateLimit-Limit"] == "70"
    finally:
        sandbox_stop(server)
