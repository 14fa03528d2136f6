"""What every benchmark needs: a throwaway database, the sandbox, an authenticated link, seeded
invoices, real Celery workers, and the report.

Django is set up by ``bench_run`` (the environment must be in place before settings load), so
the project's modules are imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from cryptography.fernet import Fernet

REPO_DIR = Path(__file__).resolve().parents[1]
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from exact_sandbox.process import (  # noqa: E402
    SandboxServer,
    consent_answer,
    sandbox_start,
    sandbox_stop,
)

SITE = "nl"
DIVISION = "7095"
CLIENT_ID = "coachlink-demo-nl"
CLIENT_SECRET = "sandbox-secret-nl"
# The sandbox seeds customers 900001-900065 in every division: debtors numbered from 900001
# on are partly known to Exact and partly new.
FIRST_DEBTOR_NUMBER = 900001
SANDBOX_CUSTOMERS = range(900001, 900066)
# Limits so high that the first measurement is about coachlink and the sandbox, not the budget.
UNLIMITED = {"minutely": 10_000_000, "daily": 10_000_000}


@dataclass
class BenchRun:
    """One benchmark run: its folder, its sandbox, its database and its workers."""

    directory: Path
    sandbox: SandboxServer
    queue: str
    metrics_path: Path
    database: str
    postgres_database: str = ""
    workers: list[subprocess.Popen] = field(default_factory=list)

    def worker_metrics(self) -> list[dict]:
        """One line per task a worker finished (see bench/worker.py)."""
        if not self.metrics_path.exists():
            return []
        return [json.loads(line) for line in self.metrics_path.read_text().splitlines() if line]


def _postgres_database_create(url: str) -> tuple[str, str]:
    """A fresh database beside the one DATABASE_URL names; returns its URL and name."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    name = f"coachlink_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    return urlsplit(url)._replace(path=f"/{name}").geturl(), name


def _postgres_database_drop(url: str, name: str) -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def bench_run(
    name: str,
    *,
    environment: dict[str, str] | None = None,
    keep: bool = False,
    reuse: str = "",
) -> Iterator[BenchRun]:
    """Start the sandbox, make a database, set up Django in this process; clean up after.

    ``environment`` adds settings (EXACT_DEADLINE, EXPORT_LEASE_SECONDS, ...) for this process
    and its workers. On PostgreSQL, ``keep`` leaves the run's database in place afterwards and
    ``reuse`` names such a database to run in instead of a fresh one (it is kept too)."""
    directory = Path(tempfile.mkdtemp(prefix=f"coachlink-bench-{name}-"))
    base_url = os.environ.get("DATABASE_URL", "")
    postgres_database = ""
    sandbox = None
    workers: list[subprocess.Popen] = []
    is_postgres = base_url.startswith(("postgres://", "postgresql://"))
    if (keep or reuse) and not is_postgres:
        raise SystemExit("keeping or reusing a database needs a PostgreSQL DATABASE_URL")
    try:
        if reuse:
            database = urlsplit(base_url)._replace(path=f"/{reuse}").geturl()
        elif is_postgres:
            database, postgres_database = _postgres_database_create(base_url)
            if keep:
                print(f"database kept after the run: {postgres_database}", file=sys.stderr)
        else:
            database = f"sqlite:///{directory / 'coachlink.sqlite3'}"
        sandbox = sandbox_start(directory)
        run = BenchRun(
            directory=directory,
            sandbox=sandbox,
            queue=f"bench-{name}-{uuid.uuid4().hex[:8]}",
            metrics_path=directory / "worker-metrics.jsonl",
            database=database,
            postgres_database=postgres_database,
            workers=workers,
        )
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DATABASE_URL": database,
                "EXACT_BASE_URL_NL": sandbox.nl,
                "EXACT_BASE_URL_BE": sandbox.be,
                "EXACT_CLIENT_ID": CLIENT_ID,
                "EXACT_CLIENT_SECRET": CLIENT_SECRET,
                "EXACT_TOKEN_KEYS": Fernet.generate_key().decode(),
                "EXACT_DEADLINE": "10",
                "BENCH_BROKER_DIR": str(directory / "broker"),
                "BENCH_QUEUE": run.queue,
                "BENCH_METRICS": str(run.metrics_path),
                "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
                **(environment or {}),
            }
        )
        import django

        django.setup()
        from django.core.management import call_command

        import bench.worker  # noqa: F401 - binds the tasks to coachlink's configured Celery app

        call_command("migrate", verbosity=0)
        yield run
    finally:
        for worker in workers:
            worker_kill(worker)
        if sandbox is not None:
            sandbox_stop(sandbox)
        if postgres_database and not keep:
            from django.db import connections

            connections.close_all()
            _postgres_database_drop(base_url, postgres_database)
        shutil.rmtree(directory, ignore_errors=True)


# The link, authenticated the way a person does it


