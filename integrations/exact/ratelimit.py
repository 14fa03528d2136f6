"""One rate limiter per Exact division, shared by every process.

Exact allows 60 calls per calendar minute and 5,000 per day per division and says how much is
left in the X-RateLimit headers of every answer. Each call reserves one unit of the budget the
headers last reported; when the minutely budget is spent, callers sleep until its reset instead
of collecting 429s (each 429 also counts against Exact's error limit).

The day's budget is planned by lane: bulk and nightly exports (``budget_lane(BULK)``) stop while
no more than settings.EXACT_REALTIME_RESERVE of the day is left, which stays for realtime
exports, payment syncs, previews and Test connection (the REALTIME lane, every other call).
Either lane meets BudgetSpent, with the day's reset, instead of a 429 from Exact.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_noop

from coachlink.messages import Message, time_value
from integrations.exact.errors import BudgetSpent
from integrations.exact.locks import shared_lock, shared_state_read, shared_state_write

# A calendar minute resets within 60 s; a reset further away means the server's clock runs
# ahead of ours, and waiting longer than a minute would only stall the worker.
MINUTE_WAIT_CAP_SECONDS = 61.0
# All units of a fresh minute are reserved but no answer has told the reset time yet.
UNKNOWN_RESET_WAIT_SECONDS = 1.0

# Exact's daily allowance per division, until an answer's X-RateLimit-Limit says otherwise.
DEFAULT_DAILY_LIMIT = 5000

REALTIME = "realtime"
BULK = "bulk"
_lane: contextvars.ContextVar[str] = contextvars.ContextVar("exact_budget_lane", default=REALTIME)

# Replaced in tests that move the sandbox's clock instead of waiting.
sleep = time.sleep
clock = time.time


def _name(key: str) -> str:
    return f"rate-{key}"


def _int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


@contextlib.contextmanager
def budget_lane(lane: str) -> Iterator[None]:
    """Calls made inside count as ``lane`` (BULK or REALTIME) against the day's plan."""
    token = _lane.set(lane)
    try:
        yield
    finally:
        _lane.reset(token)


def _reserve(state: dict) -> int:
    limit = state.get("daily_limit") or DEFAULT_DAILY_LIMIT
    return int(limit * settings.EXACT_REALTIME_RESERVE)


def _moment(epoch_ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC)


def budget_spent_error(*, resets_at: dt.datetime, bulk: bool) -> BudgetSpent:
    if bulk:
        message = gettext_noop(
            "The share of today's Exact Online calls for bulk exports is used up; the rest is "
            "kept for realtime exports. Waiting for tomorrow's budget (resets at %(time)s)."
        )
    else:
        message = gettext_noop(
            "Today's Exact Online calls for this division are used up. Waiting for tomorrow's "
            "budget (resets at %(time)s)."
        )
    return BudgetSpent(Message(message, time=time_value(resets_at)), resets_at=resets_at)


def _wait_seconds(state: dict, now: float) -> float:
    """Seconds to wait before the next call may start; 0 reserves a unit in ``state``."""
    reset = state.get("daily_reset")
    if reset and reset / 1000 <= now:
        # A new day: the full budget again, until an answer says otherwise.
        state["daily_remaining"] = None
        state["daily_reset"] = None
    remaining = state.get("daily_remaining")
    bulk = _lane.get() == BULK
    floor = _reserve(state) if bulk else 0
    if remaining is not None and remaining <= floor and reset:
        raise budget_spent_error(resets_at=_moment(reset), bulk=bulk)

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
            wait = _wait_seconds(state, clock())
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
            reset = _int(headers, "X-RateLimit-Reset")
            limit = _int(headers, "X-RateLimit-Limit")
            same_day = reset is not None and reset == state.get("daily_reset")
            same_day = same_day and limit == state.get("daily_limit")
            # As for the minute: out of order answers within one day, the lowest is truest.
            if same_day and state.get("daily_remaining") is not None:
                daily = min(daily, state["daily_remaining"])
            state["daily_remaining"] = daily
            state["daily_reset"] = reset
            state["daily_limit"] = limit
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


@dataclass(frozen=True)
class BudgetToday:
    """What Exact's last answer said of a division's budgets, with coachlink's own count of the
    calls since; ``None`` fields are not known yet (no answer this day or minute)."""

    daily_limit: int
    daily_left: int | None
    daily_resets_at: dt.datetime | None
    reserve: int
    minutely_limit: int | None
    minutely_left: int | None
    minutely_resets_at: dt.datetime | None
    # How long a call would now sleep for the minute's reset; 0 while the minute has calls left.
    minutely_wait_seconds: float = 0.0

    @property
    def daily_used(self) -> int | None:
        return None if self.daily_left is None else self.daily_limit - self.daily_left

    @property
    def minutely_used(self) -> int | None:
        if self.minutely_left is None or self.minutely_limit is None:
            return None
        return self.minutely_limit - self.minutely_left

    @property
    def bulk_waiting(self) -> bool:
        return self.daily_left is not None and self.daily_left <= self.reserve


def budget_read(*, key: str) -> BudgetToday:
    """The division's budgets as the shared state holds them, a passed reset read as a fresh
    budget."""
    with shared_lock(_name(key)):
        state = shared_state_read(_name(key))
    now_ms = clock() * 1000
    limit = state.get("daily_limit") or DEFAULT_DAILY_LIMIT
    daily_reset = state.get("daily_reset")
    daily_left = state.get("daily_remaining")
    if daily_reset is None or daily_reset <= now_ms:
        daily_left, daily_reset = None, None
    minute_reset = state.get("minutely_reset")
    minute_left = state.get("minutely_remaining")
    if minute_reset is None or minute_reset <= now_ms:
        minute_left, minute_reset = None, None
    minute_wait = 0.0
    if minute_left is not None and minute_left <= 0:
        minute_wait = min((minute_reset - now_ms) / 1000, MINUTE_WAIT_CAP_SECONDS)
    return BudgetToday(
        daily_limit=limit,
        daily_left=None if daily_left is None else max(daily_left, 0),
        daily_resets_at=_moment(daily_reset) if daily_reset else None,
        reserve=_reserve(state),
        minutely_limit=state.get("minutely_limit"),
        minutely_left=None if minute_left is None else max(minute_left, 0),
        minutely_resets_at=_moment(minute_reset) if minute_reset else None,
        minutely_wait_seconds=minute_wait,
    )
