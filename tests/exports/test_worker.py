"""End to end with real Celery workers on Redis and PostgreSQL: realtime, and a worker killed."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from exports.models import ExportRecord, ExportState
from exports.tasks import invoices_export_bulk_task
from integrations.models import Activation
from testkit.factories import final_invoice_create
from tests.conftest import TOKEN_KEY
from tests.exports.conftest import division_state

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
REPO_DIR = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_start(*, queue: str, sandbox, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coachlink.settings_test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EXACT_BASE_URL_NL": sandbox.nl,
        "EXACT_BASE_URL_BE": sandbox.be,
        "EXACT_CLIENT_ID": "coachlink-demo-nl",
        "EXACT_CLIENT_SECRET": "sandbox-secret-nl",
        "EXACT_TOKEN_KEYS": TOKEN_KEY,
        "EXACT_DEADLINE": "5",
    }
    command = [sys.executable, "-m", "celery", "-A", "coachlink", "worker", "-Q", queue]
    command += ["--concurrency", "2", "--without-gossip", "--without-mingle", "-l", "info"]
    # A session of its own: SIGKILL then reaches the pool's children too.
    return subprocess.Popen(
        command,
        cwd=REPO_DIR,
        env=env,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def worker_kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def wait_for(condition, *, seconds: float, what: str, log_path: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(
        f"{what} did not happen in {seconds} s; worker log:\n{log_path.read_text()}"
    )


def booked_refs(sandbox) -> list[str]:
    return [entry["YourRef"] for entry in division_state(sandbox)["sales_entries"]]


def test_a_finalised_invoice_reaches_exact_within_seconds(exact_link, sandbox, queue, tmp_path):
    log_path = tmp_path / "worker.log"
    worker = worker_start(queue=queue, sandbox=sandbox, log_path=log_path)
    try:
        invoice = final_invoice_create()
        reference = f"{invoice.number:05d}"
        wait_for(
            lambda: reference in booked_refs(sandbox),
            seconds=30,
            what="the sales entry",
            log_path=log_path,
        )
        wait_for(
            lambda: ExportRecord.objects.get(invoice=invoice).state == ExportState.EXPORTED,
            seconds=10,
            what="the export record",
            log_path=log_path,
        )
    finally:
        worker_kill(worker)
    assert booked_refs(sandbox) == [reference]


def test_a_worker_killed_mid_batch_leaves_every_invoice_in_exact_exactly_once(
    exact_link, sandbox, queue, tmp_path
):
    exact_link.activation = Activation.PAUSED
    exact_link.save()
    invoices = [final_invoice_create() for _ in range(30)]
    exact_link.activation = Activation.ENABLED
    exact_link.export_moment = "nightly"
    exact_link.save()
    sandbox.set_faults(latency_ms=150)
    log_path = tmp_path / "worker.log"

    worker = worker_start(queue=queue, sandbox=sandbox, log_path=log_path)
    invoices_export_bulk_task.delay()
    wait_for(
        lambda: len(booked_refs(sandbox)) >= 5,
        seconds=60,
        what="the first entries",
        log_path=log_path,
    )
    worker_kill(worker)
    assert len(booked_refs(sandbox)) < len(invoices), "the kill came too late to prove anything"

    # Time passes: the dead worker's lease on the invoice it was sending runs out.
    ExportRecord.objects.filter(state=ExportState.SENDING).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    sandbox.set_faults(latency_ms=0)
    worker = worker_start(queue=queue, sandbox=sandbox, log_path=log_path)
    try:
        invoices_export_bulk_task.delay()
        wait_for(
            lambda: not ExportRecord.objects.exclude(state=ExportState.EXPORTED).exists(),
            seconds=60,
            what="the export of the rest",
            log_path=log_path,
        )
    finally:
        worker_kill(worker)

    assert sorted(booked_refs(sandbox)) == sorted(f"{i.number:05d}" for i in invoices)


def test_two_batches_racing_on_two_workers_book_every_invoice_once(
    exact_link, sandbox, queue, tmp_path
):
    exact_link.export_moment = "nightly"
    exact_link.save()
    invoices = [final_invoice_create() for _ in range(20)]
    sandbox.set_faults(latency_ms=30)
    log_path = tmp_path / "worker.log"
    workers = [worker_start(queue=queue, sandbox=sandbox, log_path=log_path) for _ in range(2)]
    try:
        for _ in range(4):
            invoices_export_bulk_task.delay()
        wait_for(
            lambda: not ExportRecord.objects.exclude(state=ExportState.EXPORTED).exists(),
            seconds=60,
            what="the export",
            log_path=log_path,
        )
    finally:
        for worker in workers:
            worker_kill(worker)
    assert sorted(booked_refs(sandbox)) == sorted(f"{i.number:05d}" for i in invoices)
