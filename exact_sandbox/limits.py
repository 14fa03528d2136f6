"""Exact's call budgets (per calendar minute, per day) and the error limit, on the sandbox clock."""

from dataclasses import dataclass

from exact_sandbox.clock import now_epoch
from exact_sandbox.runtime import runtime

ERROR_STATUSES = {400, 401, 403, 404}
HOUR = 3600


@dataclass
class Budget:
    allowed: bool
    headers: dict[str, str]


def call_budget_spend(*, client_id: str, division: int, counts_daily: bool) -> Budget:
    """Spend one call of the division's budget, or refuse it with the headers Exact sends."""
    epoch = now_epoch()
    with runtime.lock:
        limits = runtime.limits
        day_length = limits.day_seconds
        day = int(epoch // day_length)
        day_key = (client_id, division, day_length, day)
        window = limits.minute_seconds
        minute = int(epoch // window)
        minute_key = (client_id, division, window, minute)
        minute_used = runtime.minute_calls[minute_key]
        day_used = runtime.day_calls[day_key]
        allowed = minute_used < limits.minutely and (not counts_daily or day_used < limits.daily)
        if allowed:
            minute_used += 1
            runtime.minute_calls[minute_key] = minute_used
            if counts_daily:
                day_used += 1
                runtime.day_calls[day_key] = day_used
    minutely = {
        "X-RateLimit-Minutely-Limit": str(limits.minutely),
        "X-RateLimit-Minutely-Remaining": str(max(limits.minutely - minute_used, 0)),
        "X-RateLimit-Minutely-Reset": str((minute + 1) * window * 1000),
    }
    if not allowed and minute_used >= limits.minutely:
        # A call refused for the minute's budget carries only the minutely headers, as at Exact.
        return Budget(allowed=allowed, headers=minutely)
    daily = {
        "X-RateLimit-Limit": str(limits.daily),
        "X-RateLimit-Remaining": str(max(limits.daily - day_used, 0)),
        "X-RateLimit-Reset": str((day + 1) * day_length * 1000),
    }
    return Budget(allowed=allowed, headers={**daily, **minutely})


def error_block_active(*, key: tuple) -> bool:
    with runtime.lock:
        return runtime.blocked_until.get(key, 0) > now_epoch()


def error_record(*, key: tuple, status: int) -> None:
    """Count a 400/401/403/404; more than the hourly allowance blocks the endpoint for an hour."""
    if status not in ERROR_STATUSES:
        return
    epoch = now_epoch()
    with runtime.lock:
        recent = [t for t in runtime.errors[key] if t > epoch - HOUR] + [epoch]
        runtime.errors[key] = recent
        if len(recent) > runtime.limits.errors_per_hour:
            runtime.blocked_until[key] = epoch + HOUR


def token_call_spend(*, client_id: str, user_id: int) -> bool:
    """Count a token-endpoint call; False once the app has used its daily allowance for the user."""
    key = (client_id, user_id, int(now_epoch() // 86400))
    with runtime.lock:
        if runtime.token_calls[key] >= runtime.limits.token_calls_per_day:
            return False
        runtime.token_calls[key] += 1
        return True
