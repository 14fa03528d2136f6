import pytest

from integrations.exact import oauth, ratelimit
from integrations.exact.errors import (
    BudgetSpent,
    RateLimited,
    Reauthenticate,
    Refused,
    TokenNotExpired,
)

NOW = 1_800_000_000.0


def test_a_spent_minute_waits_until_its_reset():
    state = {"minutely_remaining": 0, "minutely_reset": (NOW + 20) * 1000, "minutely_limit": 60}
    assert ratelimit._wait_seconds(state, NOW) == pytest.approx(20)


def test_the_wait_is_capped_when_exacts_clock_runs_ahead():
    state = {"minutely_remaining": 0, "minutely_reset": (NOW + 900) * 1000, "minutely_limit": 60}
    assert ratelimit._wait_seconds(state, NOW) == ratelimit.MINUTE_WAIT_CAP_SECONDS


def test_each_call_reserves_a_unit_of_both_budgets():
    state = {"minutely_remaining": 5, "minutely_reset": (NOW + 20) * 1000, "daily_remaining": 9}
    assert ratelimit._wait_seconds(state, NOW) == 0
    assert (state["minutely_remaining"], state["daily_remaining"]) == (4, 8)


def test_a_new_minute_gives_the_full_budget_again():
    state = {"minutely_remaining": 0, "minutely_reset": (NOW - 1) * 1000, "minutely_limit": 60}
    assert ratelimit._wait_seconds(state, NOW) == 0
    assert state["minutely_remaining"] == 59


def test_a_spent_day_is_a_transient_error_not_a_long_sleep():
    state = {"daily_remaining": 0, "daily_reset": (NOW + 3600) * 1000}
    with pytest.raises(BudgetSpent) as raised:
        ratelimit._wait_seconds(state, NOW)
    assert not raised.value.permanent and isinstance(raised.value, RateLimited)
    assert raised.value.resets_at.timestamp() == NOW + 3600


def test_bulk_stops_at_the_reserve_and_realtime_goes_on(settings):
    settings.EXACT_REALTIME_RESERVE = 0.2
    state = {"daily_remaining": 21, "daily_reset": (NOW + 60) * 1000, "daily_limit": 100}
    with ratelimit.budget_lane(ratelimit.BULK):
        assert ratelimit._wait_seconds(state, NOW) == 0
        with pytest.raises(BudgetSpent):
            ratelimit._wait_seconds(state, NOW)
    assert state["daily_remaining"] == 20
    for left in range(19, -1, -1):
        ratelimit._wait_seconds(state, NOW)
        assert state["daily_remaining"] == left
    with pytest.raises(BudgetSpent):
        ratelimit._wait_seconds(state, NOW)


def test_a_passed_daily_reset_gives_the_day_back():
    state = {"daily_remaining": 0, "daily_reset": (NOW - 1) * 1000, "daily_limit": 100}
    with ratelimit.budget_lane(ratelimit.BULK):
        assert ratelimit._wait_seconds(state, NOW) == 0


@pytest.mark.parametrize(
    ("status", "error", "description"),
    [
        (400, "access_denied", "Rate limit exceeded: access_token not expired"),
        (401, "unauthorized_client", "Access Token not expired"),
    ],
)
def test_both_wordings_of_token_not_expired_are_recognised(status, error, description):
    refused = oauth._token_error(status=status, error=error, description=description)
    assert type(refused) is TokenNotExpired


@pytest.mark.parametrize(
    ("status", "error", "description"),
    [
        (401, "unauthorized_client", "Old refresh token used."),
        (400, "invalid_grant", "The refresh token is invalid."),
        (400, "invalid_grant", ""),
    ],
)
def test_a_refused_refresh_token_asks_for_a_new_login(status, error, description):
    refused = oauth._token_error(status=status, error=error, description=description)
    assert type(refused) is Reauthenticate and refused.permanent


def test_another_refusal_of_the_token_endpoint_keeps_its_words():
    refused = oauth._token_error(
        status=400,
        error="access_denied",
        description="Rate limit exceeded: maximum of token requests per day reached",
    )
    assert type(refused) is Refused
    assert refused.messages == ["Rate limit exceeded: maximum of token requests per day reached"]
