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
    import django

    django.setup()
    from coachlink.checks import startup_check

    startup_check()
