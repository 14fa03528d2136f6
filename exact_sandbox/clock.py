"""The sandbox's clock: real time plus an offset kept in the database, so tests can move time."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from exact_sandbox.models import Clock

EXACT_ZONE = ZoneInfo("Europe/Amsterdam")


def clock_offset() -> float:
    row = Clock.objects.first()
    return row.offset_seconds if row else 0.0


def clock_advance(*, seconds: float) -> None:
    row, _ = Clock.objects.get_or_create(pk=1)
    row.offset_seconds += seconds
    row.save()


def now_epoch() -> float:
    """Seconds since the epoch (UTC) on the sandbox clock."""
    return time.time() + clock_offset()


def now() -> datetime:
    """The sandbox's current time as Exact keeps it: Dutch local time without a zone."""
    return local_from_epoch(now_epoch())


def local_from_epoch(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, EXACT_ZONE).replace(tzinfo=None)
