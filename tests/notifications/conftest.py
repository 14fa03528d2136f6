"""The people a notice goes to, and the mail as the worker sends it: after the commit."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission, User

from coachlink.celery import app as celery_app
from notifications.models import Notification

SITE = "https://coachlink.example.nl"


@pytest.fixture
def mail_settings(settings):
    settings.SITE_URL = SITE
    return settings


@pytest.fixture
def people(db):
    """Who may run the export and who may not; the addresses a notice must reach."""
    change = Permission.objects.get(codename="change_exportrecord")
    view = Permission.objects.get(codename="view_exportrecord")
    clerk = User.objects.create_user("clerk", email="clerk@example.nl")
    clerk.user_permissions.add(change)
    exporters = Group.objects.create(name="Exporters")
    exporters.permissions.add(change)
    User.objects.create_user("grouped", email="grouped@example.nl").groups.add(exporters)
    User.objects.create_superuser("boss", email="boss@example.nl")
    # None of these is told: may only look, has left, or has no address.
    User.objects.create_user("viewer", email="viewer@example.nl").user_permissions.add(view)
    gone = User.objects.create_user("gone", email="gone@example.nl", is_active=False)
    gone.user_permissions.add(change)
    User.objects.create_user("silent", email="").user_permissions.add(change)
    return ["boss@example.nl", "clerk@example.nl", "grouped@example.nl"]


@pytest.fixture
def worker(monkeypatch, django_capture_on_commit_callbacks, mail_settings):
    """Runs what is queued after the commit as a worker would (the task, eagerly)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)

    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    return committed


def a_day_passes():
    """Today's notices become yesterday's, as they are after midnight."""
    for notification in Notification.objects.all():
        notification.day -= dt.timedelta(days=1)
        notification.save()
