import multiprocessing
import os
import uuid

import psycopg
import pytest
from django.conf import settings

from tests.integrations.exact.token_workers import link_prepare, worker_run

WORKERS = 4
ROUNDS = 5
CALLS = 5


@pytest.fixture
def shared_database(tmp_path):
    """A database every worker process can open: PostgreSQL in CI, else a SQLite file."""
    database_url = os.environ.get("DATABASE_URL", "")
    if os.environ.get("CI") and not (
        database_url.startswith("postgres") and os.environ.get("REDIS_URL")
    ):
        pytest.fail("CI runs this test on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    if not database_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'workers.sqlite3'}"
        return
    name = f"coachlink_workers_{uuid.uuid4().hex[:12]}"
    server = settings.DATABASES["default"]
    admin = {
        "host": server["HOST"],
        "port": server["PORT"] or 5432,
        "user": server["USER"],
        "password": server["PASSWORD"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield database_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def token_calls(counters: dict) -> dict[str, int]:
    calls: dict[str, int] = {}
    for endpoint, statuses in counters["by_endpoint_status"].items():
        if "token" in endpoint.lower():
            for status, count in statuses.items():
                calls[status] = calls.get(status, 0) + count
    return calls


def test_workers_refresh_once_per_expiry_and_never_use_an_old_refresh_token(
    sandbox, shared_database
):
    env = {
        "DATABASE_URL": shared_database,
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "DJANGO_SETTINGS_MODULE": "coachlink.settings_test",
        "EXACT_BASE_URL_NL": sandbox.nl,
        "EXACT_CLIENT_ID": "coachlink-demo-nl",
        "EXACT_CLIENT_SECRET": "sandbox-secret-nl",
    }
    spawn = multiprocessing.get_context("spawn")
    prepare = spawn.Process(target=link_prepare, args=(env, sandbox.tokens("nl")))
    prepare.start()
    prepare.join(120)
    assert prepare.exitcode == 0
    sandbox.reset_counters()

    barrier, results = spawn.Barrier(WORKERS), spawn.Queue()
    workers = [
        spawn.Process(
            target=worker_run,
            args=(env,),
            kwargs={
                "index": index,
                "rounds": ROUNDS,
                "calls": CALLS,
                "barrier": barrier,
                "results": results,
                "sandbox_url": sandbox.url,
                "control_headers": sandbox.control_headers,
            },
        )
        for index in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    reports = dict(results.get(timeout=180) for _ in workers)
    for worker in workers:
        worker.join(30)

    assert reports == {index: [] for index in range(WORKERS)}
    counters = sandbox.counters()
    assert token_calls(counters) == {"200": ROUNDS - 1}
    assert "429" not in counters["by_status"]
    journals = counters["by_endpoint_status"]["financial/Journals"]
    assert journals["200"] == WORKERS * ROUNDS * CALLS
