"""One rate limiter per Exact division, shared by every process.

Exact allows 60 calls per calendar minute and 5,000 per day per division and says how much is
left in the X-RateLimit headers of every answer. Each call reserves one unit of the budget the
headers last reported; when the minutely budget is spent, callers sleep until its reset instead
of collecting 429s (each 429 also counts against Exact's error limit).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from django.utils.translation import gettext as _

from integrations.exact.errors import RateLimited
from integrations.exact.locks import shared_lock, shared_state_read, shared_state_write

# A calendar minute resets within 60 s; a reset further away means the server's clock runs
# ahead of ours, and waiting longer than a minute would only stall the worker.
MINUTE_WAIT_CAP_SECONDS = 61.0
# All units of a fresh minute are reserved but no answer has told the reset time yet.
UNKNOWN_RESET_WAIT_SECONDS = 1.0

# Replaced in tests that move the sandbox's clock instead of waiting.
sleep = time.sleep


def _name(key: str) -> str:
    return f"rate-{key}"


def _int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


def _wait_seconds(state: dict, now: float) -> float:
    """Seconds to wait before the next call may start; 0 reserves a unit in ``state``."""
    reset = state.get("daily_reset")
    if state.get("daily_remaining") is not None and state["daily_remaining"] <= 0:
        if reset and reset / 1000 > now:
            raise RateLimited(
                _("Exact Online's daily limit of calls for this division is used up."), status=429
            )
        state["daily_remaining"] = None

    remaining = state.get("minutely_remaining")
    reset = state.get("minutely_reset")
    if remaining is not None and remaining <= 0:
        if reset is None:
            return UNKNOWN_RESET_WAIT_SECONDS
        if reset / 1000 > now:
            return min(reset / 1000 - now, MINUTE_WAIT_CAP_SECONDS)
    if reset is not None and reset / 1000 <= now:
        # A new minute: the full budget again, until an answer says otherwise.
        state["minutely_remaining"] = state.get("minutely_limit")
        state["minutely_reset"] = None
    for budget in ("minutely_remaining", "daily_remaining"):
        if state.get(budget) is not None:
            state[budget] -= 1
    return 0.0


def ratelimit_acquire(*, key: str) -> None:
    """Block until a call to division ``key`` fits within Exact's budgets."""
    waited_for = None
    while True:
        with shared_lock(_name(key)):
            state = shared_state_read(_name(key))
            if waited_for is not None and state.get("minutely_reset") == waited_for:
                # We slept until the reset this minute announced: the next minute has begun,
                # even when Exact's clock runs ahead of ours.
                state["minutely_remaining"] = state.get("minutely_limit")
                state["minutely_reset"] = None
            wait = _wait_seconds(state, time.time())
            if wait <= 0:
                shared_state_write(_name(key), state)
                return
            waited_for = state.get("minutely_reset")
        sleep(wait)


def ratelimit_record(*, key: str, headers: Mapping[str, str]) -> None:
    """Take the budgets Exact reports in an answer's headers."""
    # Reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx (API limits)
    minutely = _int(headers, "X-RateLimit-Minutely-Remaining")
    daily = _int(headers, "X-RateLimit-Remaining")
    if minutely is None and daily is None:
        return
    with shared_lock(_name(key)):
        state = shared_state_read(_name(key))
        if minutely is not None:
            reset = _int(headers, "X-RateLimit-Minutely-Reset")
            same_minute = reset is not None and reset == state.get("minutely_reset")
            # Answers of concurrent calls arrive out of order: within one minute the lowest
            # count is the truest, since it already includes the others' calls.
            if same_minute and state.get("minutely_remaining") is not None:
                minutely = min(minutely, state["minutely_remaining"])
            state["minutely_remaining"] = minutely
            state["minutely_reset"] = reset
            state["minutely_limit"] = _int(headers, "X-RateLimit-Minutely-Limit")
        if daily is not None:
            state["daily_remaining"] = daily
            state["daily_reset"] = _int(headers, "X-RateLimit-Reset")
        shared_state_write(_name(key), state)


def ratelimit_exhaust(*, key: str, headers: Mapping[str, str]) -> None:
    """A 429 came back: mark the minute as spent so every process waits for its reset."""
    with shared_lock(_name(key)):
        state = shared_state_read(_name(key))
        state["minutely_remaining"] = 0
        reset = _int(headers, "X-RateLimit-Minutely-Reset")
        state["minutely_reset"] = reset if reset is not None else state.get("minutely_reset")
        if state["minutely_reset"] is None:
            state["minutely_reset"] = int((time.time() + MINUTE_WAIT_CAP_SECONDS) * 1000)
        shared_state_write(_name(key), state)
