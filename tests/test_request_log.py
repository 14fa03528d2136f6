"""The OAuth callback's code and state never reach a log: runserver's, gunicorn's or the app's."""

import io
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from exact_sandbox.process import free_port

REPO_DIR = Path(__file__).resolve().parents[1]
CALLBACK = "/integrations/exact/callback/?code=SECRET-CODE-4711&state=SECRET-STATE-0815"


def serve_and_log(command: list[str], port: int, tmp_path: Path) -> str:
    """Start the web server, send it the callback's URL once, stop it; return what it logged."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coachlink.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "web.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            command, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    answer = requests.get(
                        f"http://127.0.0.1:{port}{CALLBACK}", allow_redirects=False, timeout=60
                    )
                    break
                except requests.ConnectionError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log_path.read_text()) from None
                    time.sleep(0.2)
            # Anonymous: sent to the login page, which logs the request line like any other.
            assert answer.status_code == 302
            # The request line is written after the answer is sent.
            while "/integrations/exact/callback/" not in log_path.read_text():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait(timeout=20)
    return log_path.read_text()


def test_runserver_logs_the_callback_without_its_code_or_state(tmp_path):
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]

    output = serve_and_log(command, port, tmp_path)

    assert "GET /integrations/exact/callback/?code=[redacted]&state=[redacted]" in output
    assert "SECRET" not in output


def test_gunicorns_access_log_has_the_callback_without_its_code_or_state(tmp_path):
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "coachlink.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"),
    ]

    output = serve_and_log(command, port, tmp_path)

    assert "GET /integrations/exact/callback/?code=[redacted]&state=[redacted]" in output
    assert "SECRET" not in output


@pytest.mark.parametrize(
    ("logger", "message", "args"),
    [
        ("django.server", '"%s" %s %s', (f"GET {CALLBACK} HTTP/1.1", 302, 0)),
        (
            "gunicorn.access",
            '%(h)s "%(r)s" %(s)s',
            ({"h": "::1", "r": f"GET {CALLBACK}", "s": "302"},),
        ),
        ("django.request", "Bad request: %s", (CALLBACK,)),
    ],
)
def test_every_log_line_passes_the_filter(logger, message, args):
    named = logging.getLogger(logger)
    console = next(
        handler
        for handler in (named.handlers if not named.propagate else logging.getLogger().handlers)
        if type(handler) is logging.StreamHandler
    )
    stream = io.StringIO()
    original = console.setStream(stream)
    try:
        named.warning(message, *args)
    finally:
        console.setStream(original)

    logged = stream.getvalue()
    assert "code=[redacted]&state=[redacted]" in logged
    assert "SECRET" not in logged
