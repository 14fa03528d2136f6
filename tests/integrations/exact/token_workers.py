"""Worker processes for the token refresh test: each one a separate Django process.

Kept apart from the test module so a spawned process imports nothing but this.
"""

from __future__ import annotations

import datetime as dt
import os

import requests


def _django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def link_prepare(env: dict[str, str], tokens: dict) -> None:
    """Migrate the shared database and store a link holding a fresh token pair."""
    _django(env)
    from django.core.management import call_command

    from integrations.models import ExactLink

    call_command("migrate", verbosity=0)
    link = ExactLink.objects.create(division="7095")
    link.tokens_set(
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_in=int(tokens["expires_in"]),
    )
    link.save()


def worker_run(
    env, *, index, rounds, calls, barrier, results, sandbox_url, control_headers
) -> None:
    """Call Exact ``calls`` times a round; between rounds worker 0 lets the token expire.

    On even rounds our clock expires the token as well (refresh ahead of expiry); on odd
    rounds only Exact's clock moves (refresh after a 401).
    """
    _django(env)
    from django.db import connections
    from django.utils import timezone

    from integrations.exact import api
    from integrations.models import ExactLink

    errors: list[str] = []
    link = ExactLink.objects.get()
    try:
        for number in range(rounds):
            barrier.wait()
            for _ in range(calls):
                try:
                    api.journals(link)
                except Exception as exc:  # every failure is reported to the test, which fails
                    errors.append(repr(exc))
            barrier.wait()
            if index == 0 and number < rounds - 1:
                requests.post(
                    f"{sandbox_url}/_sandbox/clock",
                    json={"advance": 600},
                    headers=control_headers,
                    timeout=30,
                ).raise_for_status()
                if number % 2 == 0:
                    ExactLink.objects.update(
                        token_expires_at=timezone.now() - dt.timedelta(seconds=1)
                    )
            barrier.wait()
    finally:
        results.put((index, errors))
        connections.close_all()
