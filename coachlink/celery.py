"""The Celery app: tasks are autodiscovered from every installed app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachlink.settings")

app = Celery("coachlink")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
