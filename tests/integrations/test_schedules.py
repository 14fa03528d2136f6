"""The beat schedules follow what the screen's buttons do: save, enable, pause, delete."""

import datetime as dt

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from integrations.models import Activation
from integrations.schedules import (
    NIGHTLY_TASK_NAME,
    PAYMENT_TASK_NAME,
    RECONCILIATION_TASK_NAME,
)
from testkit.factories import ExactLinkFactory
from tests.integrations.panel_data import valid_panels

pytestmark = pytest.mark.django_db

NIGHTLY = {
    "financial-export_moment": "nightly",
    "financial-nightly_time": "02:30",
    "financial-nightly_repetition": "daily",
}
PAYMENTS = {"payment-payment_registration": "on", "payment-payment_interval_minutes": "15"}
WEEKLY = {"reconciliation-reconciliation_weekly": "on"}


@pytest.fixture
def link(db):
    """A saved link with (unchecked) tokens, so it can be enabled."""
    link = ExactLinkFactory()
    link.tokens_set(access_token="a", refresh_token="r", expires_in=600)
    link.save()
    return link


def save(manager_client, **panels) -> None:
    answer = manager_client.post(reverse("integrations:exact_configure"), valid_panels(**panels))
    assert answer.status_code == 302


def nightly() -> PeriodicTask | None:
    return PeriodicTask.objects.filter(name=NIGHTLY_TASK_NAME).first()


def payments() -> PeriodicTask | None:
    return PeriodicTask.objects.filter(name=PAYMENT_TASK_NAME).first()


def reconciliation() -> PeriodicTask | None:
    return PeriodicTask.objects.filter(name=RECONCILIATION_TASK_NAME).first()


@pytest.mark.parametrize(
    ("repetition", "day_of_week", "day_of_month"),
    [("daily", "*", "*"), ("weekly", "1", "*"), ("monthly", "*", "1")],
)
def test_the_nightly_schedule_follows_the_panel(
    manager_client, link, repetition, day_of_week, day_of_month
):
    save(manager_client, **{**NIGHTLY, "financial-nightly_repetition": repetition})
    task = nightly()
    assert task.task == "exports.tasks.invoices_export_nightly_task"
    assert (task.crontab.hour, task.crontab.minute) == ("2", "30")
    assert (task.crontab.day_of_week, task.crontab.day_of_month) == (day_of_week, day_of_month)
    assert 0 < task.expire_seconds < 24 * 3600
    assert not task.enabled, "it runs only once the link is enabled"

    manager_client.post(reverse("integrations:exact_enable"))
    assert nightly().enabled

    save(manager_client, **{**NIGHTLY, "financial-nightly_time": "04:05"})
    task = nightly()
    assert (task.crontab.hour, task.crontab.minute) == ("4", "5")
    assert task.enabled

    manager_client.post(reverse("integrations:exact_pause"))
    assert not nightly().enabled

    save(manager_client, **{"financial-export_moment": "realtime"})
    assert nightly() is None


def test_the_weekly_reconciliation_follows_the_panel(manager_client, link):
    save(manager_client, **WEEKLY)
    task = reconciliation()
    assert task.task == "exports.tasks.reconciliation_weekly_task" and not task.enabled
    assert (task.crontab.day_of_week, task.crontab.hour) == ("1", "6")
    manager_client.post(reverse("integrations:exact_enable"))
    assert reconciliation().enabled
    manager_client.post(reverse("integrations:exact_pause"))
    assert not reconciliation().enabled
    save(manager_client)
    assert reconciliation() is None


def test_the_schedules_go_with_the_link(manager_client, link):
    save(manager_client, **NIGHTLY, **PAYMENTS, **WEEKLY)
    manager_client.post(reverse("integrations:exact_enable"))
    assert nightly() is not None and payments() is not None and reconciliation() is not None
    manager_client.post(reverse("integrations:exact_delete"))
    assert nightly() is None and payments() is None and reconciliation() is None


def test_the_payment_schedule_runs_every_interval_while_enabled_and_expires_before_the_next(
    manager_client, link
):
    save(manager_client, **PAYMENTS)
    assert payments() is None, "nothing is read from Exact before the link is enabled"
    manager_client.post(reverse("integrations:exact_enable"))
    task = payments()
    assert task.task == "exports.tasks.payment_status_sync_task"
    assert (task.interval.every, task.interval.period) == (15, "minutes")
    assert 0 < task.expire_seconds < 15 * 60

    save(manager_client, **{**PAYMENTS, "payment-payment_interval_minutes": "60"})
    task = payments()
    assert task.interval.every == 60 and task.expire_seconds < 3600

    save(manager_client)
    assert payments() is None, "registration off"
    save(manager_client, **PAYMENTS)
    assert payments() is not None
    manager_client.post(reverse("integrations:exact_pause"))
    assert payments() is None


def test_a_model_save_starts_nothing(link):
    link.export_moment = "nightly"
    link.nightly_time = dt.time(1, 0)
    link.nightly_repetition = "daily"
    link.payment_registration = True
    link.reconciliation_weekly = True
    link.activation = Activation.ENABLED
    link.save()
    assert nightly() is None and payments() is None and reconciliation() is None
