"""What the exports and the link announce, turned into a mail queued after the commit."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from notifications.models import NoticeKind
from notifications.services import notice_given_today, notice_queued_mark
from notifications.tasks import notice_send_task

# A bulk run's refusals come one after another: the mail waits this long so it lists them.
REFUSALS_GATHER_SECONDS = 60
# How long a queued notice keeps others of its kind from being queued, beyond its wait: the
# task clears the mark when it has run; a task lost with its worker frees the kind after this.
# Without Redis (the demo) each process has its own cache, so a mark the task cleared in its
# process stays in the one that queued it: kept short, a later refusal is queued soon after.
QUEUED_MARK_SECONDS = 5 * 60


def notice_queue(*, kind: str, stopped: str = "", countdown: int = 0) -> None:
    """Queue today's notice of ``kind`` for after the commit; nothing when it was given today.

    Never inside the caller's transaction (a rolled-back refusal tells nobody), never sent by
    the caller: an export loop goes on while a worker talks to the mail server. One task a kind
    is queued at a time: a bulk run's hundred refusals before the day's mail queue one, not a
    hundred that each find the mail sent.
    """
    if notice_given_today(kind=kind):
        return

    def queue() -> None:
        mark = notice_queued_mark(kind=kind)
        if cache.add(mark, True, timeout=countdown + QUEUED_MARK_SECONDS):
            notice_send_task.apply_async((str(kind), stopped), countdown=countdown)

    # A broker or cache that fails here is logged; the export that committed goes on.
    transaction.on_commit(queue, robust=True)


def export_refused_notice(sender, record, **kwargs) -> None:
    notice_queue(kind=NoticeKind.EXPORTS_REFUSED, countdown=REFUSALS_GATHER_SECONDS)


def reauthentication_notice(sender, link, stopped, **kwargs) -> None:
    notice_queue(kind=NoticeKind.REAUTHENTICATE, stopped=str(stopped))
