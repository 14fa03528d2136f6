import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachlink.settings")

application = get_wsgi_application()

from coachlink.checks import startup_check  # noqa: E402 - needs the apps loaded above
from coachlink.process import startup_objects_freeze  # noqa: E402

startup_check()
startup_objects_freeze()
