"""Settings for the benchmarks: coachlink's own, with the broker, queue and keys of one run.

bench/harness.py sets the environment (database, Exact base URLs, token key, broker folder,
queue) before Django starts, in the benchmark process and in its Celery workers alike.
"""

import os
from pathlib import Path

# Production's settings, over plain http on this machine.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECRET_KEY", "coachlink-bench-only-not-secret-9e2b7d4a1c6f08e3b5a7d2c9f4e1a")

from coachlink.settings import *  # noqa: F403
from coachlink.settings import ALLOWED_HOSTS, REDIS_URL, STORAGES

# The pages are requested with Django's test client, which calls itself "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# No collectstatic in a throwaway run: the plain storage finds the files where they are.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
WHITENOISE_AUTOREFRESH = True

# A queue of the run's own, so a worker of the demo or of another run never takes its tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_QUEUE", "celery")
if not REDIS_URL:
    _broker_dir = Path(os.environ.get("BENCH_BROKER_DIR", "var/bench-broker"))
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }

LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "WARNING")  # noqa: F405
