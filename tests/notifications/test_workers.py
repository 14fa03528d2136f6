"""Several workers meet the same event at once: one of them sends the day's mail."""

import threading

import pytest
from django.db import connection

from integrations.signals import Stopped
from notifications.models import NoticeKind, Notification
from notifications.services import notice_send
from testkit.factories import ExactLinkFactory

WORKERS = 4


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_workers_at_the_same_moment_send_one_mail_on_postgresql(
    require_postgresql, people, mail_settings, mailoutbox
):
    ExactLinkFactory()
    barrier = threading.Barrier(WORKERS)
    sent, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            sent.append(notice_send(kind=NoticeKind.REAUTHENTICATE, stopped=Stopped.EXPORT))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len([notification for notification in sent if notification is not None]) == 1
    assert len(mailoutbox) == 1
    assert Notification.objects.get().sent_at is not None
