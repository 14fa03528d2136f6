"""The Celery app: tasks are autodiscovered from every installed app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachlink.settings")

app = Celery("coachlink")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def settings_check(**kwargs) -> None:
    """A worker or beat whose settings fail a check does not start."""
    from django.core.exceptions import ImproperlyConfigured

    from coachlink.checks import startup_check

    try:
        startup_check()
    except ImproperlyConfigured as error:
        # Celery logs a signal handler's exception and starts all the same; exiting does not.
        raise SystemExit(str(error)) from error
