"""The Celery app's broker: Redis when REDIS_URL is set, else an embedded transport."""

import os
import subprocess
import sys
from pathlib import Path

from coachlink.celery import app

ROUND_TRIP = """
import django
django.setup()
from kombu import Connection, Exchange, Queue
from coachlink.celery import app

assert app.conf.broker_url.startswith("filesystem://"), app.conf.broker_url
queue = Queue("coachlink-test", Exchange("coachlink-test"), routing_key="coachlink-test")
options = app.conf.broker_transport_options
# Two connections stand for the web process and the worker: they share only the broker's folder.
with Connection(app.conf.broker_url, transport_options=options) as sender:
    sender.Producer().publish(
        {"invoice": 42}, exchange=queue.exchange, routing_key="coachlink-test", declare=[queue]
    )
with Connection(app.conf.broker_url, transport_options=options) as receiver:
    message = receiver.SimpleQueue(queue).get(timeout=5)
    message.ack()
print(message.payload["invoice"])
"""


def test_it_uses_redis_when_redis_url_is_set(settings):
    if settings.REDIS_URL:
        assert app.conf.broker_url == settings.REDIS_URL
    else:
        assert app.conf.broker_url.startswith("filesystem://")


def test_without_redis_a_message_crosses_the_embedded_broker_between_connections():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "coachlink.settings_test"

    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"
