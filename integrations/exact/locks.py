"""Locks and small shared state that hold across every process of the installation.

With settings.REDIS_URL they live in Redis (web, workers and beat may run on several hosts);
without it in files under var/exact/ (one host: the demo and the test suite).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import redis
from django.conf import settings
from filelock import FileLock

# Long enough for one token request with its timeout; a crashed holder frees it after this.
LOCK_EXPIRY_SECONDS = 120


@cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def _state_dir() -> Path:
    path = Path(settings.BASE_DIR) / "var" / "exact"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


@contextlib.contextmanager
def shared_lock(name: str) -> Iterator[None]:
    """Hold the lock ``name`` in every process of the installation."""
    if settings.REDIS_URL:
        lock = _redis(settings.REDIS_URL).lock(
            f"coachlink:lock:{name}",
            timeout=LOCK_EXPIRY_SECONDS,
            blocking_timeout=LOCK_EXPIRY_SECONDS,
        )
        if not lock.acquire():
            raise TimeoutError(f"lock {name} not acquired")
        try:
            yield
        finally:
            with contextlib.suppress(redis.exceptions.LockNotOwnedError):
                lock.release()
    else:
        with FileLock(_state_dir() / f"{_safe(name)}.lock", timeout=LOCK_EXPIRY_SECONDS):
            yield


def shared_state_read(name: str) -> dict:
    """Read a small JSON document; call it while holding ``shared_lock(name)``."""
    if settings.REDIS_URL:
        raw = _redis(settings.REDIS_URL).get(f"coachlink:state:{name}")
    else:
        path = _state_dir() / f"{_safe(name)}.json"
        raw = path.read_bytes() if path.exists() else None
    return json.loads(raw) if raw else {}


def shared_state_write(name: str, state: dict) -> None:
    """Write a small JSON document; call it while holding ``shared_lock(name)``."""
    raw = json.dumps(state)
    if settings.REDIS_URL:
        # Stale budgets are worthless after a day; let Redis forget them.
        _redis(settings.REDIS_URL).set(f"coachlink:state:{name}", raw, ex=86400)
    else:
        path = _state_dir() / f"{_safe(name)}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(raw)
        tmp.replace(path)