def link_authenticate(run: BenchRun):
    """Save a link, then Authenticate through coachlink's views and the sandbox's consent form.

    The export moment is Nightly without a time: nothing is exported until a benchmark asks.
    """
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from integrations.models import Activation, ExactLink, ExportMoment

    user = get_user_model().objects.create_superuser("bench", "bench@example.nl", "bench")
    browser = Client()
    browser.force_login(user)
    link = ExactLink.objects.create(division=DIVISION, export_moment=ExportMoment.NIGHTLY)

    answer = browser.post(reverse("integrations:exact_authenticate"))
    # The consent page as the person's browser uses it (the form carries a CSRF token).
    callback_query = urlencode(consent_answer(answer["Location"], divisions=(DIVISION,)))
    browser.get(f"{reverse('integrations:exact_callback')}?{callback_query}")
    link.refresh_from_db()
    if not link.is_authenticated:
        raise RuntimeError("the link did not authenticate with the sandbox")
    browser.post(reverse("integrations:exact_enable"))
    link.refresh_from_db()
    if link.activation != Activation.ENABLED:
        raise RuntimeError("the link could not be enabled")
    return link


# Source data


def debtors_create(*, count: int) -> list:
    """``count`` company debtors numbered from 900001 on; the first 65 exist in Exact."""
    from billing.models import Parameters
    from testkit.factories import DebtorFactory

    parameters = Parameters.load()
    parameters.first_debtor_number = FIRST_DEBTOR_NUMBER
    parameters.save()
    return DebtorFactory.create_batch(count)


def invoices_seed(*, count: int, debtors: list) -> list[int]:
    """``count`` final invoices of two lines each, spread over ``debtors``; their ids."""
    from django.db import transaction

    from testkit.factories import final_invoice_create

    ids = []
    with transaction.atomic():
        for index in range(count):
            invoice = final_invoice_create(
                debtor=debtors[index % len(debtors)],
                lines=2,
                unit_price=Decimal(100 + index % 900),
            )
            ids.append(invoice.pk)
    return ids


def debtors_known_to_exact(debtors: list) -> int:
    return sum(1 for debtor in debtors if debtor.debtor_number in SANDBOX_CUSTOMERS)


# Celery workers


def _process_start(
    run: BenchRun, *, command: list[str], log_path: Path, ready: bytes, what: str, seconds: float
) -> subprocess.Popen:
    """A Celery process with the run's environment; returns once its log says ``ready``."""
    with log_path.open("ab") as log:
        # A session of its own: SIGKILL to the group reaches the pool's children too.
        process = subprocess.Popen(
            command,
            cwd=REPO_DIR,
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    run.workers.append(process)
    wait_for(
        lambda: ready in log_path.read_bytes() or process.poll() is not None,
        seconds=seconds,
        what=what,
    )
    if process.poll() is not None:
        raise RuntimeError(f"{what}: it exited: {log_path.read_text()}")
    return process


def worker_start(
    run: BenchRun, *, concurrency: int = 2, ready_seconds: float = 60
) -> subprocess.Popen:
    """A real ``celery worker`` on the run's queue; returns once it says it is ready."""
    number = len(run.workers) + 1
    command = [sys.executable, "-m", "celery", "-A", "bench.worker", "worker"]
    command += ["-Q", run.queue, "-n", f"bench{number}-{run.queue}@%h"]
    command += ["--concurrency", str(concurrency), "--without-gossip", "--without-mingle"]
    command += ["--without-heartbeat", "-l", "info"]
    return _process_start(
        run,
        command=command,
        log_path=run.directory / f"worker-{number}.log",
        ready=b" ready.",
        what="the worker to start",
        seconds=ready_seconds,
    )


def beat_start(run: BenchRun, *, ready_seconds: float = 60) -> subprocess.Popen:
    """Celery beat on the run's database, as production runs it: the schedules in the settings
    (the recovery task) and those the panel keeps, sent to the run's queue."""
    command = [sys.executable, "-m", "celery", "-A", "bench.worker", "beat", "-l", "info"]
    command += ["--pidfile", "", "-s", str(run.directory / "beat-schedule")]
    return _process_start(
        run,
        command=command,
        log_path=run.directory / "beat.log",
        ready=b"beat: Starting",
        what="beat to start",
        seconds=ready_seconds,
    )


def worker_kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool at once, as a crash or an OOM kill would."""
    if worker.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def worker_stop(run: BenchRun, worker: subprocess.Popen) -> None:
    """A warm shutdown: the worker finishes what it holds and exits."""
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker_kill(worker)
    run.workers.remove(worker)


# Waiting and reporting


def wait_for(condition: Callable[[], object], *, seconds: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise TimeoutError(f"{what} did not happen within {seconds} s")


def batch_wait(batch_id: int, *, seconds: float):
    """The batch once a worker finished it (its finished_at is set)."""
    from exports.models import ExportBatch

    return wait_for(
        lambda: ExportBatch.objects.filter(pk=batch_id, finished_at__isnull=False).first(),
        seconds=seconds,
        what=f"export batch {batch_id} to finish",
        every=0.05,
    )


def per_invoice_by_endpoint(counters: dict, invoices: int) -> dict[str, float]:
    """API calls per invoice for each method and endpoint the sandbox counted."""
    calls = counters.get("by_method_endpoint", {})
    return {name: round(count / invoices, 4) for name, count in sorted(calls.items())}


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"


def report(figures: dict) -> None:
    """Print ``name: value`` lines, then all figures as one line of JSON."""
    from django.conf import settings
    from django.db import connection

    figures = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "database": connection.vendor,
        "broker": "redis" if settings.REDIS_URL else "filesystem",
        **figures,
    }
    for name, value in _flattened(figures):
        print(f"{name}: {value}")
    print(json.dumps(figures))


def _flattened(figures: dict, prefix: str = "") -> Iterator[tuple[str, object]]:
    for name, value in figures.items():
        if isinstance(value, dict):
            yield from _flattened(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value
