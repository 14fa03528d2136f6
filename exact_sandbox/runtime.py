"""Settings that change while the sandbox runs (limits, faults) and the in-memory tallies.

Everything here lives in the one server process: budgets and counters need not survive a restart,
and a lock is cheaper than a database round trip on every call.
"""

import random
import threading
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, fields, replace


@dataclass
class Limits:
    minutely: int = 60
    daily: int = 5000
    # Exact's minute is 60 s; a benchmark may shorten it to run a 60-calls-a-minute budget fast.
    minute_seconds: int = 60
    # Exact's day is 86,400 s (UTC); a benchmark may shorten it to run several "days" fast.
    day_seconds: int = 86400
    errors_per_hour: int = 10
    token_calls_per_day: int = 200


GARBAGE_KINDS = ("html", "truncated", "null", "error", "shape")


@dataclass
class Faults:
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503])
    latency_ms: int = 0
    drop_after_commit_rate: float = 0.0
    # "reset": the connection is reset; "timeout": the answer is held until the client gives up.
    drop_mode: str = "reset"
    drop_hold_seconds: float = 30.0
    # Share of REST answers replaced, after the view ran, by a 200 no client can use: an HTML
    # page, JSON cut off halfway, {"d": null}, an error body, or rows of the wrong shape.
    garbage_rate: float = 0.0
    garbage_kinds: list[str] = field(default_factory=lambda: list(GARBAGE_KINDS))
    # Share of REST answers whose body is sent one byte every drip_interval_ms.
    drip_rate: float = 0.0
    drip_interval_ms: int = 200
    # Share of list answers given a __next page link to another site (foreign_next_url).
    foreign_next_rate: float = 0.0
    foreign_next_url: str = "http://127.0.0.1:9/"
    seed: int | None = None


class Runtime:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.start_limits = Limits()
        self.start_faults = Faults()
        self.limits = Limits()
        self.faults = Faults()
        self.rng = random.Random()
        # Required on /_sandbox/ calls (X-Sandbox-Token); set at start-up, printed by `serve`.
        self.control_token = ""
        self.clear()

    def configure_start(self, *, limits: Limits, faults: Faults) -> None:
        self.start_limits, self.start_faults = limits, faults
        self.restore()

    def restore(self) -> None:
        """Back to the start-up limits and faults, with empty budgets and counters."""
        with self.lock:
            self.limits = replace(self.start_limits)
            self.faults = replace(
                self.start_faults,
                error_statuses=list(self.start_faults.error_statuses),
                garbage_kinds=list(self.start_faults.garbage_kinds),
            )
            self.rng = random.Random(self.faults.seed)
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.minute_calls: Counter = Counter()
            self.day_calls: Counter = Counter()
            self.token_calls: Counter = Counter()
            self.errors: defaultdict[tuple, list[float]] = defaultdict(list)
            self.blocked_until: dict[tuple, float] = {}
        self.clear_counters()

    def clear_counters(self) -> None:
        with self.lock:
            self.by_endpoint: Counter = Counter()
            self.by_status: Counter = Counter()
            self.by_endpoint_status: defaultdict[str, Counter] = defaultdict(Counter)
            self.by_method_endpoint: Counter = Counter()
            self.dropped: Counter = Counter()
            self.injected: Counter = Counter()

    def update_limits(self, values: dict) -> Limits:
        with self.lock:
            self.limits = replace(self.limits, **_known(Limits, values))
            return self.limits

    def update_faults(self, values: dict) -> Faults:
        with self.lock:
            self.faults = replace(self.faults, **_known(Faults, values))
            self.rng = random.Random(self.faults.seed)
            return self.faults

    def chance(self, rate: float) -> bool:
        """Draw from the one seeded generator, so a given seed replays the same faults."""
        if rate <= 0:
            return False
        with self.lock:
            return self.rng.random() < rate

    def pick_status(self) -> int:
        with self.lock:
            return self.rng.choice(self.faults.error_statuses)

    def pick_garbage(self) -> str:
        with self.lock:
            return self.rng.choice(self.faults.garbage_kinds)

    def count(self, *, method: str, endpoint: str, status: int | str) -> None:
        with self.lock:
            self.by_method_endpoint[f"{method} {endpoint}"] += 1
            self.by_endpoint[endpoint] += 1
            self.by_status[str(status)] += 1
            self.by_endpoint_status[endpoint][str(status)] += 1

    def counters(self) -> dict:
        with self.lock:
            return {
                "total": sum(self.by_endpoint.values()),
                "by_endpoint": dict(self.by_endpoint),
                "by_status": dict(self.by_status),
                "by_endpoint_status": {k: dict(v) for k, v in self.by_endpoint_status.items()},
                "by_method_endpoint": dict(self.by_method_endpoint),
                "dropped": dict(self.dropped),
                "injected": dict(self.injected),
            }

    def describe(self) -> dict:
        with self.lock:
            return {"limits": asdict(self.limits), "faults": asdict(self.faults)}


def _known(cls, values: dict) -> dict:
    names = {f.name for f in fields(cls)}
    unknown = set(values) - names
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return values


runtime = Runtime()
