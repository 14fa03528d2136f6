"""The link's beat schedules: the nightly bulk export and the payment sync, as the panels say.

django-celery-beat rows naming the exports app's tasks; integrations.services brings them in
line (``schedules_sync``) whenever it saves, enables, pauses or deletes the link.
"""

from __future__ import annotations

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from integrations.models import ExactLink, ExportMoment, LinkState, Repetition

NIGHTLY_TASK_NAME = "exports: nightly bulk export"
NIGHTLY_TASK = "exports.tasks.invoices_export_nightly_task"
# Shorter than the shortest repetition (a day): a run a worker could not start in time is
# dropped instead of piling up behind the next one.
NIGHTLY_EXPIRE_SECONDS = 12 * 3600


def nightly_schedule_sync(*, link: ExactLink | None) -> PeriodicTask | None:
    """Create, change or remove the nightly task so it matches the panel.

    It exists while the export moment is Nightly bulk with a time and a repetition, and it is
    enabled only while the link is enabled.
    """
    wanted = (
        link is not None
        and link.export_moment == ExportMoment.NIGHTLY
        and link.nightly_time is not None
        and bool(link.nightly_repetition)
    )
    if not wanted:
        PeriodicTask.objects.filter(name=NIGHTLY_TASK_NAME).delete()
        return None
    return _crontab_task_set(
        link=link,
        name=NIGHTLY_TASK_NAME,
        task=NIGHTLY_TASK,
        expire_seconds=NIGHTLY_EXPIRE_SECONDS,
        minute=str(link.nightly_time.minute),
        hour=str(link.nightly_time.hour),
        day_of_week="1" if link.nightly_repetition == Repetition.WEEKLY else "*",
        day_of_month="1" if link.nightly_repetition == Repetition.MONTHLY else "*",
    )


def _crontab_task_set(
    *, link: ExactLink, name: str, task: str, expire_seconds: int, **crontab: str
) -> PeriodicTask:
    """The beat row ``name`` running ``task`` at ``crontab``, enabled while the link is."""
    schedule, _created = CrontabSchedule.objects.get_or_create(
        month_of_year="*", timezone=settings.TIME_ZONE, **crontab
    )
    periodic, _created = PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": task,
            "crontab": schedule,
            "interval": None,
            "enabled": link.state == LinkState.ENABLED,
            "expire_seconds": expire_seconds,
        },
    )
    return periodic


PAYMENT_TASK_NAME = "exports: payment status sync"
PAYMENT_TASK = "exports.tasks.payment_status_sync_task"


def payment_schedule_sync(*, link: ExactLink | None) -> PeriodicTask | None:
    """Create, change or remove the payment sync so it runs every interval of the panel.

    It exists only while payment registration is on and the link is enabled: paused, nothing
    is read from Exact.
    """
    wanted = (
        link is not None
        and link.payment_registration
        and link.state == LinkState.ENABLED
        and link.payment_interval_minutes > 0
    )
    if not wanted:
        PeriodicTask.objects.filter(name=PAYMENT_TASK_NAME).delete()
        return None
    interval, _created = IntervalSchedule.objects.get_or_create(
        every=link.payment_interval_minutes, period=IntervalSchedule.MINUTES
    )
    # Expires at half the interval: a run no worker started in time makes way for the next one.
    task, _created = PeriodicTask.objects.update_or_create(
        name=PAYMENT_TASK_NAME,
        defaults={
            "task": PAYMENT_TASK,
            "interval": interval,
            "crontab": None,
            "enabled": True,
            "expire_seconds": link.payment_interval_minutes * 30,
        },
    )
    return task


RECONCILIATION_TASK_NAME = "exports: weekly reconciliation"
RECONCILIATION_TASK = "exports.tasks.reconciliation_weekly_task"
# Monday 06:30, before the working week starts; a run no worker started within a day is dropped.
RECONCILIATION_EXPIRE_SECONDS = 24 * 3600


def reconciliation_schedule_sync(*, link: ExactLink | None) -> PeriodicTask | None:
    """Create or remove the weekly reconciliation so it matches the panel; it runs only while
    the link is enabled."""
    if link is None or not link.reconciliation_weekly:
        PeriodicTask.objects.filter(name=RECONCILIATION_TASK_NAME).delete()
        return None
    return _crontab_task_set(
        link=link,
        name=RECONCILIATION_TASK_NAME,
        task=RECONCILIATION_TASK,
        expire_seconds=RECONCILIATION_EXPIRE_SECONDS,
        minute="30",
        hour="6",
        day_of_week="1",
        day_of_month="*",
    )


def schedules_sync(*, link: ExactLink | None) -> None:
    """Create, change or remove every schedule of the link (None: the link is gone)."""
    nightly_schedule_sync(link=link)
    payment_schedule_sync(link=link)
    reconciliation_schedule_sync(link=link)
