"""coachlink's Celery app for benchmark workers, counting each task's queries and memory.

Run as ``celery -A bench.worker worker``. After every task the pool process appends one JSON
line to the file named by BENCH_METRICS: the task, its database queries, its seconds and the
process's peak resident memory before and after it.
"""

import json
import os
import resource
import time

from celery.signals import task_postrun, task_prerun

from coachlink.celery import app

__all__ = ["app"]

_task: dict = {}


def _count_query(execute, sql, params, many, context):
    _task["queries"] += 1
    return execute(sql, params, many, context)


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@task_prerun.connect
def _task_started(task=None, **kwargs) -> None:
    from django.db import connection

    _task.update(queries=0, started=time.monotonic(), peak_rss_mb_before=_peak_rss_mb())
    connection.execute_wrappers.append(_count_query)


@task_postrun.connect
def _task_finished(task=None, state=None, **kwargs) -> None:
    from django.db import connection

    if _count_query in connection.execute_wrappers:
        connection.execute_wrappers.remove(_count_query)
    line = {
        "task": task.name if task is not None else "",
        "state": state,
        "queries": _task.get("queries", 0),
        "seconds": round(time.monotonic() - _task.get("started", time.monotonic()), 3),
        "peak_rss_mb_before": _task.get("peak_rss_mb_before"),
        "peak_rss_mb": _peak_rss_mb(),
        "pid": os.getpid(),
    }
    path = os.environ.get("BENCH_METRICS")
    if path:
        with open(path, "a") as metrics:
            metrics.write(json.dumps(line) + "\n")
