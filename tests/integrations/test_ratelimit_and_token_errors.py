import pytest
from oauthlib.oauth2.rfc6749.errors import (
    AccessDeniedError,
    InvalidGrantError,
    UnauthorizedClientError,
)

from integrations.exact import oauth, ratelimit
from integrations.exact.errors import ExactError

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
    with pytest.raises(ExactError) as raised:
        ratelimit._wait_seconds(state, NOW)
    assert raised.value.code == "daily_limit" and not raised.value.permanent


@pytest.mark.parametrize(
    "error",
    [
        AccessDeniedError(description="Rate limit exceeded: access_token not expired"),
        UnauthorizedClientError(description="Access Token not expired"),
    ],
)
def test_both_wordings_of_token_not_expired_are_recognised(error):
    assert oauth._token_error(error).code == "token_not_expired"


@pytest.mark.parametrize(
    "error",
    [
        UnauthorizedClientError(description="Old refresh token used."),
        InvalidGrantError(description="The refresh token is invalid."),
        InvalidGrantError(),
    ],
)
def test_a_refused_refresh_token_asks_for_a_new_login(error):
    refused = oauth._token_error(error)
    assert refused.code == "reauthenticate" and refused.permanent
