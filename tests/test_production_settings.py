"""A misconfigured server refuses to start; a configured one sends the security headers."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.sessions.models import Session
from django.core import checks
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coachlink.sessions import RENEWED_AT

REPO_DIR = Path(__file__).resolve().parents[1]
STRONG_KEY = "Zq8v-3MfT_ku9Rw2xLp0cYbN4sHj7GdE1aVoI6tUeBn5rKmWlQ"


def coachlink_errors() -> list[str]:
    return sorted(
        message.id
        for message in checks.run_checks(tags=[checks.Tags.security])
        if message.id.startswith("coachlink.")
    )


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.DEBUG_EXPLICIT = True
    settings.SECRET_KEY = STRONG_KEY
    settings.EXACT_TOKEN_KEYS = [Fernet.generate_key().decode()]
    return settings


def test_a_configured_production_passes(production):
    assert coachlink_errors() == []


def test_production_without_token_keys_is_refused(production):
    production.EXACT_TOKEN_KEYS = []
    assert coachlink_errors() == ["coachlink.E002"]


def test_a_token_key_that_is_no_fernet_key_is_refused(production):
    production.EXACT_TOKEN_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    assert coachlink_errors() == ["coachlink.E003"]


@pytest.mark.parametrize("key", ["x", "a" * 80, "django-insecure-" + STRONG_KEY])
def test_a_weak_secret_key_is_refused(production, key):
    production.SECRET_KEY = key
    assert coachlink_errors() == ["coachlink.E004"]


def test_debug_must_be_set_explicitly(production):
    production.DEBUG_EXPLICIT = False
    assert coachlink_errors() == ["coachlink.E001"]


def test_development_needs_no_keys(production):
    production.DEBUG = True
    production.EXACT_TOKEN_KEYS = []
    production.SECRET_KEY = "short"
    assert coachlink_errors() == []


def start(command: list[str], **environment: str) -> subprocess.CompletedProcess:
    """Run a coachlink process with only the given settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "EXACT_TOKEN_KEYS", "DJANGO_SETTINGS_MODULE")
    }
    env.update(environment, DJANGO_SETTINGS_MODULE="coachlink.settings")
    return subprocess.run(
        command,
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_web_process_refuses_to_start_without_token_keys_and_starts_with_them():
    # Loading the WSGI application, as gunicorn does.
    web = [sys.executable, "-c", "import coachlink.wsgi"]
    refused = start(web, DEBUG="false", SECRET_KEY=STRONG_KEY, EXACT_TOKEN_KEYS="")
    started = start(
        web, DEBUG="false", SECRET_KEY=STRONG_KEY, EXACT_TOKEN_KEYS=Fernet.generate_key().decode()
    )

    assert refused.returncode != 0
    assert "coachlink will not start" in refused.stderr
    assert "coachlink.E002" in refused.stderr
    assert started.returncode == 0, started.stderr


def test_the_web_process_keeps_its_startup_objects_out_of_full_collections():
    # What a full garbage collection walks in a started web process: a pass over the objects of
    # the start would pause a request for tens of milliseconds and free nothing.
    web = [
        sys.executable,
        "-c",
        "import gc, coachlink.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))",
    ]
    started = start(
        web, DEBUG="false", SECRET_KEY=STRONG_KEY, EXACT_TOKEN_KEYS=Fernet.generate_key().decode()
    )

    assert started.returncode == 0, started.stderr
    frozen, walked = (int(count) for count in started.stdout.split())
    assert frozen > 50_000
    assert walked < frozen / 20


def test_a_celery_worker_refuses_to_start_with_a_weak_secret_key(tmp_path):
    worker = [sys.executable, "-m", "celery", "-A", "coachlink", "worker", "--pool=solo"]
    refused = start(
        worker,
        DEBUG="false",
        SECRET_KEY="short",
        EXACT_TOKEN_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    )

    assert refused.returncode == 1
    assert "coachlink.E004" in refused.stderr


@pytest.mark.django_db
def test_https_pages_carry_hsts_and_a_content_security_policy(client, settings):
    settings.EXACT_BASE_URL_NL = "https://start.exactonline.nl"
    settings.EXACT_BASE_URL_BE = "https://start.exactonline.be"
    response = client.get(reverse("login"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self' https://start.exactonline.nl https://start.exactonline.be" in policy


@pytest.mark.django_db
def test_the_proxy_header_marks_a_request_as_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    plain = client.get(reverse("login"))
    proxied = client.get(reverse("login"), headers={"x-forwarded-proto": "https"})

    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied


@pytest.mark.django_db
def test_an_idle_session_ends_and_one_in_use_is_renewed(client, admin_user):
    client.force_login(admin_user)
    page = reverse("billing:invoice_list")
    session = client.session
    session[RENEWED_AT] = int(time.time()) - 120  # last renewed two minutes ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=5))

    assert client.get(page).status_code == 200

    renewed_until = Session.objects.get().expire_date - timezone.now()
    assert dt.timedelta(minutes=59) < renewed_until <= dt.timedelta(minutes=60)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(page).status_code == 302


@pytest.mark.django_db
def test_a_session_is_renewed_at_most_once_a_minute(client, admin_user):
    client.force_login(admin_user)
    page = reverse("billing:invoice_list")
    client.get(page)
    expiry = Session.objects.get().expire_date

    with CaptureQueriesContext(connection) as captured:
        assert client.get(page).status_code == 200

    assert Session.objects.get().expire_date == expiry
    assert not [
        query for query in captured if "django_session" in query["sql"] and "UPDATE" in query["sql"]
    ]
